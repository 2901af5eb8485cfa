package optim

import (
	"fmt"
	"math"

	"github.com/gogan/gogan/autograd"
)

// RMSpropConfig holds RMSprop's hyper-parameters (Keras's defaults: rho 0.9, epsilon 1e-7).
type RMSpropConfig struct {
	LearningRate float32
	Rho          float32
	Epsilon      float32
}

// RMSprop divides each step by a running root mean square of the gradients:
//
//	s ← ρ·s + (1−ρ)·g²;  p ← p − α·g/(√s + ε)
type RMSprop struct {
	cfg   RMSpropConfig
	slots slotSet // "rms"
	t     int
	dev   deviceSlots // the slots' device copies, when the parameters are on a device
}

// NewRMSprop returns RMSprop for params.
func NewRMSprop(params []*autograd.Var, cfg RMSpropConfig) (*RMSprop, error) {
	if !(cfg.LearningRate > 0) {
		return nil, fmt.Errorf("rmsprop: learning rate must be positive, got %g", cfg.LearningRate)
	}
	if cfg.Rho < 0 || cfg.Rho >= 1 {
		return nil, fmt.Errorf("rmsprop: rho must be in [0, 1), got %g", cfg.Rho)
	}
	if !(cfg.Epsilon > 0) {
		return nil, fmt.Errorf("rmsprop: epsilon must be positive, got %g", cfg.Epsilon)
	}
	return &RMSprop{cfg: cfg, slots: newSlotSet(params, "rms").withSquares("rms")}, nil
}

// Name is the optimizer's kind, "rmsprop".
func (r *RMSprop) Name() string { return "rmsprop" }

// SetLearningRate changes α from the next Step on.
func (r *RMSprop) SetLearningRate(lr float32) {
	checkLearningRate("rmsprop", lr)
	r.cfg.LearningRate = lr
}

// Step applies one update from the parameters' gradients, then clears them
// (on the device when the parameters are there: cuda.Device.RMSprop, the
// same float32 steps).
func (r *RMSprop) Step() {
	r.Advance()
	if r.dev.on(&r.slots) {
		r.dev.rmsprop(&r.slots, r.cfg.Rho, r.cfg.LearningRate, r.cfg.Epsilon)
		return
	}
	rho, lr, eps := r.cfg.Rho, r.cfg.LearningRate, r.cfg.Epsilon
	for j, p := range r.slots.params {
		s := r.slots.slots[0][j]
		for i, g := range p.Grad {
			si := rho*s[i] + (1-rho)*g*g
			s[i] = si
			p.Data[i] -= lr * g / (float32(math.Sqrt(float64(si))) + eps)
		}
		p.ZeroGrad()
	}
}

// Advance counts a step and, for parameters on a device, writes its learning
// rate and epsilon where the device's update reads them (see DeviceOptimizer).
func (r *RMSprop) Advance() {
	r.t++
	r.dev.setHyper(r.cfg.LearningRate, r.cfg.Epsilon)
}

// Rewind takes back the step count of the last Advance (see DeviceOptimizer).
func (r *RMSprop) Rewind() {
	if r.t > 0 {
		r.t--
	}
}

// SkipIfNotFinite guards the device's updates by loss (see DeviceOptimizer).
func (r *RMSprop) SkipIfNotFinite(loss *autograd.Var) { r.dev.skipIfNotFinite(loss) }

// State returns the slots as named tensors ("<slot>/<param name>") and the steps taken;
// the slices are the live state.
func (r *RMSprop) State() (map[string][]float32, int) {
	r.dev.toHost(&r.slots)
	return r.slots.export(), r.t
}

// LoadState restores what State returned, after the checks of CheckState.
func (r *RMSprop) LoadState(slots map[string][]float32, steps int) error {
	if err := r.slots.load("rmsprop", slots, steps); err != nil {
		return err
	}
	r.dev.toDevice(&r.slots)
	r.t = steps
	return nil
}

// CheckState reports what LoadState would refuse (see Optimizer), such as a
// negative mean square rms.
func (r *RMSprop) CheckState(slots map[string][]float32, steps int) error {
	return r.slots.check("rmsprop", slots, steps)
}
