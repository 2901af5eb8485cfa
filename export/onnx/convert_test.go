package onnx

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/export/onnx/internal/onnxpb"
	"github.com/gogan/gogan/internal/onnxtest"
	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/tensor"
)

// tolerance is the largest difference allowed between gogan's and
// onnxruntime's outputs.
const tolerance = 1e-4

// build builds net and gives every weight random values, BatchNormalization's
// moving statistics included (variances positive), so that no layer is the
// identity by accident.
func build(t *testing.T, net nn.Network) nn.Network {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	if err := net.Build(rng); err != nil {
		t.Fatal(err)
	}
	for _, w := range net.Weights() {
		positive := strings.HasSuffix(w.Name, "moving_variance")
		if strings.HasSuffix(w.Name, "/sn_u") || strings.HasSuffix(w.Name, "/sn_v") {
			continue // the power iteration's unit vectors
		}
		for i := range w.Data {
			if positive {
				w.Data[i] = 0.5 + rng.Float32()
			} else if !strings.HasSuffix(w.Name, "kernel") && !strings.HasSuffix(w.Name, "embeddings") {
				w.Data[i] = rng.Float32() - 0.5
			}
		}
	}
	return net
}

// input is n random samples of shape dims, as gogan and as onnxruntime take them.
func input(n int, rng *rand.Rand, dims ...int) ([]float32, onnxtest.Input) {
	size := n
	for _, d := range dims {
		size *= d
	}
	x := make([]float32, size)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x, onnxtest.Input{Dims: append([]int{n}, dims...), Float32: x}
}

// forward is net's inference output on xs, each (n, shape...).
func forward(net nn.Network, n int, xs ...[]float32) []float32 {
	g := autograd.NewGraph(nil)
	vars := make([]*autograd.Var, len(xs))
	for i, x := range xs {
		vars[i] = g.Input(x, false, append([]int{n}, net.InputShapes()[i]...)...)
	}
	return net.CallInputs(g, vars, false).Data
}

// export writes net into a temporary file and returns its path.
func export(t *testing.T, net nn.Network, opts Options) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.onnx")
	if err := WriteFile(path, net, opts); err != nil {
		t.Fatal(err)
	}
	return path
}

// compare fails the test where got and want differ by more than tolerance.
func compare(t *testing.T, got onnxtest.Output, want []float32, dims []int) {
	t.Helper()
	if !equalInts(got.Dims, dims) {
		t.Fatalf("onnxruntime's output is %v, want %v", got.Dims, dims)
	}
	worst, at := 0.0, 0
	for i := range want {
		if d := math.Abs(float64(got.Data[i] - want[i])); d > worst || math.IsNaN(d) {
			worst, at = d, i
		}
	}
	if worst > tolerance || math.IsNaN(worst) {
		t.Fatalf("onnxruntime's output[%d] is %g, gogan's %g: differs by %g > %g", at, got.Data[at], want[at], worst, tolerance)
	}
	t.Logf("%d values agree within %.2g", len(want), worst)
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestLayersMatchOnnxruntime runs networks covering every exporter through
// onnxruntime and compares them with gogan's inference forward pass.
func TestLayersMatchOnnxruntime(t *testing.T) {
	var (
		nets  []nn.Network
		xs    [][]float32
		jobs  []onnxtest.Job
		names []string
	)
	for _, tc := range []struct {
		name string
		net  func() nn.Network
	}{
		{"dense", func() nn.Network {
			return nn.NewSequential("mlp", nn.Input(6),
				nn.Dense(8), nn.LeakyReLU(0.2), nn.BatchNormalization(),
				nn.Dense(7, nn.WithActivation("relu")), nn.Dropout(0.5),
				nn.Dense(6, nn.WithActivation("leaky_relu"), nn.UseBias(false)), nn.Sigmoid(),
				nn.Dense(12, nn.WithActivation("tanh")), nn.Reshape(2, 3, 2))
		}},
		{"conv", func() nn.Network {
			return nn.NewSequential("conv", nn.Input(7, 6, 2),
				nn.Conv2D(3, 3, nn.Strides(2), nn.Padding(nn.Same), nn.WithActivation("relu")),
				nn.BatchNormalization(), nn.LeakyReLU(0.3),
				nn.Conv2DTranspose(4, 3, nn.Strides(2), nn.Padding(nn.Valid)), nn.Tanh(),
				nn.Conv2DTranspose(2, 2, nn.Strides(3), nn.UseBias(false)),
				nn.Conv2DTranspose(3, 4, nn.Strides(2), nn.Padding(nn.Same)),
				nn.Conv2D(2, 2, nn.KernelSize(2, 3), nn.Strides(1, 2)), nn.ReLU(),
				nn.Flatten(), nn.Dense(5), nn.BatchNormalization())
		}},
		{"reshape-to-conv", func() nn.Network { // the DCGAN's way into images
			return nn.NewSequential("generator", nn.Input(4),
				nn.Dense(3*3*4, nn.UseBias(false)), nn.BatchNormalization(), nn.LeakyReLU(0.3),
				nn.Reshape(3, 3, 4),
				nn.Conv2DTranspose(3, 5, nn.Padding(nn.Same), nn.UseBias(false)), nn.BatchNormalization(), nn.LeakyReLU(0.3),
				nn.Conv2DTranspose(1, 5, nn.Strides(2), nn.Padding(nn.Same), nn.WithActivation("tanh")))
		}},
		{"spectral-norm", func() nn.Network {
			return nn.NewSequential("sn", nn.Input(6, 6, 1),
				nn.SpectralNorm(nn.Conv2D(3, 3, nn.Strides(2), nn.Padding(nn.Same))), nn.LeakyReLU(0.2),
				nn.SpectralNorm(nn.Conv2DTranspose(2, 3, nn.Strides(2), nn.Padding(nn.Same))),
				nn.Flatten(), nn.SpectralNorm(nn.Dense(3, nn.WithActivation("sigmoid"))))
		}},
		{"images-bn-mul-add", func() nn.Network { // BatchNormalization on (N, L, C): Mul and Add
			return nn.NewSequential("seq", nn.Input(3, 4), nn.Dense(5), nn.BatchNormalization(), nn.Flatten())
		}},
	} {
		net := build(t, tc.net())
		rng := rand.New(rand.NewPCG(3, 4))
		x, in := input(5, rng, net.InputShape()...)
		nets = append(nets, net)
		xs = append(xs, x)
		jobs = append(jobs, onnxtest.Job{
			Model:  export(t, net, Options{InputNames: []string{"x"}, OutputName: "y"}),
			Inputs: map[string]onnxtest.Input{"x": in},
		})
		names = append(names, tc.name)
	}
	var paths []string
	for _, j := range jobs {
		paths = append(paths, j.Model)
	}
	t.Log(onnxtest.Check(t, paths...))
	for i, out := range onnxtest.RunAll(t, jobs) {
		t.Run(names[i], func(t *testing.T) {
			compare(t, out["y"], forward(nets[i], 5, xs[i]), append([]int{5}, nets[i].OutputShape()...))
		})
	}
}

// conditional is a conditional generator as gan builds them: noise joined to
// a label's embedding, images made by transposed convolutions, plus a
// Multiply and an Add of NCHW images.
func conditional() nn.Network {
	z := nn.NewInput("noise", 4)
	y := nn.NewInput("label", 1)
	e := nn.Apply(nn.Flatten(), nn.Apply(nn.Embedding(3, 5), y))
	h := nn.Apply(nn.Concatenate(), z, e)
	h = nn.Apply(nn.Reshape(3, 3, 1), nn.Apply(nn.Dense(9), h))
	a := nn.Apply(nn.Conv2DTranspose(2, 3, nn.Strides(2), nn.Padding(nn.Same)), h)
	b := nn.Apply(nn.Conv2DTranspose(2, 3, nn.Strides(2), nn.Padding(nn.Same), nn.WithActivation("tanh")), h)
	m := nn.Apply(nn.Add(), a, nn.Apply(nn.Multiply(), a, b))
	c := nn.Apply(nn.Concatenate(), m, b) // both NCHW: Concat on the channels
	return nn.NewModel("generator", []*nn.Node{z, y}, nn.Apply(nn.Conv2D(1, 1), c))
}

func TestConditionalModelMatchesOnnxruntime(t *testing.T) {
	net := build(t, conditional())
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 6
	z, zin := input(n, rng, 4)
	labels := make([]float32, n)
	ids := make([]int64, n)
	for i := range labels {
		labels[i], ids[i] = float32(i%3), int64(i%3)
	}
	path := export(t, net, Options{InputNames: []string{"z", "label"}, OutputName: "image"})
	t.Log(onnxtest.Check(t, path))
	m := readModel(t, path)
	if in := m.Graph.Input[1]; in.GetType().GetTensorType().GetElemType() != int32(onnxpb.TensorProto_INT64) ||
		len(in.GetType().GetTensorType().GetShape().GetDim()) != 1 {
		t.Errorf("input label is %v, want int64 (N)", in.GetType())
	}
	out := onnxtest.Run(t, path, map[string]onnxtest.Input{"z": zin, "label": {Dims: []int{n}, Int64: ids}})["image"]
	compare(t, out, forward(net, n, z, labels), append([]int{n}, net.OutputShape()...))
}

func readModel(t *testing.T, path string) *onnxpb.ModelProto {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := &onnxpb.ModelProto{}
	if err := proto.Unmarshal(b, m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestGraph checks the file's structure without the ONNX tools: opset,
// names, a symbolic batch, transposes only at the ends of a run of
// convolutions, and the input's layer names by default.
func TestGraph(t *testing.T) {
	net := build(t, nn.NewSequential("g", nn.Input(4),
		nn.Dense(2*2*3), nn.Reshape(2, 2, 3),
		nn.Conv2DTranspose(3, 3, nn.Strides(2), nn.Padding(nn.Same)), nn.BatchNormalization(), nn.LeakyReLU(0.2),
		nn.Conv2DTranspose(1, 3, nn.Strides(2), nn.Padding(nn.Same), nn.WithActivation("tanh"))))
	b, err := Convert(net, Options{Metadata: map[string]string{"latent_dim": "4"}})
	if err != nil {
		t.Fatal(err)
	}
	m := &onnxpb.ModelProto{}
	if err := proto.Unmarshal(b, m); err != nil {
		t.Fatal(err)
	}
	if got := m.GetOpsetImport()[0].GetVersion(); got != Opset {
		t.Errorf("opset %d, want %d", got, Opset)
	}
	g := m.GetGraph()
	if in := g.GetInput()[0].GetName(); in != "input_layer" {
		t.Errorf("input named %q, want the input layer's name", in)
	}
	if out := g.GetOutput()[0]; out.GetName() != "output" {
		t.Errorf("output named %q, want output", out.GetName())
	}
	dims := g.GetOutput()[0].GetType().GetTensorType().GetShape().GetDim()
	if len(dims) != 4 || dims[0].GetDimParam() != "N" || dims[1].GetDimValue() != 8 || dims[3].GetDimValue() != 1 {
		t.Errorf("output dims %v, want (N, 8, 8, 1)", dims)
	}
	var ops []string
	for _, n := range g.GetNode() {
		ops = append(ops, n.GetOpType())
	}
	want := "Gemm Reshape Transpose ConvTranspose BatchNormalization LeakyRelu ConvTranspose Tanh Transpose"
	if strings.Join(ops, " ") != want {
		t.Errorf("nodes %v, want %s", ops, want)
	}
	if md := m.GetMetadataProps(); len(md) != 1 || md[0].GetKey() != "latent_dim" || md[0].GetValue() != "4" {
		t.Errorf("metadata %v", md)
	}
	again, err := Convert(net, Options{Metadata: map[string]string{"latent_dim": "4"}})
	if err != nil || string(again) != string(b) {
		t.Errorf("a second export differs: %v", err)
	}
}

// fakeDense is a custom layer that calls itself Dense.
type fakeDense struct{ nn.Base }

func (f *fakeDense) Kind() string { return "Dense" }
func (f *fakeDense) Build(in tensor.Shape, _ *rand.Rand) (tensor.Shape, error) {
	return in, nil
}
func (f *fakeDense) Call(_ *autograd.Graph, x *autograd.Var, _ bool) *autograd.Var { return x }

func TestErrors(t *testing.T) {
	fake := build(t, nn.NewSequential("f", nn.Input(3), &fakeDense{}))
	pooled := build(t, nn.NewSequential("d", nn.Input(4, 4, 1), nn.MaxPooling2D(2), nn.Flatten()))
	nan := build(t, nn.NewSequential("g", nn.Input(3), nn.Dense(2)))
	nan.Weights()[0].Data[4] = float32(math.NaN())
	for _, tc := range []struct {
		name string
		net  nn.Network
		opts Options
		want string
	}{
		{"unsupported layer", pooled, Options{}, "layer max_pooling2d (MaxPooling2D) cannot be exported to ONNX"},
		{"custom layer", fake, Options{}, "dense (Dense): is a *onnx.fakeDense, not gogan's Dense layer"},
		{"NaN weight", nan, Options{}, "weight dense/kernel holds NaN at index 4"},
		{"not built", nn.NewSequential("raw", nn.Input(3), nn.Dense(2)), Options{}, "model raw is not built"},
		{"same input names", build(t, conditional()), Options{InputNames: []string{"a", "a"}}, `input names ["a" "a"] must be distinct`},
		{"not built model", conditional(), Options{}, "model generator is not built"},
		{"input names", nan, Options{InputNames: []string{"a", "b"}}, "model g has 1 inputs, 2 input names were given"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m.onnx")
			err := WriteFile(path, tc.net, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if _, statErr := os.Stat(path); statErr == nil {
				t.Error("a file was written despite the error")
			}
		})
	}
}
