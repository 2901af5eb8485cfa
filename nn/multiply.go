package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// MultiplyLayer multiplies its inputs element by element, as Keras's
// Multiply(): a conditional GAN may gate its noise with a label embedding,
// Multiply()(z, Flatten()(Embedding(10, 100)(y))).
type MultiplyLayer struct{ base }

// Multiply returns a layer multiplying two or more inputs of the same shape.
// Options: Name.
func Multiply(opts ...Option) *MultiplyLayer {
	return &MultiplyLayer{base: base{opts: newOptions(opts)}}
}

// Kind is "Multiply", the class name Summary prints.
func (m *MultiplyLayer) Kind() string { return "Multiply" }

// BuildMulti takes two or more inputs of one shape and returns it.
func (m *MultiplyLayer) BuildMulti(in []tensor.Shape, _ *rand.Rand) (tensor.Shape, error) {
	if err := m.opts.check("Multiply"); err != nil {
		return nil, fmt.Errorf("%s: %w", m.name, err)
	}
	return sameShapes(m, in)
}

// CallMulti returns x_1 ⊙ x_2 ⊙ … (N, ...).
func (m *MultiplyLayer) CallMulti(g *autograd.Graph, xs []*autograd.Var, _ bool) *autograd.Var {
	y := xs[0]
	for _, x := range xs[1:] {
		y = g.Mul(y, x)
	}
	return y
}
