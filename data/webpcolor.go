package data

import (
	"image"
	"image/color"
)

// golang.org/x/image/webp decodes a lossy WebP (VP8) into an *image.YCbCr (an
// *image.NYCbCrA with an alpha chunk), whose colors Go reads as JPEG's: JFIF's full range,
// Y, Cb and Cr in 0..255. VP8's are ITU-R BT.601's limited ("studio") range, Y in 16..235
// and Cb, Cr in 16..240 (RFC 6386 9.2), so read as JFIF black came out as 16, white as
// 235 and a gray of 77 as 82. vp8Image reads them as libwebp does:
//
//	R = 255/219 (Y − 16)                            + 255/224 · 1.402    (Cr − 128)
//	G = 255/219 (Y − 16) − 255/224 · 0.344136 (Cb − 128) − 255/224 · 0.714136 (Cr − 128)
//	B = 255/219 (Y − 16) + 255/224 · 1.772    (Cb − 128)
//
// (1.164, 1.596, 0.391, 0.813 and 2.018 in the usual rounding), in libwebp's fixed point,
// so that the colors are dwebp's to the bit (but for gray, see vp8RGB): each term is the
// sample times its coefficient in units of 2^-14, shifted right by 8 (6 fractional bits
// left), the terms and an offset summed, shifted right by 6 and clamped to 0..255.
//
// Chroma is interpolated between neighboring blocks as libwebp does by default ("fancy
// upsampling": dwebp without -nofancy, and PIL), not taken from the pixel's 2×2 block
// alone: each pixel's Cb and Cr are (9a + 3b + 3c + d + 8) / 16, truncated, of the four
// samples nearest it, a its own block's, b the next one across toward it, c the next one
// up or down toward it, d the one diagonal to a (see vp8Image.chroma). At the image's
// edges, where a neighbor is missing, the block's own sample stands for it, which is
// libwebp's (3a + c + 2) / 4 along the first and last columns and rows, and a itself in
// the corners. The two differ at sharp color edges only.

// The coefficients of vp8RGB, in units of 2^-14, rounded: vp8Y = 255/219 · 2^14, and
// each chroma one 255/224 · JFIF's coefficient · 2^14. Its offsets, in units of 2^-6, are
// what the samples' centers (16 for Y, 128 for Cb and Cr) take away, 2^6 · (−255/219 · 16
// ∓ 255/224 · coefficient · 128), and a half (32) for rounding, truncated toward zero.
// These are libwebp's (TestVP8Coefficients derives them).
const (
	vp8Y    = 19077 // Y's, in R, G and B
	vp8CrR  = 26149 // Cr's in R
	vp8CbG  = 6419  // Cb's in G, subtracted
	vp8CrG  = 13320 // Cr's in G, subtracted
	vp8CbB  = 33050 // Cb's in B
	vp8OffR = -14234
	vp8OffG = 8708
	vp8OffB = -17685
)

// vp8RGB returns the 8-bit R, G, B of a VP8 pixel of luma y and chroma cb, cr, as libwebp
// converts it (see vp8Image), but that a pixel of neutral chroma (128, 128) is gray, R's
// value (and B's) in all three: there libwebp's truncations put G one below R and B for Y
// 86, 159 and 232, so that a gray WebP, read as dwebp reads it, has color (82, 81, 82)
// and a folder of them would be read in RGB where the formulas, and JFIF's, give gray.
func vp8RGB(y, cb, cr uint8) (r, g, b uint8) {
	yt := int32(y) * vp8Y >> 8
	if cb == 128 && cr == 128 {
		v := clip6(yt + 128*vp8CrR>>8 + vp8OffR)
		return v, v, v
	}
	cbt, crt := int32(cb), int32(cr)
	return clip6(yt + crt*vp8CrR>>8 + vp8OffR),
		clip6(yt - cbt*vp8CbG>>8 - crt*vp8CrG>>8 + vp8OffG),
		clip6(yt + cbt*vp8CbB>>8 + vp8OffB)
}

// clip6 returns v, a value with 6 fractional bits, as an integer clamped to 0..255.
func clip6(v int32) uint8 {
	return uint8(min(max(v>>6, 0), 255))
}

// vp8Image is a lossy WebP as golang.org/x/image/webp decodes it, its colors read as VP8
// means them (vp8RGB), its chroma interpolated as libwebp's default does (see chroma),
// with its alpha when it has an alpha chunk: dwebp's pixels, to the bit. It is an
// image.RGBA64Image, which image/draw and golang.org/x/image/draw read a pixel at a time
// without allocating, and says whether it is opaque as the image it wraps does, so that an
// opaque one is scaled from the decoder's pixels, with no RGBA copy (see decodeImage). The
// scaler reads it more slowly than its own loop over a YCbCr: 2048×2048 to 64×64 in about
// 170 ms, where the YCbCr, in the wrong colors, took 100 (and decoding it 117); an RGBA copy
// first, then the scaler's loop over that, about 120 ms, but 4 bytes a pixel more memory.
// Interpolating the chroma (chroma) costs some 15 to 20% more than taking each block's
// sample (BenchmarkVP8ImageScale).
// ycc is 4:2:0 with its origin at (0, 0), as the decoder makes it (see webpColors).
type vp8Image struct {
	ycc   *image.YCbCr
	alpha *image.NYCbCrA // the image whose YCbCr ycc is, nil without alpha
}

// webpColors returns img, decoded from a file of format, with a lossy WebP's colors read as
// VP8's (a vp8Image); any other image as it is. golang.org/x/image/webp's YCbCr is always
// 4:2:0 at the origin, which vp8Image's interpolation assumes; another, which no decoder
// gives, is left as it is too.
func webpColors(img image.Image, format string) image.Image {
	if format != "webp" {
		return img
	}
	switch m := img.(type) {
	case *image.YCbCr:
		if isVP8Layout(m) {
			return vp8Image{ycc: m}
		}
	case *image.NYCbCrA:
		if isVP8Layout(&m.YCbCr) {
			return vp8Image{ycc: &m.YCbCr, alpha: m}
		}
	}
	return img
}

// isVP8Layout reports whether m is laid out as VP8's planes are: 4:2:0, its origin at
// (0, 0).
func isVP8Layout(m *image.YCbCr) bool {
	return m.SubsampleRatio == image.YCbCrSubsampleRatio420 && m.Rect.Min == image.Point{}
}

// ColorModel is color.RGBA64Model: the colors are those of RGBA64At.
func (m vp8Image) ColorModel() color.Model { return color.RGBA64Model }

// Bounds is the decoded image's.
func (m vp8Image) Bounds() image.Rectangle { return m.ycc.Rect }

// At is RGBA64At.
func (m vp8Image) At(x, y int) color.Color { return m.RGBA64At(x, y) }

// Opaque reports whether every pixel is opaque: always without alpha, else as the
// NYCbCrA's alpha says.
func (m vp8Image) Opaque() bool { return m.alpha == nil || m.alpha.Opaque() }

// RGBA64At returns the pixel at (x, y), vp8RGB's 8-bit colors widened to 16 (v·0x101),
// alpha-premultiplied as color.NYCbCrA does, or transparent black outside the bounds.
func (m vp8Image) RGBA64At(x, y int) color.RGBA64 {
	if !(image.Point{x, y}.In(m.ycc.Rect)) {
		return color.RGBA64{}
	}
	cb, cr := m.chroma(x, y)
	r8, g8, b8 := vp8RGB(m.ycc.Y[y*m.ycc.YStride+x], cb, cr)
	r, g, b := uint32(r8)*0x101, uint32(g8)*0x101, uint32(b8)*0x101
	if m.alpha == nil {
		return color.RGBA64{uint16(r), uint16(g), uint16(b), 0xffff}
	}
	a := uint32(m.alpha.A[m.alpha.AOffset(x, y)]) * 0x101
	return color.RGBA64{uint16(r * a / 0xffff), uint16(g * a / 0xffff), uint16(b * a / 0xffff), uint16(a)}
}

// chroma returns the Cb and Cr of the pixel at (x, y), inside the bounds, interpolated as
// libwebp's fancy upsampling does: from the sample of the pixel's own 2×2 block (x/2,
// y/2), weighted 9, the next sample across and the next up or down toward the pixel
// (the one after for an odd x or y, the one before for an even one), 3 each, and the one
// diagonal to its own, 1; at an edge, where the next one is missing, the block's own
// sample in its place.
func (m vp8Image) chroma(x, y int) (cb, cr uint8) {
	c := m.ycc
	cbs, crs := c.Cb, c.Cr[:len(c.Cb)]
	i := (y>>1)*c.CStride + x>>1 // the pixel's own sample
	dx := nextStep(x, (c.Rect.Max.X+1)>>1)
	dy := nextStep(y, (c.Rect.Max.Y+1)>>1) * c.CStride
	a := uint32(cbs[i]) | uint32(crs[i])<<16
	b := uint32(cbs[i+dx]) | uint32(crs[i+dx])<<16
	cc := uint32(cbs[i+dy]) | uint32(crs[i+dy])<<16
	d := uint32(cbs[i+dx+dy]) | uint32(crs[i+dx+dy])<<16
	// (9a + 3b + 3c + d + 8) / 16, truncated, for Cb (the low 16 bits) and Cr (the high
	// ones) at once, as libwebp packs them: each sum is below 2^12, so Cb's does not
	// reach Cr's bits, and Cr's low 4 bits, shifted into Cb's upper half, are cut off by
	// the conversion to uint8. libwebp divides in two truncating steps, ((a + 3b + 3c + d
	// + 8) / 8 + a) / 2, which is the same; along the first and last rows and columns,
	// where b = a or c = a, this is its (3a + c + 2) / 4 (or with b), and in the corners a.
	v := (9*a + 3*(b+cc) + d + 0x00080008) >> 4
	return uint8(v), uint8(v >> 16)
}

// nextStep returns, along one axis of n chroma samples, the step from the sample of the
// pixel at p (p/2) to the second nearest: 1, to the one after, for an odd p, −1, to the
// one before, for an even p, or 0 where that one is past either end.
func nextStep(p, n int) int {
	if p&1 != 0 {
		if p>>1+1 < n {
			return 1
		}
		return 0
	}
	if p > 0 {
		return -1
	}
	return 0
}
