package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// ConcatenateLayer joins its inputs along the last axis, as Keras's
// Concatenate(): a (100) noise vector and a (50) label embedding make a (150)
// vector; (28, 28, 1) images and (28, 28, 10) label maps make (28, 28, 11).
type ConcatenateLayer struct{ base }

// Concatenate returns a layer joining two or more inputs along their last axis.
// Options: Name.
func Concatenate(opts ...Option) *ConcatenateLayer {
	return &ConcatenateLayer{base: base{opts: newOptions(opts)}}
}

// Kind is "Concatenate", the class name Summary prints.
func (c *ConcatenateLayer) Kind() string { return "Concatenate" }

// BuildMulti takes inputs (..., C_k) that agree on every axis but the last and
// returns (..., Σ C_k).
func (c *ConcatenateLayer) BuildMulti(in []tensor.Shape, _ *rand.Rand) (tensor.Shape, error) {
	if err := c.opts.check("Concatenate"); err != nil {
		return nil, fmt.Errorf("%s: %w", c.name, err)
	}
	if len(in) < 2 {
		return nil, shapesError(c, in, "expects at least 2 inputs")
	}
	first := in[0]
	if len(first) == 0 {
		return nil, shapesError(c, in, "expects inputs of at least one axis")
	}
	rank := len(first)
	out := first.Clone()
	for _, s := range in[1:] {
		if len(s) != rank || !s[:rank-1].Equal(first[:rank-1]) {
			return nil, shapesError(c, in, "expects inputs whose shapes match except on the last axis")
		}
		out[rank-1] += s[rank-1]
	}
	return out, nil
}

// CallMulti maps xs (N, ..., C_k) to (N, ..., Σ C_k).
func (c *ConcatenateLayer) CallMulti(g *autograd.Graph, xs []*autograd.Var, _ bool) *autograd.Var {
	return g.Concat(xs...)
}
