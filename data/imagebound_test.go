package data

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image/color"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The files of these tests are made here, byte by byte, after the formats' specifications:
// short ones whose headers announce more pixels than they hold, and real ones as flat as
// their formats allow, which must load.

// pngFile is a PNG of w×h pixels of the bit depth and color type given (0 gray, 2 RGB,
// 3 paletted, 4 gray and alpha, 6 RGBA), whose IDAT holds data as it is; a paletted one
// has a palette of 2 colors.
func pngFile(w, h int, depth, colorType byte, data []byte) []byte {
	chunk := func(b []byte, kind string, body []byte) []byte {
		b = binary.BigEndian.AppendUint32(b, uint32(len(body)))
		c := append([]byte(kind), body...)
		b = append(b, c...)
		return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(c))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, depth, colorType, 0, 0, 0)
	b := chunk([]byte("\x89PNG\r\n\x1a\n"), "IHDR", ihdr)
	if colorType == 3 {
		b = chunk(b, "PLTE", []byte{0, 0, 0, 255, 255, 255})
	}
	b = chunk(b, "IDAT", data)
	return chunk(b, "IEND", nil)
}

// pngFlat is a PNG of w×h pixels of one bit each, gray, all 0: its rows, each a filter
// byte and w/8 zero bytes, compressed by zlib at its best, near Deflate's 1,032 to 1.
func pngFlat(w, h int) []byte {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zw.Write(make([]byte, h*(1+(w+7)/8)))
	zw.Close()
	return pngFile(w, h, 1, 0, z.Bytes())
}

// gifFile is a GIF89a of a w×h screen with a global palette of black and white and one
// frame, w×h, whose LZW data (minimum code size 2) is lzw, in sub-blocks.
func gifFile(w, h int, lzw []byte) []byte {
	le := binary.LittleEndian
	b := []byte("GIF89a")
	b = le.AppendUint16(b, uint16(w))
	b = le.AppendUint16(b, uint16(h))
	b = append(b, 0x80, 0, 0, 0, 0, 0, 255, 255, 255) // a palette of 2 colors
	b = append(b, 0x2c, 0, 0, 0, 0)                   // the image descriptor, at (0, 0)
	b = le.AppendUint16(b, uint16(w))
	b = le.AppendUint16(b, uint16(h))
	b = append(b, 0, 2) // no local palette; minimum code size 2
	for len(lzw) > 0 {
		n := min(len(lzw), 255)
		b = append(append(b, byte(n)), lzw[:n]...)
		lzw = lzw[n:]
	}
	return append(b, 0, 0x3b)
}

// lsbWriter packs codes into bytes, least significant bit first, as GIF's LZW and WebP's
// VP8L do.
type lsbWriter struct {
	buf   []byte
	acc   uint64
	nBits uint
}

func (w *lsbWriter) write(v uint64, bits uint) {
	w.acc |= v << w.nBits
	for w.nBits += bits; w.nBits >= 8; w.nBits -= 8 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc >>= 8
	}
}

func (w *lsbWriter) bytes() []byte {
	if w.nBits > 0 {
		return append(w.buf, byte(w.acc))
	}
	return w.buf
}

// gifFlatLZW is the LZW data (minimum code size 2) of n pixels of color 0 in the fewest
// bits LZW allows: a literal, then each code the one just made (1, 2, 3, … pixels) until
// the table is full, 4,091 pixels at code 4095, then code 4095 over and over without a
// clear code (a decoder keeps a full table), each 12 bits for 4,091 pixels: the most
// pixels a byte a GIF can hold. It is what compress/lzw's reader decodes it to that
// decides the widths: a code is read at the width the table has reached.
func gifFlatLZW(n int) []byte {
	const clear, eoi, maxCode = 4, 5, 4095
	var w lsbWriter
	width, hi := uint(3), eoi
	emit := func(code int, grows bool) {
		w.write(uint64(code), width)
		if !grows {
			return
		}
		if hi++; hi == 1<<width {
			width++
		}
	}
	emit(clear, false)
	emit(0, false) // a literal: the table does not grow on the first code after a clear
	hi++
	left := n - 1
	for left > 0 {
		full := hi > maxCode
		code := min(hi, maxCode)
		if code-clear > left { // the code of exactly the pixels left
			code = left + clear
			if left == 1 {
				code = 0
			}
		}
		strLen := max(code-clear, 1)
		if full {
			w.write(uint64(code), width)
		} else {
			emit(code, true)
			if width > 12 { // the table is full: it stays at 12 bits
				width = 12
			}
		}
		left -= strLen
	}
	w.write(eoi, width)
	return w.bytes()
}

// jpegFile is a JPEG of w×h pixels of comps components (1, 3 or 4), each 8×8 blocks at
// full resolution, baseline or progressive, whose only scan (all DC coefficients when
// progressive) holds data: quantization and Huffman tables of one code each, the first
// bytes a decoder needs to allocate the image and start the scan.
func jpegFile(w, h, comps int, progressive bool, data []byte) []byte {
	be := binary.BigEndian
	segment := func(b []byte, marker byte, body []byte) []byte {
		b = append(b, 0xff, marker)
		b = be.AppendUint16(b, uint16(2+len(body)))
		return append(b, body...)
	}
	b := segment([]byte{0xff, 0xd8}, 0xdb, append([]byte{0}, bytes.Repeat([]byte{1}, 64)...))
	sof := []byte{8}
	sof = be.AppendUint16(sof, uint16(h))
	sof = be.AppendUint16(sof, uint16(w))
	sof = append(sof, byte(comps))
	sos := []byte{byte(comps)}
	for i := range comps {
		sof = append(sof, byte(i+1), 0x11, 0)
		sos = append(sos, byte(i+1), 0)
	}
	marker, end := byte(0xc0), byte(63)
	if progressive {
		marker, end = 0xc2, 0
	}
	b = segment(b, marker, sof)
	oneCode := append([]byte{1}, make([]byte, 16)...) // one code of 1 bit: symbol 0
	b = segment(b, 0xc4, append([]byte{0x00}, oneCode...))
	b = segment(b, 0xc4, append([]byte{0x10}, oneCode...))
	b = segment(b, 0xda, append(sos, 0, end, 0))
	return append(append(b, data...), 0xff, 0xd9)
}

// riffWebP wraps chunks (each a FourCC and its data) into a WebP file.
func riffWebP(chunks ...[]byte) []byte {
	le := binary.LittleEndian
	body := []byte("WEBP")
	for i := 0; i < len(chunks); i += 2 {
		body = append(body, chunks[i]...)
		body = le.AppendUint32(body, uint32(len(chunks[i+1])))
		body = append(body, chunks[i+1]...)
		if len(chunks[i+1])%2 == 1 {
			body = append(body, 0)
		}
	}
	return append(le.AppendUint32([]byte("RIFF"), uint32(len(body))), body...)
}

// vp8lFlat is the VP8L bitstream (lossless WebP) of a w×h image of one color c: no
// transform, no color cache, and prefix codes of one symbol each for green, red, blue,
// alpha and distance, which take no bit a pixel.
func vp8lFlat(w, h int, c color.NRGBA) []byte {
	var b lsbWriter
	b.write(0x2f, 8)
	b.write(uint64(w-1), 14)
	b.write(uint64(h-1), 14)
	b.write(0, 1+3)   // no alpha hint, version 0
	b.write(0, 1+1+1) // no transform, no color cache, no meta prefix codes
	for _, sym := range []uint8{c.G, c.R, c.B, c.A, 0} {
		b.write(1|0<<1|1<<2, 3) // a simple code of one symbol of 8 bits
		b.write(uint64(sym), 8)
	}
	return b.bytes()
}

// vp8Frame is a VP8 key frame (lossy WebP) of w×h whose first partition is part, and
// rest the bytes after it (RFC 6386 9.1).
func vp8Frame(w, h int, part, rest []byte) []byte {
	le := binary.LittleEndian
	tag := uint32(len(part))<<5 | 1<<4 // key frame, version 0, shown
	b := []byte{byte(tag), byte(tag >> 8), byte(tag >> 16), 0x9d, 0x01, 0x2a}
	b = le.AppendUint16(b, uint16(w))
	b = le.AppendUint16(b, uint16(h))
	return append(append(b, part...), rest...)
}

// vp8x is a VP8X chunk's data: a canvas of w×h, with alpha when alpha is set.
func vp8x(w, h int, alpha bool) []byte {
	flags := byte(0)
	if alpha {
		flags = 0x10
	}
	b := []byte{flags, 0, 0, 0}
	b = binary.LittleEndian.AppendUint32(b, uint32(w-1))[:7]
	return binary.LittleEndian.AppendUint32(b, uint32(h-1))[:10]
}

// webpLossy12x8 is a 12×8 lossy WebP (VP8) of a gradient, (20x, 30y, 100) at column x
// and row y, made by `cwebp -q 90` from a PNG.
var webpLossy12x8 = []byte{
	0x52, 0x49, 0x46, 0x46, 0x66, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50,
	0x56, 0x50, 0x38, 0x20, 0x5a, 0x00, 0x00, 0x00, 0x50, 0x02, 0x00, 0x9d,
	0x01, 0x2a, 0x0c, 0x00, 0x08, 0x00, 0x00, 0xc0, 0x12, 0x25, 0xb0, 0x02,
	0x74, 0xba, 0x01, 0xf8, 0x00, 0x03, 0x20, 0x42, 0x0a, 0xbf, 0x10, 0x00,
	0xfe, 0xff, 0x69, 0xbd, 0xdf, 0xa6, 0xb5, 0xef, 0x37, 0xed, 0xc8, 0xaa,
	0x5d, 0x56, 0xe4, 0xc1, 0xfc, 0xa1, 0xd9, 0x9c, 0x0e, 0xe4, 0xd4, 0x76,
	0x72, 0xfd, 0x72, 0x8c, 0xa6, 0x7f, 0xd5, 0x7f, 0xd3, 0xf5, 0x6b, 0xff,
	0x86, 0xbf, 0xfb, 0x47, 0xfc, 0xa6, 0x83, 0xfd, 0xf9, 0x1e, 0x7e, 0x35,
	0x3d, 0xb6, 0xeb, 0xe3, 0xc7, 0xff, 0x62, 0x8b, 0x6e, 0x69, 0x75, 0xf8,
	0x00, 0x00,
}

// webpAlpha12x8 is a 12×8 lossy WebP with alpha (VP8X, ALPH, VP8): (200, 40, 90), its
// left half transparent, made by `cwebp -q 90 -exact` from a PNG.
var webpAlpha12x8 = []byte{
	0x52, 0x49, 0x46, 0x46, 0x64, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50,
	0x56, 0x50, 0x38, 0x58, 0x0a, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00,
	0x0b, 0x00, 0x00, 0x07, 0x00, 0x00, 0x41, 0x4c, 0x50, 0x48, 0x13, 0x00,
	0x00, 0x00, 0x01, 0x0f, 0x30, 0xff, 0x11, 0x11, 0x42, 0x20, 0x90, 0x20,
	0xe4, 0x6f, 0xb3, 0xdd, 0x0a, 0x11, 0xfd, 0x8f, 0x1c, 0x00, 0x56, 0x50,
	0x38, 0x20, 0x2a, 0x00, 0x00, 0x00, 0x70, 0x01, 0x00, 0x9d, 0x01, 0x2a,
	0x0c, 0x00, 0x08, 0x00, 0x00, 0xc0, 0x12, 0x25, 0xa0, 0x02, 0x74, 0x01,
	0x75, 0x00, 0x00, 0xfe, 0xf5, 0x88, 0x95, 0xaf, 0xff, 0xd9, 0x2b, 0x7f,
	0xfe, 0xcf, 0x2f, 0xff, 0xfb, 0x25, 0x6f, 0xfb, 0x1e, 0x40, 0x00, 0x00,
}

// webpFlat256 is a 256×256 lossy WebP of one gray, 77, made by `cwebp -q 100 -m 6` from
// a PNG: 394 pixels a byte (cwebp gives 563 at 4096×4096, at any quality).
var webpFlat256 = []byte{
	0x52, 0x49, 0x46, 0x46, 0x9e, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50,
	0x56, 0x50, 0x38, 0x20, 0x92, 0x00, 0x00, 0x00, 0x50, 0x0f, 0x00, 0x9d,
	0x01, 0x2a, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x25, 0xa5, 0xbb,
	0x85, 0xda, 0xc4, 0x6d, 0x1d, 0xc1, 0x93, 0xc6, 0x9b, 0x44, 0xc6, 0x9b,
	0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b,
	0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b,
	0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b,
	0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b,
	0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b,
	0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b,
	0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b,
	0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9b,
	0x44, 0xc6, 0x9b, 0x44, 0xc6, 0x9a, 0xb0, 0x00, 0xfe, 0xff, 0xf9, 0x17,
	0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
}

// shortFile is an image file whose header announces more pixels than it holds, and what
// probe must say of it.
type shortFile struct {
	name, want string
	file       []byte
}

// decoderRefuses are the shortFiles that the decoder itself refuses before allocating
// their pixels: golang.org/x/image/webp checks a VP8X canvas against its image (v0.48.0
// does, v0.30.0 did not). probe's refusal stays, whichever version is built.
var decoderRefuses = map[string]bool{"canvas.webp": true}

// shortFiles are files of each format whose headers announce s×s pixels (or, for
// canvas.webp, hide them behind a canvas of 1×1) in a few dozen bytes. Their decoders
// allocate the announced image before they find the pixels missing.
func shortFiles(s int) []shortFile {
	zlibHeader := []byte{0x78, 0x9c}
	tooMany := func(format string, size int, rule string) string {
		return fmt.Sprintf("%s image of %dx%d in a file of %d bytes: more pixels than the file can hold (%s): damaged, or made to exhaust memory", format, s, s, size, rule)
	}
	chunkTooLong := riffWebP([]byte("VP8 "), vp8Frame(s, s, make([]byte, 16), nil))
	binary.LittleEndian.PutUint32(chunkTooLong[4:], 100_000_100) // the RIFF's length, which the chunk's must fit in
	binary.LittleEndian.PutUint32(chunkTooLong[16:], 100_000_000)
	return []shortFile{
		{"png16.png", tooMany("png", 59, "a PNG of 64 bits a pixel holds at most 129 a byte"), pngFile(s, s, 16, 6, zlibHeader)},
		{"png1.png", tooMany("png", 59, "a PNG of 1 bits a pixel holds at most 8256 a byte"), pngFile(s, s, 1, 0, zlibHeader)},
		{"gif.gif", tooMany("gif", 36, "a GIF's first frame, its LZW codes, holds at most 2728 pixels a byte"), gifFile(s, s, []byte{0x8c, 0x2d, 0x99})},
		{"cmyk.jpg", tooMany("jpeg", 163, "a JPEG holds at most 512 pixels a byte"), jpegFile(s, s, 4, true, make([]byte, 8))},
		{"gray.jpg", tooMany("jpeg", 148, "a JPEG holds at most 512 pixels a byte"), jpegFile(s, s, 1, false, make([]byte, 8))},
		{"lossy.webp", tooMany("webp", 58, "a lossy WebP holds at most 2048 pixels a byte"),
			riffWebP([]byte("VP8 "), vp8Frame(s, s, make([]byte, 16), make([]byte, 12)))},
		{"canvas.webp", fmt.Sprintf("webp image: its canvas of 1x1 (VP8X) is not its image's size, %dx%d", s, s),
			riffWebP([]byte("VP8X"), vp8x(1, 1, false), []byte("VP8L"), vp8lFlat(s, s, color.NRGBA{1, 2, 3, 255}))},
		{"alpha.webp", fmt.Sprintf("webp image: its uncompressed alpha holds 3 of the %d bytes of its %dx%d pixels", s*s, s, s),
			riffWebP([]byte("VP8X"), vp8x(s, s, true), []byte("ALPH"), []byte{0, 1, 2, 3}, []byte("VP8 "), vp8Frame(s, s, nil, nil))},
		{"chunk.webp", `webp image: its "VP8 " chunk of 100000000 bytes at byte 12 runs past the end of the file (46 bytes)`, chunkTooLong},
	}
}

// TestProbeRefusesShortFiles: each of shortFiles of 8192×8192 is refused by probe, its
// reason naming the rule, with less than 1 MB allocated; and each kind, at 512×512, makes
// the decoder allocate at least its pixels, a byte each, which probe spares (or, where the
// decoder refuses it too, fail).
func TestProbeRefusesShortFiles(t *testing.T) {
	dir := t.TempDir()
	spec := decodeSpec{size: 4, rgb: true, bg: color.RGBA{255, 255, 255, 255}}
	for _, tc := range shortFiles(8192) {
		path := filepath.Join(dir, tc.name)
		mustWrite(t, path, tc.file)
		alloc := allocated(func() {
			if _, err := probe(path); err == nil || err.Error() != tc.want {
				t.Errorf("%s: probe: %v, want %q", tc.name, err, tc.want)
			}
		})
		if alloc > 1<<20 {
			t.Errorf("%s: probe allocated %d KB", tc.name, alloc>>10)
		}
	}
	for _, tc := range shortFiles(512) {
		path := filepath.Join(dir, tc.name)
		mustWrite(t, path, tc.file)
		var err error
		alloc := allocated(func() { _, err = decodeFile(make([]uint8, spec.bytesPerImage()), path, spec) })
		switch {
		case decoderRefuses[tc.name] && err == nil:
			t.Errorf("%s: the decoder read it: probe's refusal is the only one", tc.name)
		case !decoderRefuses[tc.name] && alloc < 512*512:
			t.Errorf("%s: the decoder allocated %d KB for 512x512 pixels: not a file it allocates for", tc.name, alloc>>10)
		}
	}
}

// allocated returns the bytes fn allocates.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestLoadImageFolderShortFilesSkipped: in a folder of 100 good images, each of
// shortFiles is skipped with probe's reason, naming it, and the load allocates less than
// a quarter of the smallest image announced (8192×8192 bytes); under Strict it is the
// error.
func TestLoadImageFolderShortFilesSkipped(t *testing.T) {
	dir := t.TempDir()
	for i := range 100 {
		writeImage(t, filepath.Join(dir, fmt.Sprintf("g%03d.png", i)), uniform("gray", 4, 4, color.Gray{uint8(i)}))
	}
	for _, tc := range shortFiles(8192) {
		path := filepath.Join(dir, tc.name)
		mustWrite(t, path, tc.file)
		var f *ImageFolder
		var err error
		alloc := allocated(func() { f, err = LoadImageFolder(dir, ImageFolderOptions{ImageSize: 4, CacheDir: t.TempDir()}) })
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if f.Set.Images.N != 100 || f.Skipped != 1 || !strings.HasPrefix(f.SkippedFiles[0], tc.name+": "+tc.want) {
			t.Errorf("%d images, %d skipped: %q; want 100 and %s skipped: %s", f.Set.Images.N, f.Skipped, f.SkippedFiles, tc.name, tc.want)
		}
		if alloc > 16<<20 {
			t.Errorf("%s: the load allocated %d MB", tc.name, alloc>>20)
		}
		_, err = LoadImageFolder(dir, ImageFolderOptions{ImageSize: 4, CacheDir: t.TempDir(), Strict: true})
		if err == nil || !strings.Contains(err.Error(), tc.name+": "+tc.want) {
			t.Errorf("strict: %v, want %s named with %q", err, tc.name, tc.want)
		}
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLoadImageFolderFlattestFiles: real files as flat as their formats allow, near the
// bounds of readHeader or past any bound (a lossless WebP), are not refused, and load
// to their one color: a 1-bit PNG through zlib at its best (7,913 pixels a byte, the
// bound 8,256), a GIF of LZW's longest codes at 8192×8192 (2,457, the bound 2,728), a
// lossless WebP of 2048×2048 in 34 bytes, cwebp's flattest lossy WebP of 256×256.
func TestLoadImageFolderFlattestFiles(t *testing.T) {
	for _, tc := range []struct {
		name     string
		file     []byte
		minRatio int // pixels a byte the file reaches, at least
		gray     uint8
	}{
		{"flat.png", pngFlat(4096, 4096), 7900, 0},
		{"flat.gif", gifFile(8192, 8192, gifFlatLZW(8192*8192)), 2450, 0},
		{"flat.webp", riffWebP([]byte("VP8L"), vp8lFlat(2048, 2048, color.NRGBA{90, 90, 90, 255})), 90000, 90},
		// Gray 77 is Y = 82 in VP8's studio range (16 to 235), read as libwebp
		// reads it (vp8Image): 77, as dwebp gives it.
		{"lossy.webp", webpFlat256, 390, 77},
	} {
		dir := t.TempDir()
		mustWrite(t, filepath.Join(dir, tc.name), tc.file)
		if ratio := probeRatio(t, filepath.Join(dir, tc.name)); ratio < tc.minRatio {
			t.Errorf("%s: %d pixels a byte, want at least %d", tc.name, ratio, tc.minRatio)
		}
		f, err := LoadImageFolder(dir, ImageFolderOptions{ImageSize: 4, Channels: 1, CacheDir: t.TempDir()})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for i, p := range f.Set.Images.Pixels {
			if d := int(p) - int(tc.gray); d < -1 || d > 1 {
				t.Fatalf("%s: pixel %d is %d, want %d ± 1", tc.name, i, p, tc.gray)
			}
		}
	}
}

// probeRatio returns the pixels a byte of the image file at path, from probe.
func probeRatio(t *testing.T, path string) int {
	t.Helper()
	hd, err := probe(path)
	if err != nil {
		t.Fatalf("probe: %v", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return hd.w * hd.h / int(st.Size())
}

// TestLoadImageFolderWebPLossy: lossy WebPs load, one with alpha (VP8X, ALPH, VP8)
// composited onto the background: of the 12×8 gradient, red grows to the right and green
// downwards; of the one whose left half is transparent, the center square's left half
// (its columns 2 to 5) is the background, its right half red.
func TestLoadImageFolderWebPLossy(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "a", "grad.webp"), webpLossy12x8)
	mustWrite(t, filepath.Join(dir, "b", "alpha.webp"), webpAlpha12x8)
	for _, bg := range []Background{BackgroundWhite, BackgroundBlack} {
		f, err := LoadImageFolder(dir, ImageFolderOptions{ImageSize: 8, Channels: 3, Background: bg, CacheDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if f.Set.Images.N != 2 || f.Skipped != 0 {
			t.Fatalf("%d images, %d skipped (%q); want 2", f.Set.Images.N, f.Skipped, f.SkippedFiles)
		}
		at := func(img, x, y int) [3]int {
			p := f.Set.Images.Pixels[img*8*8*3+(y*8+x)*3:]
			return [3]int{int(p[0]), int(p[1]), int(p[2])}
		}
		if l, r, top, bottom := at(0, 0, 4), at(0, 7, 4), at(0, 4, 0), at(0, 4, 7); r[0]-l[0] < 60 || bottom[1]-top[1] < 100 {
			t.Errorf("gradient: left %v, right %v, top %v, bottom %v; want red growing to the right, green downwards", l, r, top, bottom)
		}
		want := bg.Color()
		for y := range 8 {
			left, right := at(1, 0, y), at(1, 7, y)
			if left != [3]int{int(want.R), int(want.G), int(want.B)} || right[0]-right[1] < 100 {
				t.Fatalf("alpha over %v, row %d: left %v, right %v; want the background, then red", bg, y, left, right)
			}
		}
	}
}

// TestLoadImageFolderWebPLosslessExtended: a lossless WebP inside an extended header
// (VP8X, as editors write it to carry an ICC profile or metadata), whose alpha flag is set,
// loads, its alpha composited onto the background; golang.org/x/image/webp v0.30.0 refused
// it ("webp: invalid format"), so such a file was skipped. Without the flag too.
func TestLoadImageFolderWebPLosslessExtended(t *testing.T) {
	half := color.NRGBA{200, 40, 90, 128}
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "alpha.webp"), riffWebP([]byte("VP8X"), vp8x(16, 16, true), []byte("VP8L"), vp8lFlat(16, 16, half)))
	mustWrite(t, filepath.Join(dir, "opaque.webp"), riffWebP([]byte("VP8X"), vp8x(16, 16, false), []byte("VP8L"), vp8lFlat(16, 16, color.NRGBA{30, 180, 60, 255})))
	for _, bg := range []Background{BackgroundWhite, BackgroundBlack} {
		f, err := LoadImageFolder(dir, ImageFolderOptions{ImageSize: 8, Channels: 3, Background: bg, CacheDir: t.TempDir(), Strict: true})
		if err != nil {
			t.Fatal(err)
		}
		if f.Set.Images.N != 2 || f.Skipped != 0 {
			t.Fatalf("%d images, %d skipped (%q); want 2", f.Set.Images.N, f.Skipped, f.SkippedFiles)
		}
		b := bg.Color()
		a := float64(half.A) / 255
		want := [2][3]float64{
			{float64(half.R)*a + float64(b.R)*(1-a), float64(half.G)*a + float64(b.G)*(1-a), float64(half.B)*a + float64(b.B)*(1-a)},
			{30, 180, 60},
		}
		for img := range 2 { // the files in name order: alpha.webp, opaque.webp
			p := f.Set.Images.Pixels[img*8*8*3+(4*8+4)*3:]
			for c := range 3 {
				if d := float64(p[c]) - want[img][c]; d < -1.5 || d > 1.5 {
					t.Errorf("over %v, image %d: pixel %v, want %.1f", bg, img, p[:3], want[img])
					break
				}
			}
		}
	}
}
