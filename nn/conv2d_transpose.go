package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// Conv2DTransposeLayer is a transposed 2-D convolution over NHWC images (the
// gradient of a Conv2D with respect to its input, "deconvolution"):
// y = activation(convT(x, kernel) + bias), as Keras's Conv2DTranspose. With
// Same padding and stride s it multiplies the height and width by s.
type Conv2DTransposeLayer struct {
	base
	Filters    int
	KernelSize [2]int
	Strides    [2]int
	Padding    PaddingMode
	activation activationFunc
	kernel     *autograd.Var // (kh, kw, filters, in channels), as Keras stores it
	bias       *autograd.Var // (filters), nil without bias
	kernelHook               // SpectralNorm's transform of the kernel, if wrapped
}

// Conv2DTranspose returns a transposed convolution with the given number of
// filters and a square kernel of kernelSize, as
// keras.layers.Conv2DTranspose(filters, kernel_size). Options: Strides
// (default 1), Padding (default Valid), KernelSize (a rectangular kernel),
// WithActivation, UseBias, KernelInitializer, BiasInitializer, Name.
func Conv2DTranspose(filters, kernelSize int, opts ...Option) *Conv2DTransposeLayer {
	return &Conv2DTransposeLayer{base: base{opts: newOptions(opts)}, Filters: filters, KernelSize: [2]int{kernelSize, kernelSize}}
}

// Kind is "Conv2DTranspose", the class name Summary prints.
func (c *Conv2DTransposeLayer) Kind() string { return "Conv2DTranspose" }

// Build creates kernel (kh, kw, filters, channels) and bias (filters) for
// images (height, width, channels). The output is Keras's: (H·sh, W·sw, filters)
// with Same padding, (H·sh + max(kh − sh, 0), W·sw + max(kw − sw, 0), filters) with Valid.
func (c *Conv2DTransposeLayer) Build(in tensor.Shape, rng *rand.Rand) (tensor.Shape, error) {
	if err := c.opts.check("Conv2DTranspose", convOptionNames...); err != nil {
		return nil, fmt.Errorf("%s: %w", c.name, err)
	}
	if c.Filters <= 0 {
		return nil, fmt.Errorf("%s (Conv2DTranspose): filters must be positive, got %d", c.name, c.Filters)
	}
	size, strides, padding, err := c.opts.windowConfig("kernel size", c.KernelSize[0], [2]int{1, 1})
	if err != nil {
		return nil, fmt.Errorf("%s (Conv2DTranspose): %w", c.name, err)
	}
	c.KernelSize, c.Strides, c.Padding = size, strides, padding
	if err := imageInput(c, in); err != nil {
		return nil, err
	}
	if c.activation, err = activationByName(c.opts.activation); err != nil {
		return nil, fmt.Errorf("%s (Conv2DTranspose): %w", c.name, err)
	}
	oh := autograd.ConvTransposeOutputSize(in[0], size[0], strides[0], padding)
	ow := autograd.ConvTransposeOutputSize(in[1], size[1], strides[1], padding)
	// Keras's fans for a (kh, kw, filters, in) kernel: receptive field times shape[-2], shape[-1].
	field := size[0] * size[1]
	fanIn, fanOut := field*c.Filters, field*in[2]
	c.kernel = autograd.NewParam(c.name+"/kernel", size[0], size[1], c.Filters, in[2])
	initOr(c.opts.kernelInit, GlorotUniform{}).Init(c.kernel.Data, fanIn, fanOut, rng)
	c.bias = nil
	if c.opts.useBias {
		c.bias = autograd.NewParam(c.name+"/bias", c.Filters)
		initOr(c.opts.biasInit, Zeros).Init(c.bias.Data, fanIn, fanOut, rng)
	}
	return tensor.Shape{oh, ow, c.Filters}, nil
}

// Call maps x (N, H, W, channels) to (N, OH, OW, filters).
func (c *Conv2DTransposeLayer) Call(g *autograd.Graph, x *autograd.Var, training bool) *autograd.Var {
	y := g.Conv2DTranspose(x, c.kernelFor(g, c.kernel, training), c.Strides, c.Padding)
	if c.bias != nil {
		y = addChannelBias(g, y, c.bias)
	}
	return c.activation.apply(g, y)
}

// Weights are kernel, then bias.
func (c *Conv2DTransposeLayer) Weights() []*autograd.Var {
	if c.bias == nil {
		return []*autograd.Var{c.kernel}
	}
	return []*autograd.Var{c.kernel, c.bias}
}
