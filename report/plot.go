package report

import (
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/gogan/gogan/internal/atomicfile"
)

// Series is one named curve: the points (X[i], Y[i]). X and Y have the same length.
type Series struct {
	Name string
	X, Y []float64
}

// Panel is one plot of a PlotPanels image: a title, a y-axis label and its curves.
type Panel struct {
	Title, YLabel string
	Series        []Series
}

// Plot size in pixels: PlotWidth wide and PanelHeight high for each panel.
const (
	PlotWidth   = 800
	PanelHeight = 400
)

// palette is matplotlib's "tab10": ten colors that stay distinct on white and for the
// common forms of color blindness. Series past the tenth reuse them with dashes.
var palette = []color.Color{
	color.RGBA{0x1f, 0x77, 0xb4, 0xff}, // blue
	color.RGBA{0xff, 0x7f, 0x0e, 0xff}, // orange
	color.RGBA{0x2c, 0xa0, 0x2c, 0xff}, // green
	color.RGBA{0xd6, 0x27, 0x28, 0xff}, // red
	color.RGBA{0x94, 0x67, 0xbd, 0xff}, // purple
	color.RGBA{0x8c, 0x56, 0x4b, 0xff}, // brown
	color.RGBA{0xe3, 0x77, 0xc2, 0xff}, // pink
	color.RGBA{0x7f, 0x7f, 0x7f, 0xff}, // gray
	color.RGBA{0xbc, 0xbd, 0x22, 0xff}, // olive
	color.RGBA{0x17, 0xbe, 0xcf, 0xff}, // cyan
}

// LossPlot writes a one-panel PlotPanels image: the series against x label "step", with
// the given title and y label. NaN and ±Inf points are skipped.
func LossPlot(path, title, ylabel string, series []Series) error {
	return PlotPanels(path, "step", []Panel{{Title: title, YLabel: ylabel, Series: series}})
}

// PlotPanels writes a PNG of PlotWidth × (PanelHeight·len(panels)) pixels with the panels
// stacked vertically, top to bottom in the order given. Every panel has grid lines, the x
// label xlabel and the same x range (that of all the panels' points), so the panels line
// up step for step. Each panel's legend stands to the right of its plot, where it cannot
// hide a curve. NaN and ±Inf points are skipped; the points either side of them are joined.
func PlotPanels(path string, xlabel string, panels []Panel) error {
	if len(panels) == 0 {
		return fmt.Errorf("report: plot %s: no panels", path)
	}
	plots := make([][]*plot.Plot, len(panels))
	legends := make([]plot.Legend, len(panels))
	var xmin, xmax = math.Inf(1), math.Inf(-1)
	for i, pn := range panels {
		p, l, err := newPanel(pn, xlabel)
		if err != nil {
			return fmt.Errorf("report: plot %s: %w", path, err)
		}
		plots[i], legends[i] = []*plot.Plot{p}, l
		if p.X.Min <= p.X.Max { // the panel has points
			xmin, xmax = min(xmin, p.X.Min), max(xmax, p.X.Max)
		}
	}
	if xmin <= xmax {
		for _, row := range plots {
			row[0].X.Min, row[0].X.Max = xmin, xmax
		}
	}

	img := image.NewRGBA(image.Rect(0, 0, PlotWidth, PanelHeight*len(panels)))
	c := vgimg.NewWith(vgimg.UseImage(img))
	dc := draw.New(c)

	// The legends share one strip at the right, as wide as the widest of them.
	pad := vg.Points(8)
	var legendW vg.Length
	for i := range legends {
		legendW = max(legendW, legends[i].Rectangle(dc).Size().X)
	}
	if legendW > 0 {
		legendW += 2 * pad
	}
	tiles := draw.Tiles{
		Rows: len(panels), Cols: 1,
		PadTop: pad, PadBottom: pad, PadLeft: pad, PadRight: pad,
		PadY: 2 * pad,
	}
	areas := plot.Align(plots, tiles, draw.Crop(dc, 0, -legendW, 0, 0))
	for i, row := range plots {
		p, area := row[0], areas[i][0]
		p.Draw(area)
		data := p.DataCanvas(area)
		lc := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: dc.Max.X - legendW + pad, Y: data.Min.Y},
			Max: vg.Point{X: dc.Max.X - pad, Y: data.Max.Y},
		}}
		legends[i].Draw(lc)
	}

	err := atomicfile.WriteFile(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: c}.WriteTo(w)
		return err
	})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// newPanel builds the plot of one panel and, separately, its legend.
func newPanel(pn Panel, xlabel string) (*plot.Plot, plot.Legend, error) {
	p := plot.New()
	p.Title.Text = pn.Title
	p.Title.TextStyle.Font.Size = vg.Points(14)
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = xlabel
	p.Y.Label.Text = pn.YLabel
	p.X.Tick.Marker = plot.TickerFunc(niceTicks)
	p.Y.Tick.Marker = plot.TickerFunc(niceTicks)
	p.Add(plotter.NewGrid())

	l := plot.NewLegend()
	l.Left, l.Top = true, true
	l.Padding = vg.Points(4)
	for i, s := range pn.Series {
		if len(s.X) != len(s.Y) {
			return nil, l, fmt.Errorf("panel %q series %q has %d x and %d y values", pn.Title, s.Name, len(s.X), len(s.Y))
		}
		line := &plotter.Line{XYs: finitePoints(s)}
		line.LineStyle = draw.LineStyle{
			Color:  palette[i%len(palette)],
			Width:  vg.Points(1.5),
			Dashes: plotutil.Dashes(i / len(palette)),
		}
		if len(line.XYs) > 0 {
			p.Add(line)
		}
		l.Add(s.Name, line)
	}
	// A margin of 5% above and below, so no curve runs along the frame.
	if p.Y.Min < p.Y.Max {
		m := 0.05 * (p.Y.Max - p.Y.Min)
		p.Y.Min, p.Y.Max = p.Y.Min-m, p.Y.Max+m
	}
	return p, l, nil
}

// niceTicks marks about six major ticks at multiples of 1, 2 or 5 times a power of ten,
// labeled with just the decimals that step needs, and unlabeled minor ticks between them.
func niceTicks(lo, hi float64) []plot.Tick {
	const want = 6
	raw := (hi - lo) / want
	if !(raw > 0) || math.IsInf(raw, 0) {
		return []plot.Tick{{Value: lo, Label: strconv.FormatFloat(lo, 'g', 4, 64)}}
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step, minors := 10*mag, 5
	switch {
	case raw <= mag:
		step, minors = mag, 5
	case raw <= 2*mag:
		step, minors = 2*mag, 4
	case raw <= 5*mag:
		step, minors = 5*mag, 5
	}
	decimals := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	format, prec := byte('f'), decimals
	if step >= 1e6 || step < 1e-5 {
		format, prec = 'g', 4
	}

	var ticks []plot.Tick
	minor := step / float64(minors)
	// At most 200 ticks: a range tiny against its values (1e9 to 1e9+1e-7) must not loop forever.
	start := math.Ceil(lo / minor)
	for k := range 200 {
		i := start + float64(k)
		v := i * minor
		if v > hi+minor*1e-6 {
			break
		}
		if math.Mod(i, float64(minors)) != 0 {
			ticks = append(ticks, plot.Tick{Value: v})
			continue
		}
		if math.Abs(v) < step*1e-9 {
			v = 0 // not "-0"
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, format, prec, 64)})
	}
	return ticks
}

// finitePoints returns the points of s whose coordinates are both finite.
func finitePoints(s Series) plotter.XYs {
	xys := make(plotter.XYs, 0, len(s.X))
	for i, x := range s.X {
		y := s.Y[i]
		if isFinite(x) && isFinite(y) {
			xys = append(xys, plotter.XY{X: x, Y: y})
		}
	}
	return xys
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
