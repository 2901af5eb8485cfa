package report

import (
	"image"
	"image/color"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// curve returns n points of f(step) at steps 0, 10, 20, ...
func curve(name string, n int, f func(x float64) float64) Series {
	s := Series{Name: name, X: make([]float64, n), Y: make([]float64, n)}
	for i := range n {
		s.X[i] = float64(10 * i)
		s.Y[i] = f(s.X[i])
	}
	return s
}

func lossSeries() []Series {
	return []Series{
		curve("D loss", 200, func(x float64) float64 { return 0.7 + 0.3*math.Exp(-x/300) + 0.05*math.Sin(x/37) }),
		curve("G loss", 200, func(x float64) float64 { return 2 - 1.2*math.Exp(-x/500) + 0.1*math.Cos(x/23) }),
	}
}

// countNear counts the pixels of img within a small distance of c.
func countNear(img image.Image, c color.Color) int {
	cr, cg, cb, _ := c.RGBA()
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			d := math.Abs(float64(r)-float64(cr)) + math.Abs(float64(g)-float64(cg)) + math.Abs(float64(bl)-float64(cb))
			if d < 3*0x1000 {
				n++
			}
		}
	}
	return n
}

func TestPlotPanels(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	withGaps := curve("FID", 20, func(x float64) float64 { return 300 / (1 + x/100) })
	withGaps.Y[3], withGaps.Y[7], withGaps.X[9], withGaps.Y[12] = nan, inf, nan, math.Inf(-1)
	allNaN := Series{Name: "diverged", X: []float64{0, 1}, Y: []float64{nan, nan}}
	tests := []struct {
		name   string
		panels []Panel
		colors int // how many palette colors must show up
	}{
		{"one panel", []Panel{{Title: "losses", YLabel: "loss", Series: lossSeries()}}, 2},
		{"three panels", []Panel{
			{Title: "losses", YLabel: "loss", Series: lossSeries()},
			{Title: "discriminator", YLabel: "mean output", Series: []Series{
				curve("D(x)", 200, func(x float64) float64 { return 0.5 + 0.3*math.Exp(-x/400) }),
				curve("D(G(z))", 200, func(x float64) float64 { return 0.5 - 0.3*math.Exp(-x/400) }),
			}},
			{Title: "quality", YLabel: "FID", Series: []Series{withGaps}},
		}, 2},
		{"NaN points", []Panel{{Title: "gaps", YLabel: "FID", Series: []Series{withGaps, allNaN}}}, 1},
		{"empty panel", []Panel{{Title: "nothing yet", YLabel: "FID"}}, 0},
		{"no title, empty series", []Panel{{Series: []Series{{Name: "none"}, curve("one", 1, math.Sqrt)}}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "plot.png")
			if err := PlotPanels(path, "step", tt.panels); err != nil {
				t.Fatal(err)
			}
			img := decodeFile(t, path)
			if b := img.Bounds(); b.Dx() != PlotWidth || b.Dy() != PanelHeight*len(tt.panels) {
				t.Fatalf("size = %dx%d, want %dx%d", b.Dx(), b.Dy(), PlotWidth, PanelHeight*len(tt.panels))
			}
			for i := range tt.colors {
				// A curve is hundreds of pixels; its legend thumbnail alone is about 25.
				if n := countNear(img, palette[i]); n < 100 {
					t.Errorf("color %d: only %d pixels", i, n)
				}
			}
		})
	}
}

func TestLossPlot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "loss.png")
	if err := LossPlot(path, "losses", "loss", lossSeries()); err != nil {
		t.Fatal(err)
	}
	if b := decodeFile(t, path).Bounds(); b.Dx() != PlotWidth || b.Dy() != PanelHeight {
		t.Fatalf("size = %v", b)
	}
}

func TestPlotPanelsErrors(t *testing.T) {
	tests := []struct {
		name   string
		panels []Panel
		want   string
	}{
		{"no panels", nil, "no panels"},
		{"length mismatch", []Panel{{Title: "losses", Series: []Series{{Name: "D", X: []float64{1, 2}, Y: []float64{1}}}}},
			`panel "losses" series "D" has 2 x and 1 y values`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "plot.png")
			err := PlotPanels(path, "step", tt.panels)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want one naming %s and saying %q", err, path, tt.want)
			}
		})
	}
}

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		labels []string
	}{
		{0, 20000, []string{"0", "5000", "10000", "15000", "20000"}},
		{0.17, 0.83, []string{"0.2", "0.4", "0.6", "0.8"}},
		{-1, 1, []string{"-1.0", "-0.5", "0.0", "0.5", "1.0"}},
		{45, 290, []string{"50", "100", "150", "200", "250"}},
		{0, 3e6, []string{"0", "500000", "1000000", "1500000", "2000000", "2500000", "3000000"}},
		{0, 3e7, []string{"0", "5e+06", "1e+07", "1.5e+07", "2e+07", "2.5e+07", "3e+07"}},
		{1e9, 1e9 + 1e-7, nil}, // must end; labels not checked
	}
	for _, tt := range tests {
		ticks := niceTicks(tt.lo, tt.hi)
		if tt.labels == nil {
			continue
		}
		var labels []string
		for _, tk := range ticks {
			if tk.Value < tt.lo-1e-9 || tk.Value > tt.hi+1e-9 {
				t.Errorf("niceTicks(%v, %v): tick %v out of range", tt.lo, tt.hi, tk.Value)
			}
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if strings.Join(labels, " ") != strings.Join(tt.labels, " ") {
			t.Errorf("niceTicks(%v, %v) labels = %v, want %v", tt.lo, tt.hi, labels, tt.labels)
		}
	}
}
