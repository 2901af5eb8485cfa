package composite

import (
	"image"
	"image/color"
	"image/draw"
)

// Onto returns the rectangle r of img composited over bg, as a new
// *image.RGBA with bounds r: a transparent pixel becomes bg, an opaque one
// stays as it is, and one in between is c + bg·(1 − α) with c its
// premultiplied color. Over an opaque bg the result is opaque, so its Pix
// holds straight colors. An img whose Opaque method reports true is copied
// as it is, without drawing bg.
func Onto(img image.Image, r image.Rectangle, bg color.Color) *image.RGBA {
	dst := image.NewRGBA(r)
	if op, ok := img.(interface{ Opaque() bool }); ok && op.Opaque() {
		draw.Draw(dst, r, img, r.Min, draw.Src)
		return dst
	}
	draw.Draw(dst, r, image.NewUniform(bg), image.Point{}, draw.Src)
	draw.Draw(dst, r, img, r.Min, draw.Over)
	return dst
}
