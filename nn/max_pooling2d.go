package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// MaxPooling2DLayer takes the maximum of each window of NHWC images, channel
// by channel, as Keras's MaxPooling2D.
type MaxPooling2DLayer struct {
	base
	PoolSize [2]int
	Strides  [2]int
	Padding  PaddingMode
}

// MaxPooling2D returns a max pooling over square windows of poolSize, as
// keras.layers.MaxPooling2D(pool_size). Options: Strides (default: the pool
// size), Padding (default Valid), PoolSize (a rectangular window), Name.
func MaxPooling2D(poolSize int, opts ...Option) *MaxPooling2DLayer {
	return &MaxPooling2DLayer{base: base{opts: newOptions(opts)}, PoolSize: [2]int{poolSize, poolSize}}
}

// Kind is "MaxPooling2D", the class name Summary prints.
func (p *MaxPooling2DLayer) Kind() string { return "MaxPooling2D" }

// Build maps images (H, W, C) to (OH, OW, C).
func (p *MaxPooling2DLayer) Build(in tensor.Shape, _ *rand.Rand) (tensor.Shape, error) {
	return buildPool(p, &p.opts, in, &p.PoolSize, &p.Strides, &p.Padding)
}

// Call maps x (N, H, W, C) to (N, OH, OW, C).
func (p *MaxPooling2DLayer) Call(g *autograd.Graph, x *autograd.Var, _ bool) *autograd.Var {
	return g.MaxPool2D(x, p.PoolSize, p.Strides, p.Padding)
}

// buildPool checks a pooling layer's configuration and input, fills in its
// window, and returns its output shape.
func buildPool(l Layer, o *options, in tensor.Shape, size, strides *[2]int, padding *PaddingMode) (tensor.Shape, error) {
	if err := o.check(l.Kind(), "strides", "padding", "pool_size"); err != nil {
		return nil, fmt.Errorf("%s: %w", l.Name(), err)
	}
	pool := *size // the default strides
	if o.given["pool_size"] {
		pool = o.window.size
	}
	sz, st, pad, err := o.windowConfig("pool size", size[0], pool)
	if err != nil {
		return nil, fmt.Errorf("%s (%s): %w", l.Name(), l.Kind(), err)
	}
	*size, *strides, *padding = sz, st, pad
	if err := imageInput(l, in); err != nil {
		return nil, err
	}
	oh, ow, err := windowOutput(l, in, "pool", sz, st, pad)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{oh, ow, in[2]}, nil
}
