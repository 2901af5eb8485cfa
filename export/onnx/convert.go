package onnx

import (
	"fmt"
	"io"
	"slices"

	"google.golang.org/protobuf/proto"

	"github.com/gogan/gogan/export/onnx/internal/onnxpb"
	"github.com/gogan/gogan/internal/atomicfile"
	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/tensor"
)

// Opset is the version of the default ONNX operator set the models declare.
const Opset = 13

// irVersion is the ONNX IR version that goes with opset 13 (ONNX 1.8).
const irVersion = 7

// Options names a model's graph, inputs and output, and adds metadata.
type Options struct {
	// InputNames name the graph's inputs, in the order the network takes them
	// (default: the names of its input layers).
	InputNames []string
	// OutputName names the graph's output (default "output").
	OutputName string
	// DocString describes the model in the file.
	DocString string
	// Metadata goes into the model's metadata_props, sorted by key.
	Metadata map[string]string
}

// step is one layer application: the layer and the positions of its inputs
// among the values (the network's inputs first, then each step's output).
type step struct {
	layer nn.Applicable
	args  []int
}

// plan is a network as a list of steps, each after the steps it reads.
type plan struct {
	inputs []tensor.Shape
	names  []string // the input layers' names
	steps  []step
}

// Convert returns the ONNX model (serialized ModelProto) computing net in
// inference mode. net must be built.
func Convert(net nn.Network, opts Options) ([]byte, error) {
	m, err := model(net, opts)
	if err != nil {
		return nil, err
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(m)
}

// WriteFile writes Convert's model to path atomically: readers see the old
// file or the whole new one. Nothing is written when Convert fails.
func WriteFile(path string, net nn.Network, opts Options) error {
	b, err := Convert(net, opts)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// model builds the ModelProto of net.
func model(net nn.Network, opts Options) (*onnxpb.ModelProto, error) {
	p, err := planOf(net)
	if err != nil {
		return nil, err
	}
	names := opts.InputNames
	if names == nil {
		names = p.names
	}
	if len(names) != len(p.inputs) {
		return nil, fmt.Errorf("model %s has %d inputs, %d input names were given", net.Name(), len(p.inputs), len(names))
	}
	for i, name := range names {
		if name == "" || slices.Contains(names[:i], name) {
			return nil, fmt.Errorf("model %s: input names %q must be distinct and not empty", net.Name(), names)
		}
	}
	outName := opts.OutputName
	if outName == "" {
		outName = "output"
	}
	b := newBuilder(net.Name())
	vals := make([]value, 0, len(p.inputs)+len(p.steps))
	for i, shape := range p.inputs {
		vals = append(vals, b.input(names[i], shape, p.idsOnly(i)))
	}
	for _, s := range p.steps {
		exp, ok := exporters[s.layer.Kind()]
		if !ok {
			return nil, fmt.Errorf("layer %s (%s) cannot be exported to ONNX: no exporter for %s layers (supported: %s)",
				s.layer.Name(), s.layer.Kind(), s.layer.Kind(), supported())
		}
		in := make([]value, len(s.args))
		for k, j := range s.args {
			in[k] = vals[j]
		}
		out, err := exp(b, s.layer, in)
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", net.Name(), err)
		}
		vals = append(vals, out)
	}
	out := b.toNHWC(vals[len(vals)-1])
	if !out.shape.Equal(net.OutputShape()) {
		return nil, fmt.Errorf("model %s: the exported graph computes %s, the model %s", net.Name(), out.shape.WithBatch(), net.OutputShape().WithBatch())
	}
	if err := b.output(out, outName); err != nil {
		return nil, fmt.Errorf("model %s: %w", net.Name(), err)
	}
	return &onnxpb.ModelProto{
		IrVersion:     proto.Int64(irVersion),
		OpsetImport:   []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(Opset)}},
		ProducerName:  proto.String("gogan"),
		DocString:     optional(opts.DocString),
		Graph:         b.graph,
		MetadataProps: metadata(opts.Metadata),
	}, nil
}

// planOf lists net's layer applications in an order that computes each
// after its inputs.
func planOf(net nn.Network) (*plan, error) {
	switch n := net.(type) {
	case *nn.Sequential:
		return sequentialPlan(n)
	case *nn.Model:
		return modelPlan(n)
	}
	return nil, fmt.Errorf("model %s is a %T: only nn.Sequential and nn.Model can be exported", net.Name(), net)
}

func sequentialPlan(s *nn.Sequential) (p *plan, err error) {
	defer recoverUnbuilt(s.Name(), &err)
	layers := s.Layers()
	if len(layers) == 0 || s.InputShape() == nil {
		return nil, fmt.Errorf("model %s is not built: build it before exporting", s.Name())
	}
	p = &plan{inputs: []tensor.Shape{s.InputShape()}, names: []string{layers[0].Name()}}
	for i, l := range layers {
		p.steps = append(p.steps, step{layer: l, args: []int{i}})
	}
	return p, nil
}

func modelPlan(m *nn.Model) (p *plan, err error) {
	defer recoverUnbuilt(m.Name(), &err)
	p = &plan{inputs: m.InputShapes()}
	pos := map[*nn.Node]int{}
	for i, n := range m.InputNodes() {
		pos[n] = i
		p.names = append(p.names, n.Layer().Name())
	}
	var visit func(n *nn.Node)
	visit = func(n *nn.Node) {
		if _, done := pos[n]; done {
			return
		}
		args := make([]int, len(n.Inputs()))
		for k, in := range n.Inputs() {
			visit(in)
			args[k] = pos[in]
		}
		pos[n] = len(p.inputs) + len(p.steps)
		p.steps = append(p.steps, step{layer: n.Layer(), args: args})
	}
	visit(m.OutputNode())
	return p, nil
}

// recoverUnbuilt turns nn's panic for a model used before Build into an error.
func recoverUnbuilt(name string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("model %s is not built: build it before exporting (%v)", name, r)
	}
}

// idsOnly reports whether input i feeds Embedding layers only: it holds ids.
func (p *plan) idsOnly(i int) bool {
	fed := false
	for _, s := range p.steps {
		if !slices.Contains(s.args, i) {
			continue
		}
		if _, ok := s.layer.(*nn.EmbeddingLayer); !ok {
			return false
		}
		fed = true
	}
	return fed
}

// input declares a graph input of gogan's sample shape: int64 ids, or
// float32. An id per sample, (N, 1) in gogan, is (N) in ONNX, unsqueezed.
func (b *builder) input(name string, shape tensor.Shape, ids bool) value {
	b.taken[name] = true
	if !ids {
		b.graph.Input = append(b.graph.Input, valueInfo(name, onnxpb.TensorProto_FLOAT, shape))
		return value{name: name, shape: shape}
	}
	if !shape.Equal(tensor.Shape{1}) {
		b.graph.Input = append(b.graph.Input, valueInfo(name, onnxpb.TensorProto_INT64, shape))
		return value{name: name, shape: shape, ids: true}
	}
	b.graph.Input = append(b.graph.Input, valueInfo(name, onnxpb.TensorProto_INT64, nil))
	col := b.node("Unsqueeze", name+"_column", []string{name, b.int64Const(name+"_axes", []int64{1})})
	return value{name: col, shape: shape, ids: true}
}

// output makes v the graph output called name: the node computing v and
// the nodes reading it are renamed, or an Identity is added when v is a
// graph input.
func (b *builder) output(v value, name string) error {
	elem := onnxpb.TensorProto_FLOAT
	if v.ids {
		elem = onnxpb.TensorProto_INT64
	}
	b.graph.Output = append(b.graph.Output, valueInfo(name, elem, v.shape))
	if v.name == name {
		return nil
	}
	if b.taken[name] {
		return fmt.Errorf("the output name %q is already an input's or a weight's", name)
	}
	b.taken[name] = true
	var producer *onnxpb.NodeProto
	for _, n := range b.graph.Node {
		if n.Output[0] == v.name {
			producer = n
		}
	}
	if producer == nil {
		b.graph.Node = append(b.graph.Node, &onnxpb.NodeProto{
			OpType: proto.String("Identity"), Name: proto.String(name), Input: []string{v.name}, Output: []string{name},
		})
		return nil
	}
	producer.Output[0] = name
	for _, n := range b.graph.Node {
		for i, in := range n.Input {
			if in == v.name {
				n.Input[i] = name
			}
		}
	}
	return nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return proto.String(s)
}

func metadata(md map[string]string) []*onnxpb.StringStringEntryProto {
	keys := make([]string, 0, len(md))
	for k := range md {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]*onnxpb.StringStringEntryProto, len(keys))
	for i, k := range keys {
		out[i] = &onnxpb.StringStringEntryProto{Key: proto.String(k), Value: proto.String(md[k])}
	}
	return out
}
