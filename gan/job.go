package gan

import (
	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/tensor"
)

// Job is a trainer that a run drives step by step: a GAN (Trainer) or an
// autoencoder (AutoencoderTrainer). Both checkpoint through the same format.
type Job interface {
	// Settings is the job's configuration; a resumed run may change its
	// Epochs and Steps.
	Settings() *Config
	// Steps is the number of training steps taken.
	Steps() int
	// Train takes one step on a batch of images (batch, sample...) in [−1, 1]
	// and their labels, and returns the step's named numbers (losses first).
	// The slice is reused by the next call. A job that LoadJob loaded from a
	// checkpoint that ResumeJob refuses (a damaged random state, a clip or
	// penalty weight of 0 that its objective needs positive) refuses too.
	Train(images []float32, labels []uint8) ([]Value, error)
	// SampleShape is the shape of one data sample, e.g. (28, 28, 1).
	SampleShape() tensor.Shape
	// Progress returns the picture of the job's progress: an 8×8 grid of
	// samples, test images beside their reconstructions, or 2-D samples.
	// run.WriteProgress draws it into a PNG.
	Progress(test TestSet) (Picture, error)
	// Evaluate returns numbers the job measures on the test set at the end of
	// an epoch, such as the reconstruction error; nil when there are none.
	// Scores computed from samples (mode coverage, FID) are the run's
	// (run.Evaluate, eval.Monitor).
	Evaluate(test TestSet) ([]Value, error)
	SaveCheckpoint(dir string) (string, error)
	// Flops counts the floating-point operations of matrix products so far.
	Flops() uint64
	// ProfileOps times every op of the coming steps on the CPU, forward and
	// backward, into p (autograd.OpProfile); nil stops it.
	ProfileOps(p *autograd.OpProfile)
	// Plan tells the job how many steps the run takes in all (for schedules).
	Plan(totalSteps int)

	parts() parts
	// restored records the step a checkpoint was restored at, and the error
	// of its random state (nil when it was restored too).
	restored(step int, rngErr error)
}

// TestSet is the held-out data a job is evaluated on: images (n, sample...)
// in [−1, 1] and their labels.
type TestSet struct {
	Images []float32
	Labels []uint8
	// Modes is the 2-D mixture the points come from, for mode-coverage
	// measurements; nil for images.
	Modes *data.Toy
}

// Value is one named number that a step or an evaluation reports.
type Value struct {
	Name  string
	Value float64
}

// NewJob builds the trainer that the configured architecture calls for, with
// fresh weights: NewJobFor(cfg.Resolve()).
func NewJob(cfg Config) (Job, error) {
	r, err := cfg.Resolve()
	if err != nil {
		return nil, err
	}
	return NewJobFor(r)
}

// Settings returns the trainer's configuration.
func (t *Trainer) Settings() *Config { return &t.Config }

// Steps is the number of training steps taken.
func (t *Trainer) Steps() int { return t.Step }

// restored records the step and the error of a restore: other weights, so
// the sampler's standing statistics are stale.
func (t *Trainer) restored(step int, rngErr error) { t.Step, t.standingAt, t.rngErr = step, -1, rngErr }

// SampleShape is the shape of one sample: one output of G, which D takes
// alone or, with Config.Pack, packed with others.
func (t *Trainer) SampleShape() tensor.Shape { return t.sample }

// Train is TrainStep, reporting d_loss, g_loss, d_x (mean D(x)) and d_g_z (mean D(G(z))).
func (t *Trainer) Train(images []float32, labels []uint8) ([]Value, error) {
	t.mustBeMade("Train")
	st, err := t.TrainStep(images, labels)
	if err != nil {
		return nil, err
	}
	t.values = append(t.values[:0],
		Value{"d_loss", st.DLoss}, Value{"g_loss", st.GLoss},
		Value{"d_x", st.DReal}, Value{"d_g_z", st.DFake})
	return t.values, nil
}

// Progress returns G's images for a fixed noise batch (seeded by the config's
// seed, the same at every epoch) as an 8×8 grid; for 2-D data, as many
// samples as the test set holds (2,500), to plot over the real points and the
// modes' centers.
func (t *Trainer) Progress(test TestSet) (Picture, error) {
	t.mustBeMade("Progress")
	if err := t.syncHost(); err != nil {
		return Picture{}, err
	}
	if test.Modes != nil {
		return Picture{Points: t.points(len(test.Labels))}, nil
	}
	if t.Conditional() {
		return t.classGrid(8), nil
	}
	if t.fixedNoise == nil {
		t.fixedNoise = make([]float32, 64*t.G.InputShapes()[0].Size())
		Latents(t.fixedNoise, t.Config.Seed)
	}
	shape := t.G.OutputShape()
	imgs := make([]float32, 64*shape.Size())
	Generate(t.Sampler(), imgs, t.fixedNoise, 64)
	return grid(imgs, 64, shape, 8), nil
}

// MaxGridClasses is the most classes a conditional G's progress grid shows,
// one row each: the first ones.
const MaxGridClasses = 16

// classGrid draws a conditional G's samples with one row per class (the first
// MaxGridClasses) and cols columns; each column shares one noise vector
// (seeded by the config's seed).
func (t *Trainer) classGrid(cols int) Picture {
	latent := t.G.InputShapes()[0].Size()
	col := make([]float32, cols*latent)
	Latents(col, t.Config.Seed)
	n := min(t.Config.NumClasses(), MaxGridClasses) * cols
	z := make([]float32, n*latent)
	labels := make([]uint8, n)
	for i := range n {
		copy(z[i*latent:(i+1)*latent], col[(i%cols)*latent:])
		labels[i] = uint8(i / cols)
	}
	shape := t.G.OutputShape()
	imgs := make([]float32, n*shape.Size())
	GenerateLabeled(t.Sampler(), imgs, z, labels, n)
	return grid(imgs, n, shape, cols)
}

// points draws n samples of G from latents seeded by the config's seed.
func (t *Trainer) points(n int) []float32 {
	z := make([]float32, n*t.G.InputShapes()[0].Size())
	Latents(z, t.Config.Seed)
	out := make([]float32, n*t.G.OutputShape().Size())
	Generate(t.Sampler(), out, z, n)
	return out
}

// Evaluate returns nil: a GAN is scored from its samples by the run that
// trains it (run.Evaluate measures mode coverage on 2-D data from Progress's
// points; eval.Monitor and gogan eval score images).
func (t *Trainer) Evaluate(TestSet) ([]Value, error) { return nil, nil }
