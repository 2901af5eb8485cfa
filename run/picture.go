package run

import (
	"fmt"
	"image/color"

	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/metrics"
	"github.com/gogan/gogan/report"
	"github.com/gogan/gogan/tensor"
)

// WriteProgress draws the picture of a job's progress (gan.Job.Progress) into
// a PNG at path: a grid of images, or for 2-D data a scatter plot of G's
// samples over the test set's points and the modes' centers.
func WriteProgress(path string, job gan.Job, test gan.TestSet) error {
	pic, err := job.Progress(test)
	if err != nil {
		return err
	}
	return WritePicture(path, pic, test)
}

// WritePicture draws pic into a PNG at path: its Images as a grid, or its
// Points over test's points and modes (test is only read for Points).
func WritePicture(path string, pic gan.Picture, test gan.TestSet) error {
	if pic.Points != nil {
		return writeScatter(path, pic.Points, test)
	}
	h, w, c, err := imageDims(pic.Shape)
	if err != nil {
		return err
	}
	return report.Grid(path, pic.Images, pic.N, h, w, c, pic.Cols)
}

// writeScatter plots 2-D samples over the real test points and the modes' centers.
func writeScatter(path string, samples []float32, test gan.TestSet) error {
	if test.Modes == nil {
		return fmt.Errorf("scatter plot %s: the test set has no modes to plot the samples over", path)
	}
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

func imageDims(shape tensor.Shape) (h, w, c int, err error) {
	if len(shape) != 3 {
		return 0, 0, 0, fmt.Errorf("samples of shape %s are not images (height, width, channels)", shape)
	}
	return shape[0], shape[1], shape[2], nil
}

// Evaluate returns the numbers a run logs at the end of an epoch: the job's
// own (gan.Job.Evaluate: an autoencoder's test_mse, a classifier's test
// accuracy and loss), then, on 2-D data, the mode coverage of the job's
// progress samples (as many as the test set holds: 2,500):
// high_quality_fraction, modes_covered, kl.
func Evaluate(job gan.Job, test gan.TestSet) ([]gan.Value, error) {
	values, err := job.Evaluate(test)
	if err != nil || test.Modes == nil {
		return values, err
	}
	pic, err := job.Progress(test)
	if err != nil {
		return nil, err
	}
	if pic.Points == nil {
		return values, nil
	}
	cov, err := metrics.Modes(pic.Points, test.Modes.Centers, test.Modes.Sigma)
	if err != nil {
		return nil, err
	}
	return append(values,
		gan.Value{Name: "high_quality_fraction", Value: cov.HighQualityFraction},
		gan.Value{Name: "modes_covered", Value: float64(cov.ModesCovered)},
		gan.Value{Name: "kl", Value: cov.KL}), nil
}
