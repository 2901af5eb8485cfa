package nn

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// Sequential chains layers, each feeding the next, as keras.Sequential.
type Sequential struct {
	name   string
	layers []Layer
	input  tensor.Shape
	shapes []tensor.Shape // output shape of each layer, after Build
	built  bool
}

// NewSequential returns a model of the given layers. The first is usually
// Input(...), which fixes the input shape.
func NewSequential(name string, layers ...Layer) *Sequential {
	return &Sequential{name: name, layers: layers}
}

// Name is the model's name.
func (s *Sequential) Name() string { return s.name }

// Kind is "Sequential".
func (s *Sequential) Kind() string { return "Sequential" }

// SetName renames the model.
func (s *Sequential) SetName(name string) { s.name = name }

// Layers lists the model's layers in order.
func (s *Sequential) Layers() []Layer { return s.layers }

// InputShape is the shape of one input sample (batch dimension excluded).
func (s *Sequential) InputShape() tensor.Shape { return s.input }

// InputShapes is the input shape as a list of one, as a Network.
func (s *Sequential) InputShapes() []tensor.Shape { return []tensor.Shape{s.input} }

// OutputShape is the shape of one output sample; asking before Build is a
// programmer error, as for Model.
func (s *Sequential) OutputShape() tensor.Shape {
	if !s.built {
		panic("nn: model " + s.name + " used before Build")
	}
	return s.shapes[len(s.shapes)-1]
}

// Build names the layers, infers every shape from the Input layer's and creates
// the weights, drawing initial values from rng.
func (s *Sequential) Build(rng *rand.Rand) error {
	if len(s.layers) == 0 {
		return fmt.Errorf("model %s has no layers", s.name)
	}
	in, ok := s.layers[0].(*InputLayer)
	if !ok {
		return fmt.Errorf("model %s: the first layer must be nn.Input(...) to fix the input shape, got %s", s.name, s.layers[0].Kind())
	}
	_, err := s.BuildShape(in.Shape, rng)
	return err
}

// BuildShape builds the model for inputs of shape in and returns its output
// shape; it makes Sequential usable as a layer inside another model.
func (s *Sequential) BuildShape(in tensor.Shape, rng *rand.Rand) (tensor.Shape, error) {
	if s.built {
		if !in.Equal(s.input) {
			return nil, fmt.Errorf("model %s was built for input %s, got %s", s.name, s.input.WithBatch(), in.WithBatch())
		}
		return s.OutputShape(), nil
	}
	if err := s.nameLayers(); err != nil {
		return nil, err
	}
	s.input = in.Clone()
	s.shapes = s.shapes[:0]
	shape := in
	for _, l := range s.layers {
		out, err := l.Build(shape, rng)
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", s.name, err)
		}
		s.shapes = append(s.shapes, out)
		shape = out
	}
	s.built = true
	return shape, nil
}

// nameLayers gives unnamed layers Keras's names: the kind in snake case, with
// _1, _2, ... for repeats (dense, dense_1, ...). Explicit names must be unique.
func (s *Sequential) nameLayers() error {
	ls := make([]Applicable, len(s.layers))
	for i, l := range s.layers {
		if l == nil {
			return fmt.Errorf("model %s: layer %d is nil", s.name, i)
		}
		ls[i] = l
	}
	n := newLayerNamer(ls)
	names := map[string]bool{}
	for _, l := range ls {
		n.assign(l)
		if names[l.Name()] {
			return fmt.Errorf("model %s: two layers are named %q", s.name, l.Name())
		}
		names[l.Name()] = true
	}
	return nil
}

// layerNamer hands out Keras's automatic names, skipping the explicit ones.
type layerNamer struct {
	taken map[string]bool
	count map[string]int
}

func newLayerNamer(ls []Applicable) *layerNamer {
	n := &layerNamer{taken: map[string]bool{}, count: map[string]int{}}
	for _, l := range ls {
		if name := givenName(l); name != "" {
			n.taken[name] = true
		}
	}
	return n
}

// assign names l: its explicit name, or the next free one of its kind.
func (n *layerNamer) assign(l Applicable) {
	if name := givenName(l); name != "" {
		l.SetName(name)
		return
	}
	base := snakeCase(l.Kind())
	switch k := l.(type) {
	case *InputLayer:
		base = "input_layer"
	case interface{ autoName() string }:
		base = k.autoName()
	}
	for {
		i := n.count[base]
		n.count[base] = i + 1
		name := base
		if i > 0 {
			name = fmt.Sprintf("%s_%d", base, i)
		}
		if !n.taken[name] {
			n.taken[name] = true
			l.SetName(name)
			return
		}
	}
}

// givenName is the name a layer brings to its model: a built-in layer's Name
// option, or the name another layer (one embedding Base) already has; "" for none.
func givenName(l Applicable) string {
	if b, ok := l.(interface{ givenName() string }); ok {
		return b.givenName()
	}
	return l.Name()
}

func (b *base) givenName() string { return b.opts.name }

// snakeCase is Keras's to_snake_case: an underscore before a capital that
// follows a lower-case letter or starts a capitalized word, then lower case
// (LeakyReLU → leaky_re_lu, Conv2DTranspose → conv2d_transpose).
func snakeCase(kind string) string {
	lower := func(c byte) bool { return c >= 'a' && c <= 'z' }
	var sb strings.Builder
	for i := 0; i < len(kind); i++ {
		c := kind[i]
		if c >= 'A' && c <= 'Z' {
			if i > 0 && (lower(kind[i-1]) || i+1 < len(kind) && lower(kind[i+1])) {
				sb.WriteByte('_')
			}
			c += 'a' - 'A'
		}
		sb.WriteByte(c)
	}
	return sb.String()
}

// Call runs x (N, input...) through every layer and returns (N, output...).
// x's sample shape must be the model's input shape: a programmer error otherwise.
func (s *Sequential) Call(g *autograd.Graph, x *autograd.Var, training bool) *autograd.Var {
	if !s.built {
		panic("nn: model " + s.name + " used before Build")
	}
	if !x.Shape[1:].Equal(s.input) {
		panic(fmt.Sprintf("nn: model %s takes %s, got %s", s.name, s.input.WithBatch(), x.Shape))
	}
	for i := 0; i < len(s.layers); i++ {
		// Dense followed by an activation layer: one fused op for the bias and the
		// activation (the Dense output is seen by nothing else).
		if d, ok := s.layers[i].(*DenseLayer); ok && i+1 < len(s.layers) && d.fusesActivation() {
			if act, ok := fusedActivation(s.layers[i+1]); ok {
				x = d.call(g, x, training, act)
				i++
				continue
			}
		}
		x = s.layers[i].Call(g, x, training)
	}
	return x
}

// CallInputs is Call of xs[0], as a Network: a Sequential has one input.
func (s *Sequential) CallInputs(g *autograd.Graph, xs []*autograd.Var, training bool) *autograd.Var {
	if len(xs) != 1 {
		panic(fmt.Sprintf("nn: model %s takes 1 input, got %d", s.name, len(xs)))
	}
	return s.Call(g, xs[0], training)
}

// Weights lists every weight of every layer, in layer order.
func (s *Sequential) Weights() []*autograd.Var {
	var ws []*autograd.Var
	for _, l := range s.layers {
		ws = append(ws, l.Weights()...)
	}
	return ws
}

// TrainableWeights lists the weights that an optimizer updates.
func (s *Sequential) TrainableWeights() []*autograd.Var { return trainable(s.Weights()) }

// SetTrainable freezes (false) or unfreezes (true) every trainable weight, as
// Keras's `model.trainable = False`: frozen weights get no gradient.
func (s *Sequential) SetTrainable(trainable bool) {
	for _, w := range s.Weights() {
		w.Frozen = !trainable
	}
}
