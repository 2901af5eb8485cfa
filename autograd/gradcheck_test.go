package autograd_test

import (
	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/gradcheck"
	"math"
	"math/rand/v2"
	"testing"
)

func TestOpGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	a := gradcheck.RandomParam(rng, "a", 3, 4)
	b := gradcheck.RandomParam(rng, "b", 3, 4)
	w := gradcheck.RandomParam(rng, "w", 4, 5)
	wt := gradcheck.RandomParam(rng, "wt", 5, 4)
	at := gradcheck.RandomParam(rng, "at", 4, 3)
	bias := gradcheck.RandomParam(rng, "bias", 4)
	pos := gradcheck.RandomParam(rng, "pos", 3, 4)
	for i := range pos.Data {
		pos.Data[i] = 0.5 + float32(math.Abs(float64(pos.Data[i])))
	}
	gamma := gradcheck.RandomParam(rng, "gamma", 4)
	beta := gradcheck.RandomParam(rng, "beta", 4)
	s := gradcheck.RandomParam(rng, "s", 1)
	mean, variance := make([]float32, 4), make([]float32, 4)
	movingMean, movingVariance := autograd.NewState("moving_mean", 4), autograd.NewState("moving_variance", 4)
	copy(movingMean.Data, []float32{0.3, -0.2, 0.1, 0.5})
	copy(movingVariance.Data, []float32{0.5, 1.5, 2, 0.8})
	cases := []struct {
		name   string
		params []*autograd.Var
		f      func(g *autograd.Graph) *autograd.Var
	}{
		{"MatMul", []*autograd.Var{a, w}, func(g *autograd.Graph) *autograd.Var { return g.MatMul(a, w, false, false) }},
		{"MatMul transB", []*autograd.Var{a, wt}, func(g *autograd.Graph) *autograd.Var { return g.MatMul(a, wt, false, true) }},
		{"MatMul transA", []*autograd.Var{at, w}, func(g *autograd.Graph) *autograd.Var { return g.MatMul(at, w, true, false) }},
		{"MatMul transA transB", []*autograd.Var{at, wt}, func(g *autograd.Graph) *autograd.Var { return g.MatMul(at, wt, true, true) }},
		{"AddBias", []*autograd.Var{a, bias}, func(g *autograd.Graph) *autograd.Var { return g.AddBias(a, bias) }},
		{"SumRows", []*autograd.Var{a}, func(g *autograd.Graph) *autograd.Var { return g.SumRows(a, 4) }},
		{"TileRows", []*autograd.Var{bias}, func(g *autograd.Graph) *autograd.Var { return g.TileRows(bias, 3, 4) }},
		{"SumCols", []*autograd.Var{a}, func(g *autograd.Graph) *autograd.Var { return g.SumCols(a) }},
		{"Sum", []*autograd.Var{a}, func(g *autograd.Graph) *autograd.Var { return g.Sum(a) }},
		{"Mean", []*autograd.Var{a}, func(g *autograd.Graph) *autograd.Var { return g.Mean(a) }},
		{"Expand", []*autograd.Var{s}, func(g *autograd.Graph) *autograd.Var { return g.Expand(g.Reshape(s), 2, 3) }},
		{"Add", []*autograd.Var{a, b}, func(g *autograd.Graph) *autograd.Var { return g.Add(a, b) }},
		{"Add fan-out", []*autograd.Var{a}, func(g *autograd.Graph) *autograd.Var { return g.Add(a, g.Add(a, a)) }},
		{"Sub", []*autograd.Var{a, b}, func(g *autograd.Graph) *autograd.Var { return g.Sub(a, b) }},
		{"Mul", []*autograd.Var{a, b}, func(g *autograd.Graph) *autograd.Var { return g.Mul(a, b) }},
		{"Div", []*autograd.Var{a, pos}, func(g *autograd.Graph) *autograd.Var { return g.Div(a, pos) }},
		{"Scale", []*autograd.Var{a}, func(g *autograd.Graph) *autograd.Var { return g.Scale(a, -1.5) }},
		{"AddScalar", []*autograd.Var{a}, func(g *autograd.Graph) *autograd.Var { return g.AddScalar(a, 3) }},
		{"Square", []*autograd.Var{a}, func(g *autograd.Graph) *autograd.Var { return g.Square(a) }},
		{"Exp", []*autograd.Var{a}, func(g *autograd.Graph) *autograd.Var { return g.Exp(a) }},
		{"LogSumExp", []*autograd.Var{a}, func(g *autograd.Graph) *autograd.Var { return g.LogSumExp(a) }},
		{"LogSoftmax", []*autograd.Var{a}, func(g *autograd.Graph) *autograd.Var { return g.LogSoftmax(a) }},
		{"Log", []*autograd.Var{pos}, func(g *autograd.Graph) *autograd.Var { return g.Log(pos) }},
		{"Clip", []*autograd.Var{a}, func(g *autograd.Graph) *autograd.Var { return g.Clip(a, -0.5, 0.7) }},
		{"Sqrt", []*autograd.Var{pos}, func(g *autograd.Graph) *autograd.Var { return g.Sqrt(pos) }},
		{"Reshape", []*autograd.Var{a}, func(g *autograd.Graph) *autograd.Var { return g.Reshape(a, 2, 6) }},
		{"LeakyReLU", []*autograd.Var{a}, func(g *autograd.Graph) *autograd.Var { return g.LeakyReLU(a, 0.2) }},
		{"ReLU", []*autograd.Var{a}, func(g *autograd.Graph) *autograd.Var { return g.ReLU(a) }},
		{"Tanh", []*autograd.Var{a}, func(g *autograd.Graph) *autograd.Var { return g.Tanh(a) }},
		{"Sigmoid", []*autograd.Var{a}, func(g *autograd.Graph) *autograd.Var { return g.Sigmoid(a) }},
		{"Softplus", []*autograd.Var{a}, func(g *autograd.Graph) *autograd.Var { return g.Softplus(a) }},
		{"Dropout", []*autograd.Var{a}, func(g *autograd.Graph) *autograd.Var { return g.Dropout(a, 0.5) }},
		{"BatchNormTrain", []*autograd.Var{a, gamma, beta}, func(g *autograd.Graph) *autograd.Var { return g.BatchNormTrain(a, gamma, beta, 1e-3, mean, variance) }},
		{"BatchNormInference", []*autograd.Var{a, gamma, beta}, func(g *autograd.Graph) *autograd.Var {
			return g.BatchNormInference(a, gamma, beta, movingMean, movingVariance, 1e-3)
		}},
		{"MulColumns", []*autograd.Var{a, bias}, func(g *autograd.Graph) *autograd.Var { return g.MulColumns(a, bias) }},
		{"BiasLeakyReLU", []*autograd.Var{a, bias}, func(g *autograd.Graph) *autograd.Var { return g.BiasLeakyReLU(a, bias, 0.2) }},
		{"BiasLeakyReLU ReLU", []*autograd.Var{a, bias}, func(g *autograd.Graph) *autograd.Var { return g.BiasLeakyReLU(a, bias, 0) }},
		{"BiasTanh", []*autograd.Var{a, bias}, func(g *autograd.Graph) *autograd.Var { return g.BiasTanh(a, bias) }},
		{"SigmoidCrossEntropy", []*autograd.Var{a, b}, func(g *autograd.Graph) *autograd.Var {
			return g.SigmoidCrossEntropy(a, g.Sigmoid(b)) // targets in (0, 1), differentiated too
		}},
		{"StackRows", []*autograd.Var{a, b}, func(g *autograd.Graph) *autograd.Var { return g.StackRows(a, g.Scale(b, 2)) }},
		{"SliceRows", []*autograd.Var{a}, func(g *autograd.Graph) *autograd.Var {
			return g.Add(g.SliceRows(a, 1, 3), g.Square(g.SliceRows(a, 0, 2)))
		}},
		{"MatMul into a shared weight", []*autograd.Var{a, w}, func(g *autograd.Graph) *autograd.Var {
			return g.Add(g.MatMul(a, w, false, false), g.Tanh(g.MatMul(g.Scale(a, 0.5), w, false, false)))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { gradcheck.Check(t, c.name, c.params, c.f, 1e-2) })
	}
}

// TestSecondOrderGradient checks the gradient of a gradient penalty,
// P = Σ_i (‖∂f/∂x_i‖ − 1)², with respect to the weights of small networks f with
// each activation, against finite differences of P itself, where P uses Grad with
// createGraph.
func TestSecondOrderGradient(t *testing.T) {
	bias := func(g *autograd.Graph, h *autograd.Var) *autograd.Var { return g.AddBias(h, g.Constant(0.3, 6)) }
	acts := []struct {
		name string
		f    func(g *autograd.Graph, h *autograd.Var) *autograd.Var
	}{
		{"linear", func(g *autograd.Graph, h *autograd.Var) *autograd.Var { return h }},
		{"Tanh", func(g *autograd.Graph, h *autograd.Var) *autograd.Var { return g.Tanh(h) }},
		{"Sigmoid", func(g *autograd.Graph, h *autograd.Var) *autograd.Var { return g.Sigmoid(h) }},
		{"Softplus", func(g *autograd.Graph, h *autograd.Var) *autograd.Var { return g.Softplus(h) }},
		{"LeakyReLU", func(g *autograd.Graph, h *autograd.Var) *autograd.Var { return g.LeakyReLU(h, 0.2) }},
		{"Square", func(g *autograd.Graph, h *autograd.Var) *autograd.Var { return g.Square(bias(g, h)) }},
		{"Div", func(g *autograd.Graph, h *autograd.Var) *autograd.Var { return g.Div(h, g.AddScalar(g.Square(h), 1)) }},
		{"chain", func(g *autograd.Graph, h *autograd.Var) *autograd.Var {
			return g.Sigmoid(g.Softplus(g.LeakyReLU(g.Tanh(bias(g, h)), 0.2)))
		}},
		{"BiasLeakyReLU", func(g *autograd.Graph, h *autograd.Var) *autograd.Var {
			return g.BiasLeakyReLU(h, g.Constant(0.3, 6), 0.2)
		}},
		{"BiasTanh", func(g *autograd.Graph, h *autograd.Var) *autograd.Var { return g.BiasTanh(h, g.Constant(0.3, 6)) }},
		{"StackRows and SliceRows", func(g *autograd.Graph, h *autograd.Var) *autograd.Var {
			s := g.Tanh(g.StackRows(g.SliceRows(h, 2, 4), g.SliceRows(h, 0, 2)))
			return g.StackRows(g.SliceRows(s, 2, 4), g.SliceRows(s, 0, 2))
		}},
		{"SigmoidCrossEntropy", func(g *autograd.Graph, h *autograd.Var) *autograd.Var {
			return g.Mul(h, g.Expand(g.SigmoidCrossEntropy(h, g.Constant(0.7, h.Shape...)), h.Shape...))
		}},
	}
	for _, act := range acts {
		rng := rand.New(rand.NewPCG(5, 6))
		w1 := gradcheck.RandomParam(rng, "w1", 3, 6)
		w2 := gradcheck.RandomParam(rng, "w2", 6, 1)
		xData := make([]float32, 4*3)
		for i := range xData {
			xData[i] = float32(rng.NormFloat64())
		}
		penalty := func(g *autograd.Graph) *autograd.Var {
			x := g.Input(xData, true, 4, 3)
			y := g.MatMul(act.f(g, g.MatMul(x, w1, false, false)), w2, false, false)
			dx := g.Grad(y, []*autograd.Var{x}, true)[0]
			norm := g.Sqrt(g.AddScalar(g.SumCols(g.Square(dx)), 1e-6))
			return g.Sum(g.Square(g.AddScalar(norm, -1)))
		}
		t.Run(act.name, func(t *testing.T) { gradcheck.Check(t, act.name, []*autograd.Var{w1, w2}, penalty, 1e-3) })
	}
}

func TestGradLeavesParameterGradsAlone(t *testing.T) {
	w := autograd.NewParam("w", 2, 2)
	copy(w.Data, []float32{1, 2, 3, 4})
	g := autograd.NewGraph(rand.New(rand.NewPCG(1, 1)))
	x := g.Input([]float32{1, 1}, true, 1, 2)
	y := g.MatMul(x, w, false, false)
	dx := g.Grad(y, []*autograd.Var{x}, false)[0]
	if dx.Data[0] != 3 || dx.Data[1] != 7 {
		t.Fatalf("dy/dx = %v, want [3 7]", dx.Data)
	}
	for _, v := range w.Grad {
		if v != 0 {
			t.Fatalf("Grad touched a parameter's gradient: %v", w.Grad)
		}
	}
}

func TestFrozenParameterGetsNoGradient(t *testing.T) {
	w := autograd.NewParam("w", 2, 2)
	w.Frozen = true
	copy(w.Data, []float32{1, 2, 3, 4})
	u := autograd.NewParam("u", 1, 2)
	copy(u.Data, []float32{1, -1})
	g := autograd.NewGraph(nil)
	g.Backward(g.Sum(g.MatMul(u, w, false, false)))
	if w.Grad[0] != 0 || u.Grad[0] != 3 || u.Grad[1] != 7 {
		t.Fatalf("frozen w.Grad %v (want zeros), u.Grad %v (want [3 7])", w.Grad, u.Grad)
	}
}

func TestFirstOrderOpRefusesSecondOrder(t *testing.T) {
	gamma, beta := autograd.NewParam("gamma", 2), autograd.NewParam("beta", 2)
	gamma.Data[0], gamma.Data[1] = 1, 1
	g := autograd.NewGraph(nil)
	x := g.Input([]float32{1, 2, 3, 5}, true, 2, 2)
	y := g.BatchNormTrain(x, gamma, beta, 1e-3, make([]float32, 2), make([]float32, 2))
	defer func() {
		if recover() == nil {
			t.Fatal("second-order gradient through BatchNorm did not panic")
		}
	}()
	g.Grad(g.Sum(g.Square(y)), []*autograd.Var{x}, true)
}
