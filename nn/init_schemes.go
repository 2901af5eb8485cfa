package nn

import (
	"fmt"
	"math"
	"strings"
)

// InitScheme is how the layers with a kernel (Dense, Conv2D, Conv2DTranspose)
// draw their initial weights: a kernel initializer and a bias initializer.
// The schemes are the entries of one table (InitSchemes), chosen by name for
// a whole network with SetInitScheme (gogan train --init) or for one layer
// with WithInit.
//
// Each initializer is given the layer's fans, as Keras computes them: fanIn is
// in for Dense, kh·kw·channels for Conv2D and kh·kw·filters for
// Conv2DTranspose. The last is also PyTorch's fan_in for ConvTranspose2d,
// whose weight is (in, out, kh, kw) and whose fan_in is weight.size(1)·kh·kw
// = out·kh·kw, so "pytorch" draws exactly PyTorch's bounds for all three.
type InitScheme struct {
	Name   string      // the name --init takes: glorot, pytorch, orthogonal
	Kernel Initializer // draws the kernel
	Bias   Initializer // draws the bias, given the kernel's fans
	About  string      // one line, for help texts
}

// initSchemes is the table of schemes; the first is the default.
var initSchemes = []InitScheme{
	{
		Name: "glorot", Kernel: GlorotUniform{}, Bias: Zeros,
		About: "Keras's default: kernel glorot_uniform U(±√(6/(fan_in+fan_out))), bias zeros",
	},
	{
		Name: "pytorch", Kernel: KaimingUniform{A: math.Sqrt(5)}, Bias: FanInUniform{},
		About: "PyTorch's default for Linear and Conv: kernel kaiming_uniform(a=√5) = U(±1/√fan_in), bias U(±1/√fan_in)",
	},
	{
		Name: "orthogonal", Kernel: Orthogonal{Gain: 1}, Bias: Zeros,
		About: "kernel orthogonal (QR of a Gaussian matrix, signs corrected), bias zeros",
	},
}

// InitSchemes lists the schemes, the default (glorot) first.
func InitSchemes() []InitScheme { return append([]InitScheme(nil), initSchemes...) }

// InitSchemeNames lists the schemes' names, the default first.
func InitSchemeNames() []string {
	names := make([]string, len(initSchemes))
	for i, s := range initSchemes {
		names[i] = s.Name
	}
	return names
}

// LookupInitScheme returns the scheme of that name, or an error naming it and
// the choices.
func LookupInitScheme(name string) (InitScheme, error) {
	for _, s := range initSchemes {
		if s.Name == name {
			return s, nil
		}
	}
	return InitScheme{}, fmt.Errorf("unknown initializer %q (want %s)", name, strings.Join(InitSchemeNames(), ", "))
}

// WithInit draws the layer's kernel and bias with the scheme's initializers:
// KernelInitializer(s.Kernel) and BiasInitializer(s.Bias) in one option.
func WithInit(s InitScheme) Option {
	return func(o *options) {
		KernelInitializer(s.Kernel)(o)
		BiasInitializer(s.Bias)(o)
	}
}

// SetInitScheme makes every Dense, Conv2D and Conv2DTranspose layer of net
// (a Sequential or a Model, not yet built), wrapped in SpectralNorm or not,
// draw its kernel and bias with the scheme's initializers, except the ones
// given explicitly by an option (KernelInitializer, BiasInitializer,
// WithInit). Other layers, custom ones included, keep their own. Call it
// before net.Build; a later call replaces an earlier one's choice.
func SetInitScheme(net Network, s InitScheme) error {
	if s.Kernel == nil || s.Bias == nil {
		return fmt.Errorf("initializer scheme %q lacks a kernel or a bias initializer", s.Name)
	}
	var layers []Applicable
	switch m := net.(type) {
	case *Sequential:
		if m.built {
			return fmt.Errorf("model %s is already built: its weights are drawn, initializer %s comes too late", m.name, s.Name)
		}
		for _, l := range m.layers {
			layers = append(layers, l)
		}
	case *Model:
		if m.built {
			return fmt.Errorf("model %s is already built: its weights are drawn, initializer %s comes too late", m.name, s.Name)
		}
		layers = m.reachableLayers()
	default:
		return fmt.Errorf("initializer %s: cannot reach the layers of model %s, a %T (want an *nn.Sequential or an *nn.Model)", s.Name, net.Name(), net)
	}
	for _, l := range layers {
		if k, ok := l.(kernelOptions); ok {
			o := k.kernelOptions()
			if !o.given["kernel_initializer"] {
				o.kernelInit = s.Kernel
			}
			if !o.given["bias_initializer"] {
				o.biasInit = s.Bias
			}
		}
	}
	return nil
}

// kernelOptions is a layer whose kernel and bias initializers SetInitScheme sets.
type kernelOptions interface{ kernelOptions() *options }

func (d *DenseLayer) kernelOptions() *options           { return &d.opts }
func (c *Conv2DLayer) kernelOptions() *options          { return &c.opts }
func (c *Conv2DTransposeLayer) kernelOptions() *options { return &c.opts }

// kernelOptions are the wrapped layer's (a throwaway set that takes no scheme
// if it wraps a layer without a kernel, which its Build rejects).
func (s *SpectralNormLayer) kernelOptions() *options {
	if k, ok := s.Layer.(kernelOptions); ok {
		return k.kernelOptions()
	}
	return &options{given: map[string]bool{"kernel_initializer": true, "bias_initializer": true}}
}

// reachableLayers lists the layers the output depends on, without building:
// each once, in no particular order.
func (m *Model) reachableLayers() []Applicable {
	var layers []Applicable
	seen := map[*Node]bool{}
	have := map[Applicable]bool{}
	var visit func(n *Node)
	visit = func(n *Node) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		if n.layer != nil && !have[n.layer] {
			have[n.layer] = true
			layers = append(layers, n.layer)
		}
		for _, in := range n.inputs {
			visit(in)
		}
	}
	visit(m.output)
	return layers
}

// SetBatchNormMomentum sets the momentum of every BatchNormalization layer of
// an unbuilt Sequential or Model (spectral normalization's wrapped layers
// included).
func SetBatchNormMomentum(net Network, momentum float32) error {
	if !(momentum >= 0 && momentum <= 1) {
		return fmt.Errorf("batch-norm momentum must be in [0, 1], got %g", momentum)
	}
	layers, err := BatchNormLayers(net)
	if err != nil {
		return err
	}
	for _, b := range layers {
		b.Momentum = momentum
	}
	return nil
}

// BatchNormLayers returns the BatchNormalization layers of net (an
// *nn.Sequential or an *nn.Model), in the order of its layers.
func BatchNormLayers(net Network) ([]*BatchNormalizationLayer, error) {
	var layers []Applicable
	switch m := net.(type) {
	case *Sequential:
		for _, l := range m.layers {
			layers = append(layers, l)
		}
	case *Model:
		layers = m.reachableLayers()
	default:
		return nil, fmt.Errorf("batch norm: cannot reach the layers of model %s, a %T (want an *nn.Sequential or an *nn.Model)", net.Name(), net)
	}
	var bns []*BatchNormalizationLayer
	for _, l := range layers {
		if b, ok := l.(*BatchNormalizationLayer); ok {
			bns = append(bns, b)
		}
	}
	return bns, nil
}
