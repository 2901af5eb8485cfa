package gan

import (
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
