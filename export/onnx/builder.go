package onnx

import (
	"fmt"
	"math"

	"google.golang.org/protobuf/proto"

	"github.com/gogan/gogan/export/onnx/internal/onnxpb"
	"github.com/gogan/gogan/tensor"
)

// value is one tensor of the graph being written: its ONNX name, gogan's
// shape of one sample (batch excluded, NHWC for images), whether the ONNX
// tensor holds it transposed to NCHW, and whether it is int64 (ids).
type value struct {
	name  string
	shape tensor.Shape
	nchw  bool
	ids   bool
}

// image reports whether v is a batch of images: (N, H, W, C) in gogan.
func (v value) image() bool { return len(v.shape) == 3 }

// builder accumulates the nodes and initializers of one graph.
type builder struct {
	graph *onnxpb.GraphProto
	taken map[string]bool   // the names of values and initializers handed out
	inits map[string]string // weight name → initializer name, so shared weights are written once
	fold  map[any][]float32 // layer → its kernel as folded by a wrapper (spectral norm)
}

func newBuilder(name string) *builder {
	return &builder{
		graph: &onnxpb.GraphProto{Name: proto.String(name)},
		taken: map[string]bool{}, inits: map[string]string{}, fold: map[any][]float32{},
	}
}

// fresh returns a name not handed out before: stem, or stem_1, stem_2, ...
func (b *builder) fresh(stem string) string {
	name := stem
	for i := 1; b.taken[name]; i++ {
		name = fmt.Sprintf("%s_%d", stem, i)
	}
	b.taken[name] = true
	return name
}

// node appends one node of the default domain and returns its output's name,
// made from stem.
func (b *builder) node(op, stem string, inputs []string, attrs ...*onnxpb.AttributeProto) string {
	out := b.fresh(stem)
	b.graph.Node = append(b.graph.Node, &onnxpb.NodeProto{
		OpType: proto.String(op), Name: proto.String(out), Input: inputs, Output: []string{out}, Attribute: attrs,
	})
	return out
}

// floats writes a float32 initializer of the given dims under weight's name
// (once per weight) and returns its name. A NaN or infinite value is an error
// naming the weight.
func (b *builder) floats(weight string, dims []int, data []float32) (string, error) {
	if name, ok := b.inits[weight]; ok {
		return name, nil
	}
	for i, x := range data {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return "", fmt.Errorf("weight %s holds %v at index %d: the model cannot be exported", weight, x, i)
		}
	}
	name := b.fresh(weight)
	b.graph.Initializer = append(b.graph.Initializer, &onnxpb.TensorProto{
		Name: proto.String(name), DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)),
		Dims: int64s(dims), FloatData: data,
	})
	b.inits[weight] = name
	return name, nil
}

// int64Const writes an int64 initializer (a shape, axes) and returns its name.
func (b *builder) int64Const(stem string, data []int64) string {
	name := b.fresh(stem)
	b.graph.Initializer = append(b.graph.Initializer, &onnxpb.TensorProto{
		Name: proto.String(name), DataType: proto.Int32(int32(onnxpb.TensorProto_INT64)),
		Dims: []int64{int64(len(data))}, Int64Data: data,
	})
	return name
}

// toNCHW returns v as an NCHW tensor: v itself, or a Transpose of it.
func (b *builder) toNCHW(v value) value {
	if v.nchw || !v.image() {
		return v
	}
	name := b.node("Transpose", v.name+"_nchw", []string{v.name}, intsAttr("perm", 0, 3, 1, 2))
	return value{name: name, shape: v.shape, nchw: true, ids: v.ids}
}

// toNHWC returns v in gogan's layout: v itself, or a Transpose of it.
func (b *builder) toNHWC(v value) value {
	if !v.nchw {
		return v
	}
	name := b.node("Transpose", v.name+"_nhwc", []string{v.name}, intsAttr("perm", 0, 2, 3, 1))
	return value{name: name, shape: v.shape, ids: v.ids}
}

// intsAttr is an INTS attribute.
func intsAttr(name string, vs ...int) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INTS.Enum(), Ints: int64s(vs)}
}

// intAttr is an INT attribute.
func intAttr(name string, v int) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INT.Enum(), I: proto.Int64(int64(v))}
}

// floatAttr is a FLOAT attribute.
func floatAttr(name string, v float32) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_FLOAT.Enum(), F: proto.Float32(v)}
}

func int64s(vs []int) []int64 {
	out := make([]int64, len(vs))
	for i, v := range vs {
		out[i] = int64(v)
	}
	return out
}

// valueInfo describes a graph input or output: elem type, batch "N", then dims.
func valueInfo(name string, elem onnxpb.TensorProto_DataType, dims []int) *onnxpb.ValueInfoProto {
	shape := &onnxpb.TensorShapeProto{Dim: []*onnxpb.TensorShapeProto_Dimension{
		{Value: &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: "N"}},
	}}
	for _, d := range dims {
		shape.Dim = append(shape.Dim, &onnxpb.TensorShapeProto_Dimension{
			Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: int64(d)},
		})
	}
	return &onnxpb.ValueInfoProto{
		Name: proto.String(name),
		Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{
			ElemType: proto.Int32(int32(elem)), Shape: shape,
		}}},
	}
}
