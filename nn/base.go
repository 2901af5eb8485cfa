package nn

import (
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
)

// Base is what a custom layer embeds, as a Keras layer subclasses
// keras.layers.Layer: it holds the layer's name (Name, SetName) and the
// weights that its Build creates with AddWeight (Weights). The layer then
// writes Kind, Build and Call:
//
//	type SimpleDense struct {
//		nn.Base
//		Units        int
//		kernel, bias *autograd.Var
//	}
//
// The model that holds the layer names it before building it; a name set with
// SetName before that is kept, as Keras's name= argument.
type Base struct {
	name    string
	weights []*autograd.Var
}

// Name is the layer's name in its model, e.g. "simple_dense_1" ("" before the
// model is built, unless SetName gave one).
func (b *Base) Name() string { return b.name }

// SetName names the layer. Models call it when they are built.
func (b *Base) SetName(name string) { b.name = name }

// Weights lists the weights created by AddWeight, in order. A layer with
// non-trainable state (as BatchNormalization's moving averages) writes its
// own Weights, trainable weights first.
func (b *Base) Weights() []*autograd.Var { return b.weights }

// AddWeight creates a trainable weight of the given shape, named
// "<layer>/<name>" (as Keras's add_weight: dense/kernel), draws its initial
// values with init from rng, records it for Weights and returns it. It is
// called from Build, once the model has named the layer. A weight of the same
// name made by an earlier Build is replaced. The fans that init is given are
// Keras's for the shape (see Fans).
func (b *Base) AddWeight(name string, init Initializer, rng *rand.Rand, shape ...int) *autograd.Var {
	w := autograd.NewParam(b.name+"/"+name, shape...)
	fanIn, fanOut := Fans(shape...)
	init.Init(w.Data, fanIn, fanOut, rng)
	for i, old := range b.weights {
		if old.Name == w.Name {
			b.weights[i] = w
			return w
		}
	}
	b.weights = append(b.weights, w)
	return w
}

// Fans are the numbers of inputs and outputs that each value of a weight of
// the given shape connects, as Keras's compute_fans: (in, out) for a (in, out)
// kernel; for a convolution kernel (kh, kw, ..., in, out), in and out times the
// receptive field kh·kw·...; (n, n) for a vector of n; (1, 1) for a scalar.
func Fans(shape ...int) (fanIn, fanOut int) {
	switch len(shape) {
	case 0:
		return 1, 1
	case 1:
		return shape[0], shape[0]
	}
	field := 1
	for _, d := range shape[:len(shape)-2] {
		field *= d
	}
	return shape[len(shape)-2] * field, shape[len(shape)-1] * field
}
