package nn

import (
	"io"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// Network is what a trainer needs from a model: Sequential and Model both
// implement it, so a GAN can hold either. InputShape and Call are for networks
// of one input (every Sequential, a Model of one input); a conditional GAN's
// models take several, through InputShapes and CallInputs.
type Network interface {
	Name() string
	// Build names the layers, infers the shapes and creates the weights.
	Build(rng *rand.Rand) error
	// InputShapes are the shapes of one sample of each input, batch excluded.
	InputShapes() []tensor.Shape
	// InputShape is the shape of the only input; a programmer error with several.
	InputShape() tensor.Shape
	OutputShape() tensor.Shape
	// CallInputs maps one (N, input...) tensor per input to (N, output...).
	CallInputs(g *autograd.Graph, xs []*autograd.Var, training bool) *autograd.Var
	// Call maps the only input (N, input...) to (N, output...).
	Call(g *autograd.Graph, x *autograd.Var, training bool) *autograd.Var
	Weights() []*autograd.Var
	TrainableWeights() []*autograd.Var
	SetTrainable(trainable bool)
	Params() ParamCounts
	Summary(w io.Writer) error
}

var (
	_ Network = (*Sequential)(nil)
	_ Network = (*Model)(nil)
)
