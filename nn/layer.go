package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// Layer is one building block of a model.
type Layer interface {
	// Name is the layer's unique name in its model, e.g. "dense_1".
	Name() string
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

	setName(string)
}

// base carries what every layer has: its name and the options it was given.
type base struct {
	name string
	opts options
}

func (b *base) Name() string             { return b.name }
func (b *base) setName(n string)         { b.name = n }
func (b *base) Weights() []*autograd.Var { return nil }

// shapeError reports an input a layer cannot take.
func shapeError(l Layer, in tensor.Shape, want string) error {
	return fmt.Errorf("%s (%s): expects input of shape %s, got %s", l.Name(), l.Kind(), want, in.WithBatch())
}
