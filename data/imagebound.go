package data

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"image"
	"io"
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
	// deflateMaxRatio is the most bytes Deflate (PNG, and TIFF's Deflate) gives a byte:
	// a match of 258 bytes (length code 285, no extra bits) takes at least 2 bits, one
	// for its length code and one for its distance code (a Huffman code has at least
	// one bit), so 258 bytes per 2 bits, 1,032 a byte (RFC 1951).
	deflateMaxRatio = 1032
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

// imageBound is what a format's header says of the image its decoder allocates: the
// image's size (the first frame's, for a GIF), and the most pixels the file can hold (0:
// no bound) with the rule that says so, for the message.
type imageBound struct {
	w, h int
	most int64
	rule string
}

// boundFunc returns the imageBound of the image file r of size bytes, whose header gave
// cfg, or says what is wrong with its header.
type boundFunc func(r io.ReaderAt, cfg image.Config, size int64) (imageBound, error)

// imageBounds are the formats' boundFuncs, by the format's name in image.DecodeConfig.
// A lossless WebP (VP8L) has no bound: one color of any size takes some 30 bytes, each
// pixel coded with no bit at all by prefix codes of one symbol.
var imageBounds = map[string]boundFunc{
	"png":  pngBound,
	"gif":  gifBound,
	"webp": webpBound,
	"jpeg": perByte(jpegMaxPixelsPerByte, "a JPEG holds at most 512 pixels a byte"),
	// The TIFF compressions x/image/tiff reads give at most about 1,300 8-bit pixels a
	// byte (LZW on one flat color; Deflate 1,032, PackBits 128), but for bilevel fax
	// pages (CCITT).
	"tiff": perByte(4096, "a TIFF holds at most 4096 a byte"),
	// The BMPs x/image/bmp reads hold a byte or more a pixel, uncompressed.
	"bmp": perByte(1, "a BMP holds at most 1 a byte"),
}

// checkFileSize refuses an image file of format, of size bytes, whose header (cfg, and
// what the format's boundFunc reads of it through r) announces more pixels than the file
// can hold: damaged, or made to exhaust memory.
func checkFileSize(r io.ReaderAt, format string, cfg image.Config, size int64) error {
	bound, ok := imageBounds[format]
	if !ok {
		return nil
	}
	b, err := bound(r, cfg, size)
	if err != nil {
		return fmt.Errorf("%s image: %v", format, err)
	}
	if b.most > 0 && int64(b.w)*int64(b.h) > b.most {
		return fmt.Errorf("%s image of %dx%d in a file of %d bytes: more pixels than the file can hold (%s): damaged, or made to exhaust memory", format, b.w, b.h, size, b.rule)
	}
	return nil
}

// perByte is the boundFunc of a format that holds at most most pixels a byte, by rule.
func perByte(most int64, rule string) boundFunc {
	return func(_ io.ReaderAt, cfg image.Config, size int64) (imageBound, error) {
		return imageBound{w: cfg.Width, h: cfg.Height, most: most * size, rule: rule}, nil
	}
}

// pngBound bounds a PNG by its bits a pixel, from IHDR (bit depth at byte 24, color type
// at 25; image.DecodeConfig has checked that IHDR comes first): its rows, filtered and
// compressed by Deflate, hold at least bits/8 bytes a pixel, so at most
// 8 × deflateMaxRatio / bits pixels a byte.
func pngBound(r io.ReaderAt, cfg image.Config, size int64) (imageBound, error) {
	var ihdr [2]byte
	if _, err := r.ReadAt(ihdr[:], 24); err != nil {
		return imageBound{}, fmt.Errorf("reading its header: %v", err)
	}
	channels := map[byte]int64{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ihdr[1]]
	bits := int64(ihdr[0]) * channels
	if bits == 0 { // DecodeConfig has refused it
		return imageBound{}, nil
	}
	perByte := 8 * deflateMaxRatio / bits
	rule := fmt.Sprintf("a PNG of %d bits a pixel holds at most %d a byte", bits, perByte)
	return imageBound{w: cfg.Width, h: cfg.Height, most: perByte * size, rule: rule}, nil
}

// gifBound bounds a GIF's first frame, the image image/gif decodes (within the screen
// that cfg gives), by LZW's ratio. It reads the file to the frame's descriptor, past the
// color table and the extensions before it; a file that ends before it has no bound (the
// decoder allocates no frame).
func gifBound(r io.ReaderAt, cfg image.Config, size int64) (imageBound, error) {
	br := bufio.NewReader(io.NewSectionReader(r, 0, size))
	var screen [13]byte // header and logical screen descriptor
	if _, err := io.ReadFull(br, screen[:]); err != nil {
		return imageBound{}, nil
	}
	if flags := screen[10]; flags&0x80 != 0 {
		if _, err := br.Discard(3 << (1 + flags&7)); err != nil {
			return imageBound{}, nil
		}
	}
	for {
		block, err := br.ReadByte()
		if err != nil || block != 0x21 && block != 0x2c {
			return imageBound{}, nil // the decoder says what is wrong, with nothing allocated
		}
		if block == 0x21 { // an extension: its label, then its sub-blocks
			if _, err := br.ReadByte(); err != nil || skipSubBlocks(br) != nil {
				return imageBound{}, nil
			}
			continue
		}
		var desc [8]byte // left, top, width, height, little-endian
		if _, err := io.ReadFull(br, desc[:]); err != nil {
			return imageBound{}, nil
		}
		le := binary.LittleEndian
		left, top := int(le.Uint16(desc[0:])), int(le.Uint16(desc[2:]))
		w, h := int(le.Uint16(desc[4:])), int(le.Uint16(desc[6:]))
		if left+w > cfg.Width || top+h > cfg.Height {
			return imageBound{}, fmt.Errorf("its first frame of %dx%d at (%d, %d) lies outside its %dx%d screen", w, h, left, top, cfg.Width, cfg.Height)
		}
		rule := fmt.Sprintf("a GIF's first frame, its LZW codes, holds at most %d pixels a byte", gifMaxPixelsPerByte)
		return imageBound{w: w, h: h, most: gifMaxPixelsPerByte * size, rule: rule}, nil
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

// webpBound walks a WebP's RIFF chunks to its image's (VP8, lossy, or VP8L, lossless)
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
// bound.
func webpBound(r io.ReaderAt, cfg image.Config, size int64) (imageBound, error) {
	extended := false
	for off := int64(12); off+8 <= size; {
		var head [8]byte // the chunk's FourCC and length
		if _, err := r.ReadAt(head[:], off); err != nil {
			return imageBound{}, fmt.Errorf("reading its chunks: %v", err)
		}
		id, n := string(head[:4]), int64(binary.LittleEndian.Uint32(head[4:]))
		if id != "VP8L" && off+8+n > size {
			return imageBound{}, fmt.Errorf("its %q chunk of %d bytes at byte %d runs past the end of the file (%d bytes)", id, n, off, size)
		}
		var b imageBound
		var err error
		switch id {
		case "VP8X":
			extended = true
		case "ALPH":
			err = checkRawAlpha(r, off+8, n, cfg)
		case "VP8 ", "VP8L":
			b, err = webpFrame(r, off+8, id, size)
			if err == nil && extended && (b.w != cfg.Width || b.h != cfg.Height) {
				err = fmt.Errorf("its canvas of %dx%d (VP8X) is not its image's size, %dx%d", cfg.Width, cfg.Height, b.w, b.h)
			}
			return b, err
		}
		if err != nil {
			return imageBound{}, err
		}
		off += 8 + n + n&1 // chunks are padded to an even length
	}
	return imageBound{}, nil // no image: the decoder says so, with nothing allocated
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

// webpFrame reads the size of the WebP bitstream of kind id ("VP8 " or "VP8L") at off:
// for VP8, a key frame's 3-byte tag, the start code 9d 01 2a, then 14-bit width and
// height (RFC 6386 9.1); for VP8L, the signature 0x2f, then width − 1 and height − 1 in
// 14 bits each, least significant bit first.
func webpFrame(r io.ReaderAt, off int64, id string, size int64) (imageBound, error) {
	var b [10]byte
	if _, err := r.ReadAt(b[:], off); err != nil && err != io.EOF {
		return imageBound{}, fmt.Errorf("reading its %q chunk: %v", id, err)
	}
	le := binary.LittleEndian
	switch {
	case id == "VP8L" && b[0] == 0x2f:
		bits := le.Uint32(b[1:5])
		return imageBound{w: int(bits&0x3fff) + 1, h: int(bits>>14&0x3fff) + 1}, nil
	case id == "VP8 " && b[0]&1 == 0 && b[3] == 0x9d && b[4] == 0x01 && b[5] == 0x2a:
		w, h := int(le.Uint16(b[6:])&0x3fff), int(le.Uint16(b[8:])&0x3fff)
		rule := fmt.Sprintf("a lossy WebP holds at most %d pixels a byte", vp8MaxPixelsPerByte)
		return imageBound{w: w, h: h, most: vp8MaxPixelsPerByte * size, rule: rule}, nil
	}
	return imageBound{}, nil // the decoder refuses it before allocating
}
