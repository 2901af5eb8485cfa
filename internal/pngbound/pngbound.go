package pngbound

import "image/color"

// DeflateMaxRatio is the most bytes Deflate gives a byte of its stream: a match of 258
// bytes (length code 285, no extra bits) takes at least 2 bits, one for its length code
// and one for its distance code (a Huffman code has at least one bit), so 258 bytes per 2
// bits, 1,032 a byte (RFC 1951). A PNG's rows, filtered and compressed by Deflate, hold
// at least bits/8 bytes a pixel, so no PNG file holds more than PerByte(bits) pixels a
// byte; zlib's best compression of one flat color comes near it (7,913 pixels a byte at
// 1 bit, against the bound's 8,256).
const DeflateMaxRatio = 1032

// PerByte is the most pixels of bits bits each that a PNG file holds a byte.
func PerByte(bits int64) int64 { return 8 * DeflateMaxRatio / bits }

// ModelBits is the fewest bits a pixel has in a PNG whose header image/png reports with
// color model m (png.DecodeConfig): gray and palette images may have 1 bit a pixel,
// 16-bit gray 16, RGB 24, RGBA 32, 16-bit RGB 48 and 16-bit RGBA 64; 1 for a model image/png
// does not report.
func ModelBits(m color.Model) int64 {
	switch m {
	case color.Gray16Model:
		return 16
	case color.RGBAModel:
		return 24
	case color.NRGBAModel:
		return 32
	case color.RGBA64Model:
		return 48
	case color.NRGBA64Model:
		return 64
	}
	return 1
}
