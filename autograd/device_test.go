package autograd_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/cuda"
	"github.com/gogan/gogan/internal/gradcheck"
	"github.com/gogan/gogan/losses"
)

// openDevice opens the first GPU, or skips the test saying what is missing.
func openDevice(t *testing.T) *cuda.Device {
	t.Helper()
	d, err := cuda.Open(0)
	if err != nil {
		t.Skipf("no CUDA device: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// deviceCase is a computation run on the CPU and on the GPU, whose value and
// parameter gradients must agree.
type deviceCase struct {
	name   string
	shapes [][]int // the parameters' shapes
	f      func(g *autograd.Graph, p []*autograd.Var) *autograd.Var
	tol    float64 // largest |gpu − cpu| / (1 + |cpu|)
}

var deviceCases = []deviceCase{
	{"MatMul", [][]int{{67, 33}, {33, 45}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.MatMul(p[0], p[1], false, false)
	}, 1e-5},
	{"MatMul transA", [][]int{{33, 67}, {33, 45}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.MatMul(p[0], p[1], true, false)
	}, 1e-5},
	{"MatMul transB", [][]int{{67, 33}, {45, 33}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.MatMul(p[0], p[1], false, true)
	}, 1e-5},
	{"MatMul transA transB", [][]int{{33, 67}, {45, 33}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.MatMul(p[0], p[1], true, true)
	}, 1e-5},
	{"AddBias", [][]int{{64, 37}, {37}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.AddBias(p[0], p[1]) }, 1e-6},
	{"SumRows", [][]int{{129, 37}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.SumRows(p[0], 37) }, 1e-5},
	{"SumRows many rows", [][]int{{5003, 37}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.SumRows(p[0], 37) }, 1e-5},
	{"BatchNormMoving many rows", [][]int{{3000, 65}, {65}, {65}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		mean, variance := autograd.NewState("mean", 65), autograd.NewState("variance", 65)
		if g.Device() != nil {
			if err := autograd.ToDevice(g.Device(), mean, variance); err != nil {
				panic(err)
			}
		}
		return g.BatchNormMoving(p[0], p[1], p[2], 1e-3, mean, variance, 0.99)
	}, 1e-4},
	{"Mean", [][]int{{129, 37}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.Mean(p[0]) }, 1e-5},
	{"Add fan-out", [][]int{{9, 7}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.Add(p[0], g.Add(p[0], p[0]))
	}, 1e-6},
	{"Sub Mul Scale", [][]int{{9, 7}, {9, 7}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.Scale(g.Mul(g.Sub(p[0], p[1]), p[1]), -1.5)
	}, 1e-6},
	{"AddScalar Square", [][]int{{9, 7}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.Square(g.AddScalar(p[0], 0.25))
	}, 1e-6},
	{"LeakyReLU", [][]int{{31, 17}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.LeakyReLU(p[0], 0.2) }, 1e-6},
	{"Tanh", [][]int{{31, 17}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.Tanh(p[0]) }, 1e-5},
	{"Sigmoid", [][]int{{31, 17}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.Sigmoid(p[0]) }, 1e-5},
	{"BiasLeakyReLU", [][]int{{64, 257}, {257}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.BiasLeakyReLU(p[0], p[1], 0.2)
	}, 1e-5},
	{"BiasTanh", [][]int{{64, 257}, {257}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.BiasTanh(p[0], p[1]) }, 1e-5},
	{"BatchNormMoving", [][]int{{64, 129}, {129}, {129}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		mean, variance := autograd.NewState("mean", 129), autograd.NewState("variance", 129)
		if g.Device() != nil {
			if err := autograd.ToDevice(g.Device(), mean, variance); err != nil {
				panic(err)
			}
		}
		return g.BatchNormMoving(p[0], p[1], p[2], 1e-3, mean, variance, 0.99)
	}, 1e-4},
	{"BatchNormInference", [][]int{{64, 129}, {129}, {129}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		mean, variance := autograd.NewState("mean", 129), autograd.NewState("variance", 129)
		for i := range variance.Data {
			mean.Data[i], variance.Data[i] = float32(i%7)/7-0.5, 0.5+float32(i%5)/3
		}
		if g.Device() != nil {
			if err := autograd.ToDevice(g.Device(), mean, variance); err != nil {
				panic(err)
			}
		}
		return g.BatchNormInference(p[0], p[1], p[2], mean, variance, 1e-3)
	}, 1e-5},
	{"SumCols TileCols", [][]int{{29, 3, 5}, {29, 1}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.Add(g.TileCols(g.SumCols(p[0]), 29, 3, 5), g.TileCols(p[1], 29, 3, 5))
	}, 1e-5},
	{"Sqrt", [][]int{{31, 17}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.Sqrt(g.AddScalar(g.Square(p[0]), 0.5))
	}, 1e-6},
	{"gradient penalty", [][]int{{3, 6}, {6}, {6, 1}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		x := g.Input(randomInput(12, 31), true, 4, 3)
		y := g.MatMul(g.BiasLeakyReLU(g.MatMul(x, p[0], false, false), p[1], 0.2), p[2], false, false)
		return gradientPenalty(g, y, x)
	}, 1e-5},
	{"StackRows SliceRows", [][]int{{5, 3, 2}, {7, 3, 2}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		s := g.StackRows(p[0], p[1])
		return g.Add(g.SliceRows(s, 2, 8), g.SliceRows(s, 6, 12))
	}, 1e-6},
	{"Concat SliceLast", [][]int{{6, 2, 3}, {6, 2, 5}, {6, 2, 1}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		c := g.Concat(p[0], p[1], p[2], p[0])
		return g.Add(g.SliceLast(c, 1, 8), g.SliceLast(c, 4, 11))
	}, 1e-6},
	{"SigmoidCrossEntropy", [][]int{{64, 1}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.SigmoidCrossEntropy(p[0], g.Constant(0.9, 64, 1))
	}, 1e-5},
	{"Conv2D same s2", [][]int{{4, 9, 9, 3}, {5, 5, 3, 8}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.Conv2D(p[0], p[1], [2]int{2, 2}, autograd.Same)
	}, 1e-5},
	{"Conv2D valid s1", [][]int{{3, 7, 6, 4}, {3, 2, 4, 5}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.Conv2D(p[0], p[1], [2]int{1, 1}, autograd.Valid)
	}, 1e-5},
	{"Conv2D pointwise", [][]int{{3, 4, 4, 6}, {1, 1, 6, 5}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.Conv2D(p[0], p[1], [2]int{1, 1}, autograd.Valid)
	}, 1e-5},
	{"Conv2DTranspose same s2", [][]int{{4, 5, 5, 8}, {5, 5, 3, 8}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.Conv2DTranspose(p[0], p[1], [2]int{2, 2}, autograd.Same)
	}, 1e-5},
	{"Conv2DTranspose k4 s2 valid", [][]int{{2, 4, 4, 6}, {4, 4, 3, 6}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.Conv2DTranspose(p[0], p[1], [2]int{2, 2}, autograd.Valid)
	}, 1e-5},
	{"Dense BatchNorm MLP", [][]int{{64, 100}, {100, 256}, {256}, {256}, {256}, {256, 1}, {1}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		mean, variance := autograd.NewState("mean", 256), autograd.NewState("variance", 256)
		if g.Device() != nil {
			if err := autograd.ToDevice(g.Device(), mean, variance); err != nil {
				panic(err)
			}
		}
		h := g.BiasLeakyReLU(g.MatMul(p[0], p[1], false, false), p[2], 0.2)
		h = g.BatchNormMoving(h, p[3], p[4], 1e-3, mean, variance, 0.8)
		logits := g.AddBias(g.MatMul(h, p[5], false, false), p[6])
		return g.Add(g.SigmoidCrossEntropy(logits, g.Constant(1, 64, 1)), g.Mean(g.BiasTanh(h, p[4])))
	}, 1e-4},
	// conditional recipes: embedding gather/scatter, softmax
	{"Gather", [][]int{{10, 50}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.Gather(p[0], g.Input(classIDs(37, 10, 3), false, 37, 1))
	}, 1e-6},
	{"Gather fan-out", [][]int{{7, 5}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.Add(g.Gather(p[0], g.Input(classIDs(12, 7, 3), false, 4, 3)), g.Gather(p[0], g.Input(classIDs(12, 7, 5), false, 4, 3)))
	}, 1e-6},
	{"ScatterAdd", [][]int{{37, 6}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.ScatterAdd(p[0], g.Input(classIDs(37, 11, 4), false, 37), 11)
	}, 1e-6},
	{"Exp", [][]int{{31, 17}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.Exp(p[0]) }, 1e-6},
	{"LogSumExp", [][]int{{29, 3, 5}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.LogSumExp(g.Scale(p[0], 4)) }, 1e-5},
	{"LogSoftmax", [][]int{{29, 10}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.LogSoftmax(p[0]) }, 1e-5},
	{"SparseCategoricalCrossEntropy", [][]int{{64, 10}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return losses.SparseCategoricalCrossEntropy(g, p[0], classLabels(64, 10))
	}, 1e-5},
	{"label embedding ACGAN head", [][]int{{10, 5}, {16, 7}, {12, 10}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		e := g.Reshape(g.Gather(p[0], g.Input(classIDs(16, 10, 3), false, 16, 1)), 16, 5)
		logits := g.MatMul(g.Concat(p[1], e), p[2], false, false)
		return losses.SparseCategoricalCrossEntropy(g, logits, classLabels(16, 10))
	}, 1e-5},
}

// classIDs returns n class ids in [0, classes) as float32, every class
// repeated: (i·step + 1) mod classes.
func classIDs(n, classes, step int) []float32 {
	ids := make([]float32, n)
	for i := range ids {
		ids[i] = float32((i*step + 1) % classes)
	}
	return ids
}

// classLabels is classIDs as uint8 labels, step 7.
func classLabels(n, classes int) []uint8 {
	l := make([]uint8, n)
	for i, v := range classIDs(n, classes, 7) {
		l[i] = uint8(v)
	}
	return l
}

// TestDeviceMatchesCPU runs each case on the CPU and on the GPU from the same
// parameters, with the same upstream gradient, and compares the values and
// every parameter's gradient.
// twinParams returns random parameters of the given shapes, and the same values
// in parameters of their own, to be moved to a device.
func twinParams(rng *rand.Rand, shapes [][]int) (cpu, gpu []*autograd.Var) {
	cpu = make([]*autograd.Var, len(shapes))
	gpu = make([]*autograd.Var, len(shapes))
	for i, s := range shapes {
		cpu[i] = gradcheck.RandomParam(rng, "p", s...)
		gpu[i] = autograd.NewParam("p", s...)
		copy(gpu[i].Data, cpu[i].Data)
	}
	return cpu, gpu
}

func TestDeviceMatchesCPU(t *testing.T) {
	d := openDevice(t)
	for _, c := range append(deviceCases[:len(deviceCases):len(deviceCases)], spectralCases...) {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			cpu, gpu := twinParams(rng, c.shapes)
			if err := autograd.ToDevice(d, gpu...); err != nil {
				t.Fatal(err)
			}
			defer autograd.FreeDevice(gpu...)
			wantY, wantGrads := runCase(c, autograd.NewGraph(nil), cpu)
			g := autograd.NewGraph(nil)
			g.UseDevice(d)
			defer g.UseDevice(nil)
			gotY, _ := runCaseRecovering(t, c, g, gpu)
			if err := autograd.ToHost(gpu...); err != nil {
				t.Fatal(err)
			}
			compare(t, "value", gotY, wantY, c.tol)
			for i, p := range gpu {
				compare(t, "gradient", p.Grad, wantGrads[i], c.tol)
			}
		})
	}
}

// runCase computes c on g and backpropagates Σ r⊙y with a fixed r, returning
// y's values and the parameters' gradients.
func runCase(c deviceCase, g *autograd.Graph, params []*autograd.Var) ([]float32, [][]float32) {
	y := c.f(g, params)
	r := make([]float32, y.Len())
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range r {
		r[i] = float32(rng.NormFloat64())
	}
	loss := g.Sum(g.Mul(y, g.Input(r, false, y.Shape...)))
	g.Backward(loss)
	grads := make([][]float32, len(params))
	for i, p := range params {
		grads[i] = p.Grad
	}
	return append([]float32(nil), y.Host()...), grads
}

func compare(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	worst, at := 0.0, 0
	for i := range got {
		e := math.Abs(float64(got[i])-float64(want[i])) / (1 + math.Abs(float64(want[i])))
		if math.IsNaN(e) || e > worst {
			worst, at = e, i
			if math.IsNaN(e) {
				break
			}
		}
	}
	if !(worst <= tol) {
		t.Errorf("%s: element %d is %g, want %g (relative error %.2g > %.2g)", what, at, got[at], want[at], worst, tol)
	}
}

// TestDeviceDropout checks the device's dropout masks: the rate of zeros, the
// kept values' scale, the same mask from the same seed, and the CPU's mask from
// the same seed.
func TestDeviceDropout(t *testing.T) {
	d := openDevice(t)
	x := autograd.NewParam("x", 1000, 100)
	for i := range x.Data {
		x.Data[i] = 1
	}
	if err := autograd.ToDevice(d, x); err != nil {
		t.Fatal(err)
	}
	defer autograd.FreeDevice(x)
	masks := make([][]float32, 2)
	for k := range masks {
		g := autograd.NewGraph(rand.New(rand.NewPCG(9, 9)))
		g.UseDevice(d)
		masks[k] = g.Dropout(x, 0.3).Host()
		g.UseDevice(nil)
	}
	ones := autograd.NewParam("ones", 1000, 100)
	for i := range ones.Data {
		ones.Data[i] = 1
	}
	cpu := autograd.NewGraph(rand.New(rand.NewPCG(9, 9))).Dropout(ones, 0.3).Data
	zeros := 0
	for i, v := range masks[0] {
		if v != masks[1][i] {
			t.Fatalf("element %d: %g then %g from the same seed", i, v, masks[1][i])
		}
		if v != cpu[i] {
			t.Fatalf("element %d: %g on the device, %g on the CPU from the same seed", i, v, cpu[i])
		}
		switch v {
		case 0:
			zeros++
		case float32(1 / (1 - 0.3)):
		default:
			t.Fatalf("element %d is %g, want 0 or 1/0.7", i, v)
		}
	}
	if rate := float64(zeros) / float64(len(masks[0])); math.Abs(rate-0.3) > 0.005 {
		t.Errorf("dropped %.4f of the values, want 0.3", rate)
	}
}

// runCaseRecovering is runCase, failing the test on a panic (an op without a
// CUDA kernel) instead of ending every test.
func runCaseRecovering(t *testing.T, c deviceCase, g *autograd.Graph, params []*autograd.Var) (y []float32, grads [][]float32) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("on the device: %v", r)
		}
	}()
	return runCase(c, g, params)
}
