package gan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/cuda"
	"github.com/gogan/gogan/losses"
	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/optim"
	"github.com/gogan/gogan/tensor"
)

// Trainer trains a generator G against a discriminator D with an Objective
// and the configured stabilizers.
type Trainer struct {
	Config     Config
	G, D       nn.Network
	OptG, OptD optim.Optimizer
	// GEMA is an exponential moving average of G's weights (Config.EMA > 0),
	// used for samples and evaluation; nil when off.
	GEMA nn.Network
	// Objective is the objective trained with: the entry of Objectives that
	// Config.Loss names, or the one given to NewTrainerFor.
	Objective NamedObjective
	// Step counts the training steps taken: one D update each, and one G
	// update every Config.NCritic steps.
	Step int
	// rngErr is the damaged random state of the checkpoint LoadJob read (nil
	// when it was whole): the trainer samples, but TrainStep refuses.
	rngErr error

	objective Objective // Objective.New(Config)
	pcg       *rand.PCG // the state behind rng, saved in checkpoints
	rng       *rand.Rand
	graph     *autograd.Graph
	noise     []float32 // (batch, latent)
	// instanceNoise is the noise added to D's inputs (Config.InstanceNoise).
	instanceNoise []float32
	planned       int     // the run's total steps, for annealing instance noise and the learning rates
	gLoss         float64 // the last G step's loss, reported between G steps

	values     []Value   // Train's result, reused
	fixedNoise []float32 // (64, latent) for WriteProgress
	// labels holds a conditional step's classes (see stageLabels): the real
	// batch's, then those drawn for G, as float32 ids (batch each), then for
	// acgan the same as one-hot rows (batch × classes each). On a GPU the
	// step uses a pinned copy (deviceState.labels) instead.
	labels     []float32
	standingAt int        // the step GEMA last got standing statistics at; −1: none
	standingMu sync.Mutex // held while GEMA gets them: Sampler may be called from several goroutines
	// penaltyInput holds the gradient penalty's interpolated batch x̂.
	penaltyInput []float32

	sample    tensor.Shape    // one data sample: one output of G
	realShape []int           // the real batch: (batch, sample...)
	packParts []*autograd.Var // the blocks of a batch of images being packed, reused
	// dBatchShape is D's batch: (batch, sample...), or with Config.Pack m > 1
	// (batch/m, packed sample...), the sample's last axis m times as long.
	dBatchShape []int
	dWeights    []*autograd.Var // D's weights, frozen while G learns
	// jointD: D scores the real and the generated batch in one call (StackRows),
	// one product per layer at twice the rows, which gives what two calls give when D
	// treats every sample on its own: no batch statistics (BatchNormalization), no
	// state that each call moves (SpectralNorm's power iteration), no labels. (Dropout
	// masks are drawn for the stacked batch, in another order than two calls draw them.)
	jointD bool
	// augmentations are Config.DiffAugment's transforms, applied to D's inputs.
	augmentations []augmentation
	augmentInts   []int     // scratch for the transforms' integer draws, 2 per sample
	augmentFloats []float32 // scratch for their float draws, 1 per sample

	device *cuda.Device // the GPU the step runs on (UseDevice), or nil
	dev    *deviceState // its pinned buffers and captured step
}

// StepStats are the numbers one training step reports.
type StepStats struct {
	DLoss float64 // D's loss (with the gradient penalty, for wgan-gp)
	GLoss float64 // G's loss at the last G update
	// DReal and DFake are D's mean output on real and generated samples before
	// its update: probabilities for the BCE objectives, raw scores otherwise.
	DReal, DFake float64
}

// NewTrainer builds the networks of the architecture the config names, with
// freshly initialized weights, and trains them as NewTrainerFor does. A run
// records the name (Config.Model, Config.Arch), so LoadCheckpoint rebuilds them.
// It takes cfg as it is: call ApplyDefaults first to train a recipe (see
// ExampleApplyDefaults).
func NewTrainer(cfg Config) (*Trainer, error) {
	r, err := cfg.Resolve()
	if err != nil {
		return nil, err
	}
	return newGANTrainer(r)
}

// mustBeMade panics when t was not made by NewTrainer or NewTrainerFor (a
// Trainer{} or a nil *Trainer, whose networks, optimizers and graph are nil):
// a programmer error, which the exported entry points report naming method,
// not as a nil dereference inside a step.
func (t *Trainer) mustBeMade(method string) {
	if t == nil || t.graph == nil {
		panic("gan: Trainer." + method + ": Trainer used without NewTrainer/NewTrainerFor")
	}
}

// newGANTrainer is NewTrainer for resolved settings.
func newGANTrainer(r Resolved) (*Trainer, error) {
	cfg, arch := r.cfg, r.arch
	if !arch.isGAN() {
		return nil, fmt.Errorf("model %q is not a GAN", cfg.Model)
	}
	g, d, err := newGAN(cfg, arch)
	if err != nil {
		return nil, err
	}
	var gema nn.Network
	if cfg.EMA > 0 {
		if gema, _, err = newGAN(cfg, arch); err != nil {
			return nil, err
		}
	}
	return newTrainer(cfg, g, d, gema, r.obj)
}

// Option is a setting of NewTrainerFor that Config does not hold.
type Option func(*trainerOptions)

type trainerOptions struct {
	objective *NamedObjective
	average   nn.Network
}

// WithObjective trains with o in place of the objective Config.Loss names:
// an objective of a program's own, or a built-in one with other stabilizers.
func WithObjective(o NamedObjective) Option {
	return func(opts *trainerOptions) { opts.objective = &o }
}

// WithAverageGenerator gives an unbuilt network of G's architecture to hold
// the moving average of G's weights that Config.EMA > 0 asks for.
func WithAverageGenerator(g nn.Network) Option {
	return func(opts *trainerOptions) { opts.average = g }
}

// NewTrainerFor trains any generator g and discriminator d, given unbuilt: it
// builds them from Config.Seed. G maps noise (batch, Config.LatentDim), and for
// Config.Conditional labels (batch, 1), to samples (batch, sample...); D maps
// samples (with Config.Pack, packs of them) to scores (batch, 1) and, for
// acgan, class logits after the score. The config's training settings apply
// (batch, optimizer, learning rates, objective, stabilizers); its architecture
// settings (Arch, SpectralNorm, SampleShape) do not: Model only names the run.
// D scores the real and the generated batch in one call (see jointD) unless
// it takes labels or has BatchNormalization or SpectralNorm layers, found by
// their weights' names (moving_mean, sn_u).
// SaveCheckpoint saves the trainer's state; Restore loads it into a trainer
// made the same way.
func NewTrainerFor(g, d nn.Network, cfg Config, opts ...Option) (*Trainer, error) {
	var o trainerOptions
	for i, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("NewTrainerFor: option %d of %d is nil", i+1, len(opts))
		}
		opt(&o)
	}
	if err := cfg.validateTraining(); err != nil {
		return nil, err
	}
	obj, err := LookupObjective(cfg.Loss)
	if o.objective != nil { // validateTraining checked that Config.Loss names one
		obj, err = *o.objective, nil
	}
	if err == nil {
		err = cfg.checkLipschitz(obj)
	}
	switch {
	case err != nil:
		return nil, err
	case g == nil || d == nil:
		return nil, fmt.Errorf("NewTrainerFor needs a generator and a discriminator")
	case obj.New == nil:
		return nil, fmt.Errorf("objective %q has no New function", obj.Name)
	case cfg.SpectralNorm:
		return nil, fmt.Errorf("spectral_norm wraps a named architecture's D; wrap the kernel layers of %s in nn.SpectralNorm", d.Name())
	case cfg.EMA > 0 && o.average == nil:
		return nil, fmt.Errorf("EMA %g needs a second, unbuilt network of G's architecture: pass it with WithAverageGenerator", cfg.EMA)
	}
	if cfg.EMA == 0 {
		o.average = nil
	}
	return newTrainer(cfg, g, d, o.average, obj)
}

// newTrainer builds g, d and gema (nil without EMA) and the trainer over them.
func newTrainer(cfg Config, g, d, gema nn.Network, obj NamedObjective) (*Trainer, error) {
	initRNG := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	if err := g.Build(initRNG); err != nil {
		return nil, err
	}
	if err := d.Build(initRNG); err != nil {
		return nil, err
	}
	if err := checkShapes(cfg, g, d); err != nil {
		return nil, err
	}
	if obj.GradientPenalty {
		for _, w := range d.Weights() {
			if strings.HasSuffix(w.Name, "/moving_mean") {
				return nil, fmt.Errorf("%s needs a critic without BatchNormalization (its gradient penalty is per sample); %s has %s", obj.Name, d.Name(), strings.TrimSuffix(w.Name, "/moving_mean"))
			}
		}
	}
	lrG, lrD := cfg.learningRates()
	optG, err := newOptimizer(cfg, g, lrG)
	if err != nil {
		return nil, err
	}
	optD, err := newOptimizer(cfg, d, lrD)
	if err != nil {
		return nil, err
	}
	pcg := rand.NewPCG(cfg.Seed, 0x2545f4914f6cdd1d)
	rng := rand.New(pcg)
	t := &Trainer{
		Config: cfg, G: g, D: d, OptG: optG, OptD: optD,
		Objective: obj, objective: obj.New(cfg),
		pcg: pcg, rng: rng, graph: autograd.NewGraph(rng),
		noise: make([]float32, cfg.Batch*cfg.LatentDim), standingAt: -1,
	}
	t.labels = make([]float32, t.labelsLen())
	t.sample = g.OutputShape()
	if err := checkAugmentable(cfg.DiffAugment, t.sample); err != nil {
		return nil, err
	}
	if t.augmentations, err = parseDiffAugment(cfg.DiffAugment); err != nil {
		return nil, err
	}
	if t.augmentations != nil && cfg.packing() > 1 {
		return nil, fmt.Errorf("--diffaugment %s with --pack %d: the transforms would mix the packed images' channels; use one or the other", cfg.DiffAugment, cfg.Pack)
	}
	t.realShape = append([]int{cfg.Batch}, t.sample...)
	t.dBatchShape = append([]int{cfg.Batch / cfg.packing()}, d.InputShapes()[0]...)
	t.dWeights = d.Weights()
	t.jointD = cfg.Conditional == ""
	for _, w := range t.dWeights {
		if strings.HasSuffix(w.Name, "/moving_mean") || strings.HasSuffix(w.Name, "/sn_u") {
			t.jointD = false
		}
	}
	if gema != nil {
		t.GEMA = gema
		if err := t.GEMA.Build(rand.New(rand.NewPCG(0, 0))); err != nil {
			return nil, err
		}
		if err := checkSameWeights(t.GEMA, g); err != nil {
			return nil, err
		}
		copyWeights(t.GEMA, g)
		if cfg.StandingStats > 0 { // Sampler computes them, where no error can be returned
			if _, err := nn.BatchNormLayers(t.GEMA); err != nil {
				return nil, fmt.Errorf("standing statistics (%d batches): %w", cfg.StandingStats, err)
			}
		}
	}
	return t, nil
}

// checkShapes checks that G takes the config's noise (and labels), that D
// takes what G makes, packed by Config.Pack, and that D outputs one score per
// sample (for acgan, the score and 1 logit per class).
func checkShapes(cfg Config, g, d nn.Network) error {
	if in := g.InputShapes(); !in[0].Equal(tensor.Shape{cfg.LatentDim}) {
		return fmt.Errorf("generator takes noise of shape %s, but latent_dim is %d", in[0].WithBatch(), cfg.LatentDim)
	}
	if want := packedShape(g.OutputShape(), cfg.packing()); !want.Equal(d.InputShapes()[0]) {
		if cfg.packing() > 1 {
			return fmt.Errorf("generator makes %s, packed by %d into %s, but discriminator takes %s", g.OutputShape().WithBatch(), cfg.Pack, want.WithBatch(), d.InputShapes()[0].WithBatch())
		}
		return fmt.Errorf("generator makes %s but discriminator takes %s", g.OutputShape().WithBatch(), d.InputShapes()[0].WithBatch())
	}
	wantOut, what := tensor.Shape{1}, "a score per sample"
	if cfg.Conditional == "acgan" {
		wantOut, what = tensor.Shape{1 + cfg.NumClasses()}, fmt.Sprintf("a score and %d class logits per sample", cfg.NumClasses())
	}
	if out := d.OutputShape(); !out.Equal(wantOut) {
		return fmt.Errorf("discriminator outputs %s where %s is wanted: %s", out.WithBatch(), wantOut.WithBatch(), what)
	}
	return nil
}

// checkSameWeights checks that avg has m's weights, name for name and shape
// for shape, as G's moving average must.
func checkSameWeights(avg, m nn.Network) error {
	aw, mw := avg.Weights(), m.Weights()
	if len(aw) != len(mw) {
		return fmt.Errorf("the average of G, %s, has %d weights, G has %d", avg.Name(), len(aw), len(mw))
	}
	for i, w := range mw {
		if aw[i].Name != w.Name || !slices.Equal(aw[i].Shape, w.Shape) {
			return fmt.Errorf("the average of G, %s, has %s %v where G has %s %v", avg.Name(), aw[i].Name, aw[i].Shape, w.Name, w.Shape)
		}
	}
	return nil
}

// newGAN makes the (unbuilt) G and D the config asks for: the architecture's
// plain pair, its conditional pair (cgan, acgan), or its pair with a packed D
// (Config.Pack), with spectral normalization on D when asked, and Config.Init's
// initializers.
func newGAN(cfg Config, arch Architecture) (g, d nn.Network, err error) {
	if cfg.Conditional != "" {
		if arch.Conditional == nil {
			return nil, nil, fmt.Errorf("architecture %s has no conditional form for %s", arch.Name, cfg.Conditional)
		}
		g, d = arch.Conditional(cfg.LatentDim, cfg.NumClasses(), cfg.sampleShape(arch), cfg.Conditional == "acgan")
	} else {
		g, d = arch.New(cfg.LatentDim, cfg.sampleShape(arch))
	}
	if m := cfg.packing(); m > 1 {
		if d, err = packedDiscriminator(cfg, arch, m); err != nil {
			return nil, nil, err
		}
	}
	if cfg.SpectralNorm && !arch.SpectralNorm {
		if d, err = withSpectralNorm(d); err != nil {
			return nil, nil, err
		}
	}
	return g, d, cfg.initialize(g, d)
}

// newOptimizer makes the configured optimizer for a model's trainable weights.
func newOptimizer(cfg Config, m nn.Network, lr float32) (optim.Optimizer, error) {
	if cfg.Optimizer == "rmsprop" {
		return optim.NewRMSprop(m.TrainableWeights(), optim.RMSpropConfig{LearningRate: lr, Rho: 0.9, Epsilon: cfg.Epsilon})
	}
	return optim.NewAdam(m.TrainableWeights(), optim.AdamConfig{LearningRate: lr, Beta1: cfg.Beta1, Beta2: cfg.Beta2, Epsilon: cfg.Epsilon})
}

// Plan tells the trainer how many steps the run takes in all, over which
// instance noise is annealed to zero and Config.LRDecay lowers the learning rates.
func (t *Trainer) Plan(totalSteps int) { t.planned = totalSteps }

// TrainStep takes one step on a batch of real samples, (batch, sample...) in
// [−1, 1], with their labels (used by the conditional recipes, else nil):
// D learns to tell them from G's, and every NCritic steps G learns to fool the
// updated D. With Config.Pack m, D judges packs of m consecutive samples.
// A NaN or infinite loss stops the step before any weight changes and returns
// an error. A trainer that LoadJob loaded from a checkpoint ResumeJob refuses
// returns its error (see trainable).
func (t *Trainer) TrainStep(real []float32, labels []uint8) (StepStats, error) {
	t.mustBeMade("TrainStep")
	if err := t.trainable(); err != nil {
		return StepStats{}, err
	}
	return t.deviceStep(func() (StepStats, error) { return t.trainStep(real, labels) })
}

// trainable is nil, or why the trainer cannot train: LoadJob read it from a
// checkpoint whose random state is damaged, or whose config turns off the
// clip or the penalty that its objective keeps D Lipschitz with (a run of a
// version that accepted 0; see checkLipschitz).
func (t *Trainer) trainable() error {
	if t.rngErr != nil {
		return fmt.Errorf("cannot train: %w", t.rngErr)
	}
	if err := t.Config.checkLipschitz(t.Objective); err != nil {
		return fmt.Errorf("cannot train: %w", err)
	}
	return nil
}

// trainStep is TrainStep on the trainer's graph, on the CPU or a device.
func (t *Trainer) trainStep(real []float32, labels []uint8) (StepStats, error) {
	cfg := t.Config
	if len(real) != cfg.Batch*t.sample.Size() {
		panic(fmt.Sprintf("gan: TrainStep got %d values, want %d", len(real), cfg.Batch*t.sample.Size()))
	}
	if cfg.Conditional != "" && len(labels) != cfg.Batch {
		panic(fmt.Sprintf("gan: conditional TrainStep got %d labels, want %d", len(labels), cfg.Batch))
	}
	if cfg.Conditional != "" {
		if err := checkLabels(labels, cfg.NumClasses()); err != nil {
			return StepStats{}, err
		}
	}
	if t.dev != nil && t.dev.graph != nil {
		return t.replayStep(real, labels)
	}
	g := t.graph
	g.Reset()
	noise, realIn, err := t.stepInputs(g, real)
	if err != nil {
		return StepStats{}, err
	}
	var yReal, yFake, hotReal, hotFake *autograd.Var
	if cfg.Conditional != "" {
		t.stageLabels(labels)
		yReal, yFake, hotReal, hotFake = t.labelInputs(g)
	}
	// D's batch: the samples, or their packs (see pack.go). The real batch is
	// viewed as packs where it lies; G's is reshaped in the graph, so that the
	// G step's gradient reaches G through the reshape.
	dBatchShape, n := t.dBatchShape, t.dBatchShape[0]
	fake := t.pack(g, t.generate(g, noise, yFake, true))
	realD := t.pack(g, realIn)

	// Discriminator step, on G's output cut from G.
	x := t.dInput(g, realD)
	fakeD := t.dInput(g, g.Detach(fake))
	var sReal, sFake, cReal, cFake *autograd.Var
	if t.jointD {
		s, _ := t.discriminate(g, g.StackRows(x, fakeD), nil)
		sReal, sFake = g.SliceRows(s, 0, n), g.SliceRows(s, n, 2*n)
	} else {
		sReal, cReal = t.discriminate(g, x, yReal)
		sFake, cFake = t.discriminate(g, fakeD, yFake)
	}
	lossD := t.objective.DiscriminatorLoss(g, sReal, sFake)
	if cfg.Conditional == "acgan" {
		lossD = g.Add(lossD, g.Add(
			losses.CategoricalCrossEntropy(g, cReal, hotReal),
			losses.CategoricalCrossEntropy(g, cFake, hotFake)))
	}
	if t.Objective.GradientPenalty && cfg.GP > 0 {
		penaltyReal := realD
		if t.augmentations != nil {
			penaltyReal = x // interpolate between what D saw
		}
		lossD = g.Add(lossD, t.gradientPenalty(g, penaltyReal, fakeD, dBatchShape, yReal))
	}
	stats, err := t.checkDiscriminator(lossD, sReal, sFake)
	if err != nil {
		return stats, err
	}
	g.Backward(lossD)
	t.applyLRDecay()
	t.OptD.Step()
	g.Lap("optimizer step (D)")
	switch {
	case t.Objective.Clip && cfg.Clip > 0 && t.device != nil:
		t.clipDeviceWeights(cfg.Clip, lossD)
	case t.Objective.Clip && cfg.Clip > 0:
		clipWeights(t.D, cfg.Clip)
	}

	// Generator step, every NCritic steps: D's weights are frozen meanwhile.
	var lossG *autograd.Var
	if (t.Step+1)%cfg.criticSteps() == 0 {
		t.freezeD(true)
		sFool, cFool := t.discriminate(g, t.dInput(g, fake), yFake)
		var sRealG *autograd.Var // D's scores of the real batch, for objectives that read them
		if t.objective.GeneratorReadsReal() {
			sRealG, _ = t.discriminate(g, x, yReal)
		}
		lossG = t.objective.GeneratorLoss(g, sRealG, sFool)
		if cfg.Conditional == "acgan" {
			lossG = g.Add(lossG, losses.CategoricalCrossEntropy(g, cFool, hotFake))
		}
		if err := t.checkGenerator(g, &stats, lossD, lossG); err != nil {
			t.freezeD(false)
			return stats, err
		}
		g.Backward(lossG)
		t.freezeD(false)
		t.OptG.Step()
		g.Lap("optimizer step (G)")
		switch {
		case t.GEMA != nil && t.device != nil:
			t.updateDeviceEMA(cfg.EMA)
		case t.GEMA != nil:
			updateEMA(t.GEMA, t.G, cfg.EMA)
		}
	}
	if t.device != nil {
		return t.finishDeviceStep(g, lossD, sReal, sFake, lossG)
	}
	t.Step++
	return stats, nil
}

// freezeD freezes (true) or unfreezes D's weights, as D.SetTrainable(!frozen)
// without listing them again.
func (t *Trainer) freezeD(frozen bool) {
	for _, w := range t.dWeights {
		w.Frozen = frozen
	}
}

// generate runs G on noise z (batch, latent) and, for conditional recipes,
// labels y (batch, 1).
func (t *Trainer) generate(g *autograd.Graph, z, y *autograd.Var, training bool) *autograd.Var {
	if y == nil {
		return t.G.Call(g, z, training)
	}
	return t.G.CallInputs(g, []*autograd.Var{z, y}, training)
}

// discriminate runs D on samples x (and labels y for cgan), returning its
// real/fake scores (batch, 1) and, for acgan, its class logits (batch, classes).
func (t *Trainer) discriminate(g *autograd.Graph, x, y *autograd.Var) (score, classes *autograd.Var) {
	switch t.Config.Conditional {
	case "cgan":
		return t.score(t.D.CallInputs(g, []*autograd.Var{x, y}, true)), nil
	case "acgan":
		out := t.D.Call(g, x, true)
		return g.SliceLast(out, 0, 1), g.SliceLast(out, 1, out.Cols())
	}
	return t.score(t.D.Call(g, x, true)), nil
}

// score is what the losses read of D's output: the logits of a final sigmoid.
func (t *Trainer) score(out *autograd.Var) *autograd.Var {
	if l := out.Logits(); l != nil {
		return l
	}
	return out
}

// gradientPenalty is λ·mean((‖∇ₓ̂ D(x̂)‖₂ − 1)²) at x̂ = α·x + (1 − α)·x̃, with α
// drawn from U(0, 1) once per sample (Gulrajani et al. 2017), that is once per
// row of D's batch, batchShape (rows, D's input...): once per pack when
// Config.Pack packs samples. The gradient is exact and recorded, so the
// penalty's own gradient reaches D's weights; the norm is √(Σ∇² + 1e-12),
// finite when the gradient vanishes.
func (t *Trainer) gradientPenalty(g *autograd.Graph, realV, fakeV *autograd.Var, batchShape []int, y *autograd.Var) *autograd.Var {
	// x̂ is made on the host, one α per sample from the trainer's generator, so
	// that a GPU run interpolates as the CPU does; there it costs copying
	// both batches off the device (Var.Host) and x̂ onto it.
	real, fake := realV.Host(), fakeV.Host()
	n := batchShape[0]
	per := len(real) / n
	if cap(t.penaltyInput) < len(real) {
		t.penaltyInput = make([]float32, len(real))
	}
	interpolated := t.penaltyInput[:len(real)]
	for i := 0; i < n; i++ {
		a := float32(t.rng.Float64())
		for j := i * per; j < (i+1)*per; j++ {
			interpolated[j] = a*real[j] + (1-a)*fake[j]
		}
	}
	xhat := g.Input(interpolated, true, batchShape...)
	scores, _ := t.discriminate(g, xhat, y)
	grad := g.Grad(scores, []*autograd.Var{xhat}, true)[0]
	norm := g.Sqrt(g.AddScalar(g.SumCols(g.Square(grad)), 1e-12))
	return g.Scale(g.Mean(g.Square(g.AddScalar(norm, -1))), t.Config.GP)
}

// withInstanceNoise adds N(0, σ²) noise to D's input, σ falling linearly from
// Config.InstanceNoise to 0 over the planned steps (Sønderby et al. 2016).
func (t *Trainer) withInstanceNoise(g *autograd.Graph, x *autograd.Var) *autograd.Var {
	sigma := float64(t.Config.InstanceNoise)
	if sigma == 0 {
		return x
	}
	if t.planned > 0 {
		sigma *= max(0, 1-float64(t.Step)/float64(t.planned))
	}
	if n := x.Len(); cap(t.instanceNoise) < n {
		t.instanceNoise = make([]float32, n)
	}
	noise := t.instanceNoise[:x.Len()]
	for i := range noise {
		noise[i] = float32(sigma * t.rng.NormFloat64())
	}
	return g.Add(x, g.Input(noise, false, x.Shape...))
}

// meanOutput is D's mean output: a probability for the BCE objectives, the raw
// score otherwise.
func (t *Trainer) meanOutput(scores []float32) float64 {
	var s float64
	for _, v := range scores {
		p := float64(v)
		if t.Objective.Probabilities {
			p = 1 / (1 + math.Exp(-p))
		}
		s += p
	}
	return s / float64(len(scores))
}

// NoiseLap is the name under which an op profile (ProfileOps) times the drawing of
// a CPU step's noise, batch × latent normal values (noise.go).
const NoiseLap = "noise draw"

// stepInputs draws the step's noise and returns it and the real batch as the
// graph's inputs: on the CPU, where they lie; on a device, staged in pinned
// memory and copied in by the step (see beginDeviceStep).
func (t *Trainer) stepInputs(g *autograd.Graph, real []float32) (noise, realIn *autograd.Var, err error) {
	if t.dev != nil {
		t.stageInputs(real)
		return t.beginDeviceStep(g)
	}
	drawNoise(t.noise, t.rng)
	// An op profile charges an op the time since the op before it: without a lap of
	// its own, the noise would be charged to G's first op (a Reshape that moves no data).
	g.Lap(NoiseLap)
	return g.Input(t.noise, false, t.Config.Batch, t.Config.LatentDim), g.Input(real, false, t.realShape...), nil
}

// checkDiscriminator reads D's loss and mean outputs and stops the step when
// the loss is not finite, before any weight changes. On a device nothing is
// read mid-step: the loss guards D's update instead (finishDeviceStep reads).
func (t *Trainer) checkDiscriminator(lossD, sReal, sFake *autograd.Var) (StepStats, error) {
	if t.device != nil {
		guard(t.OptD, lossD)
		return StepStats{}, nil
	}
	stats := StepStats{DLoss: float64(lossD.Data[0]), DReal: t.meanOutput(sReal.Data), DFake: t.meanOutput(sFake.Data), GLoss: t.gLoss}
	if !finite(stats.DLoss) {
		return stats, fmt.Errorf("discriminator loss is %v at step %d", stats.DLoss, t.Step+1)
	}
	return stats, nil
}

// checkGenerator is checkDiscriminator for G's loss. On a device G's update
// is guarded by the sum of both losses, so that a step whose D loss is not
// finite changes no weight of either, as on the CPU (the average of G and
// BatchNorm's moving statistics still move).
func (t *Trainer) checkGenerator(g *autograd.Graph, stats *StepStats, lossD, lossG *autograd.Var) error {
	if t.device != nil {
		guard(t.OptG, g.Add(g.Detach(lossD), g.Detach(lossG)))
		return nil
	}
	stats.GLoss = float64(lossG.Data[0])
	if !finite(stats.GLoss) {
		return fmt.Errorf("generator loss is %v at step %d", stats.GLoss, t.Step+1)
	}
	t.gLoss = stats.GLoss
	return nil
}

// applyLRDecay sets the optimizers' learning rates for the step when they decay.
func (t *Trainer) applyLRDecay() {
	cfg := t.Config
	if cfg.LRDecay == "" {
		return
	}
	lrG, lrD := cfg.learningRates()
	f := cfg.lrFactor(t.Step, t.planned)
	t.OptD.SetLearningRate(lrD * f)
	t.OptG.SetLearningRate(lrG * f)
}

// clipWeights limits every trainable weight of m to [−c, c] (WGAN).
func clipWeights(m nn.Network, c float32) {
	for _, w := range m.TrainableWeights() {
		for i, v := range w.Data {
			w.Data[i] = max(-c, min(c, v))
		}
	}
}

// updateEMA moves avg's weights toward m's: avg ← decay·avg + (1 − decay)·m for
// trainable weights; layer state (moving statistics) is copied.
func updateEMA(avg, m nn.Network, decay float32) {
	aw, mw := avg.Weights(), m.Weights()
	for i, w := range mw {
		if !w.Trainable {
			copy(aw[i].Data, w.Data)
			continue
		}
		a := aw[i].Data
		for j, v := range w.Data {
			a[j] = decay*a[j] + (1-decay)*v
		}
	}
}

// copyWeights copies every weight of src into dst (same architecture).
func copyWeights(dst, src nn.Network) {
	dw := dst.Weights()
	for i, w := range src.Weights() {
		copy(dw[i].Data, w.Data)
	}
}

// Sampler is the generator used for samples and evaluation: the weight
// average when EMA is on, G otherwise.
//
// With Config.StandingStats, the average is first given BatchNorm statistics
// of its own weights (StandingStatistics), once per step; goroutines that
// call Sampler at once (while the trainer does not train) wait for that one.
func (t *Trainer) Sampler() nn.Network {
	t.mustBeMade("Sampler")
	if t.GEMA != nil {
		t.standingSampler()
		return t.GEMA
	}
	return t.G
}

// Generate writes G's images for the latent vectors z (n, latent) into dst
// (n, 28·28·1), in inference mode (BatchNorm's moving statistics), batch by batch.
// Arguments that do not fit g (a dst or z too short for n, n < 0, a g that is
// nil, not built, or takes labels) are programmer errors: it panics, naming
// them as GenerateOn's errors do ("gan: Generate: dst holds 10 values, need
// 2 × 784").
func Generate(g nn.Network, dst, z []float32, n int) { generateOrPanic("Generate", g, dst, z, nil, n) }

// GenerateLabeled is Generate for a conditional G: image i shows class
// labels[i] (labels holds n at least). With nil labels it is Generate. It
// panics, as Generate does, on arguments that do not fit g.
func GenerateLabeled(g nn.Network, dst, z []float32, labels []uint8, n int) {
	generateOrPanic("GenerateLabeled", g, dst, z, labels, n)
}

// generateOrPanic is GenerateLabeled, its panic naming the function called.
func generateOrPanic(name string, g nn.Network, dst, z []float32, labels []uint8, n int) {
	latent, out, err := checkGenerate(g, dst, z, labels, n)
	if err != nil {
		panic("gan: " + name + ": " + err.Error())
	}
	generateCPU(g, dst, z, labels, n, latent, out)
}

// checkGenerate checks the arguments of GenerateLabeled against g and returns
// the size of one latent vector and of one image.
func checkGenerate(g nn.Network, dst, z []float32, labels []uint8, n int) (latent, out int, err error) {
	in, outShape, err := networkShapes(g)
	if err != nil {
		return 0, 0, err
	}
	latent, out = in[0].Size(), outShape.Size()
	switch {
	case n < 0:
		return 0, 0, fmt.Errorf("n must not be negative, got %d", n)
	case labels == nil && len(in) != 1:
		return 0, 0, fmt.Errorf("network %s takes %d inputs (noise and labels): give labels", g.Name(), len(in))
	case labels != nil && len(in) != 2:
		return 0, 0, fmt.Errorf("network %s takes %d input, no labels", g.Name(), len(in))
	case latent < 1 || out < 1:
		return 0, 0, fmt.Errorf("network %s maps %s to %s: no values to generate", g.Name(), in[0].WithBatch(), outShape.WithBatch())
	case n > len(z)/latent:
		return 0, 0, fmt.Errorf("z holds %d values, need %d × %d", len(z), n, latent)
	case n > len(dst)/out:
		return 0, 0, fmt.Errorf("dst holds %d values, need %d × %d", len(dst), n, out)
	case labels != nil && len(labels) < n:
		return 0, 0, fmt.Errorf("labels holds %d, need %d", len(labels), n)
	}
	return latent, out, nil
}

// networkShapes returns g's input shapes and its output shape, or an error
// where g is nil or not built (its shape methods panic then).
func networkShapes(g nn.Network) (in []tensor.Shape, out tensor.Shape, err error) {
	if g == nil {
		return nil, nil, fmt.Errorf("no network (nil)")
	}
	defer func() {
		if r := recover(); r != nil {
			in, out, err = nil, nil, fmt.Errorf("no shapes of the network (not built?): %v", r)
		}
	}()
	return g.InputShapes(), g.OutputShape(), nil
}

// generateCPU is GenerateLabeled on checked arguments, latent and out the
// sizes of one latent vector and one image of g.
func generateCPU(g nn.Network, dst, z []float32, labels []uint8, n, latent, out int) {
	shapes := g.InputShapes()
	graph := autograd.NewGraph(nil)
	const chunk = 256
	ys := make([]float32, min(n, chunk))
	for start := 0; start < n; start += chunk {
		m := min(chunk, n-start)
		graph.Reset()
		in := graph.Input(z[start*latent:(start+m)*latent], false, append([]int{m}, shapes[0]...)...)
		y := callGenerator(graph, g, in, chunkLabels(labels, start, m), ys)
		copy(dst[start*out:(start+m)*out], y.Data)
	}
}

// chunkLabels is labels[start:start+m], or nil for an unconditional G.
func chunkLabels(labels []uint8, start, m int) []uint8 {
	if labels == nil {
		return nil
	}
	return labels[start : start+m]
}

// callGenerator runs g in inference on the noise in (m rows) and, for a
// conditional g, the m labels, given as float32 ids through ys (m at least).
func callGenerator(graph *autograd.Graph, g nn.Network, in *autograd.Var, labels []uint8, ys []float32) *autograd.Var {
	if labels == nil {
		return g.Call(graph, in, false)
	}
	m := len(labels)
	for i, l := range labels {
		ys[i] = float32(l)
	}
	return g.CallInputs(graph, []*autograd.Var{in, graph.Input(ys[:m], false, m, 1)}, false)
}

// Conditional reports whether G takes class labels (cgan, acgan).
func (t *Trainer) Conditional() bool { return t.Config.Conditional != "" }

// Latents fills z with N(0, 1) values from a generator seeded by seed alone, so
// the same seed always gives the same latent vectors.
func Latents(z []float32, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x5851f42d4c957f2d))
	for i := range z {
		z[i] = float32(rng.NormFloat64())
	}
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// ProfileOps times the ops of the coming CPU steps into p (nil stops it); see Job.
func (t *Trainer) ProfileOps(p *autograd.OpProfile) {
	t.mustBeMade("ProfileOps")
	t.graph.SetProfile(p)
}

// Flops is the number of floating-point operations the trainer's matrix
// products have done so far.
func (t *Trainer) Flops() uint64 {
	t.mustBeMade("Flops")
	if t.dev != nil {
		return t.graph.Flops() + t.dev.replays*t.dev.stepFlops
	}
	return t.graph.Flops()
}
