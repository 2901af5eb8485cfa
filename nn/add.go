package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// AddLayer sums its inputs element by element, as Keras's Add(): a residual
// connection is Add()(x, f(x)).
type AddLayer struct{ base }

// Add returns a layer summing two or more inputs of the same shape. Options: Name.
func Add(opts ...Option) *AddLayer { return &AddLayer{base: base{opts: newOptions(opts)}} }

// Kind is "Add", the class name Summary prints.
func (a *AddLayer) Kind() string { return "Add" }

// BuildMulti takes two or more inputs of one shape and returns it.
func (a *AddLayer) BuildMulti(in []tensor.Shape, _ *rand.Rand) (tensor.Shape, error) {
	if err := a.opts.check("Add"); err != nil {
		return nil, fmt.Errorf("%s: %w", a.name, err)
	}
	return sameShapes(a, in)
}

// CallMulti returns x_1 + x_2 + … (N, ...).
func (a *AddLayer) CallMulti(g *autograd.Graph, xs []*autograd.Var, _ bool) *autograd.Var {
	y := xs[0]
	for _, x := range xs[1:] {
		y = g.Add(y, x)
	}
	return y
}

// sameShapes checks that a merge layer has two or more inputs of one shape and returns it.
func sameShapes(l MultiLayer, in []tensor.Shape) (tensor.Shape, error) {
	if len(in) < 2 {
		return nil, shapesError(l, in, "expects at least 2 inputs")
	}
	for _, s := range in[1:] {
		if !s.Equal(in[0]) {
			return nil, shapesError(l, in, "expects inputs of the same shape")
		}
	}
	return in[0].Clone(), nil
}
