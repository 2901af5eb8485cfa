package optim

import (
	"fmt"
	"math"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/parallel"
	"github.com/gogan/gogan/internal/vec"
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
	job   adamJob
	dev   deviceSlots // the slots' device copies, when the parameters are on a device
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
	a := &Adam{cfg: cfg, slots: newSlotSet(params, "m", "v").withSquares("v")}
	a.job.a = a
	for _, p := range params {
		a.job.size += len(p.Data)
	}
	return a, nil
}

// Name is the optimizer's kind, "adam".
func (a *Adam) Name() string { return "adam" }

// SetLearningRate changes α from the next Step on.
func (a *Adam) SetLearningRate(lr float32) {
	checkLearningRate("adam", lr)
	a.cfg.LearningRate = lr
}

// Step applies one Adam update to every parameter and clears the gradients: one
// pass over each parameter's weights, gradient and moments (vec.Adam), the
// parameters shared among the threads.
func (a *Adam) Step() {
	a.Advance()
	if a.dev.on(&a.slots) {
		a.dev.adam(&a.slots, a.job.step)
		return
	}
	parallel.Run(&a.job, parallel.Parts(7*a.job.size))
}

// Advance is Step's work on the host alone: it counts the step and computes
// its constants (the bias corrections), and for parameters on a device writes
// them where the device's update reads them. A trainer that replays a step
// captured in a CUDA graph (which holds the update) calls Advance before each
// replay.
func (a *Adam) Advance() {
	a.t++
	b1, b2 := a.cfg.Beta1, a.cfg.Beta2
	correction1 := 1 - math.Pow(float64(b1), float64(a.t))
	correction2 := 1 - math.Pow(float64(b2), float64(a.t))
	// α·m̂/(√v̂+ε) = stepSize·m/(√v + ε·√c2), with stepSize = α·√c2/c1.
	a.job.step = vec.AdamStep{
		Beta1: b1, Beta2: b2,
		StepSize: float32(float64(a.cfg.LearningRate) * math.Sqrt(correction2) / correction1),
		Epsilon:  float32(float64(a.cfg.Epsilon) * math.Sqrt(correction2)),
	}
	a.dev.setConstants(a.job.step)
}

// SkipIfNotFinite makes each update of parameters on a device check loss, a
// one-value Var on that device, first: when it is not finite the update
// leaves the parameters and moments as they are. A step that reads its loss
// only after it ran (a CUDA graph) thus changes no weight on a NaN. Nil
// clears it; on the CPU it does nothing (the caller checks before Step).
func (a *Adam) SkipIfNotFinite(loss *autograd.Var) {
	a.dev.skipIfNotFinite(loss)
}

// adamJob is one Adam step over all the parameters, laid end to end and cut into
// parts; each element's update is the same whatever the cut.
type adamJob struct {
	a    *Adam
	size int // the parameters' floats in all
	step vec.AdamStep
}

func (j *adamJob) Run(part, parts int) {
	lo, hi := parallel.Range(j.size, part, parts, 16)
	start := 0
	for k, p := range j.a.slots.params {
		end := start + len(p.Data)
		if l, h := max(lo, start)-start, min(hi, end)-start; l < h {
			m, v := j.a.slots.slots[0][k], j.a.slots.slots[1][k]
			vec.Adam(p.Data[l:h], p.Grad[l:h], m[l:h], v[l:h], j.step)
		}
		start = end
	}
}

// State returns the slots as named tensors ("<slot>/<param name>") and the steps taken;
// the slices are the live state.
func (a *Adam) State() (map[string][]float32, int) {
	a.dev.toHost(&a.slots)
	return a.slots.export(), a.t
}

// LoadState restores what State returned, after the checks of CheckState.
func (a *Adam) LoadState(slots map[string][]float32, steps int) error {
	if err := a.slots.load("adam", slots, steps); err != nil {
		return err
	}
	a.dev.toDevice(&a.slots)
	a.t = steps
	return nil
}

// CheckState reports what LoadState would refuse (see Optimizer), such as a
// negative second moment v.
func (a *Adam) CheckState(slots map[string][]float32, steps int) error {
	return a.slots.check("adam", slots, steps)
}

// Rewind takes back the step count of the last Advance, for a step whose
// update on a device was skipped (see SkipIfNotFinite).
func (a *Adam) Rewind() {
	if a.t > 0 {
		a.t--
	}
}
