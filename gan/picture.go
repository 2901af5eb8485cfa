package gan

import "github.com/gogan/gogan/tensor"

// Picture is a job's progress as numbers, for a run to draw into a PNG
// (run.WritePicture): a grid of images, or 2-D samples to plot over the test
// set's points and modes. gan computes it; drawing and files are the run's.
type Picture struct {
	// Images is (N, Shape...) in [−1, 1], laid out Cols to a row; nil when
	// the picture is Points.
	Images  []float32
	N, Cols int
	Shape   tensor.Shape // one image: (height, width, channels)
	// Points is (n, 2): G's samples of 2-D data, plotted over the test set.
	Points []float32
}

// grid is the Picture of n images of the given sample shape, cols to a row.
func grid(imgs []float32, n int, shape tensor.Shape, cols int) Picture {
	return Picture{Images: imgs, N: n, Cols: cols, Shape: shape}
}
