package generator

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"sync"

	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/tensor"
)

// Generator makes samples with a trained generator network. It is safe for
// concurrent use (see the package comment).
type Generator struct {
	net         nn.Network
	latent      int          // the size of one latent vector
	shape       tensor.Shape // one sample, e.g. (28, 28, 1)
	classes     int          // classes a conditional generator draws; 0 otherwise
	autoencoder bool         // net is an autoencoder's decoder
	model       string
	step        int
	deviceMu    sync.Mutex // held while the weights are on a GPU (Request.Device)
}

// Load reads the generator of a run folder, a checkpoint folder, a latest.json, or the
// step-N.safetensors file that the latest.json beside it names. It checks the whole
// checkpoint (gan.LoadJob) and that every weight of the generator is finite.
func Load(path string) (*Generator, error) {
	state, err := statePath(path)
	if err != nil {
		return nil, err
	}
	job, err := gan.LoadJob(state)
	if err != nil {
		return nil, err
	}
	g, err := FromJob(job)
	if err != nil {
		return nil, fmt.Errorf("generator: %s: %w", path, err)
	}
	if err := checkWeights(g.net); err != nil {
		return nil, fmt.Errorf("generator: %s: %w", path, err)
	}
	return g, nil
}

// statePath maps a step-N.safetensors file to the latest.json beside it, which
// must name it; other paths go to gan.LoadJob as they are.
func statePath(path string) (string, error) {
	if !strings.EqualFold(filepath.Ext(path), ".safetensors") {
		return path, nil
	}
	state := filepath.Join(filepath.Dir(path), gan.LatestFile)
	var named struct {
		Tensors string `json:"tensors"`
	}
	if err := checkpoint.ReadJSON(state, &named); err != nil {
		return "", fmt.Errorf("generator: %s: a tensor file is read with the %s beside it, which holds the model's settings: %w", path, gan.LatestFile, err)
	}
	if named.Tensors != filepath.Base(path) {
		return "", fmt.Errorf("generator: %s: %s names %q, not this file; load %s", path, state, named.Tensors, state)
	}
	return state, nil
}

// ErrGeneratesNothing is the error (wrapped) of Load and FromJob for a run
// whose model makes no samples, such as a classifier.
var ErrGeneratesNothing = errors.New("generates nothing")

// FromJob returns the generator of a trainer in memory: a GAN's G (its weight
// average when the run keeps one) or an autoencoder's decoder. The Generator
// shares the trainer's weights; a GAN trainer on a GPU first copies them to the
// host (gan.Trainer.SyncHost), so that the Generator has the weights trained so far.
func FromJob(job gan.Job) (*Generator, error) {
	g := &Generator{model: job.Settings().Model, step: job.Steps()}
	switch j := job.(type) {
	case *gan.Trainer:
		if err := j.SyncHost(); err != nil {
			return nil, err
		}
		g.net = j.Sampler()
		if j.Conditional() {
			g.classes = j.Config.NumClasses()
		}
	case *gan.AutoencoderTrainer:
		g.net, g.autoencoder = j.Decoder, true
	default:
		return nil, fmt.Errorf("model %s %w (it is neither a GAN nor an autoencoder)", g.model, ErrGeneratesNothing)
	}
	g.latent = g.net.InputShapes()[0].Size()
	g.shape = g.net.OutputShape()
	return g, nil
}

// checkWeights reports the first weight of net holding NaN or ±Inf, or a
// negative BatchNormalization moving variance (which is finite but makes every
// sample NaN: x/√(variance + ε)).
func checkWeights(net nn.Network) error {
	for _, w := range net.Weights() {
		variance := strings.HasSuffix(w.Name, "/moving_variance")
		for i, v := range w.Data {
			switch {
			case math.IsNaN(float64(v)) || math.IsInf(float64(v), 0):
				return fmt.Errorf("weight %s/%s[%d] is %v: the checkpoint is damaged or training diverged", net.Name(), w.Name, i, v)
			case variance && v < 0:
				return fmt.Errorf("weight %s/%s[%d] is %v, a negative variance: the checkpoint is damaged", net.Name(), w.Name, i, v)
			}
		}
	}
	return nil
}

// LatentDim is the size of one latent vector (an autoencoder's code size).
func (g *Generator) LatentDim() int { return g.latent }

// SampleShape is the shape of one sample: (height, width, channels) for images,
// (2) for the points of a 2-D model.
func (g *Generator) SampleShape() tensor.Shape { return g.shape }

// Classes is the number of classes a conditional generator draws (cgan, acgan),
// 0 for an unconditional one.
func (g *Generator) Classes() int { return g.classes }

// Model is the run's model or recipe name, e.g. "mlp" or "cgan".
func (g *Generator) Model() string { return g.model }

// Step is the training step the weights were saved at.
func (g *Generator) Step() int { return g.step }
