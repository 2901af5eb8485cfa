package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// ReshapeLayer gives each sample a new shape with the same number of elements.
type ReshapeLayer struct {
	base
	Target tensor.Shape
}

// Reshape returns a layer reshaping each sample to dims, e.g. Reshape(28, 28, 1).
func Reshape(dims ...int) *ReshapeLayer {
	return &ReshapeLayer{Target: tensor.Shape(dims).Clone()}
}

// Kind is "Reshape", the class name Summary prints.
func (r *ReshapeLayer) Kind() string { return "Reshape" }

// Build checks that in holds as many values as Target, which is the output shape.
func (r *ReshapeLayer) Build(in tensor.Shape, _ *rand.Rand) (tensor.Shape, error) {
	if err := r.Target.Valid(); err != nil || len(r.Target) == 0 {
		return nil, fmt.Errorf("%s (Reshape): target shape %s must have positive dimensions", r.name, r.Target)
	}
	if in.Size() != r.Target.Size() {
		return nil, fmt.Errorf("%s (Reshape): cannot reshape input %s (%d values) into %s (%d values)",
			r.name, in.WithBatch(), in.Size(), r.Target.WithBatch(), r.Target.Size())
	}
	return r.Target.Clone(), nil
}

// Call views x (N, in...) as (N, Target...).
func (r *ReshapeLayer) Call(g *autograd.Graph, x *autograd.Var, _ bool) *autograd.Var {
	shape := make([]int, 0, 6)
	shape = append(shape, x.Shape[0])
	return g.Reshape(x, append(shape, r.Target...)...)
}

// FlattenLayer turns each sample into a vector.
type FlattenLayer struct{ base }

// Flatten returns a layer mapping (N, d1, d2, ...) to (N, d1·d2·...).
func Flatten() *FlattenLayer { return &FlattenLayer{} }

// Kind is "Flatten", the class name Summary prints.
func (f *FlattenLayer) Kind() string { return "Flatten" }

// Build returns the output shape, (in's size).
func (f *FlattenLayer) Build(in tensor.Shape, _ *rand.Rand) (tensor.Shape, error) {
	return tensor.Shape{in.Size()}, nil
}

// Call views x (N, d1, d2, ...) as (N, d1·d2·...).
func (f *FlattenLayer) Call(g *autograd.Graph, x *autograd.Var, _ bool) *autograd.Var {
	return g.Reshape(x, x.Shape[0], x.Cols())
}

// InputLayer declares a model's input shape; it computes nothing.
type InputLayer struct {
	base
	Shape tensor.Shape
}

// Input declares the shape of one sample, as keras.Input(shape=...): Input(100)
// for noise vectors, Input(28, 28, 1) for MNIST images.
func Input(dims ...int) *InputLayer { return &InputLayer{Shape: tensor.Shape(dims).Clone()} }

// Kind is "InputLayer", the class name Summary prints.
func (i *InputLayer) Kind() string { return "InputLayer" }

// Build checks the declared shape (and in, when a layer precedes it), which is the output shape.
func (i *InputLayer) Build(in tensor.Shape, _ *rand.Rand) (tensor.Shape, error) {
	if err := i.Shape.Valid(); err != nil || len(i.Shape) == 0 {
		return nil, fmt.Errorf("%s (InputLayer): shape %s must have positive dimensions", i.name, i.Shape)
	}
	if in != nil && !in.Equal(i.Shape) {
		return nil, shapeError(i, in, i.Shape.WithBatch())
	}
	return i.Shape.Clone(), nil
}

// Call returns x as it is.
func (i *InputLayer) Call(_ *autograd.Graph, x *autograd.Var, _ bool) *autograd.Var { return x }
