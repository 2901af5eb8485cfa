package autograd

import (
	"github.com/gogan/gogan/internal/cuda"
	"github.com/gogan/gogan/tensor"
)

// Var is a tensor in a computation: a parameter, an input, or an op's result.
type Var struct {
	Shape tensor.Shape
	Data  []float32

	// Grad holds a parameter's accumulated gradient (same length as Data); nil for
	// other Vars.
	Grad []float32
	// Name identifies a parameter in summaries and checkpoints, e.g. "dense_1/kernel".
	Name string
	// Trainable parameters receive gradients; non-trainable ones (BatchNorm's moving
	// statistics) are updated by their layer. Freezing a trainable parameter
	// (Frozen) keeps it out of gradient computation, as Keras's `trainable = False`.
	Trainable bool
	Frozen    bool

	isParam      bool
	requiresGrad bool
	producer     int  // 1 + the tape index of the op that produced this Var; 0 for leaves
	adj          *Var // gradient with respect to this Var during a backward pass
	adjOwned     bool // adj's storage belongs to this Var alone and may be added to in place
	logits       *Var // for a Sigmoid's output: its input (see BinaryCrossEntropy)
	shapeBuf     [6]int

	// On a device (see UseDevice, ToDevice): where the value, and a parameter's
	// gradient, live there.
	gpu     *cuda.Device
	dev     cuda.Ptr
	devGrad cuda.Ptr
}

// NewParam returns a trainable parameter of the given shape, zero-filled.
func NewParam(name string, shape ...int) *Var {
	s := tensor.Shape(shape).Clone()
	n := s.Size()
	return &Var{Shape: s, Data: make([]float32, n), Grad: make([]float32, n), Name: name, Trainable: true, isParam: true}
}

// NewState returns a non-trainable parameter (a layer's state, such as a moving
// average), zero-filled. It never receives gradients.
func NewState(name string, shape ...int) *Var {
	s := tensor.Shape(shape).Clone()
	return &Var{Shape: s, Data: make([]float32, s.Size()), Name: name, isParam: true}
}

// Rows is the size of the first (batch) dimension.
func (v *Var) Rows() int { return v.Shape[0] }

// Cols is the number of elements per row: the product of all dimensions but the first.
func (v *Var) Cols() int { return v.Shape[1:].Size() }

// Len is the number of elements.
func (v *Var) Len() int { return v.Shape.Size() }

// Item returns the value of a one-element Var.
func (v *Var) Item() float32 {
	if v.Shape.Size() != 1 {
		panic("autograd: Item of a Var with " + v.Shape.String() + " elements")
	}
	return v.Host()[0]
}

// RequiresGrad reports whether gradients flow into v.
func (v *Var) RequiresGrad() bool { return v.requiresGrad }

// wantsGrad reports whether a gradient must be computed for v in this pass.
func (v *Var) wantsGrad() bool {
	if v.isParam {
		return v.Trainable && !v.Frozen
	}
	return v.requiresGrad
}

// ZeroGrad clears a parameter's accumulated gradient.
func (v *Var) ZeroGrad() { clear(v.Grad) }
