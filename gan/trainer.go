package gan

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/losses"
	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/optim"
)

// Trainer trains a generator G against a discriminator D.
type Trainer struct {
	Config     Config
	G, D       *nn.Sequential
	OptG, OptD optim.Optimizer
	// Step counts the training steps taken (one D update and one G update each).
	Step int

	pcg   *rand.PCG // the state behind rng, saved in checkpoints
	rng   *rand.Rand
	graph *autograd.Graph
	noise []float32 // (batch, latent)
	bce   func(g *autograd.Graph, out, targets *autograd.Var) *autograd.Var
	// logits: D outputs logits (no final sigmoid), see Architecture.Logits.
	logits bool

	values     []Value   // Train's result, reused
	fixedNoise []float32 // (64, latent) for WriteProgress
}

// StepStats are the numbers one training step reports.
type StepStats struct {
	DLoss float64 // BCE(D(x), 1) + BCE(D(G(z)), 0)
	GLoss float64 // BCE(D(G(z)), 1): the non-saturating generator loss
	DReal float64 // mean D(x): the discriminator's probability that real images are real
	DFake float64 // mean D(G(z)) before D's update
}

// NewTrainer builds the configured models with freshly initialized weights.
func NewTrainer(cfg Config) (*Trainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	arch, err := LookupArchitecture(cfg.Model)
	if err != nil {
		return nil, err
	}
	g, d := arch.New(cfg.LatentDim)
	initRNG := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	if err := g.Build(initRNG); err != nil {
		return nil, err
	}
	if err := d.Build(initRNG); err != nil {
		return nil, err
	}
	if !g.OutputShape().Equal(d.InputShape()) {
		return nil, fmt.Errorf("generator makes %s but discriminator takes %s", g.OutputShape().WithBatch(), d.InputShape().WithBatch())
	}
	adam := optim.AdamConfig{LearningRate: cfg.LR, Beta1: cfg.Beta1, Beta2: cfg.Beta2, Epsilon: cfg.Epsilon}
	optG, err := optim.NewAdam(g.TrainableWeights(), adam)
	if err != nil {
		return nil, err
	}
	optD, err := optim.NewAdam(d.TrainableWeights(), adam)
	if err != nil {
		return nil, err
	}
	pcg := rand.NewPCG(cfg.Seed, 0x2545f4914f6cdd1d)
	rng := rand.New(pcg)
	bce := losses.BinaryCrossEntropy
	if arch.Logits {
		bce = losses.BinaryCrossEntropyWithLogits
	}
	return &Trainer{
		Config: cfg, G: g, D: d, OptG: optG, OptD: optD,
		pcg: pcg, rng: rng, graph: autograd.NewGraph(rng),
		noise: make([]float32, cfg.Batch*cfg.LatentDim),
		bce:   bce, logits: arch.Logits,
	}, nil
}

// TrainStep takes one step on a batch of real images, (batch, 28·28·1) in
// [−1, 1]: D learns to tell them from G's, then G learns to fool the updated D.
// A NaN or infinite loss stops the step before any weight changes and returns
// an error.
func (t *Trainer) TrainStep(real []float32) (StepStats, error) {
	cfg := t.Config
	if len(real) != cfg.Batch*t.D.InputShape().Size() {
		panic(fmt.Sprintf("gan: TrainStep got %d values, want %d", len(real), cfg.Batch*t.D.InputShape().Size()))
	}
	g := t.graph
	g.Reset()
	for i := range t.noise {
		t.noise[i] = float32(t.rng.NormFloat64())
	}
	z := g.Input(t.noise, false, cfg.Batch, cfg.LatentDim)
	x := g.Input(real, false, append([]int{cfg.Batch}, t.D.InputShape()...)...)
	fake := t.G.Call(g, z, true)

	// Discriminator: real → 1, fake → 0; G's output is detached.
	pReal := t.D.Call(g, x, true)
	pFake := t.D.Call(g, g.Detach(fake), true)
	lossD := g.Add(
		t.bce(g, pReal, losses.Targets(g, 1, pReal)),
		t.bce(g, pFake, losses.Targets(g, 0, pFake)))
	stats := StepStats{DLoss: float64(lossD.Item()), DReal: t.meanProbability(pReal), DFake: t.meanProbability(pFake)}
	if !finite(stats.DLoss) {
		return stats, fmt.Errorf("discriminator loss is %v at step %d", stats.DLoss, t.Step+1)
	}
	g.Backward(lossD)
	t.OptD.Step()

	// Generator: make D call the fakes real; D's weights are frozen meanwhile.
	t.D.SetTrainable(false)
	pFool := t.D.Call(g, fake, true)
	lossG := t.bce(g, pFool, losses.Targets(g, 1, pFool))
	stats.GLoss = float64(lossG.Item())
	if !finite(stats.GLoss) {
		t.D.SetTrainable(true)
		return stats, fmt.Errorf("generator loss is %v at step %d", stats.GLoss, t.Step+1)
	}
	g.Backward(lossG)
	t.D.SetTrainable(true)
	t.OptG.Step()
	t.Step++
	return stats, nil
}

// Generate writes G's images for the latent vectors z (n, latent) into dst
// (n, 28·28·1), in inference mode (BatchNorm's moving statistics), batch by batch.
func Generate(g *nn.Sequential, dst, z []float32, n int) {
	latent := g.InputShape().Size()
	out := g.OutputShape().Size()
	graph := autograd.NewGraph(nil)
	const chunk = 256
	for start := 0; start < n; start += chunk {
		m := min(chunk, n-start)
		graph.Reset()
		in := graph.Input(z[start*latent:(start+m)*latent], false, append([]int{m}, g.InputShape()...)...)
		y := g.Call(graph, in, false)
		copy(dst[start*out:(start+m)*out], y.Data)
	}
}

// Latents fills z with N(0, 1) values from a generator seeded by seed alone, so
// the same seed always gives the same latent vectors.
func Latents(z []float32, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x5851f42d4c957f2d))
	for i := range z {
		z[i] = float32(rng.NormFloat64())
	}
}

// meanProbability is the mean of D's probabilities: its outputs, or their
// sigmoid when D outputs logits.
func (t *Trainer) meanProbability(out *autograd.Var) float64 {
	var s float64
	for _, v := range out.Data {
		p := float64(v)
		if t.logits {
			p = 1 / (1 + math.Exp(-p))
		}
		s += p
	}
	return s / float64(len(out.Data))
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Flops is the number of floating-point operations the trainer's matrix
// products have done so far.
func (t *Trainer) Flops() uint64 { return t.graph.Flops() }
