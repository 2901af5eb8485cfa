package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// DenseLayer is a fully connected layer: y = activation(x·kernel + bias), applied
// to the last axis of its input.
type DenseLayer struct {
	base
	Units      int
	activation activationFunc
	kernel     *autograd.Var // (in, units)
	bias       *autograd.Var // (units), nil without bias
	kernelHook               // SpectralNorm's transform of the kernel, if wrapped
}

// Dense returns a fully connected layer with the given number of output units.
// Options: WithActivation, UseBias, KernelInitializer, BiasInitializer, Name.
func Dense(units int, opts ...Option) *DenseLayer {
	return &DenseLayer{base: base{opts: newOptions(opts)}, Units: units}
}

// Kind is "Dense", the class name Summary prints.
func (d *DenseLayer) Kind() string { return "Dense" }

// Build creates kernel (in, units) and bias (units) for inputs (..., in).
func (d *DenseLayer) Build(in tensor.Shape, rng *rand.Rand) (tensor.Shape, error) {
	if err := d.opts.check("Dense", "activation", "use_bias", "kernel_initializer", "bias_initializer"); err != nil {
		return nil, fmt.Errorf("%s: %w", d.name, err)
	}
	if d.Units <= 0 {
		return nil, fmt.Errorf("%s (Dense): units must be positive, got %d", d.name, d.Units)
	}
	if len(in) == 0 {
		return nil, shapeError(d, in, "(None, features)")
	}
	act, err := activationByName(d.opts.activation)
	if err != nil {
		return nil, fmt.Errorf("%s (Dense): %w", d.name, err)
	}
	d.activation = act
	fanIn := in[len(in)-1]
	d.kernel = autograd.NewParam(d.name+"/kernel", fanIn, d.Units)
	initOr(d.opts.kernelInit, GlorotUniform{}).Init(d.kernel.Data, fanIn, d.Units, rng)
	if d.opts.useBias {
		d.bias = autograd.NewParam(d.name+"/bias", d.Units)
		initOr(d.opts.biasInit, Zeros).Init(d.bias.Data, fanIn, d.Units, rng)
	}
	out := in.Clone()
	out[len(out)-1] = d.Units
	return out, nil
}

// Call maps x (N, ..., in) to (N, ..., units).
func (d *DenseLayer) Call(g *autograd.Graph, x *autograd.Var, training bool) *autograd.Var {
	return d.call(g, x, training, d.activation)
}

// call is Call with act in place of the layer's activation (Sequential hands it the
// next layer's); the bias and the activation are one fused op where act has one.
func (d *DenseLayer) call(g *autograd.Graph, x *autograd.Var, training bool, act activationFunc) *autograd.Var {
	in := x.Shape[len(x.Shape)-1]
	rows := x.Len() / in
	x2, w := g.Reshape(x, rows, in), d.kernelFor(g, d.kernel, training)
	var y *autograd.Var
	switch {
	case d.bias != nil && act.dense != nil:
		y = act.dense(g, x2, w, d.bias) // the bias and activation as the product's epilogue
	case d.bias != nil:
		y = act.applyBiased(g, g.MatMul(x2, w, false, false), d.bias)
	default:
		y = act.apply(g, g.MatMul(x2, w, false, false))
	}
	if len(x.Shape) != 2 {
		shape := append(tensor.Shape(nil), x.Shape...)
		shape[len(shape)-1] = d.Units
		y = g.Reshape(y, shape...)
	}
	return y
}

// fusesActivation reports whether the activation of the layer after d can be applied
// by d, with its bias: d has a bias and no activation of its own.
func (d *DenseLayer) fusesActivation() bool {
	return d.bias != nil && d.activation.name == "linear"
}

// Weights are kernel, then bias.
func (d *DenseLayer) Weights() []*autograd.Var {
	if d.bias == nil {
		return []*autograd.Var{d.kernel}
	}
	return []*autograd.Var{d.kernel, d.bias}
}

func initOr(init, def Initializer) Initializer {
	if init != nil {
		return init
	}
	return def
}
