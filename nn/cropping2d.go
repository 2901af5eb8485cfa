package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// Cropping2DLayer cuts rows and columns off the borders of NHWC images, as
// Keras's Cropping2D.
type Cropping2DLayer struct {
	base
	Rows, Cols [2]int // (top, bottom), (left, right)
}

// Cropping2D returns a layer removing top and bottom rows and left and right
// columns from images, as keras.layers.Cropping2D(((top, bottom), (left, right))).
// Options: Name.
func Cropping2D(top, bottom, left, right int, opts ...Option) *Cropping2DLayer {
	return &Cropping2DLayer{base: base{opts: newOptions(opts)}, Rows: [2]int{top, bottom}, Cols: [2]int{left, right}}
}

// Kind is "Cropping2D", the class name Summary prints.
func (c *Cropping2DLayer) Kind() string { return "Cropping2D" }

// Build maps images (H, W, C) to (H − top − bottom, W − left − right, C).
func (c *Cropping2DLayer) Build(in tensor.Shape, _ *rand.Rand) (tensor.Shape, error) {
	if err := c.opts.check("Cropping2D"); err != nil {
		return nil, fmt.Errorf("%s: %w", c.name, err)
	}
	if c.Rows[0] < 0 || c.Rows[1] < 0 || c.Cols[0] < 0 || c.Cols[1] < 0 {
		return nil, fmt.Errorf("%s (Cropping2D): cropping must not be negative, got (%s, %s)", c.name, pair(c.Rows), pair(c.Cols))
	}
	if err := imageInput(c, in); err != nil {
		return nil, err
	}
	h, w := in[0]-c.Rows[0]-c.Rows[1], in[1]-c.Cols[0]-c.Cols[1]
	if h <= 0 || w <= 0 {
		return nil, fmt.Errorf("%s (Cropping2D): cropping (%s, %s) leaves nothing of input %s",
			c.name, pair(c.Rows), pair(c.Cols), in.WithBatch())
	}
	return tensor.Shape{h, w, in[2]}, nil
}

// Call maps x (N, H, W, C) to (N, H − top − bottom, W − left − right, C).
func (c *Cropping2DLayer) Call(g *autograd.Graph, x *autograd.Var, _ bool) *autograd.Var {
	return g.Crop2D(x, c.Rows, c.Cols)
}
