package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// activationFunc is an element-wise activation known by name. biased, when set,
// computes act(x + b) in one fused op (a Dense layer's bias and activation), and
// dense, when set, act(x·w + b) (the product's epilogue: autograd.MatMulBiasLeakyReLU).
type activationFunc struct {
	name   string
	apply  func(g *autograd.Graph, x *autograd.Var) *autograd.Var
	biased func(g *autograd.Graph, x, b *autograd.Var) *autograd.Var
	dense  func(g *autograd.Graph, x, w, b *autograd.Var) *autograd.Var
}

// applyBiased returns act(x + b): fused when the activation has a fused form.
func (a activationFunc) applyBiased(g *autograd.Graph, x, b *autograd.Var) *autograd.Var {
	if a.biased != nil {
		return a.biased(g, x, b)
	}
	return a.apply(g, g.AddBias(x, b))
}

func activationByName(name string) (activationFunc, error) {
	switch name {
	case "", "linear":
		return activationFunc{name: "linear", apply: func(_ *autograd.Graph, x *autograd.Var) *autograd.Var { return x }, biased: (*autograd.Graph).AddBias}, nil
	case "relu":
		return leakyActivation(name, 0), nil
	case "tanh":
		return activationFunc{name, (*autograd.Graph).Tanh, (*autograd.Graph).BiasTanh, (*autograd.Graph).MatMulBiasTanh}, nil
	case "sigmoid":
		// No fused form: the loss reads the sigmoid's input, which must stay a Var.
		return activationFunc{name: name, apply: (*autograd.Graph).Sigmoid}, nil
	case "leaky_relu":
		return leakyActivation(name, 0.2), nil
	}
	return activationFunc{}, fmt.Errorf("unknown activation %q (want linear, relu, leaky_relu, tanh or sigmoid)", name)
}

// leakyActivation is LeakyReLU with slope alpha ≥ 0 (ReLU when 0), fused with a bias.
func leakyActivation(name string, alpha float32) activationFunc {
	return activationFunc{
		name:   name,
		apply:  func(g *autograd.Graph, x *autograd.Var) *autograd.Var { return g.LeakyReLU(x, alpha) },
		biased: func(g *autograd.Graph, x, b *autograd.Var) *autograd.Var { return g.BiasLeakyReLU(x, b, alpha) },
		dense: func(g *autograd.Graph, x, w, b *autograd.Var) *autograd.Var {
			return g.MatMulBiasLeakyReLU(x, w, b, alpha)
		},
	}
}

// fusedActivation returns the activation a layer applies when a Dense layer before
// it can apply it instead, in its bias's pass (see Sequential.Call).
func fusedActivation(l Layer) (activationFunc, bool) {
	switch a := l.(type) {
	case *LeakyReLULayer:
		if a.Alpha >= 0 {
			return leakyActivation("leaky_relu", a.Alpha), true
		}
	case *ActivationLayer:
		if a.fn.biased != nil && a.fn.apply != nil {
			return a.fn, true
		}
	}
	return activationFunc{}, false
}

// ActivationLayer applies an element-wise function; the shape is unchanged.
type ActivationLayer struct {
	base
	fn   activationFunc
	kind string
}

// Activation returns a layer applying the named activation, as Keras's Activation("tanh").
func Activation(name string, opts ...Option) *ActivationLayer {
	return &ActivationLayer{base: base{opts: newOptions(opts)}, fn: activationFunc{name: name}, kind: "Activation"}
}

// ReLU returns max(x, 0) as a layer.
func ReLU(opts ...Option) *ActivationLayer {
	l := Activation("relu", opts...)
	l.kind = "ReLU"
	return l
}

// Tanh returns tanh(x) as a layer.
func Tanh(opts ...Option) *ActivationLayer {
	l := Activation("tanh", opts...)
	l.kind = "Tanh"
	return l
}

// Sigmoid returns 1/(1+exp(−x)) as a layer.
func Sigmoid(opts ...Option) *ActivationLayer {
	l := Activation("sigmoid", opts...)
	l.kind = "Sigmoid"
	return l
}

// Kind is the class name Summary prints: "Activation", or the layer's own ("ReLU", "Sigmoid"...).
func (a *ActivationLayer) Kind() string { return a.kind }

// Build checks the activation's name; the output shape is in, and there are no weights.
func (a *ActivationLayer) Build(in tensor.Shape, _ *rand.Rand) (tensor.Shape, error) {
	if err := a.opts.check(a.kind); err != nil {
		return nil, fmt.Errorf("%s: %w", a.name, err)
	}
	fn, err := activationByName(a.fn.name)
	if err != nil {
		return nil, fmt.Errorf("%s (%s): %w", a.name, a.kind, err)
	}
	a.fn = fn
	return in.Clone(), nil
}

// Call applies the activation to every element of x (N, ...).
func (a *ActivationLayer) Call(g *autograd.Graph, x *autograd.Var, _ bool) *autograd.Var {
	return a.fn.apply(g, x)
}

// LeakyReLULayer is x for x > 0 and alpha·x elsewhere.
type LeakyReLULayer struct {
	base
	Alpha float32
}

// LeakyReLU returns the leaky rectifier with negative slope alpha (the seed uses 0.2).
func LeakyReLU(alpha float32, opts ...Option) *LeakyReLULayer {
	return &LeakyReLULayer{base: base{opts: newOptions(opts)}, Alpha: alpha}
}

// Kind is "LeakyReLU", the class name Summary prints.
func (l *LeakyReLULayer) Kind() string { return "LeakyReLU" }

// Build checks that alpha is not negative; the output shape is in, and there are no weights.
func (l *LeakyReLULayer) Build(in tensor.Shape, _ *rand.Rand) (tensor.Shape, error) {
	if err := l.opts.check("LeakyReLU"); err != nil {
		return nil, fmt.Errorf("%s: %w", l.name, err)
	}
	if l.Alpha < 0 {
		return nil, fmt.Errorf("%s (LeakyReLU): alpha must not be negative, got %g", l.name, l.Alpha)
	}
	return in.Clone(), nil
}

// Call returns x where x > 0 and alpha·x elsewhere, element by element, x (N, ...).
func (l *LeakyReLULayer) Call(g *autograd.Graph, x *autograd.Var, _ bool) *autograd.Var {
	return g.LeakyReLU(x, l.Alpha)
}
