package report

import (
	"flag"
	"math"
	"path/filepath"
	"testing"
)

var examplesDir = flag.String("examples", "", "folder to write example plots and grids into, for a person to look at")

// TestRenderExamples writes example plots and grids for a person to look at:
//
//	go test -run RenderExamples ./report/ -args -examples=/tmp/report-examples
func TestRenderExamples(t *testing.T) {
	dir := *examplesDir
	if dir == "" {
		t.Skip("no -examples folder given")
	}
	fid := curve("FID", 11, func(x float64) float64 { return 250*math.Exp(-x/40) + 30 })
	for i := range fid.X {
		fid.X[i] *= 200
	}
	fid.Y[4] = math.NaN()
	loss := lossSeries()
	for i := range loss {
		for j := range loss[i].X {
			loss[i].X[j] *= 10
		}
	}
	loss[0].Y[50] = math.Inf(1)
	dx := curve("D(x)", 200, func(x float64) float64 { return 0.5 + 0.3*math.Exp(-x/400) })
	dgz := curve("D(G(z))", 200, func(x float64) float64 { return 0.5 - 0.3*math.Exp(-x/400) })
	for _, s := range []Series{dx, dgz} {
		for j := range s.X {
			s.X[j] *= 10
		}
	}
	err := PlotPanels(filepath.Join(dir, "panels.png"), "step", []Panel{
		{Title: "losses", YLabel: "loss", Series: loss},
		{Title: "discriminator outputs", YLabel: "mean D", Series: []Series{dx, dgz}},
		{Title: "sample quality", YLabel: "FID", Series: []Series{fid}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := LossPlot(filepath.Join(dir, "loss.png"), "losses", "loss", lossSeries()); err != nil {
		t.Fatal(err)
	}
	const n, h, w = 10, 28, 28
	gray := make([]float32, n*h*w)
	rgb := make([]float32, n*h*w*3)
	for k := range n {
		for y := range h {
			for x := range w {
				r := math.Hypot(float64(x)-13.5, float64(y)-13.5)
				v := float32(math.Cos(r / float64(k+2)))
				gray[(k*h+y)*w+x] = v
				i := ((k*h+y)*w + x) * 3
				rgb[i], rgb[i+1], rgb[i+2] = float32(x)/13.5-1, float32(y)/13.5-1, v
			}
		}
	}
	if err := Grid(filepath.Join(dir, "grid_gray.png"), gray, n, h, w, 1, 4); err != nil {
		t.Fatal(err)
	}
	if err := Grid(filepath.Join(dir, "grid_rgb.png"), rgb, n, h, w, 3, 5); err != nil {
		t.Fatal(err)
	}
}
