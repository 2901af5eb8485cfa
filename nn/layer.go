package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// Layer is one building block of a model. Any type with these methods is a
// layer: a custom one embeds Base for Name and SetName (and Weights, through
// Base.AddWeight) and writes Kind, Build and Call (see the package doc).
type Layer interface {
	// Name is the layer's unique name in its model, e.g. "dense_1".
	Name() string
	// SetName is called by the model that holds the layer, once, when the model
	// is built and before the layer's Build: a layer that has no name by then
	// gets Keras's automatic one (dense, dense_1, ...).
	SetName(name string)
	// Kind is the layer's type as Keras prints it, e.g. "Dense".
	Kind() string
	// Build creates the layer's weights for inputs of shape in (batch dimension
	// excluded), drawing initial values from rng, and returns the output shape.
	// It rejects an input shape the layer cannot take with an error naming both.
	Build(in tensor.Shape, rng *rand.Rand) (out tensor.Shape, err error)
	// Call applies the layer to x, whose first dimension is the batch.
	// training selects batch statistics (BatchNormalization) and dropout.
	Call(g *autograd.Graph, x *autograd.Var, training bool) *autograd.Var
	// Weights lists the layer's weights, trainable ones first, as Keras's layer.weights.
	Weights() []*autograd.Var
}

// base carries what every built-in layer has: its name and the options it was given.
type base struct {
	Base
	opts options
}

// shapeError reports an input a layer cannot take.
func shapeError(l Layer, in tensor.Shape, want string) error {
	return fmt.Errorf("%s (%s): expects input of shape %s, got %s", l.Name(), l.Kind(), want, in.WithBatch())
}

// MultiLayer is a layer of several inputs, such as Concatenate or Add. It is
// used in a functional Model through Apply.
type MultiLayer interface {
	// Name is the layer's unique name in its model, e.g. "concatenate".
	Name() string
	// SetName is called by the model that holds the layer, as Layer's.
	SetName(name string)
	// Kind is the layer's type as Keras prints it, e.g. "Concatenate".
	Kind() string
	// BuildMulti creates the layer's weights for inputs of shapes in (batch
	// dimension excluded) and returns the output shape. It rejects shapes the
	// layer cannot take with an error naming them.
	BuildMulti(in []tensor.Shape, rng *rand.Rand) (out tensor.Shape, err error)
	// CallMulti applies the layer to xs, whose first dimension is the batch.
	CallMulti(g *autograd.Graph, xs []*autograd.Var, training bool) *autograd.Var
	// Weights lists the layer's weights, trainable ones first.
	Weights() []*autograd.Var
}

// Applicable is what Apply takes: a Layer (one input) or a MultiLayer.
type Applicable interface {
	Name() string
	SetName(name string)
	Kind() string
	Weights() []*autograd.Var
}

// shapesError reports inputs a multi-input layer cannot take.
func shapesError(l MultiLayer, in []tensor.Shape, want string) error {
	return fmt.Errorf("%s (%s): %s, got %s", l.Name(), l.Kind(), want, shapeList(in))
}

// shapeList prints shapes as Keras prints a list of them: "[(None, 3), (None, 4)]".
func shapeList(in []tensor.Shape) string {
	s := "["
	for i, sh := range in {
		if i > 0 {
			s += ", "
		}
		s += sh.WithBatch()
	}
	return s + "]"
}
