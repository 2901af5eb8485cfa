package optim

import (
	"fmt"

	"github.com/gogan/gogan/autograd"
)

// SGDConfig holds stochastic gradient descent's hyper-parameters.
type SGDConfig struct {
	LearningRate float32
	Momentum     float32 // 0 for plain SGD
	Nesterov     bool
}

// SGD is gradient descent with optional (Nesterov) momentum, as Keras's SGD:
//
//	v ← μ·v − α·g;  p ← p + v            (plain momentum)
//	v ← μ·v − α·g;  p ← p + μ·v − α·g    (Nesterov)
type SGD struct {
	cfg   SGDConfig
	slots slotSet // "velocity"
	t     int
	dev   deviceSlots // the slots' device copies, when the parameters are on a device
}

// NewSGD returns SGD for params.
func NewSGD(params []*autograd.Var, cfg SGDConfig) (*SGD, error) {
	if !(cfg.LearningRate > 0) {
		return nil, fmt.Errorf("sgd: learning rate must be positive, got %g", cfg.LearningRate)
	}
	if cfg.Momentum < 0 || cfg.Momentum >= 1 {
		return nil, fmt.Errorf("sgd: momentum must be in [0, 1), got %g", cfg.Momentum)
	}
	return &SGD{cfg: cfg, slots: newSlotSet(params, "velocity")}, nil
}

// Name is the optimizer's kind, "sgd".
func (s *SGD) Name() string { return "sgd" }

// SetLearningRate changes α from the next Step on.
func (s *SGD) SetLearningRate(lr float32) {
	checkLearningRate("sgd", lr)
	s.cfg.LearningRate = lr
}

// Step applies one update from the parameters' gradients, then clears them
// (on the device when the parameters are there: cuda.Device.SGD, the same
// float32 steps).
func (s *SGD) Step() {
	s.Advance()
	if s.dev.on(&s.slots) {
		s.dev.sgd(&s.slots, s.cfg.LearningRate, s.cfg.Momentum, s.cfg.Nesterov)
		return
	}
	mu, lr := s.cfg.Momentum, s.cfg.LearningRate
	for j, p := range s.slots.params {
		vel := s.slots.slots[0][j]
		for i, g := range p.Grad {
			v := mu*vel[i] - lr*g
			vel[i] = v
			if s.cfg.Nesterov {
				p.Data[i] += mu*v - lr*g
			} else {
				p.Data[i] += v
			}
		}
		p.ZeroGrad()
	}
}

// Advance counts a step and, for parameters on a device, writes its learning
// rate where the device's update reads it (see DeviceOptimizer).
func (s *SGD) Advance() {
	s.t++
	s.dev.setHyper(s.cfg.LearningRate, 0)
}

// Rewind takes back the step count of the last Advance (see DeviceOptimizer).
func (s *SGD) Rewind() {
	if s.t > 0 {
		s.t--
	}
}

// SkipIfNotFinite guards the device's updates by loss (see DeviceOptimizer).
func (s *SGD) SkipIfNotFinite(loss *autograd.Var) { s.dev.skipIfNotFinite(loss) }

// State returns the slots as named tensors ("<slot>/<param name>") and the steps taken;
// the slices are the live state.
func (s *SGD) State() (map[string][]float32, int) {
	s.dev.toHost(&s.slots)
	return s.slots.export(), s.t
}

// LoadState restores what State returned, after the checks of CheckState.
func (s *SGD) LoadState(slots map[string][]float32, steps int) error {
	if err := s.slots.load("sgd", slots, steps); err != nil {
		return err
	}
	s.dev.toDevice(&s.slots)
	s.t = steps
	return nil
}

// CheckState reports what LoadState would refuse (see Optimizer).
func (s *SGD) CheckState(slots map[string][]float32, steps int) error {
	return s.slots.check("sgd", slots, steps)
}
