package serve

import (
	"image"
	"image/color"
	"image/color/palette"
	"image/draw"
	"image/gif"
	"io"
	"math"

	"github.com/gogan/gogan/generator"
	"github.com/gogan/gogan/report"
)

// grid lays the batch's images out in rows of cols cells, as report.Grid
// draws a run's sample grids: gray for one channel, RGBA for three.
func grid(b *generator.Batch, cols int) (image.Image, error) {
	return report.GridImage(b.Data, b.N, b.Shape[0], b.Shape[1], b.Shape[2], cols)
}

// grays is the palette of the 256 gray levels.
var grays = func() color.Palette {
	p := make(color.Palette, 256)
	for i := range p {
		p[i] = color.Gray{Y: uint8(i)}
	}
	return p
}()

// encodeGIF writes frames as a looping animated GIF, delay hundredths of a
// second apart: gray frames exactly (a palette of 256 grays), color frames
// dithered to the Plan 9 palette.
func encodeGIF(w io.Writer, frames []image.Image, delay int) error {
	anim := &gif.GIF{LoopCount: 0}
	for _, f := range frames {
		b := f.Bounds()
		var p *image.Paletted
		if g, ok := f.(*image.Gray); ok {
			p = image.NewPaletted(b, grays)
			copy(p.Pix, g.Pix) // index i is gray level i; both are stride-packed of one byte a pixel
		} else {
			p = image.NewPaletted(b, palette.Plan9)
			draw.FloydSteinberg.Draw(p, b, f, b.Min)
		}
		anim.Image = append(anim.Image, p)
		anim.Delay = append(anim.Delay, delay)
	}
	return gif.EncodeAll(w, anim)
}

// blend returns frames latent vectors, (frames, len(a)), from a to b: along
// the straight line (lerp), or along the arc between them (slerp, Shoemake
// 1985), whose vectors keep about the norm of the end points, where N(0, I)
// draws lie, rather than cutting through the low-norm middle that the
// generator never saw. Nearly parallel vectors fall back to lerp.
func blend(a, b []float32, frames int, lerp bool) []float32 {
	out := make([]float32, frames*len(a))
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	na, nb = math.Sqrt(na), math.Sqrt(nb)
	omega := math.Acos(max(-1, min(1, dot/(na*nb))))
	lerp = lerp || na == 0 || nb == 0 || math.Sin(omega) < 1e-6
	for f := range frames {
		t := float64(f) / float64(frames-1)
		ca, cb := 1-t, t
		if !lerp {
			// slerp: sin((1−t)ω)/sin ω · a + sin(tω)/sin ω · b
			ca, cb = math.Sin((1-t)*omega)/math.Sin(omega), math.Sin(t*omega)/math.Sin(omega)
		}
		row := out[f*len(a) : (f+1)*len(a)]
		for i := range row {
			row[i] = float32(ca*float64(a[i]) + cb*float64(b[i]))
		}
	}
	return out
}
