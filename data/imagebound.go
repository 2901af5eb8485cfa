package data

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"io"

	"github.com/gogan/gogan/internal/pngbound"
)

// The decoders of every format LoadImageFolder reads allocate the whole image from its
// header, before they read a pixel, and fail only later, when the pixels run out. So that
// a file of a few dozen bytes announcing 8192×8192 pixels (damaged, or made to exhaust
// memory) costs nothing, probe compares the pixels the header announces with the most
// that the file's bytes can hold: the largest ratio of pixels to bytes the format's coding
// can reach, which no real file exceeds (a flat one comes near it). Measured on
// shortFiles(8192) with the decoders of Go 1.26 and golang.org/x/image v0.30.0, each
// failing after it allocated: a 59-byte 16-bit RGBA PNG 512 MB, a 36-byte GIF 64 MB, a
// 163-byte progressive CMYK JPEG 1.3 GB (its coefficients, 256 bytes an 8×8 block a
// component), a 58-byte lossy WebP 97 MB and 0.57 s (its decoder writes every macroblock
// before it finds the data short). The pages a decoder never writes cost a fresh process
// nothing, but a long load reuses memory, which the runtime clears for each. And a
// 52-byte WebP whose VP8X canvas said 1×1 decoded a lossless image of 16384×16384 past
// MaxImagePixels: 1 GiB and 13 s.

// Pixels a byte that the formats can hold at most.
const (
	// gifMaxPixelsPerByte: an LZW code of w bits (at most 12) stands for a string of at
	// most 2^w − 4 − 1 pixels (the table's entries past the clear and end codes, clear
	// ≥ 4, each at most one longer than the one before; Go's compress/lzw keeps using a
	// full table without a clear code), so 4,091 pixels per 12 bits, 2,728 a byte. Go's
	// image/gif encoder gives 1,443 pixels a byte on a flat 4096×4096 image, gifsicle
	// -O3 1,910.
	gifMaxPixelsPerByte = 2728
	// vp8MaxPixelsPerByte: a lossy WebP (VP8, RFC 6386) codes each macroblock of 16×16
	// pixels with at least its luma mode's first bit (probability 145/256) and its
	// chroma mode's first bit (142/256), fixed probabilities whose cheaper outcomes cost
	// 0.82 and 0.85 bit in the arithmetic coder: more than one bit a macroblock, so at
	// most 256 pixels per bit, 2,048 a byte. cwebp gives 563 pixels a byte on a flat
	// 4096×4096 image, at any quality.
	vp8MaxPixelsPerByte = 2048
	// jpegMaxPixelsPerByte: a JPEG codes each 8×8 block of its first component (at
	// full resolution in the JPEGs image/jpeg decodes) with at least one Huffman code
	// of at least one bit, its DC coefficient's, so 64 pixels a bit, 512 a byte. cjpeg
	// -optimize gives 255 pixels a byte on a flat gray 4096×4096 image.
	jpegMaxPixelsPerByte = 512
)

// imageHeader is what a format's header says of the image its decoder allocates: the
// image's size (the first frame's, for a GIF), the most pixels the file can hold (0: no
// bound) with the rule that says so, for the message, and the memory its decoding takes
// (see decodeCost): the bytes the decoder allocates at most, and whether the image may be
// transparent (then composited onto the background as RGBA before it is scaled).
type imageHeader struct {
	w, h    int
	most    int64
	rule    string
	decoded int64
	alpha   bool
}

// plainHeader is the imageHeader of cfg without a bound: its size, its pixels at the
// bytes a pixel of its color model, and whether that model has alpha.
func plainHeader(cfg image.Config) imageHeader {
	perPixel, alpha := modelBytes(cfg.ColorModel)
	return imageHeader{w: cfg.Width, h: cfg.Height, decoded: pixels(cfg.Width, cfg.Height) * perPixel, alpha: alpha}
}

// pixels is w × h in int64.
func pixels(w, h int) int64 { return int64(w) * int64(h) }

// modelBytes returns the bytes a pixel of the images the decoders return in color model
// m (YCbCr counted as 4:4:4, the most), and whether the model has alpha; 8 bytes with
// alpha for a model not listed.
func modelBytes(m color.Model) (perPixel int64, alpha bool) {
	switch m {
	case color.GrayModel:
		return 1, false
	case color.Gray16Model:
		return 2, false
	case color.YCbCrModel:
		return 3, false
	case color.CMYKModel:
		return 4, false
	case color.RGBAModel, color.NRGBAModel, color.NYCbCrAModel:
		return 4, true
	}
	if _, ok := m.(color.Palette); ok {
		return 1, true
	}
	return 8, true
}

// headerFunc returns the imageHeader of the image file r of size bytes, whose header gave
// cfg, or says what is wrong with its header.
type headerFunc func(r io.ReaderAt, cfg image.Config, size int64) (imageHeader, error)

// imageHeaders are the formats' headerFuncs, by the format's name in image.DecodeConfig.
// A lossless WebP (VP8L) has no bound: one color of any size takes some 30 bytes, each
// pixel coded with no bit at all by prefix codes of one symbol.
var imageHeaders = map[string]headerFunc{
	"png":  pngHeader,
	"gif":  gifHeader,
	"webp": webpHeader,
	"jpeg": jpegHeader,
	// The TIFF compressions x/image/tiff reads give at most about 1,300 8-bit pixels a
	// byte (LZW on one flat color; Deflate 1,032, PackBits 128), but for bilevel fax
	// pages (CCITT). Its decoder holds a strip decompressed beside the image: one strip
	// may be the whole image.
	"tiff": perByte(4096, "a TIFF holds at most 4096 a byte", 2),
	// The BMPs x/image/bmp reads hold a byte or more a pixel, uncompressed.
	"bmp": perByte(1, "a BMP holds at most 1 a byte", 1),
}

// readHeader returns what the header of the image file r of format, of size bytes,
// says (cfg, and what the format's headerFunc reads of it), and refuses one that
// announces more pixels than the file can hold: damaged, or made to exhaust memory.
func readHeader(r io.ReaderAt, format string, cfg image.Config, size int64) (imageHeader, error) {
	read, ok := imageHeaders[format]
	if !ok {
		return plainHeader(cfg), nil
	}
	h, err := read(r, cfg, size)
	if err != nil {
		return h, fmt.Errorf("%s image: %v", format, err)
	}
	if h.most > 0 && int64(h.w)*int64(h.h) > h.most {
		return h, fmt.Errorf("%s image of %dx%d in a file of %d bytes: more pixels than the file can hold (%s): damaged, or made to exhaust memory", format, h.w, h.h, size, h.rule)
	}
	return h, nil
}

// perByte is the headerFunc of a format that holds at most most pixels a byte, by rule,
// whose decoder allocates copies times its color model's bytes a pixel.
func perByte(most int64, rule string, copies int64) headerFunc {
	return func(_ io.ReaderAt, cfg image.Config, size int64) (imageHeader, error) {
		h := plainHeader(cfg)
		h.most, h.rule, h.decoded = most*size, rule, copies*h.decoded
		return h, nil
	}
}

// pngHeader bounds a PNG by its bits a pixel, from IHDR (bit depth at byte 24, color
// type at 25, interlace at 28; image.DecodeConfig has checked that IHDR comes first): its
// rows, filtered and compressed by Deflate, hold at least bits/8 bytes a pixel, so at
// most pngbound.PerByte(bits) pixels a byte (8 × 1,032 / bits: Deflate gives at most
// 1,032 bytes a byte). A PNG of gray or RGB pixels (color type 0 or 2) with a
// transparent color (a tRNS chunk before the pixels) is decoded as NRGBA, 4 bytes a pixel
// (8 at 16 bits); one of gray or RGB without it, or of a palette without it, is opaque. An interlaced PNG's decoder holds the image twice: the whole,
// and the passes it merges into it.
func pngHeader(r io.ReaderAt, cfg image.Config, size int64) (imageHeader, error) {
	h := plainHeader(cfg)
	var ihdr [5]byte
	if _, err := r.ReadAt(ihdr[:], 24); err != nil {
		return h, fmt.Errorf("reading its header: %v", err)
	}
	depth, colorType := int64(ihdr[0]), ihdr[1]
	channels := map[byte]int64{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colorType]
	bits := depth * channels
	if bits == 0 { // DecodeConfig has refused it
		return h, nil
	}
	perByte := pngbound.PerByte(bits)
	h.most, h.rule = perByte*size, fmt.Sprintf("a PNG of %d bits a pixel holds at most %d a byte", bits, perByte)
	h.alpha = colorType == 4 || colorType == 6 || pngTransparent(r, size)
	if h.alpha && (colorType == 0 || colorType == 2) {
		h.decoded = pixels(h.w, h.h) * max(4, depth/2)
	}
	if ihdr[4] != 0 {
		h.decoded *= 2
	}
	return h, nil
}

// pngTransparent reports whether the PNG r has a tRNS chunk before its first IDAT,
// walking its chunks from the one after IHDR: each a 4-byte big-endian length, a 4-byte
// type, the data and a 4-byte CRC.
func pngTransparent(r io.ReaderAt, size int64) bool {
	var head [8]byte
	for off := int64(8 + 8 + 13 + 4); off+8 <= size; {
		if _, err := r.ReadAt(head[:], off); err != nil {
			return false
		}
		switch string(head[4:]) {
		case "tRNS":
			return true
		case "IDAT":
			return false
		}
		off += 8 + int64(binary.BigEndian.Uint32(head[:4])) + 4
	}
	return false
}

// gifHeader bounds a GIF's first frame, the image image/gif decodes (within the screen
// that cfg gives), by LZW's ratio. It reads the file to the frame's descriptor, past the
// color table and the extensions before it; a file that ends before it has no bound (the
// decoder allocates no frame). The frame is transparent when a graphic control extension
// before it says so (bit 0 of its flags); an interlaced one's decoder holds it twice, as
// read and put in order.
func gifHeader(r io.ReaderAt, cfg image.Config, size int64) (imageHeader, error) {
	h := plainHeader(cfg)
	h.alpha = false
	br := bufio.NewReader(io.NewSectionReader(r, 0, size))
	var screen [13]byte // header and logical screen descriptor
	if _, err := io.ReadFull(br, screen[:]); err != nil {
		return h, nil
	}
	if flags := screen[10]; flags&0x80 != 0 {
		if _, err := br.Discard(3 << (1 + flags&7)); err != nil {
			return h, nil
		}
	}
	for {
		block, err := br.ReadByte()
		if err != nil || block != 0x21 && block != 0x2c {
			return h, nil // the decoder says what is wrong, with nothing allocated
		}
		if block == 0x21 { // an extension: its label, then its sub-blocks
			label, err := br.ReadByte()
			if err != nil {
				return h, nil
			}
			if next, err := br.Peek(2); label == 0xf9 && err == nil && next[0] >= 1 {
				h.alpha = h.alpha || next[1]&1 != 0 // a graphic control extension
			}
			if skipSubBlocks(br) != nil {
				return h, nil
			}
			continue
		}
		var desc [9]byte // left, top, width, height, little-endian; flags
		if _, err := io.ReadFull(br, desc[:]); err != nil {
			return h, nil
		}
		le := binary.LittleEndian
		left, top := int(le.Uint16(desc[0:])), int(le.Uint16(desc[2:]))
		h.w, h.h = int(le.Uint16(desc[4:])), int(le.Uint16(desc[6:]))
		if left+h.w > cfg.Width || top+h.h > cfg.Height {
			return h, fmt.Errorf("its first frame of %dx%d at (%d, %d) lies outside its %dx%d screen", h.w, h.h, left, top, cfg.Width, cfg.Height)
		}
		h.most = gifMaxPixelsPerByte * size
		h.rule = fmt.Sprintf("a GIF's first frame, its LZW codes, holds at most %d pixels a byte", gifMaxPixelsPerByte)
		h.decoded = pixels(h.w, h.h)
		if desc[8]&0x40 != 0 {
			h.decoded *= 2
		}
		return h, nil
	}
}

// skipSubBlocks reads past a GIF's data sub-blocks: each a length byte and that many
// bytes, to a length of 0.
func skipSubBlocks(br *bufio.Reader) error {
	for {
		n, err := br.ReadByte()
		if err != nil || n == 0 {
			return err
		}
		if _, err := br.Discard(int(n)); err != nil {
			return err
		}
	}
}

// jpegHeader bounds a JPEG by jpegMaxPixelsPerByte. Its decoder allocates a plane of a
// byte a pixel for each component, at the component's resolution: its sampling factors
// over the largest ones, from the start-of-frame segment (jpegFrame); for an RGB or CMYK
// image, the RGBA or CMYK image made of the planes, 4 bytes a pixel more; for a
// progressive one, the coefficients of every component, 256 bytes an 8×8 block, 4 bytes
// a pixel of its plane.
func jpegHeader(r io.ReaderAt, cfg image.Config, size int64) (imageHeader, error) {
	h := plainHeader(cfg)
	h.most, h.rule, h.alpha = jpegMaxPixelsPerByte*size, "a JPEG holds at most 512 pixels a byte", false
	planes, progressive, ok := jpegFrame(r, size, pixels(h.w, h.h))
	if !ok {
		return h, nil
	}
	h.decoded = planes
	if cfg.ColorModel == color.RGBAModel || cfg.ColorModel == color.CMYKModel {
		h.decoded += 4 * pixels(h.w, h.h)
	}
	if progressive {
		h.decoded += 4 * planes
	}
	return h, nil
}

// jpegFrame reads the JPEG r's first start-of-frame segment, found by walking its
// segments (each 0xff, a marker, and a 2-byte big-endian length that counts itself): the
// bytes of its components' planes for px pixels, and whether it is progressive (SOF2,
// 0xffc2, where a baseline one's is SOF0 or SOF1, the others image/jpeg refuses). It
// reports false when it finds none.
func jpegFrame(r io.ReaderAt, size, px int64) (planes int64, progressive, ok bool) {
	var seg [4]byte
	for off := int64(2); off+4 <= size; {
		if _, err := r.ReadAt(seg[:], off); err != nil || seg[0] != 0xff {
			return 0, false, false
		}
		marker, n := seg[1], int64(binary.BigEndian.Uint16(seg[2:]))
		if marker == 0xff { // a fill byte
			off++
			continue
		}
		if marker != 0xc0 && marker != 0xc1 && marker != 0xc2 {
			off += 2 + n
			continue
		}
		// precision, height, width, components; then each: id, h<<4 | v, table.
		sof := make([]byte, min(max(n-2, 0), 6+3*4))
		if _, err := r.ReadAt(sof, off+4); err != nil || len(sof) < 6 {
			return 0, false, false
		}
		var hv, most int64
		for comp := sof[6:]; len(comp) >= 3; comp = comp[3:] {
			f := int64(comp[1]>>4) * int64(comp[1]&15)
			hv, most = hv+f, max(most, f)
		}
		if most == 0 {
			return 0, false, false
		}
		return px * hv / most, marker == 0xc2, true
	}
	return 0, false, false
}

// webpHeader walks a WebP's RIFF chunks to its image's (VP8, lossy, or VP8L, lossless)
// and returns the size the bitstream's own header gives, which is what golang.org/x/image
// /webp allocates. It refuses:
//   - an extended file (VP8X) whose canvas, which cfg gives, is not that size: the
//     decoder allocates the bitstream's size whatever the canvas says, so that a canvas of
//     1x1 let a lossless image of 16384x16384 (30 bytes, 1 GiB decoded) past
//     MaxImagePixels; libwebp refuses such a file too;
//   - a chunk before the image's, or a VP8 chunk, that runs past the end of the file: the
//     decoder reads each whole, and allocates a VP8 chunk's length before reading it;
//   - an uncompressed alpha chunk (ALPH) shorter than the canvas's pixels, which the
//     decoder allocates before reading them.
//
// A lossy image holds at most vp8MaxPixelsPerByte pixels a byte; a lossless one has no
// bound. The decoder allocates, besides a lossy image (YCbCr 4:2:0, of macroblocks of
// 16×16), its alpha, compressed as a lossless image (4 bytes a pixel) then copied out
// (1); a lossless image (NRGBA) may be held twice, packed and unpacked by its
// color-indexing transform, and is transparent unless its header's alpha hint says not.
func webpHeader(r io.ReaderAt, cfg image.Config, size int64) (imageHeader, error) {
	plain := plainHeader(cfg)
	extended := false
	for off := int64(12); off+8 <= size; {
		var head [8]byte // the chunk's FourCC and length
		if _, err := r.ReadAt(head[:], off); err != nil {
			return plain, fmt.Errorf("reading its chunks: %v", err)
		}
		id, n := string(head[:4]), int64(binary.LittleEndian.Uint32(head[4:]))
		if id != "VP8L" && off+8+n > size {
			return plain, fmt.Errorf("its %q chunk of %d bytes at byte %d runs past the end of the file (%d bytes)", id, n, off, size)
		}
		switch id {
		case "VP8X":
			extended = true
		case "ALPH":
			if err := checkRawAlpha(r, off+8, n, cfg); err != nil {
				return plain, err
			}
		case "VP8 ", "VP8L":
			h, ok := webpFrame(r, off+8, id, size)
			switch {
			case !ok:
				return plain, nil // the decoder refuses it before allocating
			case extended && (h.w != cfg.Width || h.h != cfg.Height):
				return h, fmt.Errorf("its canvas of %dx%d (VP8X) is not its image's size, %dx%d", cfg.Width, cfg.Height, h.w, h.h)
			case id == "VP8 " && cfg.ColorModel == color.NYCbCrAModel:
				h.decoded, h.alpha = h.decoded+(4+1)*pixels(h.w, h.h), true
			}
			return h, nil
		}
		off += 8 + n + n&1 // chunks are padded to an even length
	}
	return plain, nil // no image: the decoder says so, with nothing allocated
}

// checkRawAlpha refuses an ALPH chunk at off of n bytes that is uncompressed (its first
// byte's low 2 bits 0) and holds fewer than the canvas's pixels after that byte.
func checkRawAlpha(r io.ReaderAt, off, n int64, cfg image.Config) error {
	var flags [1]byte
	if _, err := r.ReadAt(flags[:], off); err != nil || flags[0]&3 != 0 {
		return nil
	}
	if px := int64(cfg.Width) * int64(cfg.Height); n-1 < px {
		return fmt.Errorf("its uncompressed alpha holds %d of the %d bytes of its %dx%d pixels", max(n-1, 0), px, cfg.Width, cfg.Height)
	}
	return nil
}

// webpFrame reads the header of the WebP bitstream of kind id ("VP8 " or "VP8L") at off:
// for VP8, a key frame's 3-byte tag, the start code 9d 01 2a, then 14-bit width and
// height (RFC 6386 9.1); for VP8L, the signature 0x2f, then width − 1 and height − 1 in
// 14 bits each, least significant bit first. It reports false for a header the decoder
// refuses before allocating.
func webpFrame(r io.ReaderAt, off int64, id string, size int64) (imageHeader, bool) {
	var b [10]byte
	if _, err := r.ReadAt(b[:], off); err != nil && err != io.EOF {
		return imageHeader{}, false
	}
	le := binary.LittleEndian
	switch {
	case id == "VP8L" && b[0] == 0x2f:
		bits := le.Uint32(b[1:5])
		w, h := int(bits&0x3fff)+1, int(bits>>14&0x3fff)+1
		return imageHeader{w: w, h: h, decoded: 2 * 4 * pixels(w, h), alpha: bits>>28&1 != 0}, true
	case id == "VP8 " && b[0]&1 == 0 && b[3] == 0x9d && b[4] == 0x01 && b[5] == 0x2a:
		w, h := int(le.Uint16(b[6:])&0x3fff), int(le.Uint16(b[8:])&0x3fff)
		mbw, mbh := int64(w+15)/16, int64(h+15)/16
		return imageHeader{
			w: w, h: h, decoded: 16 * 16 * mbw * mbh * 3 / 2,
			most: vp8MaxPixelsPerByte * size, rule: fmt.Sprintf("a lossy WebP holds at most %d pixels a byte", vp8MaxPixelsPerByte),
		}, true
	}
	return imageHeader{}, false
}
