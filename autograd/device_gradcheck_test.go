package autograd_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/cuda"
	"github.com/gogan/gogan/internal/gradcheck"
	"github.com/gogan/gogan/losses"
)

// The gradient checks of the ops with a CUDA kernel, on the device: the
// backward's gradients against central finite differences of the forward,
// both computed on the GPU in float32 (the perturbed parameter is written into
// device memory, the forward runs there, and only y comes back). The loss is
// L = Σ r⊙y for a fixed random r, and the difference of two losses is taken in
// float64 from y's values, Σ r⊙(y₊ − y₋), so that only the y's a parameter
// touches carry rounding into it.
//
// Tolerance table. Each case has a step h and a bound on
//
//	err = |analytic − numeric| / (|numeric| + mean |numeric| over the checked entries)
//
// chosen from float32's rounding (relative 6e-8 an operation) over 2h and the
// truncation error of central differences, (h²/6)·f⁽³⁾:
//
//	linear ops (MatMul, sums, AddBias, copies, Conv2D, Dropout, Gather,
//	  ScatterAdd): exact
//	  differences for any h, so h = 0.1 and the bound is rounding: 1e-3;
//	  Square likewise (central differences are exact for quadratics);
//	Tanh, Sigmoid, BiasTanh, SigmoidCrossEntropy, BatchNorm, Exp, LogSumExp,
//	  LogSoftmax: h = 1e-2, h² ≈ 1e-4 truncation: 2e-3 (the batch-norm cases
//	  mix every row of a column); SparseCategoricalCrossEntropy, one float32
//	  mean, h = 3e-2 for its rounding;
//	LeakyReLU, ReLU, BiasLeakyReLU: piecewise linear, so exact away from the
//	  kink; the inputs are moved at least 0.1 away from it (and h = 1e-2 stays
//	  inside a piece): 1e-3;
//	the MLP (MatMul, BiasLeakyReLU, BatchNorm, BiasTanh): h = 3e-3, small
//	  enough that no pre-activation crosses the kink, large enough for the
//	  rounding of 32 rows renormalized by the batch's statistics (2.8e-3 on
//	  the CPU): 2e-2.
//
// The bounds are 7 to 1000 times the worst errors measured on the CPU; the
// test logs each case's worst error.
//
// The same table runs on the CPU (TestFloat32GradientsCPU), so the bounds are
// checked on every machine; the GPU differs from the CPU by rounding only.
type fdCase struct {
	name   string
	shapes [][]int
	f      func(g *autograd.Graph, p []*autograd.Var) *autograd.Var
	h      float32
	tol    float64
	// prep, when set, adjusts the random parameters (moves inputs off a kink).
	prep func(p []*autograd.Var)
}

// fdChecked is how many entries of a parameter are checked at most (the first,
// the last, and others at random).
const fdChecked = 16

// offKink moves every value of x at least 0.1 away from 0, keeping its sign.
func offKink(x []float32) {
	for i, v := range x {
		x[i] = float32(math.Copysign(0.1+math.Abs(float64(v)), float64(v)))
	}
}

// offBiasKink moves x (rows, len(b)) so that x + b is at least 0.1 away from 0.
func offBiasKink(x, b []float32) {
	for i := range x {
		c := i % len(b)
		v := float64(x[i] + b[c])
		x[i] = float32(math.Copysign(0.1+math.Abs(v), v)) - b[c]
	}
}

// positive maps x to 0.5 + |x|.
func positive(x []float32) {
	for i, v := range x {
		x[i] = 0.5 + float32(math.Abs(float64(v)))
	}
}

// scale multiplies x by c.
func scale(x []float32, c float64) {
	for i := range x {
		x[i] = float32(float64(x[i]) * c)
	}
}

// movingStats returns a layer's moving statistics (cols), mean in ±0.5 and
// variance in [0.5, 2], created once and put on the graph's device if it has one.
func movingStats(cols int) func(g *autograd.Graph) (mean, variance *autograd.Var) {
	mean, variance := autograd.NewState("moving_mean", cols), autograd.NewState("moving_variance", cols)
	rng := rand.New(rand.NewPCG(uint64(cols), 1))
	for i := range cols {
		mean.Data[i] = rng.Float32() - 0.5
		variance.Data[i] = 0.5 + 1.5*rng.Float32()
	}
	return func(g *autograd.Graph) (*autograd.Var, *autograd.Var) {
		if d := g.Device(); d != nil && mean.Device() != d {
			if err := autograd.ToDevice(d, mean, variance); err != nil {
				panic(err)
			}
		}
		return mean, variance
	}
}

// fdCases are the ops with a CUDA kernel, each on shapes that reach its
// kernels' paths (odd sizes, many rows for the two-pass column reductions).
func fdCases() []fdCase {
	bnStats := movingStats(129)
	bnMany := movingStats(65)
	bnMoving := movingStats(129)
	mlpStats := movingStats(64)
	linear := func(name string, shapes [][]int, f func(g *autograd.Graph, p []*autograd.Var) *autograd.Var) fdCase {
		return fdCase{name: name, shapes: shapes, f: f, h: 0.1, tol: 1e-3}
	}
	smooth := func(name string, shapes [][]int, f func(g *autograd.Graph, p []*autograd.Var) *autograd.Var) fdCase {
		return fdCase{name: name, shapes: shapes, f: f, h: 1e-2, tol: 2e-3}
	}
	return []fdCase{
		linear("MatMul", [][]int{{67, 33}, {33, 45}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.MatMul(p[0], p[1], false, false) }),
		linear("MatMul transA", [][]int{{33, 67}, {33, 45}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.MatMul(p[0], p[1], true, false) }),
		linear("MatMul transB", [][]int{{67, 33}, {45, 33}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.MatMul(p[0], p[1], false, true) }),
		linear("MatMul transA transB", [][]int{{33, 67}, {45, 33}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.MatMul(p[0], p[1], true, true) }),
		linear("AddBias", [][]int{{64, 37}, {37}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.AddBias(p[0], p[1]) }),
		linear("SumRows", [][]int{{129, 37}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.SumRows(p[0], 37) }),
		linear("SumRows many rows", [][]int{{5003, 37}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.SumRows(p[0], 37) }),
		linear("TileRows", [][]int{{37}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.TileRows(p[0], 19, 37) }),
		linear("Sum", [][]int{{129, 37}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.Sum(p[0]) }),
		linear("Mean", [][]int{{129, 37}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.Mean(p[0]) }),
		linear("Expand", [][]int{{1}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.Expand(g.Reshape(p[0]), 7, 9) }),
		linear("Add", [][]int{{9, 7}, {9, 7}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.Add(p[0], p[1]) }),
		linear("Add fan-out", [][]int{{9, 7}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.Add(p[0], g.Add(p[0], p[0])) }),
		linear("Sub", [][]int{{9, 7}, {9, 7}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.Sub(p[0], p[1]) }),
		linear("Mul", [][]int{{9, 7}, {9, 7}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.Mul(p[0], p[1]) }),
		linear("Scale", [][]int{{9, 7}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.Scale(p[0], -1.5) }),
		linear("AddScalar", [][]int{{9, 7}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.AddScalar(p[0], 0.25) }),
		linear("Square", [][]int{{9, 7}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.Square(p[0]) }),
		linear("SumCols", [][]int{{29, 3, 5}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.SumCols(p[0]) }),
		linear("TileCols", [][]int{{29, 1}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.TileCols(p[0], 29, 3, 5) }),
		{name: "Sqrt", shapes: [][]int{{31, 17}}, h: 1e-2, tol: 2e-3, prep: func(p []*autograd.Var) { positive(p[0].Data) },
			f: func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.Sqrt(p[0]) }},
		linear("StackRows SliceRows", [][]int{{5, 3, 2}, {7, 3, 2}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
			s := g.StackRows(p[0], p[1])
			return g.Add(g.SliceRows(s, 2, 8), g.SliceRows(s, 6, 12))
		}),
		linear("Concat SliceLast", [][]int{{6, 2, 3}, {6, 2, 5}, {6, 2, 1}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
			c := g.Concat(p[0], p[1], p[2], p[0])
			return g.Add(g.SliceLast(c, 1, 8), g.SliceLast(c, 4, 11))
		}),
		linear("Dropout", [][]int{{31, 17}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.Dropout(p[0], 0.3) }),
		linear("Conv2D same s2", [][]int{{4, 9, 9, 3}, {5, 5, 3, 8}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
			return g.Conv2D(p[0], p[1], [2]int{2, 2}, autograd.Same)
		}),
		linear("Conv2D valid s1", [][]int{{3, 7, 6, 4}, {3, 2, 4, 5}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
			return g.Conv2D(p[0], p[1], [2]int{1, 1}, autograd.Valid)
		}),
		linear("Conv2D pointwise", [][]int{{3, 4, 4, 6}, {1, 1, 6, 5}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
			return g.Conv2D(p[0], p[1], [2]int{1, 1}, autograd.Valid)
		}),
		linear("Conv2DTranspose same s2", [][]int{{4, 5, 5, 8}, {5, 5, 3, 8}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
			return g.Conv2DTranspose(p[0], p[1], [2]int{2, 2}, autograd.Same)
		}),
		linear("Conv2DTranspose k4 s2 valid", [][]int{{2, 4, 4, 6}, {4, 4, 3, 6}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
			return g.Conv2DTranspose(p[0], p[1], [2]int{2, 2}, autograd.Valid)
		}),
		linear("Conv2DFilterGrad", [][]int{{3, 7, 7, 4}, {3, 4, 4, 5}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
			return g.Conv2DFilterGrad(p[0], p[1], [2]int{3, 3}, [2]int{2, 2}, autograd.Same)
		}),
		linear("BatchNormInference", [][]int{{64, 129}, {129}, {129}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
			mean, variance := bnStats(g)
			return g.BatchNormInference(p[0], p[1], p[2], mean, variance, 1e-3)
		}),
		{name: "LeakyReLU", shapes: [][]int{{31, 17}}, h: 1e-2, tol: 1e-3, prep: func(p []*autograd.Var) { offKink(p[0].Data) },
			f: func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.LeakyReLU(p[0], 0.2) }},
		{name: "ReLU", shapes: [][]int{{31, 17}}, h: 1e-2, tol: 1e-3, prep: func(p []*autograd.Var) { offKink(p[0].Data) },
			f: func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.ReLU(p[0]) }},
		{name: "BiasLeakyReLU", shapes: [][]int{{64, 257}, {257}}, h: 1e-2, tol: 1e-3, prep: func(p []*autograd.Var) { offBiasKink(p[0].Data, p[1].Data) },
			f: func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.BiasLeakyReLU(p[0], p[1], 0.2) }},
		{name: "BiasLeakyReLU ReLU", shapes: [][]int{{64, 257}, {257}}, h: 1e-2, tol: 1e-3, prep: func(p []*autograd.Var) { offBiasKink(p[0].Data, p[1].Data) },
			f: func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.BiasLeakyReLU(p[0], p[1], 0) }},
		smooth("Tanh", [][]int{{31, 17}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.Tanh(p[0]) }),
		smooth("Sigmoid", [][]int{{31, 17}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.Sigmoid(p[0]) }),
		smooth("BiasTanh", [][]int{{64, 257}, {257}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.BiasTanh(p[0], p[1]) }),
		smooth("SigmoidCrossEntropy", [][]int{{64, 1}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
			return g.SigmoidCrossEntropy(p[0], g.Constant(0.9, 64, 1))
		}),
		smooth("BatchNormMoving", [][]int{{64, 129}, {129}, {129}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
			mean, variance := bnMoving(g)
			return g.BatchNormMoving(p[0], p[1], p[2], 1e-3, mean, variance, 0.99)
		}),
		smooth("BatchNormMoving many rows", [][]int{{3000, 65}, {65}, {65}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
			mean, variance := bnMany(g)
			return g.BatchNormMoving(p[0], p[1], p[2], 1e-3, mean, variance, 0.99)
		}),
		{name: "Dense BatchNorm MLP", h: 3e-3, tol: 2e-2,
			shapes: [][]int{{32, 20}, {20, 64}, {64}, {64}, {64}, {64, 3}, {3}},
			prep: func(p []*autograd.Var) { // weights of variance 1/fan-in, as initializers give
				scale(p[1].Data, 1/math.Sqrt(20))
				scale(p[5].Data, 1/math.Sqrt(64))
			},
			f: func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
				mean, variance := mlpStats(g)
				h := g.BiasLeakyReLU(g.MatMul(p[0], p[1], false, false), p[2], 0.2)
				h = g.BatchNormMoving(h, p[3], p[4], 1e-3, mean, variance, 0.8)
				return g.BiasTanh(g.MatMul(h, p[5], false, false), p[6])
			}},
		// conditional recipes: embedding gather/scatter, softmax
		linear("Gather", [][]int{{10, 6}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
			return g.Gather(p[0], g.Input(classIDs(23, 10, 3), false, 23, 1))
		}),
		linear("ScatterAdd", [][]int{{23, 6}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
			return g.ScatterAdd(p[0], g.Input(classIDs(23, 10, 3), false, 23), 10)
		}),
		smooth("Exp", [][]int{{31, 17}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.Exp(p[0]) }),
		smooth("LogSumExp", [][]int{{29, 11}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.LogSumExp(p[0]) }),
		smooth("LogSoftmax", [][]int{{29, 10}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var { return g.LogSoftmax(p[0]) }),
		// A mean over few rows, h = 3e-2: the loss is one float32, whose
		// rounding over 2h grows with the rows while each entry's gradient
		// shrinks as 1/rows.
		{name: "SparseCategoricalCrossEntropy", shapes: [][]int{{4, 10}}, h: 3e-2, tol: 2e-3,
			f: func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
				return losses.SparseCategoricalCrossEntropy(g, p[0], classLabels(4, 10))
			}},
	}
}

// TestDeviceGradients checks every op with a CUDA kernel against central finite
// differences computed on the GPU.
func TestDeviceGradients(t *testing.T) {
	d := openDevice(t)
	runFDCases(t, d)
}

// TestFloat32GradientsCPU runs the device's gradient checks on the CPU, in
// float32 as there: the tolerance table's bounds hold on every machine.
func TestFloat32GradientsCPU(t *testing.T) { runFDCases(t, nil) }

func runFDCases(t *testing.T, d *cuda.Device) { runCases(t, d, fdCases()) }

func runCases(t *testing.T, d *cuda.Device, cases []fdCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			worst := checkFiniteDifferences(t, d, c)
			t.Logf("h %-6g tol %-6g worst %.3g", c.h, c.tol, worst)
		})
	}
}

// checkFiniteDifferences checks c on d (nil: the CPU) and returns the worst error.
func checkFiniteDifferences(t *testing.T, d *cuda.Device, c fdCase) (worst float64) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic: %v", r)
		}
	}()
	rng := rand.New(rand.NewPCG(13, 14))
	params := make([]*autograd.Var, len(c.shapes))
	for i, s := range c.shapes {
		params[i] = gradcheck.RandomParam(rng, fmt.Sprint("p", i), s...)
	}
	if c.prep != nil {
		c.prep(params)
	}
	g := autograd.NewGraph(nil)
	if d != nil {
		if err := autograd.ToDevice(d, params...); err != nil {
			t.Fatal(err)
		}
		defer autograd.FreeDevice(params...)
		g.UseDevice(d)
		defer g.UseDevice(nil)
	}
	// Each evaluation draws the same dropout masks.
	fresh := func() { g.Reset(); g.Rand = rand.New(rand.NewPCG(3, 4)) }
	fresh()
	y := c.f(g, params)
	r := make([]float32, y.Len())
	for i := range r {
		r[i] = float32(rng.NormFloat64())
	}
	g.Backward(g.Sum(g.Mul(y, g.Input(r, false, y.Shape...))))
	if err := autograd.ToHost(params...); err != nil {
		t.Fatal(err)
	}
	analytic := make([][]float32, len(params))
	for i, p := range params {
		analytic[i] = append([]float32(nil), p.Grad...)
	}
	forward := func() []float32 {
		fresh()
		return append([]float32(nil), c.f(g, params).Host()...)
	}
	set := func(p *autograd.Var, i int, v float32) {
		p.Data[i] = v
		if d != nil {
			d.CopyToDevice(p.DevicePtr().Add(i), p.Data[i:i+1])
		}
	}
	for pi, p := range params {
		idx := checkedEntries(rng, p.Len())
		numeric := make([]float64, len(idx))
		for k, i := range idx {
			orig := p.Data[i]
			up, down := orig+c.h, orig-c.h
			set(p, i, up)
			yUp := forward()
			set(p, i, down)
			yDown := forward()
			set(p, i, orig)
			var s float64
			for j, v := range r {
				s += float64(v) * (float64(yUp[j]) - float64(yDown[j]))
			}
			numeric[k] = s / (float64(up) - float64(down))
		}
		ref := 0.0
		for _, n := range numeric {
			ref += math.Abs(n) / float64(len(numeric))
		}
		for k, i := range idx {
			a := float64(analytic[pi][i])
			e := math.Abs(a-numeric[k]) / (math.Abs(numeric[k]) + ref + 1e-30)
			if math.IsNaN(e) || e > c.tol {
				t.Fatalf("d/d%s[%d]: analytic %.7g, finite differences %.7g (error %.3g > %.3g)", p.Name, i, a, numeric[k], e, c.tol)
			}
			worst = max(worst, e)
		}
	}
	return worst
}

// checkedEntries returns the entries of a parameter of n values that are
// checked: all of them, or fdChecked: the first, the last and others at random.
func checkedEntries(rng *rand.Rand, n int) []int {
	if n <= fdChecked {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	idx := []int{0, n - 1}
	for _, i := range rng.Perm(n - 2)[:fdChecked-2] {
		idx = append(idx, i+1)
	}
	return idx
}

// secondOrderCases are WGAN-GP's penalty on small discriminators f: with x
// (4, 3) or (2, 6, 6, 2) an input that wants its gradient,
//
//	P = Σ_i (‖∂f/∂x_i‖ − 1)²,  ‖v‖ = √(Σ v² + 1e-12)
//
// as gan's gradientPenalty computes it: Grad with createGraph, then Backward
// through the recorded backward of f's ops (double backward). Their gradients
// with respect to f's weights are checked against finite differences of P.
//
// P is one float32 of size about 10, so its rounding over 2h is the error's
// floor, and with a piecewise-linear activation P jumps where a step moves a
// pre-activation across the kink. The steps are the largest that cross no
// kink here (the GPU's pre-activations are the CPU's to rounding, and Dropout
// acts after the activation): h = 3e-3 for the MLPs with LeakyReLU, 1e-2 for
// the smooth ones and the convolutional net. The worst errors on the CPU are
// 5e-5 to 5e-4; the bound is 1e-2.
func secondOrderCases() []fdCase {
	xFlat := randomInput(12, 31)
	xImage := randomInput(2*6*6*2, 32)
	mlp := func(name string, h float32, act func(g *autograd.Graph, h, b *autograd.Var) *autograd.Var) fdCase {
		return fdCase{name: name, shapes: [][]int{{3, 6}, {6}, {6, 1}}, h: h, tol: 1e-2,
			f: func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
				x := g.Input(xFlat, true, 4, 3)
				y := g.MatMul(act(g, g.MatMul(x, p[0], false, false), p[1]), p[2], false, false)
				return gradientPenalty(g, y, x)
			}}
	}
	return []fdCase{
		mlp("BiasLeakyReLU", 3e-3, func(g *autograd.Graph, h, b *autograd.Var) *autograd.Var { return g.BiasLeakyReLU(h, b, 0.2) }),
		mlp("BiasLeakyReLU ReLU", 3e-3, func(g *autograd.Graph, h, b *autograd.Var) *autograd.Var { return g.BiasLeakyReLU(h, b, 0) }),
		mlp("AddBias LeakyReLU", 3e-3, func(g *autograd.Graph, h, b *autograd.Var) *autograd.Var { return g.LeakyReLU(g.AddBias(h, b), 0.2) }),
		mlp("BiasTanh", 1e-2, func(g *autograd.Graph, h, b *autograd.Var) *autograd.Var { return g.BiasTanh(h, b) }),
		mlp("AddBias Tanh", 1e-2, func(g *autograd.Graph, h, b *autograd.Var) *autograd.Var { return g.Tanh(g.AddBias(h, b)) }),
		mlp("AddBias Sigmoid", 1e-2, func(g *autograd.Graph, h, b *autograd.Var) *autograd.Var { return g.Sigmoid(g.AddBias(h, b)) }),
		mlp("Square", 1e-2, func(g *autograd.Graph, h, b *autograd.Var) *autograd.Var { return g.Square(g.AddBias(h, b)) }),
		{name: "Conv2D LeakyReLU Dropout Dense", shapes: [][]int{{3, 3, 2, 4}, {4}, {36, 1}, {1}}, h: 1e-2, tol: 1e-2,
			f: func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
				x := g.Input(xImage, true, 2, 6, 6, 2)
				h := g.Reshape(g.Conv2D(x, p[0], [2]int{2, 2}, autograd.Same), 18, 4)
				h = g.Dropout(g.BiasLeakyReLU(h, p[1], 0.2), 0.3)
				y := g.AddBias(g.MatMul(g.Reshape(h, 2, 36), p[2], false, false), p[3])
				return gradientPenalty(g, y, x)
			}},
	}
}

// gradientPenalty is Σ_i (‖∂y/∂x_i‖ − 1)² over the rows i of x.
func gradientPenalty(g *autograd.Graph, y, x *autograd.Var) *autograd.Var {
	dx := g.Grad(y, []*autograd.Var{x}, true)[0]
	norm := g.Sqrt(g.AddScalar(g.SumCols(g.Square(dx)), 1e-12))
	return g.Sum(g.Square(g.AddScalar(norm, -1)))
}

// randomInput returns n N(0, 1) values from seed.
func randomInput(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// TestDeviceSecondOrder checks WGAN-GP's penalty's gradient on the GPU against
// finite differences computed there.
func TestDeviceSecondOrder(t *testing.T) {
	d := openDevice(t)
	runCases(t, d, secondOrderCases())
}

// TestFloat32SecondOrderCPU is TestDeviceSecondOrder on the CPU, in float32.
func TestFloat32SecondOrderCPU(t *testing.T) { runCases(t, nil, secondOrderCases()) }
