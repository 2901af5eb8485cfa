package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// DropoutLayer zeroes a fraction Rate of its inputs while training (scaling the
// rest by 1/(1−Rate)) and passes them through at inference.
type DropoutLayer struct {
	base
	Rate float32
}

// Dropout returns a dropout layer with the given rate in [0, 1).
func Dropout(rate float32, opts ...Option) *DropoutLayer {
	return &DropoutLayer{base: base{opts: newOptions(opts)}, Rate: rate}
}

// Kind is "Dropout", the class name Summary prints.
func (d *DropoutLayer) Kind() string { return "Dropout" }

// Build checks that the rate is in [0, 1); the output shape is in, and there are no weights.
func (d *DropoutLayer) Build(in tensor.Shape, _ *rand.Rand) (tensor.Shape, error) {
	if err := d.opts.check("Dropout"); err != nil {
		return nil, fmt.Errorf("%s: %w", d.name, err)
	}
	if d.Rate < 0 || d.Rate >= 1 {
		return nil, fmt.Errorf("%s (Dropout): rate must be in [0, 1), got %g", d.name, d.Rate)
	}
	return in.Clone(), nil
}

// Call zeroes each element of x (N, ...) with probability Rate and scales the rest by
// 1/(1 − Rate) when training (drawing from g.Rand); it returns x unchanged otherwise.
func (d *DropoutLayer) Call(g *autograd.Graph, x *autograd.Var, training bool) *autograd.Var {
	if !training {
		return x
	}
	return g.Dropout(x, d.Rate)
}
