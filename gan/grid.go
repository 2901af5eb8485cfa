package gan

import (
	"image/color"

	"github.com/gogan/gogan/report"
	"github.com/gogan/gogan/tensor"
)

// writeGrid writes n images of the given sample shape as a PNG grid.
func writeGrid(path string, imgs []float32, n int, shape tensor.Shape, cols int) error {
	h, w, c, err := imageDims(shape)
	if err != nil {
		return err
	}
	return report.Grid(path, imgs, n, h, w, c, cols)
}

// writeScatter plots 2-D samples over the real test points and the modes' centers.
func writeScatter(path string, samples []float32, test TestSet) error {
	centers := make([]float32, 0, 2*len(test.Modes.Centers))
	for _, c := range test.Modes.Centers {
		centers = append(centers, float32(c[0]), float32(c[1]))
	}
	return report.Scatter(path, test.Modes.Name+": samples over the data", []report.Points{
		{Name: "data", XY: test.Images, Color: color.RGBA{R: 180, G: 180, B: 180, A: 255}},
		{Name: "samples", XY: samples, Color: color.RGBA{R: 31, G: 119, B: 180, A: 255}},
		{Name: "modes", XY: centers, Color: color.RGBA{R: 214, G: 39, B: 40, A: 255}, Radius: 3},
	})
}
