package nn

import (
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// AveragePooling2DLayer takes the mean of each window of NHWC images, channel
// by channel, as Keras's AveragePooling2D. With Same padding a border window
// averages only the pixels inside the image.
type AveragePooling2DLayer struct {
	base
	PoolSize [2]int
	Strides  [2]int
	Padding  PaddingMode
}

// AveragePooling2D returns an average pooling over square windows of poolSize,
// as keras.layers.AveragePooling2D(pool_size). Options: Strides (default: the
// pool size), Padding (default Valid), PoolSize (a rectangular window), Name.
func AveragePooling2D(poolSize int, opts ...Option) *AveragePooling2DLayer {
	return &AveragePooling2DLayer{base: base{opts: newOptions(opts)}, PoolSize: [2]int{poolSize, poolSize}}
}

// Kind is "AveragePooling2D", the class name Summary prints.
func (p *AveragePooling2DLayer) Kind() string { return "AveragePooling2D" }

// Build maps images (H, W, C) to (OH, OW, C).
func (p *AveragePooling2DLayer) Build(in tensor.Shape, _ *rand.Rand) (tensor.Shape, error) {
	return buildPool(p, &p.opts, in, &p.PoolSize, &p.Strides, &p.Padding)
}

// Call maps x (N, H, W, C) to (N, OH, OW, C).
func (p *AveragePooling2DLayer) Call(g *autograd.Graph, x *autograd.Var, _ bool) *autograd.Var {
	return g.AvgPool2D(x, p.PoolSize, p.Strides, p.Padding)
}
