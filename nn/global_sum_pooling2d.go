package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// GlobalSumPooling2DLayer sums NHWC images over their height and width,
// channel by channel: the pooling before the last Dense of SNGAN's ResNet
// discriminator (Miyato et al. 2018), which sums where Keras's
// GlobalAveragePooling2D averages.
type GlobalSumPooling2DLayer struct {
	base
	window [2]int // (H, W), set by Build
}

// GlobalSumPooling2D returns a layer mapping images (H, W, C) to (C): y[n, c] =
// Σ_{i,j} x[n, i, j, c]. Options: Name.
func GlobalSumPooling2D(opts ...Option) *GlobalSumPooling2DLayer {
	return &GlobalSumPooling2DLayer{base: base{opts: newOptions(opts)}}
}

// Kind is "GlobalSumPooling2D", the class name Summary prints.
func (p *GlobalSumPooling2DLayer) Kind() string { return "GlobalSumPooling2D" }

// Build maps images (H, W, C) to (C).
func (p *GlobalSumPooling2DLayer) Build(in tensor.Shape, _ *rand.Rand) (tensor.Shape, error) {
	if err := p.opts.check("GlobalSumPooling2D"); err != nil {
		return nil, fmt.Errorf("%s: %w", p.name, err)
	}
	if len(in) != 3 {
		return nil, shapeError(p, in, "(None, height, width, channels)")
	}
	p.window = [2]int{in[0], in[1]}
	return tensor.Shape{in[2]}, nil
}

// Call maps x (N, H, W, C) to (N, C): the mean over one H×W window, times H·W.
// (AvgPool2D's backward spreads dy/(H·W) over the window, and the scale
// brings it back to dy: forward y = H·W·mean(x), so dx = dy at every pixel.)
func (p *GlobalSumPooling2DLayer) Call(g *autograd.Graph, x *autograd.Var, _ bool) *autograd.Var {
	mean := g.AvgPool2D(x, p.window, p.window, autograd.Valid)
	n, c := x.Shape[0], x.Shape[3]
	return g.Reshape(g.Scale(mean, float32(p.window[0]*p.window[1])), n, c)
}
