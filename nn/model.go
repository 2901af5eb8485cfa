package nn

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// Node is a symbolic tensor of a functional model, as Keras's KerasTensor: a
// model input (NewInput) or a layer applied to nodes (Apply). A node's inputs
// are fixed when it is made, so the graph of nodes has no cycles. Shapes are
// inferred when the model is built.
type Node struct {
	layer  Applicable
	inputs []*Node
}

// NewInput declares one input of a functional model, as keras.Input(shape,
// name=name): NewInput("noise", 100), NewInput("image", 28, 28, 1). An empty
// name gets Keras's automatic one (input_layer, input_layer_1, ...).
func NewInput(name string, dims ...int) *Node {
	l := Input(dims...)
	l.opts.name = name
	return &Node{layer: l}
}

// Apply calls a layer on nodes, as Keras's layer(x) or layer([x, y]): a Layer
// takes one node, a MultiLayer (Concatenate, Add, Multiply) several. Applying
// one layer to several nodes shares its weights among them. Mistakes (a Dense
// given two nodes, mismatched shapes) are reported by the model's Build.
func Apply(l Applicable, inputs ...*Node) *Node {
	return &Node{layer: l, inputs: append([]*Node(nil), inputs...)}
}

// Layer is the layer that makes n (an *InputLayer for a model input).
func (n *Node) Layer() Applicable { return n.layer }

// isInput reports whether n is a model input: an InputLayer applied to nothing.
func (n *Node) isInput() bool {
	_, ok := n.layer.(*InputLayer)
	return ok && len(n.inputs) == 0
}

// Model is a functional model: a graph of layers from one or more inputs to an
// output, as keras.Model(inputs, outputs). A conditional generator:
//
//	z := nn.NewInput("noise", 100)
//	y := nn.NewInput("label", 1)
//	e := nn.Apply(nn.Flatten(), nn.Apply(nn.Embedding(10, 50), y))
//	h := nn.Apply(nn.Concatenate(), z, e)
//	out := nn.Apply(nn.Dense(784, nn.WithActivation("tanh")), nn.Apply(nn.Dense(256), h))
//	g := nn.NewModel("generator", []*nn.Node{z, y}, out)
//	err := g.Build(rng)
//
// A layer belongs to one model: building a second model that shares it would
// create its weights again. As its layers keep state, a model is called from
// one goroutine at a time.
type Model struct {
	name   string
	inputs []*Node
	output *Node

	// Filled by Build.
	nodes  []*Node        // every node, the model's inputs first, each after its inputs
	args   [][]int        // args[i]: the positions in nodes of node i's inputs
	shapes []tensor.Shape // shapes[i]: node i's output shape (batch excluded)
	calls  []int          // calls[i]: which application of its layer node i is (Keras's node index)
	layers []Applicable   // the distinct layers, in the order of their first node
	ids    []idCheck      // embeddings fed straight from an input, checked by CheckInputs
	built  bool
}

// idCheck is an Embedding whose ids are the model's input number input.
type idCheck struct {
	input int
	layer *EmbeddingLayer
}

// NewModel returns the model computing output from inputs (in the order that
// CallInputs takes them).
func NewModel(name string, inputs []*Node, output *Node) *Model {
	return &Model{name: name, inputs: append([]*Node(nil), inputs...), output: output}
}

// Name is the model's name.
func (m *Model) Name() string { return m.name }

// Kind is "Functional", as Keras names a functional model's class.
func (m *Model) Kind() string { return "Functional" }

// Layers lists the model's distinct layers, input layers included, each after
// the layers it takes from (after Build).
func (m *Model) Layers() []Applicable { return m.layers }

// InputShapes are the shapes of one sample of each input (batch dimension excluded).
func (m *Model) InputShapes() []tensor.Shape {
	m.mustBeBuilt()
	out := make([]tensor.Shape, len(m.inputs))
	for i := range m.inputs {
		out[i] = m.shapes[i]
	}
	return out
}

// InputShape is the shape of one input sample of a model with a single input;
// asking a model of several inputs is a programmer error.
func (m *Model) InputShape() tensor.Shape {
	m.mustHaveOneInput("InputShape")
	return m.shapes[0]
}

// OutputShape is the shape of one output sample.
func (m *Model) OutputShape() tensor.Shape {
	m.mustBeBuilt()
	return m.shapes[len(m.shapes)-1]
}

func (m *Model) mustBeBuilt() {
	if !m.built {
		panic("nn: model " + m.name + " used before Build")
	}
}

func (m *Model) mustHaveOneInput(method string) {
	m.mustBeBuilt()
	if len(m.inputs) != 1 {
		panic(fmt.Sprintf("nn: %s of model %s, which has %d inputs (use InputShapes and CallInputs)", method, m.name, len(m.inputs)))
	}
}

// Build orders the layers, names them Keras-style in that order, infers every
// shape from the inputs' and creates the weights, drawing initial values from
// rng. It rejects a graph that does not connect the inputs to the output: an
// input that the output does not use, a node from an input that is not the
// model's, a layer given the wrong number of inputs, mismatched shapes.
func (m *Model) Build(rng *rand.Rand) error {
	if m.built {
		return nil
	}
	if err := m.build(rng); err != nil {
		return fmt.Errorf("model %s: %w", m.name, err)
	}
	m.built = true
	return nil
}

func (m *Model) build(rng *rand.Rand) error {
	if err := m.collect(); err != nil {
		return err
	}
	namer := newLayerNamer(m.layers)
	for _, l := range m.layers {
		namer.assign(l)
	}
	if err := m.check(); err != nil {
		return err
	}
	m.shapes = make([]tensor.Shape, len(m.nodes))
	m.ids = nil
	firstIn := map[Applicable][]tensor.Shape{} // a shared layer's input shapes, from its first node
	for i, n := range m.nodes {
		in := make([]tensor.Shape, len(m.args[i]))
		for k, j := range m.args[i] {
			in[k] = m.shapes[j]
		}
		if prev, ok := firstIn[n.layer]; ok {
			if shapeList(prev) != shapeList(in) {
				return fmt.Errorf("%s (%s) is shared but applied to %s and to %s", n.layer.Name(), n.layer.Kind(), shapeList(prev), shapeList(in))
			}
			m.shapes[i] = m.shapes[m.firstNode(n.layer)]
			continue
		}
		firstIn[n.layer] = in
		var err error
		switch l := n.layer.(type) {
		case *InputLayer:
			m.shapes[i], err = l.Build(nil, rng)
		case MultiLayer:
			m.shapes[i], err = l.BuildMulti(in, rng)
		case Layer:
			m.shapes[i], err = l.Build(in[0], rng)
		}
		if err != nil {
			return err
		}
	}
	for i, n := range m.nodes {
		if e, ok := n.layer.(*EmbeddingLayer); ok && m.args[i][0] < len(m.inputs) {
			m.ids = append(m.ids, idCheck{m.args[i][0], e})
		}
	}
	return nil
}

// collect orders the nodes: the model's inputs, then every node the output
// depends on, each after its inputs (depth-first, inputs in order). It fills
// nodes, args, calls and layers.
func (m *Model) collect() error {
	if len(m.inputs) == 0 {
		return errors.New("has no inputs")
	}
	if m.output == nil {
		return errors.New("has a nil output")
	}
	pos := map[*Node]int{}
	m.nodes, m.args = nil, nil
	for i, n := range m.inputs {
		if n == nil {
			return fmt.Errorf("input %d is nil", i)
		}
		if !n.isInput() {
			return fmt.Errorf("input %d is made by a %s layer, not by NewInput", i, kindOf(n.layer))
		}
		if _, dup := pos[n]; dup {
			return fmt.Errorf("input %d is listed twice", i)
		}
		pos[n] = len(m.nodes)
		m.nodes = append(m.nodes, n)
		m.args = append(m.args, nil)
	}
	var visit func(n *Node) error
	visit = func(n *Node) error {
		if _, done := pos[n]; done {
			return nil
		}
		switch n.layer.(type) {
		case nil:
			return errors.New("Apply was given a nil layer")
		case MultiLayer, Layer:
		default:
			return fmt.Errorf("%s (%s) is not a layer: it has no Build(shape, rng) or BuildMulti", n.layer.Name(), n.layer.Kind())
		}
		args := make([]int, len(n.inputs))
		for k, in := range n.inputs {
			if in == nil {
				return fmt.Errorf("Apply(%s, ...) was given a nil node", kindOf(n.layer))
			}
			if err := visit(in); err != nil {
				return err
			}
			args[k] = pos[in]
		}
		pos[n] = len(m.nodes)
		m.nodes = append(m.nodes, n)
		m.args = append(m.args, args)
		return nil
	}
	if err := visit(m.output); err != nil {
		return err
	}
	if pos[m.output] < len(m.inputs) {
		return errors.New("output is one of its inputs: the model computes nothing")
	}
	m.layers, m.calls = nil, make([]int, len(m.nodes))
	count := map[Applicable]int{}
	for i, n := range m.nodes {
		m.calls[i] = count[n.layer]
		if count[n.layer] == 0 {
			m.layers = append(m.layers, n.layer)
		}
		count[n.layer]++
	}
	return nil
}

// check rejects what collect cannot: inputs that do not reach the output,
// nodes from foreign inputs, layers given the wrong number of inputs, repeated
// names. The layers are named by now.
func (m *Model) check() error {
	used := make([]bool, len(m.inputs))
	for i, n := range m.nodes {
		for _, j := range m.args[i] {
			if j < len(m.inputs) {
				used[j] = true
			}
		}
		if i < len(m.inputs) {
			continue
		}
		l := n.layer
		for _, j := range m.args[i] {
			if in := m.nodes[j]; j >= len(m.inputs) && in.isInput() {
				return fmt.Errorf("%s (%s) takes %s (InputLayer) %s, which is not one of the model's inputs %s",
					l.Name(), l.Kind(), in.layer.Name(), in.layer.(*InputLayer).Shape.WithBatch(), m.inputNames())
			}
		}
		switch l.(type) {
		case *InputLayer:
			if len(n.inputs) == 0 && i < len(m.nodes)-1 {
				continue // a foreign input: its consumer reports it
			}
			if len(n.inputs) == 0 {
				return fmt.Errorf("the output %s (InputLayer) is not one of the model's inputs %s", l.Name(), m.inputNames())
			}
			return fmt.Errorf("%s (InputLayer) is applied to nodes; declare inputs with NewInput", l.Name())
		case MultiLayer:
		case Layer:
			if len(n.inputs) != 1 {
				return fmt.Errorf("%s (%s) takes one input, got %d", l.Name(), l.Kind(), len(n.inputs))
			}
		}
	}
	for i, u := range used {
		if !u {
			return fmt.Errorf("input %s %s is not connected to the output", m.inputs[i].layer.Name(), m.inputs[i].layer.(*InputLayer).Shape.WithBatch())
		}
	}
	names := map[string]bool{}
	for _, l := range m.layers {
		if names[l.Name()] {
			return fmt.Errorf("two layers are named %q", l.Name())
		}
		names[l.Name()] = true
	}
	return nil
}

// firstNode is the position of l's first node.
func (m *Model) firstNode(l Applicable) int {
	for i, n := range m.nodes {
		if n.layer == l {
			return i
		}
	}
	return -1
}

func (m *Model) inputNames() string {
	names := make([]string, len(m.inputs))
	for i, n := range m.inputs {
		names[i] = n.layer.Name()
	}
	return "(" + strings.Join(names, ", ") + ")"
}

func kindOf(l Applicable) string {
	if l == nil {
		return "nil"
	}
	return l.Kind()
}

// CheckInputs reports what CallInputs would reject in xs: a count or a sample
// shape that is not the model's, batch sizes that differ, and ids out of range
// for an Embedding fed straight from an input (class labels). Trainers check
// data with it; CallInputs panics on the same mistakes.
func (m *Model) CheckInputs(xs []*autograd.Var) error {
	if !m.built {
		return fmt.Errorf("model %s used before Build", m.name)
	}
	if len(xs) != len(m.inputs) {
		return fmt.Errorf("model %s takes %d inputs %s, got %d", m.name, len(m.inputs), m.inputNames(), len(xs))
	}
	for i, x := range xs {
		name := m.inputs[i].layer.Name()
		if x == nil {
			return fmt.Errorf("model %s: input %s is nil", m.name, name)
		}
		if len(x.Shape) == 0 || !x.Shape[1:].Equal(m.shapes[i]) {
			return fmt.Errorf("model %s: input %s takes %s, got %s", m.name, name, m.shapes[i].WithBatch(), x.Shape)
		}
		if x.Shape[0] != xs[0].Shape[0] {
			return fmt.Errorf("model %s: inputs %s and %s have batch sizes %d and %d",
				m.name, m.inputs[0].layer.Name(), name, xs[0].Shape[0], x.Shape[0])
		}
	}
	for _, c := range m.ids {
		if err := c.layer.CheckIDs(xs[c.input].Data); err != nil {
			return fmt.Errorf("model %s: input %s: %w", m.name, m.inputs[c.input].layer.Name(), err)
		}
	}
	return nil
}

// CallInputs runs xs, one (N, input...) tensor per input in NewModel's order,
// through the layers and returns the output (N, output...). Inputs that
// CheckInputs rejects are a programmer error and panic.
func (m *Model) CallInputs(g *autograd.Graph, xs []*autograd.Var, training bool) *autograd.Var {
	if err := m.CheckInputs(xs); err != nil {
		panic("nn: " + err.Error())
	}
	// vals and argv are the call's own, not the model's: goroutines may run
	// one model at once, each on its own graph.
	vals := make([]*autograd.Var, len(m.nodes))
	copy(vals, xs)
	var argv []*autograd.Var
	for i := len(xs); i < len(m.nodes); i++ {
		argv = argv[:0]
		for _, j := range m.args[i] {
			argv = append(argv, vals[j])
		}
		switch l := m.nodes[i].layer.(type) {
		case MultiLayer:
			vals[i] = l.CallMulti(g, argv, training)
		case Layer:
			vals[i] = l.Call(g, argv[0], training)
		}
	}
	return vals[len(vals)-1]
}

// Call runs x (N, input...) through a model of one input and returns (N, output...).
func (m *Model) Call(g *autograd.Graph, x *autograd.Var, training bool) *autograd.Var {
	m.mustHaveOneInput("Call")
	return m.CallInputs(g, []*autograd.Var{x}, training)
}

// Weights lists every weight of every layer once, in layer order.
func (m *Model) Weights() []*autograd.Var {
	var ws []*autograd.Var
	for _, l := range m.layers {
		ws = append(ws, l.Weights()...)
	}
	return ws
}

// TrainableWeights lists the weights that an optimizer updates.
func (m *Model) TrainableWeights() []*autograd.Var { return trainable(m.Weights()) }

// SetTrainable freezes (false) or unfreezes (true) every trainable weight, as
// Keras's `model.trainable = False`.
func (m *Model) SetTrainable(trainable bool) {
	for _, w := range m.Weights() {
		w.Frozen = !trainable
	}
}

// trainable lists the weights of ws that an optimizer updates.
func trainable(ws []*autograd.Var) []*autograd.Var {
	var out []*autograd.Var
	for _, w := range ws {
		if w.Trainable {
			out = append(out, w)
		}
	}
	return out
}
