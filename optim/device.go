package optim

import (
	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/cuda"
	"github.com/gogan/gogan/internal/vec"
)

// DeviceOptimizer is an optimizer that also updates parameters on a CUDA
// device (Adam, RMSprop, SGD): what a trainer on a GPU needs beside Step.
type DeviceOptimizer interface {
	Optimizer
	// Advance is Step's work on the host alone: it counts the step and, for
	// parameters on a device, writes the step's constants (learning rate,
	// bias corrections) where the device's update reads them. A trainer that
	// replays a step captured in a CUDA graph (which holds the update) calls
	// Advance before each replay.
	Advance()
	// Rewind takes back the step count of the last Advance, for a step whose
	// update on a device was skipped (see SkipIfNotFinite).
	Rewind()
	// SkipIfNotFinite makes each update of parameters on a device check loss,
	// a one-value Var on that device, first: when it is not finite the update
	// leaves the parameters and slots as they are. Nil clears it; on the CPU
	// it does nothing (the caller checks before Step).
	SkipIfNotFinite(loss *autograd.Var)
}

var (
	_ DeviceOptimizer = (*Adam)(nil)
	_ DeviceOptimizer = (*RMSprop)(nil)
	_ DeviceOptimizer = (*SGD)(nil)
)

// deviceSlots holds an optimizer's slots on a CUDA device, made the first time
// it steps with parameters on the device (autograd.ToDevice); the host slots
// stay the checkpoint's copy, refreshed by toHost and sent back by toDevice.
type deviceSlots struct {
	dev   *cuda.Device
	slots [][]cuda.Ptr // [slot][param]
	// The update's constants (Adam's step size and epsilon, RMSprop's
	// learning rate and epsilon, SGD's learning rate): written by the host
	// into pinned memory (constants), copied to the device (hyper) by the
	// update, so that a captured update reads each replay's.
	constants []float32
	hyper     cuda.Ptr
	guard     cuda.Ptr // a loss on the device that must be finite for an update, or 0
}

// on reports whether the slots' parameters live on a device, giving the slots
// device copies of their host values the first time.
func (d *deviceSlots) on(s *slotSet) bool {
	params := s.params
	if len(params) == 0 || params[0].Device() == nil {
		return false
	}
	if d.dev != params[0].Device() {
		d.alloc(params[0].Device(), s)
		d.toDevice(s)
	}
	return true
}

func (d *deviceSlots) alloc(dev *cuda.Device, s *slotSet) {
	var err error
	if d.constants, err = dev.AllocHost(2); err != nil {
		panic(&autograd.DeviceError{Err: err})
	}
	if d.hyper, err = dev.Alloc(2); err != nil {
		panic(&autograd.DeviceError{Err: err})
	}
	d.dev = dev
	d.slots = make([][]cuda.Ptr, 0, len(s.names))
	for range s.names {
		ptrs := make([]cuda.Ptr, len(s.params))
		for j, p := range s.params {
			ptr, err := dev.Alloc(p.Len())
			if err != nil {
				panic(&autograd.DeviceError{Err: err})
			}
			ptrs[j] = ptr
		}
		d.slots = append(d.slots, ptrs)
	}
}

// setConstants writes an Adam step's size and epsilon for the device's update.
func (d *deviceSlots) setConstants(step vec.AdamStep) { d.setHyper(step.StepSize, step.Epsilon) }

// setHyper writes the two constants of the device's next update.
func (d *deviceSlots) setHyper(a, b float32) {
	if d.constants != nil {
		d.constants[0], d.constants[1] = a, b
	}
}

// adam runs one Adam update per parameter on the device, its constants copied
// in first.
func (d *deviceSlots) adam(s *slotSet, step vec.AdamStep) {
	d.setConstants(step)
	d.dev.CopyToDevice(d.hyper, d.constants)
	for j, p := range s.params {
		d.dev.AdamGuarded(p.DevicePtr(), p.DeviceGrad(), d.slots[0][j], d.slots[1][j], p.Len(), step.Beta1, step.Beta2, d.hyper, d.guard)
	}
}

// rmsprop runs one RMSprop update per parameter on the device (slot 0 is the
// mean square), its constants (the learning rate, epsilon) copied in first.
func (d *deviceSlots) rmsprop(s *slotSet, rho, lr, eps float32) {
	d.setHyper(lr, eps) // the first update's Advance ran before the slots were made
	d.dev.CopyToDevice(d.hyper, d.constants)
	for j, p := range s.params {
		d.dev.RMSprop(p.DevicePtr(), p.DeviceGrad(), d.slots[0][j], p.Len(), rho, d.hyper, d.guard)
	}
}

// sgd runs one SGD update per parameter on the device (slot 0 is the
// velocity), its learning rate copied in first.
func (d *deviceSlots) sgd(s *slotSet, lr, momentum float32, nesterov bool) {
	d.setHyper(lr, 0) // the first update's Advance ran before the slots were made
	d.dev.CopyToDevice(d.hyper, d.constants)
	for j, p := range s.params {
		d.dev.SGD(p.DevicePtr(), p.DeviceGrad(), d.slots[0][j], p.Len(), momentum, nesterov, d.hyper, d.guard)
	}
}

// skipIfNotFinite is SkipIfNotFinite: the guard of the device's updates.
func (d *deviceSlots) skipIfNotFinite(loss *autograd.Var) {
	d.guard = 0
	if loss != nil {
		d.guard = loss.DevicePtr()
	}
}

// toHost copies the device slots into the host ones (for State).
func (d *deviceSlots) toHost(s *slotSet) {
	if d.dev == nil {
		return
	}
	for i, ptrs := range d.slots {
		for j, p := range ptrs {
			d.dev.CopyToHost(s.slots[i][j], p)
		}
	}
	if err := d.dev.Sync(); err != nil {
		panic(&autograd.DeviceError{Err: err})
	}
}

// toDevice copies the host slots to the device ones (after LoadState).
func (d *deviceSlots) toDevice(s *slotSet) {
	if d.dev == nil {
		return
	}
	for i, ptrs := range d.slots {
		for j, p := range ptrs {
			d.dev.CopyToDevice(p, s.slots[i][j])
		}
	}
}
