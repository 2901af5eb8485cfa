package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// SpectralNormLayer wraps a layer with a kernel (Dense, Conv2D,
// Conv2DTranspose) so that it uses W/σ(W), where σ(W) is the largest singular
// value of the kernel read as a matrix (−1, last axis): (inputs, units) for
// Dense, (kh·kw·channels, filters) for Conv2D. This is spectral normalization
// (Miyato et al. 2018), which keeps a discriminator 1-Lipschitz per layer.
//
// σ is estimated by power iteration, as PyTorch's spectral_norm does: u (units)
// and v (rows) are non-trainable state weights "<layer>/sn_u" and "<layer>/sn_v";
// every training call takes one step, v = K·u/‖K·u‖ then u = Kᵀ·v/‖Kᵀ·v‖, and
// σ = vᵀ·K·u. Gradients flow through σ with u and v held constant. Inference
// calls use u and v as they are. A discriminator called three times in a GAN
// step (real, fake, and for G's loss) takes three steps.
//
// The wrapper has the wrapped layer's name (dense_1) and weights, plus sn_u and
// sn_v; Summary shows its kind as Keras shows a wrapper: dense_1 (SpectralNormalization).
type SpectralNormLayer struct {
	base
	Layer      Layer         // the wrapped layer
	u          *autograd.Var // (units): the right singular vector estimate
	v          *autograd.Var // (rows): the left singular vector estimate
	rows, cols int           // the kernel as a matrix
	ku         []float64     // (rows) scratch for K·u
	ktv        []float64     // (cols) scratch for Kᵀ·v
}

// SpectralNorm wraps a Dense, Conv2D or Conv2DTranspose layer, as
// keras.layers.SpectralNormalization(layer): nn.SpectralNorm(nn.Dense(256)),
// nn.SpectralNorm(nn.Conv2D(64, 5, nn.Strides(2))). Options: Name (or give the
// wrapped layer its name).
func SpectralNorm(l Layer, opts ...Option) *SpectralNormLayer {
	return &SpectralNormLayer{base: base{opts: newOptions(opts)}, Layer: l}
}

// HasKernel reports whether SpectralNorm can wrap l: whether l is a Dense,
// Conv2D or Conv2DTranspose layer.
func HasKernel(l Layer) bool {
	_, ok := l.(kernelLayer)
	return ok
}

// Kind is "SpectralNormalization", the class name Summary prints.
func (s *SpectralNormLayer) Kind() string { return "SpectralNormalization" }

// autoName makes the wrapper named as the wrapped layer would be (dense, dense_1, ...).
func (s *SpectralNormLayer) autoName() string {
	if s.Layer == nil {
		return "spectral_normalization"
	}
	return snakeCase(s.Layer.Kind())
}

func (s *SpectralNormLayer) givenName() string {
	if s.opts.name == "" && s.Layer != nil {
		return givenName(s.Layer)
	}
	return s.opts.name
}

// Build builds the wrapped layer under the wrapper's name, then creates u and v
// and takes one power-iteration step from a random u.
func (s *SpectralNormLayer) Build(in tensor.Shape, rng *rand.Rand) (tensor.Shape, error) {
	if err := s.opts.check("SpectralNormalization"); err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	kl, ok := s.Layer.(kernelLayer)
	if !ok {
		return nil, fmt.Errorf("%s (SpectralNormalization): wraps a layer with a kernel (Dense, Conv2D, Conv2DTranspose), got %s", s.name, kindOf(s.Layer))
	}
	s.Layer.SetName(s.name)
	out, err := s.Layer.Build(in, rng)
	if err != nil {
		return nil, err
	}
	k := kl.kernelVar()
	s.cols = k.Shape[len(k.Shape)-1]
	s.rows = len(k.Data) / s.cols
	s.u = autograd.NewState(s.name+"/sn_u", s.cols)
	s.v = autograd.NewState(s.name+"/sn_v", s.rows)
	s.ku, s.ktv = make([]float64, s.rows), make([]float64, s.cols)
	for i := range s.ktv {
		s.ktv[i] = rng.NormFloat64()
	}
	normalizeTo(s.u.Data, s.ktv)
	s.powerIteration(k.Data)
	kl.hook().transform = s.normalized
	return out, nil
}

// Call is the wrapped layer's Call, which uses the kernel that normalized returns.
func (s *SpectralNormLayer) Call(g *autograd.Graph, x *autograd.Var, training bool) *autograd.Var {
	return s.Layer.Call(g, x, training)
}

// Weights are the wrapped layer's, then sn_u and sn_v.
func (s *SpectralNormLayer) Weights() []*autograd.Var {
	return append(append([]*autograd.Var(nil), s.Layer.Weights()...), s.u, s.v)
}

// normalized returns k/σ with σ = vᵀ·K·u, K being k as a (rows, cols) matrix,
// after a power-iteration step when training. u and v enter as constants, so
// dσ/dK = v·uᵀ and nothing flows into them. On a device the step runs there
// (Graph.PowerIteration, the same bits as powerIteration).
func (s *SpectralNormLayer) normalized(g *autograd.Graph, k *autograd.Var, training bool) *autograd.Var {
	if g.Device() != nil {
		return s.normalizedOnDevice(g, k, training)
	}
	if training {
		s.powerIteration(k.Data)
	}
	// Copies: later calls update u and v before this call's backward runs.
	u := g.Constant(0, s.cols, 1)
	copy(u.Data, s.u.Data)
	v := g.Constant(0, 1, s.rows)
	copy(v.Data, s.v.Data)
	return s.divideBySigma(g, k, u, v)
}

// normalizedOnDevice is normalized on the graph's device: u and v, which live
// there, are stepped and copied there.
func (s *SpectralNormLayer) normalizedOnDevice(g *autograd.Graph, k *autograd.Var, training bool) *autograd.Var {
	if training {
		g.PowerIteration(k, s.u, s.v)
	}
	u := g.Reshape(g.Collect(s.u), s.cols, 1)
	v := g.Reshape(g.Collect(s.v), 1, s.rows)
	return s.divideBySigma(g, k, u, v)
}

// divideBySigma returns k/σ with σ = v·K·u for the constants u (cols, 1) and v
// (1, rows).
func (s *SpectralNormLayer) divideBySigma(g *autograd.Graph, k, u, v *autograd.Var) *autograd.Var {
	sigma := g.MatMul(g.MatMul(v, g.Reshape(k, s.rows, s.cols), false, false), u, false, false) // (1, 1)
	return g.Div(k, g.Expand(g.Reshape(sigma), k.Shape...))
}

// powerIteration takes one step for K (rows, cols) in float64:
// v = K·u/‖K·u‖, then u = Kᵀ·v/‖Kᵀ·v‖.
func (s *SpectralNormLayer) powerIteration(k []float32) {
	u, v := s.u.Data, s.v.Data
	for i := range s.ku {
		var sum float64
		for j, w := range k[i*s.cols : (i+1)*s.cols] {
			sum += float64(w) * float64(u[j])
		}
		s.ku[i] = sum
	}
	normalizeTo(v, s.ku)
	clear(s.ktv)
	for i, vi := range v {
		for j, w := range k[i*s.cols : (i+1)*s.cols] {
			s.ktv[j] += float64(w) * float64(vi)
		}
	}
	normalizeTo(u, s.ktv)
}

// normalizeTo writes x/max(‖x‖, 1e-12) into dst.
func normalizeTo(dst []float32, x []float64) {
	var ss float64
	for _, a := range x {
		ss += a * a
	}
	n := max(math.Sqrt(ss), 1e-12)
	for i, a := range x {
		dst[i] = float32(a / n)
	}
}

// kernelHook lets a wrapper change the kernel that a layer uses in Call:
// Dense, Conv2D and Conv2DTranspose embed it and ask it for their kernel.
type kernelHook struct {
	transform func(g *autograd.Graph, kernel *autograd.Var, training bool) *autograd.Var
}

// kernelFor is the kernel to use in Call: k, or k as the wrapper transforms it.
func (h *kernelHook) kernelFor(g *autograd.Graph, k *autograd.Var, training bool) *autograd.Var {
	if h.transform == nil {
		return k
	}
	return h.transform(g, k, training)
}

func (h *kernelHook) hook() *kernelHook { return h }

// kernelLayer is a layer whose kernel a wrapper can transform.
type kernelLayer interface {
	Layer
	kernelVar() *autograd.Var
	hook() *kernelHook
}

func (d *DenseLayer) kernelVar() *autograd.Var           { return d.kernel }
func (c *Conv2DLayer) kernelVar() *autograd.Var          { return c.kernel }
func (c *Conv2DTransposeLayer) kernelVar() *autograd.Var { return c.kernel }
