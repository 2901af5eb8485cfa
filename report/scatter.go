package report

import (
	"fmt"
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/gogan/gogan/internal/atomicfile"
)

// Points is one named set of 2-D points (n, 2) for a scatter plot.
type Points struct {
	Name   string
	XY     []float32
	Color  color.Color
	Radius vg.Length // 0: a small dot
}

// Scatter writes a square PNG scatter plot of the point sets, later sets drawn
// over earlier ones (e.g. samples, then the modes' centers).
func Scatter(path, title string, sets []Points) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text, p.Y.Label.Text = "x", "y"
	p.Add(plotter.NewGrid())
	for _, s := range sets {
		if len(s.XY)%2 != 0 {
			return fmt.Errorf("report: scatter %s: %s has %d values, not pairs", path, s.Name, len(s.XY))
		}
		xys := make(plotter.XYs, len(s.XY)/2)
		for i := range xys {
			xys[i].X, xys[i].Y = float64(s.XY[2*i]), float64(s.XY[2*i+1])
		}
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return fmt.Errorf("report: scatter %s: %s: %v", path, s.Name, err)
		}
		sc.GlyphStyle.Shape = draw.CircleGlyph{}
		sc.GlyphStyle.Color = s.Color
		sc.GlyphStyle.Radius = s.Radius
		if sc.GlyphStyle.Radius == 0 {
			sc.GlyphStyle.Radius = vg.Points(1.2)
		}
		p.Add(sc)
		p.Legend.Add(s.Name, sc)
	}
	p.Legend.Top = true
	canvas := vgimg.New(vg.Points(600), vg.Points(600))
	p.Draw(draw.New(canvas))
	return atomicfile.WriteFile(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: canvas}.WriteTo(w)
		return err
	})
}
