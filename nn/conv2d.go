package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// Conv2DLayer is a 2-D convolution over NHWC images:
// y = activation(conv(x, kernel) + bias), as Keras's Conv2D.
type Conv2DLayer struct {
	base
	Filters    int
	KernelSize [2]int
	Strides    [2]int
	Padding    PaddingMode
	activation activationFunc
	kernel     *autograd.Var // (kh, kw, in channels, filters)
	bias       *autograd.Var // (filters), nil without bias
	kernelHook               // SpectralNorm's transform of the kernel, if wrapped
}

// Conv2D returns a convolution with the given number of filters and a square
// kernel of kernelSize, as keras.layers.Conv2D(filters, kernel_size).
// Options: Strides (default 1), Padding (default Valid), KernelSize (a
// rectangular kernel), WithActivation, UseBias, KernelInitializer,
// BiasInitializer, Name.
func Conv2D(filters, kernelSize int, opts ...Option) *Conv2DLayer {
	return &Conv2DLayer{base: base{opts: newOptions(opts)}, Filters: filters, KernelSize: [2]int{kernelSize, kernelSize}}
}

// Kind is "Conv2D", the class name Summary prints.
func (c *Conv2DLayer) Kind() string { return "Conv2D" }

// Build creates kernel (kh, kw, channels, filters) and bias (filters) for
// images (height, width, channels) and returns (out height, out width, filters).
func (c *Conv2DLayer) Build(in tensor.Shape, rng *rand.Rand) (tensor.Shape, error) {
	if err := c.opts.check("Conv2D", convOptionNames...); err != nil {
		return nil, fmt.Errorf("%s: %w", c.name, err)
	}
	if c.Filters <= 0 {
		return nil, fmt.Errorf("%s (Conv2D): filters must be positive, got %d", c.name, c.Filters)
	}
	size, strides, padding, err := c.opts.windowConfig("kernel size", c.KernelSize[0], [2]int{1, 1})
	if err != nil {
		return nil, fmt.Errorf("%s (Conv2D): %w", c.name, err)
	}
	c.KernelSize, c.Strides, c.Padding = size, strides, padding
	if err := imageInput(c, in); err != nil {
		return nil, err
	}
	oh, ow, err := windowOutput(c, in, "kernel", size, strides, padding)
	if err != nil {
		return nil, err
	}
	if c.activation, err = activationByName(c.opts.activation); err != nil {
		return nil, fmt.Errorf("%s (Conv2D): %w", c.name, err)
	}
	// Keras's fans for a (kh, kw, in, out) kernel: each weight's receptive field times channels.
	field := size[0] * size[1]
	fanIn, fanOut := field*in[2], field*c.Filters
	c.kernel = autograd.NewParam(c.name+"/kernel", size[0], size[1], in[2], c.Filters)
	initOr(c.opts.kernelInit, GlorotUniform{}).Init(c.kernel.Data, fanIn, fanOut, rng)
	c.bias = nil
	if c.opts.useBias {
		c.bias = autograd.NewParam(c.name+"/bias", c.Filters)
		initOr(c.opts.biasInit, Zeros).Init(c.bias.Data, fanIn, fanOut, rng)
	}
	return tensor.Shape{oh, ow, c.Filters}, nil
}

// Call maps x (N, H, W, channels) to (N, OH, OW, filters).
func (c *Conv2DLayer) Call(g *autograd.Graph, x *autograd.Var, training bool) *autograd.Var {
	y := g.Conv2D(x, c.kernelFor(g, c.kernel, training), c.Strides, c.Padding)
	if c.bias != nil {
		y = addChannelBias(g, y, c.bias)
	}
	return c.activation.apply(g, y)
}

// Weights are kernel, then bias.
func (c *Conv2DLayer) Weights() []*autograd.Var {
	if c.bias == nil {
		return []*autograd.Var{c.kernel}
	}
	return []*autograd.Var{c.kernel, c.bias}
}

// convOptionNames are the options Conv2D and Conv2DTranspose take.
var convOptionNames = []string{"strides", "padding", "kernel_size", "activation", "use_bias", "kernel_initializer", "bias_initializer"}
