package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// UpSampling2DLayer repeats every pixel of NHWC images Size[0] times down and
// Size[1] times across (nearest neighbour), as Keras's UpSampling2D.
type UpSampling2DLayer struct {
	base
	Size [2]int
}

// UpSampling2D returns a nearest-neighbour upsampling by rows × cols, as
// keras.layers.UpSampling2D(size=(rows, cols)): UpSampling2D(2, 2) doubles
// both sides. Options: Name.
func UpSampling2D(rows, cols int, opts ...Option) *UpSampling2DLayer {
	return &UpSampling2DLayer{base: base{opts: newOptions(opts)}, Size: [2]int{rows, cols}}
}

// Kind is "UpSampling2D", the class name Summary prints.
func (u *UpSampling2DLayer) Kind() string { return "UpSampling2D" }

// Build maps images (H, W, C) to (H·rows, W·cols, C).
func (u *UpSampling2DLayer) Build(in tensor.Shape, _ *rand.Rand) (tensor.Shape, error) {
	if err := u.opts.check("UpSampling2D"); err != nil {
		return nil, fmt.Errorf("%s: %w", u.name, err)
	}
	if u.Size[0] <= 0 || u.Size[1] <= 0 {
		return nil, fmt.Errorf("%s (UpSampling2D): size must be positive, got %s", u.name, pair(u.Size))
	}
	if err := imageInput(u, in); err != nil {
		return nil, err
	}
	return tensor.Shape{in[0] * u.Size[0], in[1] * u.Size[1], in[2]}, nil
}

// Call maps x (N, H, W, C) to (N, H·rows, W·cols, C).
func (u *UpSampling2DLayer) Call(g *autograd.Graph, x *autograd.Var, _ bool) *autograd.Var {
	return g.UpSample2D(x, u.Size)
}
