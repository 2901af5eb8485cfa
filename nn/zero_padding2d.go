package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// ZeroPadding2DLayer adds rows and columns of zeros around NHWC images, as
// Keras's ZeroPadding2D.
type ZeroPadding2DLayer struct {
	base
	Rows, Cols [2]int // (top, bottom), (left, right)
}

// ZeroPadding2D returns a layer padding images with top and bottom rows and
// left and right columns of zeros, as
// keras.layers.ZeroPadding2D(((top, bottom), (left, right))). Options: Name.
func ZeroPadding2D(top, bottom, left, right int, opts ...Option) *ZeroPadding2DLayer {
	return &ZeroPadding2DLayer{base: base{opts: newOptions(opts)}, Rows: [2]int{top, bottom}, Cols: [2]int{left, right}}
}

// Kind is "ZeroPadding2D", the class name Summary prints.
func (z *ZeroPadding2DLayer) Kind() string { return "ZeroPadding2D" }

// Build maps images (H, W, C) to (H + top + bottom, W + left + right, C).
func (z *ZeroPadding2DLayer) Build(in tensor.Shape, _ *rand.Rand) (tensor.Shape, error) {
	if err := z.opts.check("ZeroPadding2D"); err != nil {
		return nil, fmt.Errorf("%s: %w", z.name, err)
	}
	if z.Rows[0] < 0 || z.Rows[1] < 0 || z.Cols[0] < 0 || z.Cols[1] < 0 {
		return nil, fmt.Errorf("%s (ZeroPadding2D): padding must not be negative, got (%s, %s)", z.name, pair(z.Rows), pair(z.Cols))
	}
	if err := imageInput(z, in); err != nil {
		return nil, err
	}
	return tensor.Shape{in[0] + z.Rows[0] + z.Rows[1], in[1] + z.Cols[0] + z.Cols[1], in[2]}, nil
}

// Call maps x (N, H, W, C) to (N, H + top + bottom, W + left + right, C).
func (z *ZeroPadding2DLayer) Call(g *autograd.Graph, x *autograd.Var, _ bool) *autograd.Var {
	return g.ZeroPad2D(x, z.Rows, z.Cols)
}
