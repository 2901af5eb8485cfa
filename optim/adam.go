package optim

import (
	"fmt"
	"math"

	"github.com/gogan/gogan/autograd"
)

// AdamConfig holds Adam's hyper-parameters.
type AdamConfig struct {
	LearningRate float32 // step size α, e.g. 2e-4 for GANs
	Beta1, Beta2 float32 // moment decay rates: 0.5 and 0.999 for the seed's GAN
	Epsilon      float32 // added to √v̂; Keras's default is 1e-7
}

// Adam is the optimizer of Kingma & Ba (2015):
//
//	m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//	p ← p − α·m̂/(√v̂ + ε), with m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ)
type Adam struct {
	cfg   AdamConfig
	slots slotSet // "m", "v"
	t     int
}

// NewAdam returns Adam for params, rejecting hyper-parameters out of range.
func NewAdam(params []*autograd.Var, cfg AdamConfig) (*Adam, error) {
	if !(cfg.LearningRate > 0) {
		return nil, fmt.Errorf("adam: learning rate must be positive, got %g", cfg.LearningRate)
	}
	if cfg.Beta1 < 0 || cfg.Beta1 >= 1 || cfg.Beta2 < 0 || cfg.Beta2 >= 1 {
		return nil, fmt.Errorf("adam: betas must be in [0, 1), got %g and %g", cfg.Beta1, cfg.Beta2)
	}
	if !(cfg.Epsilon > 0) {
		return nil, fmt.Errorf("adam: epsilon must be positive, got %g", cfg.Epsilon)
	}
	return &Adam{cfg: cfg, slots: newSlotSet(params, "m", "v")}, nil
}

func (a *Adam) Name() string { return "adam" }

// Step applies one Adam update to every parameter and clears the gradients.
func (a *Adam) Step() {
	a.t++
	b1, b2 := a.cfg.Beta1, a.cfg.Beta2
	correction1 := 1 - math.Pow(float64(b1), float64(a.t))
	correction2 := 1 - math.Pow(float64(b2), float64(a.t))
	// α·m̂/(√v̂+ε) = stepSize·m/(√v + ε·√c2), with stepSize = α·√c2/c1.
	stepSize := float32(float64(a.cfg.LearningRate) * math.Sqrt(correction2) / correction1)
	eps := float32(float64(a.cfg.Epsilon) * math.Sqrt(correction2))
	for j, p := range a.slots.params {
		m, v := a.slots.slots[0][j], a.slots.slots[1][j]
		adamUpdate(p.Data, p.Grad, m, v, b1, b2, stepSize, eps)
		p.ZeroGrad()
	}
}

// adamUpdate is the fused per-parameter update.
func adamUpdate(p, g, m, v []float32, b1, b2, stepSize, eps float32) {
	g = g[:len(p)]
	m = m[:len(p)]
	v = v[:len(p)]
	for i, gi := range g {
		mi := b1*m[i] + (1-b1)*gi
		vi := b2*v[i] + (1-b2)*gi*gi
		m[i], v[i] = mi, vi
		p[i] -= stepSize * mi / (float32(math.Sqrt(float64(vi))) + eps)
	}
}

func (a *Adam) State() (map[string][]float32, int) { return a.slots.export(), a.t }

func (a *Adam) LoadState(slots map[string][]float32, steps int) error {
	if steps < 0 {
		return fmt.Errorf("adam state: negative step count %d", steps)
	}
	if err := a.slots.load("adam", slots); err != nil {
		return err
	}
	a.t = steps
	return nil
}
