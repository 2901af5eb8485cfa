package optim

import (
	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/cuda"
	"github.com/gogan/gogan/internal/vec"
)

// deviceSlots holds an optimizer's slots on a CUDA device, made the first time
// it steps with parameters on the device (autograd.ToDevice); the host slots
// stay the checkpoint's copy, refreshed by toHost and sent back by toDevice.
type deviceSlots struct {
	dev   *cuda.Device
	slots [][]cuda.Ptr // [slot][param]
	// Adam's step size and epsilon: written by the host into pinned memory
	// (constants), copied to the device (hyper) by the update, so that a
	// captured update reads each replay's.
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
		d.alloc(params[0].Device(), params)
		d.toDevice(s)
	}
	return true
}

func (d *deviceSlots) alloc(dev *cuda.Device, params []*autograd.Var) {
	var err error
	if d.constants, err = dev.AllocHost(2); err != nil {
		panic(&autograd.DeviceError{Err: err})
	}
	if d.hyper, err = dev.Alloc(2); err != nil {
		panic(&autograd.DeviceError{Err: err})
	}
	d.dev, d.slots = dev, nil
	d.slots = make([][]cuda.Ptr, 0, 2)
	for range 2 {
		ptrs := make([]cuda.Ptr, len(params))
		for j, p := range params {
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
func (d *deviceSlots) setConstants(step vec.AdamStep) {
	if d.constants != nil {
		d.constants[0], d.constants[1] = step.StepSize, step.Epsilon
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
