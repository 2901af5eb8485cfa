package gan

import (
	"fmt"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/nn"
)

// StandingStatistics gives every BatchNormalization layer of the generator g
// moving statistics of its own weights: it runs g in training mode on batches
// batches of batchSize latent vectors and sets each layer's moving mean and
// variance to the mean of its batch means and (biased) batch variances, as
// BigGAN's "standing statistics" do. classes > 0 is a conditional G's number
// of classes: each latent vector then gets a random label.
//
// A weight average (Config.EMA) needs it: its own moving statistics are
// copies of the live G's, computed with other weights, and samples drawn with
// statistics that do not fit the weights lose strokes. The latent vectors come
// from seed alone, so the result is a function of g's weights. Layer momenta
// are restored; trainable weights are left alone. A nil or unbuilt g is an
// error.
func StandingStatistics(g nn.Network, batches, batchSize, classes int, seed uint64) error {
	if batches <= 0 || batchSize <= 0 {
		return fmt.Errorf("standing statistics: batches and batch size must be positive, got %d and %d", batches, batchSize)
	}
	shapes, _, err := networkShapes(g) // nil or unbuilt: an error, not a panic
	if err != nil {
		return fmt.Errorf("standing statistics: %w", err)
	}
	layers, err := nn.BatchNormLayers(g)
	if err != nil {
		return fmt.Errorf("standing statistics: %w", err)
	}
	if len(layers) == 0 {
		return nil
	}
	momenta := make([]float32, len(layers))
	for i, b := range layers {
		momenta[i] = b.Momentum
	}
	defer func() {
		for i, b := range layers {
			b.Momentum = momenta[i]
		}
	}()
	latent := shapes[0].Size()
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	graph := autograd.NewGraph(rng)
	z := make([]float32, batchSize*latent)
	ys := make([]float32, batchSize)
	for k := 1; k <= batches; k++ {
		// Keras's update moving = m·moving + (1 − m)·batch with m = (k−1)/k
		// keeps the running mean of the k batches' statistics.
		for _, b := range layers {
			b.Momentum = float32(k-1) / float32(k)
		}
		for i := range z {
			z[i] = float32(rng.NormFloat64())
		}
		graph.Reset()
		in := graph.Input(z, false, append([]int{batchSize}, shapes[0]...)...)
		if classes > 0 && len(shapes) > 1 {
			for i := range ys {
				ys[i] = float32(rng.IntN(classes))
			}
			g.CallInputs(graph, []*autograd.Var{in, graph.Input(ys, false, batchSize, 1)}, true)
		} else {
			g.Call(graph, in, true)
		}
	}
	return nil
}

// standingSampler gives the weight average standing statistics
// (Config.StandingStats) once per step: a sampler drawn twice at one step is
// recomputed once, and reading the weights off a GPU calls for it again.
// Callers from several goroutines wait for the one computing them.
func (t *Trainer) standingSampler() {
	if t.GEMA == nil || t.Config.StandingStats <= 0 {
		return
	}
	t.standingMu.Lock()
	defer t.standingMu.Unlock()
	if t.standingAt == t.Step {
		return
	}
	if err := t.giveStandingStatistics(t.GEMA, t.Config.StandingStats); err != nil {
		panic(err) // G's architecture was checked when the trainer was built
	}
}

// giveStandingStatistics gives the sampler s standing statistics from batches
// batches of the run's batch size (and classes, for a conditional G), seeded by
// the run's seed, and records the step; the caller holds standingMu.
func (t *Trainer) giveStandingStatistics(s nn.Network, batches int) error {
	classes := 0
	if t.Conditional() {
		classes = t.Config.NumClasses()
	}
	if err := StandingStatistics(s, batches, t.Config.Batch, classes, t.Config.Seed); err != nil {
		return err
	}
	t.standingAt = t.Step
	return nil
}

// RecalibrateSampler gives the sampler (G, or its weight average with EMA)
// standing statistics from batches batches of noise now, whatever
// Config.StandingStats says. It is meant for a trained generator about to
// sample (gogan eval --standing-stats): without EMA it replaces G's own
// moving statistics, which further training would go on updating.
func (t *Trainer) RecalibrateSampler(batches int) error {
	t.mustBeMade("RecalibrateSampler")
	if batches <= 0 || batches > MaxStandingStats {
		return fmt.Errorf("standing statistics must be in [1, %d] batches, got %d", MaxStandingStats, batches)
	}
	if err := t.syncHost(); err != nil {
		return err
	}
	s := t.G
	if t.GEMA != nil {
		s = t.GEMA
	}
	t.standingMu.Lock()
	defer t.standingMu.Unlock()
	return t.giveStandingStatistics(s, batches)
}
