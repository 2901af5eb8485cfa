package nn

import "fmt"

// Option configures a layer, as Keras's keyword arguments do. A layer rejects,
// at Build, an option that does not apply to it.
type Option func(*options)

type options struct {
	name       string
	activation string
	useBias    bool
	kernelInit Initializer
	biasInit   Initializer
	momentum   float32
	epsilon    float32
	window     windowOptions // strides, padding, sizes of image layers (window_options.go)
	given      map[string]bool
}

func newOptions(opts []Option) options {
	o := options{useBias: true, given: map[string]bool{}}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// Name sets the layer's name instead of the automatic one.
func Name(name string) Option {
	return func(o *options) { o.name = name; o.given["name"] = true }
}

// WithActivation applies an activation after the layer: "linear", "relu",
// "tanh", "sigmoid" or "leaky_relu" (slope 0.2).
func WithActivation(name string) Option {
	return func(o *options) { o.activation = name; o.given["activation"] = true }
}

// UseBias chooses whether the layer adds a bias (default true).
func UseBias(use bool) Option {
	return func(o *options) { o.useBias = use; o.given["use_bias"] = true }
}

// KernelInitializer sets how the kernel's initial values are drawn (default
// GlorotUniform). A kernel initializer given by an option takes precedence
// over a network's SetInitScheme.
func KernelInitializer(init Initializer) Option {
	return func(o *options) { o.kernelInit = init; o.given["kernel_initializer"] = true }
}

// BiasInitializer sets how the bias's initial values are drawn (default Zeros).
func BiasInitializer(init Initializer) Option {
	return func(o *options) { o.biasInit = init; o.given["bias_initializer"] = true }
}

// EmbeddingsInitializer sets how Embedding's table is drawn (default
// RandomUniform{-0.05, 0.05}).
func EmbeddingsInitializer(init Initializer) Option {
	return func(o *options) { o.kernelInit = init; o.given["embeddings_initializer"] = true }
}

// Momentum sets BatchNormalization's moving-average momentum (default 0.99,
// Keras's): moving = m·moving + (1 − m)·batch. PyTorch counts the other way:
// its default momentum 0.1 is Momentum(0.9) here (PyTorch also moves the
// variance toward the unbiased batch variance, Keras and gogan the biased one).
// The layer's Momentum field can also be changed after Build.
func Momentum(m float32) Option {
	return func(o *options) { o.momentum = m; o.given["momentum"] = true }
}

// Epsilon sets BatchNormalization's variance epsilon (default 1e-3).
func Epsilon(eps float32) Option {
	return func(o *options) { o.epsilon = eps; o.given["epsilon"] = true }
}

// check rejects options that the layer kind does not take.
func (o *options) check(kind string, allowed ...string) error {
	for name := range o.given {
		if name == "name" {
			continue
		}
		ok := false
		for _, a := range allowed {
			ok = ok || a == name
		}
		if !ok {
			return fmt.Errorf("%s does not take the option %s", kind, name)
		}
	}
	return nil
}
