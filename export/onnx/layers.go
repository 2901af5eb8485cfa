package onnx

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/export/onnx/internal/onnxpb"
	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/tensor"
)

// exporter writes the ONNX nodes of one layer application: in are its
// inputs, the result is its output. It reads the layer's weights as they are.
type exporter func(b *builder, l nn.Applicable, in []value) (value, error)

// exporters maps a layer's Kind to its exporter: a new layer is one entry.
// (Filled by init: spectral normalization looks the wrapped layer up here.)
var exporters map[string]exporter

func init() {
	exporters = map[string]exporter{
		"InputLayer":            single(identity[*nn.InputLayer]),
		"Dropout":               single(identity[*nn.DropoutLayer]),
		"Dense":                 single(dense),
		"Conv2D":                single(conv2D),
		"Conv2DTranspose":       single(conv2DTranspose),
		"BatchNormalization":    single(batchNorm),
		"LeakyReLU":             single(leakyReLU),
		"Activation":            single(activationLayer),
		"ReLU":                  single(activationLayer),
		"Tanh":                  single(activationLayer),
		"Sigmoid":               single(activationLayer),
		"Reshape":               single(reshape),
		"UpSampling2D":          single(upSampling2D),
		"Flatten":               single(flatten),
		"Embedding":             single(embedding),
		"SpectralNormalization": single(spectralNorm),
		"Concatenate":           multi(concatenate),
		"Add":                   multi(elementwise[*nn.AddLayer]("Add")),
		"Multiply":              multi(elementwise[*nn.MultiplyLayer]("Mul")),
	}
}

// supported lists the exportable kinds, sorted, comma-separated.
func supported() string {
	kinds := make([]string, 0, len(exporters))
	for k := range exporters {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	return strings.Join(kinds, ", ")
}

// single adapts an exporter of one-input layers of type T.
func single[T nn.Applicable](f func(b *builder, l T, x value) (value, error)) exporter {
	return func(b *builder, l nn.Applicable, in []value) (value, error) {
		t, err := layerAs[T](l)
		if err != nil {
			return value{}, err
		}
		if len(in) != 1 {
			return value{}, fmt.Errorf("%s (%s): takes one input, got %d", l.Name(), l.Kind(), len(in))
		}
		return f(b, t, in[0])
	}
}

// multi adapts an exporter of several-input layers of type T.
func multi[T nn.Applicable](f func(b *builder, l T, xs []value) (value, error)) exporter {
	return func(b *builder, l nn.Applicable, in []value) (value, error) {
		t, err := layerAs[T](l)
		if err != nil {
			return value{}, err
		}
		return f(b, t, in)
	}
}

// layerAs is l as gogan's built-in layer type T; a layer of another type that
// reports the same Kind is an error.
func layerAs[T nn.Applicable](l nn.Applicable) (T, error) {
	t, ok := l.(T)
	if !ok {
		return t, fmt.Errorf("%s (%s): is a %T, not gogan's %s layer, and cannot be exported", l.Name(), l.Kind(), l, l.Kind())
	}
	return t, nil
}

func identity[T nn.Applicable](_ *builder, _ T, x value) (value, error) { return x, nil }

// kernel is l's kernel w as the file holds it: folded by a wrapper, or as is.
func (b *builder) kernel(l nn.Layer, w *autograd.Var) []float32 {
	if k, ok := b.fold[l]; ok {
		return k
	}
	return w.Data
}

// kernelBias returns a Dense or convolution layer's kernel and bias (nil without one).
func kernelBias(l nn.Layer) (kernel, bias *autograd.Var) {
	ws := l.Weights()
	if len(ws) > 1 {
		return ws[0], ws[1]
	}
	return ws[0], nil
}

// dense writes y = act(x·kernel + bias) on the last axis: Gemm for (N, in),
// MatMul then Add for more axes.
func dense(b *builder, l *nn.DenseLayer, x value) (value, error) {
	x = b.toNHWC(x)
	k, bias := kernelBias(l)
	kname, err := b.floats(k.Name, k.Shape, b.kernel(l, k))
	if err != nil {
		return value{}, err
	}
	inputs := []string{x.name, kname}
	var bname string
	if bias != nil {
		if bname, err = b.floats(bias.Name, bias.Shape, bias.Data); err != nil {
			return value{}, err
		}
	}
	out := x.shape.Clone()
	out[len(out)-1] = l.Units
	var y string
	if len(x.shape) == 1 {
		if bias != nil {
			inputs = append(inputs, bname)
		}
		y = b.node("Gemm", l.Name(), inputs)
	} else {
		y = b.node("MatMul", l.Name(), inputs)
		if bias != nil {
			y = b.node("Add", l.Name()+"_bias", []string{y, bname})
		}
	}
	return b.activate(l, l.Activation(), value{name: y, shape: out})
}

// activations maps an activation's name to its ONNX node.
var activations = map[string]func(b *builder, stem, x string) string{
	"linear":     func(_ *builder, _, x string) string { return x },
	"relu":       func(b *builder, stem, x string) string { return b.node("Relu", stem, []string{x}) },
	"tanh":       func(b *builder, stem, x string) string { return b.node("Tanh", stem, []string{x}) },
	"sigmoid":    func(b *builder, stem, x string) string { return b.node("Sigmoid", stem, []string{x}) },
	"leaky_relu": func(b *builder, stem, x string) string { return leaky(b, stem, x, 0.2) },
}

func leaky(b *builder, stem, x string, alpha float32) string {
	return b.node("LeakyRelu", stem, []string{x}, floatAttr("alpha", alpha))
}

// activate applies the named activation to x, in x's layout.
func (b *builder) activate(l nn.Applicable, name string, x value) (value, error) {
	f, ok := activations[name]
	if !ok {
		return value{}, fmt.Errorf("%s (%s): activation %q cannot be exported", l.Name(), l.Kind(), name)
	}
	x.name = f(b, l.Name()+"_"+name, x.name)
	return x, nil
}

func activationLayer(b *builder, l *nn.ActivationLayer, x value) (value, error) {
	return b.activate(l, l.Function(), x)
}

func leakyReLU(b *builder, l *nn.LeakyReLULayer, x value) (value, error) {
	x.name = leaky(b, l.Name(), x.name, l.Alpha)
	return x, nil
}

// convWeights writes a convolution's kernel, transposed by perm from gogan's
// layout, and its bias, and returns their names ("" for no bias).
func (b *builder) convWeights(l nn.Layer, perm [4]int) (kname, bname string, err error) {
	k, bias := kernelBias(l)
	data := b.kernel(l, k)
	dims := [4]int{k.Shape[perm[0]], k.Shape[perm[1]], k.Shape[perm[2]], k.Shape[perm[3]]}
	t := make([]float32, len(data))
	var src [4]int // index into gogan's kernel
	i := 0
	for d0 := range dims[0] {
		for d1 := range dims[1] {
			for d2 := range dims[2] {
				for d3 := range dims[3] {
					src[perm[0]], src[perm[1]], src[perm[2]], src[perm[3]] = d0, d1, d2, d3
					t[i] = data[((src[0]*k.Shape[1]+src[1])*k.Shape[2]+src[2])*k.Shape[3]+src[3]]
					i++
				}
			}
		}
	}
	if kname, err = b.floats(k.Name, dims[:], t); err != nil || bias == nil {
		return kname, "", err
	}
	bname, err = b.floats(bias.Name, bias.Shape, bias.Data)
	return kname, bname, err
}

// conv2D writes Conv on NCHW: gogan's kernel (kh, kw, in, out) becomes
// (out, in, kh, kw); TensorFlow's Same padding becomes explicit pads.
func conv2D(b *builder, l *nn.Conv2DLayer, x value) (value, error) {
	if !x.image() {
		return value{}, fmt.Errorf("%s (Conv2D): input %s is not an image", l.Name(), x.shape.WithBatch())
	}
	x = b.toNCHW(x)
	kname, bname, err := b.convWeights(l, [4]int{3, 2, 0, 1})
	if err != nil {
		return value{}, err
	}
	k, s := l.KernelSize, l.Strides
	pt, pb := autograd.ConvPadding(x.shape[0], k[0], s[0], l.Padding)
	pl, pr := autograd.ConvPadding(x.shape[1], k[1], s[1], l.Padding)
	out := tensor.Shape{
		autograd.ConvOutputSize(x.shape[0], k[0], s[0], l.Padding),
		autograd.ConvOutputSize(x.shape[1], k[1], s[1], l.Padding), l.Filters,
	}
	y := b.node("Conv", l.Name(), withBias(x.name, kname, bname),
		intsAttr("kernel_shape", k[0], k[1]), intsAttr("strides", s[0], s[1]), intsAttr("pads", pt, pl, pb, pr))
	return b.activate(l, l.Activation(), value{name: y, shape: out, nchw: true})
}

// conv2DTranspose writes ConvTranspose on NCHW: gogan's kernel (kh, kw, out,
// in) becomes (in, out, kh, kw). The pads are those of the Conv2D it is the
// gradient of; output_padding makes up the rest of Keras's output size.
func conv2DTranspose(b *builder, l *nn.Conv2DTransposeLayer, x value) (value, error) {
	if !x.image() {
		return value{}, fmt.Errorf("%s (Conv2DTranspose): input %s is not an image", l.Name(), x.shape.WithBatch())
	}
	x = b.toNCHW(x)
	kname, bname, err := b.convWeights(l, [4]int{3, 2, 0, 1})
	if err != nil {
		return value{}, err
	}
	k, s := l.KernelSize, l.Strides
	out := tensor.Shape{0, 0, l.Filters}
	var pads, extra [2][2]int // (before, after) and output_padding per axis
	for a := range 2 {
		out[a] = autograd.ConvTransposeOutputSize(x.shape[a], k[a], s[a], l.Padding)
		pads[a][0], pads[a][1] = autograd.ConvPadding(out[a], k[a], s[a], l.Padding)
		// ONNX: out = s·(in − 1) + output_padding + k − pad_before − pad_after.
		extra[a][0] = out[a] - (s[a]*(x.shape[a]-1) + k[a] - pads[a][0] - pads[a][1])
		if extra[a][0] < 0 || extra[a][0] >= s[a] {
			return value{}, fmt.Errorf("%s (Conv2DTranspose): output size %d on axis %d needs output_padding %d, outside [0, stride %d)",
				l.Name(), out[a], a+1, extra[a][0], s[a])
		}
	}
	y := b.node("ConvTranspose", l.Name(), withBias(x.name, kname, bname),
		intsAttr("kernel_shape", k[0], k[1]), intsAttr("strides", s[0], s[1]),
		intsAttr("pads", pads[0][0], pads[1][0], pads[0][1], pads[1][1]),
		intsAttr("output_padding", extra[0][0], extra[1][0]))
	return b.activate(l, l.Activation(), value{name: y, shape: out, nchw: true})
}

// withBias lists a node's inputs x, w and the bias b when there is one.
func withBias(x, w, b string) []string {
	if b == "" {
		return []string{x, w}
	}
	return []string{x, w, b}
}

// batchNorm writes BatchNormalization with the moving statistics, on (N, C)
// or NCHW images; on other ranks, y = x·s + (beta − mean·s) with
// s = gamma/√(variance + ε) as Mul and Add over the last axis.
func batchNorm(b *builder, l *nn.BatchNormalizationLayer, x value) (value, error) {
	ws := l.Weights() // gamma, beta, moving_mean, moving_variance
	if len(x.shape) == 1 || x.image() {
		x = b.toNCHW(x)
		names := []string{x.name}
		for _, w := range ws {
			name, err := b.floats(w.Name, w.Shape, w.Data)
			if err != nil {
				return value{}, err
			}
			names = append(names, name)
		}
		x.name = b.node("BatchNormalization", l.Name(), names, floatAttr("epsilon", l.Epsilon))
		return x, nil
	}
	x = b.toNHWC(x)
	gamma, beta, mean, variance := ws[0].Data, ws[1].Data, ws[2].Data, ws[3].Data
	scale, shift := make([]float32, len(gamma)), make([]float32, len(gamma))
	for j := range gamma {
		scale[j] = gamma[j] / float32(math.Sqrt(float64(variance[j])+float64(l.Epsilon)))
		shift[j] = beta[j] - mean[j]*scale[j]
	}
	sname, err := b.floats(l.Name()+"/scale", []int{len(scale)}, scale)
	if err != nil {
		return value{}, err
	}
	hname, err := b.floats(l.Name()+"/shift", []int{len(shift)}, shift)
	if err != nil {
		return value{}, err
	}
	y := b.node("Mul", l.Name()+"_scale", []string{x.name, sname})
	x.name = b.node("Add", l.Name(), []string{y, hname})
	return x, nil
}

// reshape writes Reshape to (0, target...): 0 keeps the batch size.
func reshape(b *builder, l *nn.ReshapeLayer, x value) (value, error) {
	return b.reshapeTo(l.Name(), b.toNHWC(x), l.Target), nil
}

func flatten(b *builder, l *nn.FlattenLayer, x value) (value, error) {
	return b.reshapeTo(l.Name(), b.toNHWC(x), tensor.Shape{x.shape.Size()}), nil
}

func (b *builder) reshapeTo(stem string, x value, target tensor.Shape) value {
	shape := b.int64Const(stem+"_shape", append([]int64{0}, int64s(target)...))
	return value{name: b.node("Reshape", stem, []string{x.name, shape}), shape: target.Clone(), ids: x.ids}
}

// embedding writes Gather(embeddings, ids) along axis 0: (N, ...) ids give
// (N, ..., dim). Float ids are cast to int64 first.
func embedding(b *builder, l *nn.EmbeddingLayer, x value) (value, error) {
	x = b.toNHWC(x)
	if !x.ids {
		x.name = b.node("Cast", l.Name()+"_ids", []string{x.name}, intAttr("to", int(onnxpb.TensorProto_INT64)))
	}
	e := l.Weights()[0]
	ename, err := b.floats(e.Name, e.Shape, e.Data)
	if err != nil {
		return value{}, err
	}
	y := b.node("Gather", l.Name(), []string{ename, x.name}, intAttr("axis", 0))
	return value{name: y, shape: append(x.shape.Clone(), l.OutputDim)}, nil
}

// spectralNorm exports the wrapped layer with its kernel divided by
// σ = vᵀ·K·u, K the kernel as a (rows, units) matrix and u, v the power
// iteration's vectors as they are (what gogan uses in inference mode).
func spectralNorm(b *builder, l *nn.SpectralNormLayer, x value) (value, error) {
	ws := l.Weights() // the wrapped layer's (kernel first), then sn_u (units), sn_v (rows)
	k, u, v := ws[0], ws[len(ws)-2].Data, ws[len(ws)-1].Data
	cols := len(u)
	var sigma float64
	for i, vi := range v {
		var row float64
		for j, w := range k.Data[i*cols : (i+1)*cols] {
			row += float64(w) * float64(u[j])
		}
		sigma += float64(vi) * row
	}
	folded := make([]float32, len(k.Data))
	for i, w := range k.Data {
		folded[i] = w / float32(sigma)
	}
	b.fold[l.Layer] = folded
	exp, ok := exporters[l.Layer.Kind()]
	if !ok {
		return value{}, fmt.Errorf("%s (SpectralNormalization): wraps a %s layer, which cannot be exported", l.Name(), l.Layer.Kind())
	}
	return exp(b, l.Layer, []value{x})
}

// concatenate writes Concat on the last axis of gogan's layout: on the
// channel axis when every input is an NCHW image, else on the last.
func concatenate(b *builder, l *nn.ConcatenateLayer, xs []value) (value, error) {
	xs, nchw := b.sameLayout(xs)
	axis := len(xs[0].shape)
	if nchw {
		axis = 1
	}
	out := xs[0].shape.Clone()
	names := make([]string, len(xs))
	for i, x := range xs {
		names[i] = x.name
		if i > 0 {
			out[len(out)-1] += x.shape[len(x.shape)-1]
		}
	}
	y := b.node("Concat", l.Name(), names, intAttr("axis", axis))
	return value{name: y, shape: out, nchw: nchw}, nil
}

// elementwise writes a layer of several same-shaped inputs as a chain of
// binary op nodes.
func elementwise[T nn.Applicable](op string) func(b *builder, l T, xs []value) (value, error) {
	return func(b *builder, l T, xs []value) (value, error) {
		xs, nchw := b.sameLayout(xs)
		y := xs[0].name
		for _, x := range xs[1:] {
			y = b.node(op, l.Name(), []string{y, x.name})
		}
		return value{name: y, shape: xs[0].shape, nchw: nchw}, nil
	}
}

// sameLayout returns xs as they are when all are NCHW (true), or all in NHWC.
func (b *builder) sameLayout(xs []value) ([]value, bool) {
	all := true
	for _, x := range xs {
		all = all && x.nchw
	}
	if all {
		return xs, true
	}
	out := make([]value, len(xs))
	for i, x := range xs {
		out[i] = b.toNHWC(x)
	}
	return out, false
}
