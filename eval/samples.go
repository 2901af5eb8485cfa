package eval

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/report"
	"github.com/gogan/gogan/tensor"
)

// ImageShape is the shape of the images the feature networks take: (28, 28, 1).
var ImageShape = tensor.Shape(gan.ImageShape)

// MinSamples is the fewest samples a set may have: the Inception Score is taken over 10
// splits, and precision and recall need more than k = 3 neighbours.
const MinSamples = 10

// Samples is a set of images to score: (N, 28, 28, 1), values in [−1, 1].
type Samples struct {
	Images []float32
	N      int
	// Labels are the classes a conditional generator was asked for, one per image; nil
	// for an unconditional one. Scores then include the label accuracy.
	Labels []int
	// Source says where the images came from, for reports.
	Source string
}

// SampleOptions say how many samples to take and how to draw them.
type SampleOptions struct {
	// N is the number of images a generator makes, and the most taken from a file or a
	// folder (its first N). 0 means DefaultN.
	N int
	// Seed seeds a generator's latent vectors (gan.Latents).
	Seed uint64
	// Data overrides the dataset whose test images an autoencoder's codes are fitted to
	// (its run's dataset by default); for tests.
	Data string
}

// DefaultN is the number of samples scored by default, as in the standard FID protocol
// for MNIST-like data (the size of the test sets).
const DefaultN = 10_000

// LoadSamples reads the images that path names:
//
//   - a run folder, a checkpoint folder or a latest.json: its generator makes N images
//     from latent vectors seeded by Seed (a GAN's G; an autoencoder's decoder, on codes
//     drawn from the Gaussian fitted to the test images' codes, as gogan sample does);
//   - a folder of PNG files, all 28×28 (color is turned to gray): the first N by name;
//   - an IDX image file, raw or gzip-compressed: its first N images.
func LoadSamples(path string, opts SampleOptions) (*Samples, error) {
	if opts.N == 0 {
		opts.N = DefaultN
	}
	if opts.N < MinSamples {
		return nil, fmt.Errorf("eval: at least %d samples are needed, asked for %d", MinSamples, opts.N)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("eval: %s: %w", path, unwrapPath(err))
	}
	var s *Samples
	switch {
	case isCheckpoint(path, st):
		job, err := gan.LoadJob(path)
		if err != nil {
			return nil, err
		}
		s, err = Generated(job, opts.N, opts.Seed, func() ([]float32, error) {
			name := opts.Data
			if name == "" {
				name = job.Settings().Data
			}
			ds, err := data.Load(name)
			if err != nil {
				return nil, err
			}
			return data.Scale(ds.Test.Images), nil
		})
		if err != nil {
			return nil, fmt.Errorf("eval: %s: %w", path, err)
		}
		s.Source = fmt.Sprintf("%s (step %d, %d generated with seed %d)", path, job.Steps(), s.N, opts.Seed)
		return s, nil
	case st.IsDir():
		s, err = readPNGs(path)
	case strings.EqualFold(filepath.Ext(path), ".png"):
		return nil, fmt.Errorf("eval: %s is one PNG file: give the folder that holds the samples' PNGs", path)
	default:
		s, err = readIDX(path)
	}
	if err != nil {
		return nil, err
	}
	if s.N < MinSamples {
		return nil, fmt.Errorf("eval: %s holds %d images, at least %d are needed", path, s.N, MinSamples)
	}
	if s.N > opts.N {
		s.Source = fmt.Sprintf("%s (the first %d of %d images)", path, opts.N, s.N)
		s.N = opts.N
		s.Images = s.Images[:s.N*ImageShape.Size()]
	}
	return s, nil
}

// isCheckpoint says whether path names a checkpoint: a run or checkpoint folder holding
// latest.json, or a JSON file.
func isCheckpoint(path string, st os.FileInfo) bool {
	if !st.IsDir() {
		return strings.EqualFold(filepath.Ext(path), ".json")
	}
	_, err := gan.FindCheckpoint(path)
	return err == nil
}

func readPNGs(dir string) (*Samples, error) {
	imgs, n, h, w, err := report.ReadPNGs(dir, 1)
	if err != nil {
		return nil, err
	}
	if h != ImageShape[0] || w != ImageShape[1] {
		return nil, fmt.Errorf("eval: samples %s: images are %dx%d pixels, the feature network takes %dx%d", dir, w, h, ImageShape[1], ImageShape[0])
	}
	return &Samples{Images: imgs, N: n, Source: fmt.Sprintf("%s (%d PNG images)", dir, n)}, nil
}

func readIDX(path string) (*Samples, error) {
	im, err := data.ReadIDXImages(path)
	if err != nil {
		return nil, err
	}
	if im.Rows != ImageShape[0] || im.Cols != ImageShape[1] {
		return nil, fmt.Errorf("eval: samples %s: images are %dx%d pixels, the feature network takes %dx%d", path, im.Cols, im.Rows, ImageShape[1], ImageShape[0])
	}
	return &Samples{Images: data.Scale(im), N: im.N, Source: fmt.Sprintf("%s (%d images)", path, im.N)}, nil
}

// Generated makes n images with a trained job's generator, from latent vectors seeded by
// seed: a GAN's G (its exponential moving average when the run keeps one; a conditional
// G draws the classes in turn, 0, 1, ..., 9, 0, ..., and Labels holds them), or an
// autoencoder's decoder on codes drawn from the Gaussian (per
// dimension) that fits the codes of the test images that test returns. Other jobs (a
// classifier) make no images.
func Generated(job gan.Job, n int, seed uint64, test func() ([]float32, error)) (*Samples, error) {
	var z, imgs []float32
	var labels []int
	switch j := job.(type) {
	case *gan.Trainer:
		g := j.Sampler() // G, or its weight average when the run keeps one
		if err := checkShape(g.OutputShape()); err != nil {
			return nil, err
		}
		z = make([]float32, n*g.InputShapes()[0].Size())
		gan.Latents(z, seed)
		var classes []uint8
		if j.Conditional() {
			classes, labels = make([]uint8, n), make([]int, n)
			for i := range classes {
				classes[i], labels[i] = uint8(i%gan.Classes), i%gan.Classes
			}
		}
		imgs = make([]float32, n*ImageShape.Size())
		gan.GenerateLabeled(g, imgs, z, classes, n)
	case *gan.AutoencoderTrainer:
		if err := checkShape(j.Decoder.OutputShape()); err != nil {
			return nil, err
		}
		images, err := test()
		if err != nil {
			return nil, err
		}
		z = make([]float32, n*j.Decoder.InputShape().Size())
		gan.Latents(z, seed)
		j.DrawCodes(z, images)
		imgs = make([]float32, n*ImageShape.Size())
		gan.Generate(j.Decoder, imgs, z, n)
	default:
		return nil, fmt.Errorf("model %s generates no images: nothing to evaluate", job.Settings().Model)
	}
	return &Samples{Images: imgs, N: n, Labels: labels}, nil
}

func checkShape(s tensor.Shape) error {
	if !s.Equal(ImageShape) {
		return fmt.Errorf("the generator makes images of %s, the feature network takes %s", s, ImageShape)
	}
	return nil
}

// unwrapPath drops the *PathError wrapper, whose message repeats the path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
