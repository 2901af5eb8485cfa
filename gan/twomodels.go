package gan

import (
	"fmt"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/optim"
	"github.com/gogan/gogan/tensor"
)

// twoModels is what the autoencoder and the classifier share: two Sequential
// models trained together by one loss, each with its own Adam, the step count,
// the random state and the graph. It gives them the bookkeeping half of Job.
type twoModels struct {
	Config Config
	Step   int

	names      [2]string // checkpoint prefixes: "encoder", "decoder"...
	models     [2]*nn.Sequential
	optimizers [2]optim.Optimizer
	pcg        *rand.PCG
	graph      *autograd.Graph
	values     []Value
	planned    int // the run's total steps, for Config.LRDecay
	// rngErr is the checkpoint's damaged random state that LoadJob met
	// (nil when it met none): the models sample, but do not train.
	rngErr error
}

// newTwoModels builds the architecture's two models for resolved settings, checking with
// wants that the architecture is of the right kind (its error names it).
func newTwoModels(r Resolved, names [2]string, kind string, wants func(Architecture) bool) (*twoModels, error) {
	cfg, arch := r.cfg, r.arch
	if !wants(arch) {
		return nil, fmt.Errorf("model %q is not %s", cfg.Model, kind)
	}
	first, second, err := r.Networks()
	if err != nil {
		return nil, err
	}
	seq0, ok0 := first.(*nn.Sequential)
	seq1, ok1 := second.(*nn.Sequential)
	if !ok0 || !ok1 {
		return nil, fmt.Errorf("model %q: %s's two models must be Sequential", cfg.Model, kind)
	}
	initRNG := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	m := &twoModels{Config: cfg, names: names, models: [2]*nn.Sequential{seq0, seq1}}
	adam := optim.AdamConfig{LearningRate: cfg.LR, Beta1: cfg.Beta1, Beta2: cfg.Beta2, Epsilon: cfg.Epsilon}
	for i, model := range m.models {
		err := model.Build(initRNG)
		if err != nil {
			return nil, err
		}
		if m.optimizers[i], err = optim.NewAdam(model.TrainableWeights(), adam); err != nil {
			return nil, err
		}
	}
	m.pcg = rand.NewPCG(cfg.Seed, 0x2545f4914f6cdd1d)
	m.graph = autograd.NewGraph(rand.New(m.pcg))
	return m, nil
}

// mustBeMade panics when m is nil: the trainer embedding it is nil, or an
// AutoencoderTrainer{} or ClassifierTrainer{} not made by its constructor (or
// NewJob, LoadJob). method names the entry point called, for the message.
// The trainers' own mustBeMade find m, where a promoted method of a nil
// trainer would dereference it.
func (m *twoModels) mustBeMade(method string) {
	if m == nil {
		panic("gan: " + method + ": trainer used without NewAutoencoderTrainer, NewClassifierTrainer or NewJob")
	}
}

// restored records the step a checkpoint was restored at, and the error of
// its random state (nil when restored).
func (m *twoModels) restored(step int, rngErr error) { m.Step, m.rngErr = step, rngErr }

// trainable is nil, or why the models cannot train: the damaged random state
// of the checkpoint they were loaded from.
func (m *twoModels) trainable() error {
	if m.rngErr != nil {
		return fmt.Errorf("cannot train: %w", m.rngErr)
	}
	return nil
}

// step applies both optimizers, at the scheduled learning rate, and counts
// the step.
func (m *twoModels) step() {
	if m.Config.LRDecay != "" {
		lr := m.Config.LR * m.Config.lrFactor(m.Step, m.planned)
		m.optimizers[0].SetLearningRate(lr)
		m.optimizers[1].SetLearningRate(lr)
	}
	m.optimizers[0].Step()
	m.optimizers[1].Step()
	m.graph.Lap("optimizer steps")
	m.Step++
}

func (m *twoModels) Settings() *Config         { return &m.Config }
func (m *twoModels) Steps() int                { return m.Step }
func (m *twoModels) SampleShape() tensor.Shape { return m.models[0].InputShape() }

// Plan tells the job how many steps the run takes in all, over which
// Config.LRDecay lowers the learning rate.
func (m *twoModels) Plan(totalSteps int) { m.planned = totalSteps }

func (m *twoModels) parts() parts {
	return parts{
		config: m.Config, step: m.Step, pcg: m.pcg, rngErr: m.rngErr,
		weights: map[string][]*autograd.Var{
			m.names[0]: m.models[0].Weights(), m.names[1]: m.models[1].Weights(),
		},
		optimizers: map[string]optim.Optimizer{m.names[0]: m.optimizers[0], m.names[1]: m.optimizers[1]},
	}
}

// buffer is a slice of values and the name that an exported method gives it,
// for its panics: Encode's "x" or "codes".
type buffer struct {
	name   string
	values []float32
}

// mustHold panics, naming method and b, when b holds fewer than n values of
// size each (n ≥ 0; a negative n is generateOrPanic's to name).
func mustHold(method string, b buffer, n, size int) {
	if n >= 0 && n > len(b.values)/size {
		panic(fmt.Sprintf("gan: %s: %s holds %d values, need %d × %d", method, b.name, len(b.values), n, size))
	}
}

// infer writes model m's outputs (n, m's output) for n inputs in (n, m's
// input) into out, in inference mode, as Generate does. Arguments that do not
// fit m panic naming method, the exported method called, and the buffers as
// it names them ("gan: AutoencoderTrainer.Encode: x holds 10 values, need
// 2 × 784"), not as Generate does.
func infer(method string, m *nn.Sequential, out, in buffer, n int) {
	mustHold(method, in, n, m.InputShape().Size())
	mustHold(method, out, n, m.OutputShape().Size())
	generateOrPanic(method, m, out.values, in.values, nil, n)
}
