package autograd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// checkGradients compares the gradients that Backward gives for every parameter
// of f with central finite differences. f builds y from the parameters on a fresh
// graph; the loss is L = Σ r⊙y for a fixed random r, evaluated in float64 from y's
// float32 values, so the test checks every element of the Jacobian-vector product.
func checkGradients(t *testing.T, name string, params []*Var, f func(g *Graph) *Var) {
	t.Helper()
	checkGradientsStep(t, name, params, f, 1e-2)
}

// checkGradientsStep is checkGradients with a chosen finite-difference step h: a
// smaller one where a ReLU kink lies close to the evaluation point.
func checkGradientsStep(t *testing.T, name string, params []*Var, f func(g *Graph) *Var, h float32) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	g := NewGraph(rand.New(rand.NewPCG(3, 4)))
	y := f(g)
	r := make([]float32, len(y.Data))
	for i := range r {
		r[i] = float32(rng.NormFloat64())
	}
	lossAt := func() float64 {
		g := NewGraph(rand.New(rand.NewPCG(3, 4)))
		y := f(g)
		var s float64
		for i, v := range y.Data {
			s += float64(r[i]) * float64(v)
		}
		return s
	}
	for _, p := range params {
		p.ZeroGrad()
	}
	g.Backward(g.Sum(g.Mul(y, g.Input(r, false, y.Shape...))))
	for _, p := range params {
		for i := range p.Data {
			orig := p.Data[i]
			p.Data[i] = orig + h
			up := lossAt()
			p.Data[i] = orig - h
			down := lossAt()
			p.Data[i] = orig
			numeric := (up - down) / (2 * float64(h))
			analytic := float64(p.Grad[i])
			if diff := math.Abs(numeric - analytic); diff > 2e-3+2e-2*math.Abs(numeric) {
				t.Fatalf("%s: d/d%s[%d]: analytic %.6g, finite differences %.6g", name, p.Name, i, analytic, numeric)
			}
		}
	}
}

func randParam(rng *rand.Rand, name string, shape ...int) *Var {
	p := NewParam(name, shape...)
	for i := range p.Data {
		p.Data[i] = float32(rng.NormFloat64())
	}
	return p
}

func TestOpGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	a := randParam(rng, "a", 3, 4)
	b := randParam(rng, "b", 3, 4)
	w := randParam(rng, "w", 4, 5)
	wt := randParam(rng, "wt", 5, 4)
	at := randParam(rng, "at", 4, 3)
	bias := randParam(rng, "bias", 4)
	pos := randParam(rng, "pos", 3, 4)
	for i := range pos.Data {
		pos.Data[i] = 0.5 + float32(math.Abs(float64(pos.Data[i])))
	}
	gamma := randParam(rng, "gamma", 4)
	beta := randParam(rng, "beta", 4)
	s := randParam(rng, "s", 1)
	mean, variance := make([]float32, 4), make([]float32, 4)
	cases := []struct {
		name   string
		params []*Var
		f      func(g *Graph) *Var
	}{
		{"MatMul", []*Var{a, w}, func(g *Graph) *Var { return g.MatMul(a, w, false, false) }},
		{"MatMul transB", []*Var{a, wt}, func(g *Graph) *Var { return g.MatMul(a, wt, false, true) }},
		{"MatMul transA", []*Var{at, w}, func(g *Graph) *Var { return g.MatMul(at, w, true, false) }},
		{"MatMul transA transB", []*Var{at, wt}, func(g *Graph) *Var { return g.MatMul(at, wt, true, true) }},
		{"AddBias", []*Var{a, bias}, func(g *Graph) *Var { return g.AddBias(a, bias) }},
		{"SumRows", []*Var{a}, func(g *Graph) *Var { return g.SumRows(a, 4) }},
		{"TileRows", []*Var{bias}, func(g *Graph) *Var { return g.TileRows(bias, 3, 4) }},
		{"SumCols", []*Var{a}, func(g *Graph) *Var { return g.SumCols(a) }},
		{"Sum", []*Var{a}, func(g *Graph) *Var { return g.Sum(a) }},
		{"Mean", []*Var{a}, func(g *Graph) *Var { return g.Mean(a) }},
		{"Expand", []*Var{s}, func(g *Graph) *Var { return g.Expand(g.Reshape(s), 2, 3) }},
		{"Add", []*Var{a, b}, func(g *Graph) *Var { return g.Add(a, b) }},
		{"Add fan-out", []*Var{a}, func(g *Graph) *Var { return g.Add(a, g.Add(a, a)) }},
		{"Sub", []*Var{a, b}, func(g *Graph) *Var { return g.Sub(a, b) }},
		{"Mul", []*Var{a, b}, func(g *Graph) *Var { return g.Mul(a, b) }},
		{"Div", []*Var{a, pos}, func(g *Graph) *Var { return g.Div(a, pos) }},
		{"Scale", []*Var{a}, func(g *Graph) *Var { return g.Scale(a, -1.5) }},
		{"AddScalar", []*Var{a}, func(g *Graph) *Var { return g.AddScalar(a, 3) }},
		{"Square", []*Var{a}, func(g *Graph) *Var { return g.Square(a) }},
		{"Sqrt", []*Var{pos}, func(g *Graph) *Var { return g.Sqrt(pos) }},
		{"Reshape", []*Var{a}, func(g *Graph) *Var { return g.Reshape(a, 2, 6) }},
		{"LeakyReLU", []*Var{a}, func(g *Graph) *Var { return g.LeakyReLU(a, 0.2) }},
		{"ReLU", []*Var{a}, func(g *Graph) *Var { return g.ReLU(a) }},
		{"Tanh", []*Var{a}, func(g *Graph) *Var { return g.Tanh(a) }},
		{"Sigmoid", []*Var{a}, func(g *Graph) *Var { return g.Sigmoid(a) }},
		{"Softplus", []*Var{a}, func(g *Graph) *Var { return g.Softplus(a) }},
		{"Dropout", []*Var{a}, func(g *Graph) *Var { return g.Dropout(a, 0.5) }},
		{"BatchNormTrain", []*Var{a, gamma, beta}, func(g *Graph) *Var { return g.BatchNormTrain(a, gamma, beta, 1e-3, mean, variance) }},
		{"ScaleShiftColumns", []*Var{a}, func(g *Graph) *Var { return g.ScaleShiftColumns(a, gamma.Data, beta.Data) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkGradients(t, c.name, c.params, c.f) })
	}
}

// TestSecondOrderGradient checks the gradient of a gradient penalty,
// P = Σ_i (‖∂f/∂x_i‖ − 1)², with respect to the weights of small networks f with
// each activation, against finite differences of P itself, where P uses Grad with
// createGraph.
func TestSecondOrderGradient(t *testing.T) {
	bias := func(g *Graph, h *Var) *Var { return g.AddBias(h, g.Constant(0.3, 6)) }
	acts := []struct {
		name string
		f    func(g *Graph, h *Var) *Var
	}{
		{"linear", func(g *Graph, h *Var) *Var { return h }},
		{"Tanh", func(g *Graph, h *Var) *Var { return g.Tanh(h) }},
		{"Sigmoid", func(g *Graph, h *Var) *Var { return g.Sigmoid(h) }},
		{"Softplus", func(g *Graph, h *Var) *Var { return g.Softplus(h) }},
		{"LeakyReLU", func(g *Graph, h *Var) *Var { return g.LeakyReLU(h, 0.2) }},
		{"Square", func(g *Graph, h *Var) *Var { return g.Square(bias(g, h)) }},
		{"Div", func(g *Graph, h *Var) *Var { return g.Div(h, g.AddScalar(g.Square(h), 1)) }},
		{"chain", func(g *Graph, h *Var) *Var {
			return g.Sigmoid(g.Softplus(g.LeakyReLU(g.Tanh(bias(g, h)), 0.2)))
		}},
	}
	for _, act := range acts {
		rng := rand.New(rand.NewPCG(5, 6))
		w1 := randParam(rng, "w1", 3, 6)
		w2 := randParam(rng, "w2", 6, 1)
		xData := make([]float32, 4*3)
		for i := range xData {
			xData[i] = float32(rng.NormFloat64())
		}
		penalty := func(g *Graph) *Var {
			x := g.Input(xData, true, 4, 3)
			y := g.MatMul(act.f(g, g.MatMul(x, w1, false, false)), w2, false, false)
			dx := g.Grad(y, []*Var{x}, true)[0]
			norm := g.Sqrt(g.AddScalar(g.SumCols(g.Square(dx)), 1e-6))
			return g.Sum(g.Square(g.AddScalar(norm, -1)))
		}
		t.Run(act.name, func(t *testing.T) { checkGradientsStep(t, act.name, []*Var{w1, w2}, penalty, 1e-3) })
	}
}

func TestGradLeavesParameterGradsAlone(t *testing.T) {
	w := NewParam("w", 2, 2)
	copy(w.Data, []float32{1, 2, 3, 4})
	g := NewGraph(rand.New(rand.NewPCG(1, 1)))
	x := g.Input([]float32{1, 1}, true, 1, 2)
	y := g.MatMul(x, w, false, false)
	dx := g.Grad(y, []*Var{x}, false)[0]
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
	w := NewParam("w", 2, 2)
	w.Frozen = true
	copy(w.Data, []float32{1, 2, 3, 4})
	u := NewParam("u", 1, 2)
	copy(u.Data, []float32{1, -1})
	g := NewGraph(nil)
	g.Backward(g.Sum(g.MatMul(u, w, false, false)))
	if w.Grad[0] != 0 || u.Grad[0] != 3 || u.Grad[1] != 7 {
		t.Fatalf("frozen w.Grad %v (want zeros), u.Grad %v (want [3 7])", w.Grad, u.Grad)
	}
}

func TestFirstOrderOpRefusesSecondOrder(t *testing.T) {
	gamma, beta := NewParam("gamma", 2), NewParam("beta", 2)
	gamma.Data[0], gamma.Data[1] = 1, 1
	g := NewGraph(nil)
	x := g.Input([]float32{1, 2, 3, 5}, true, 2, 2)
	y := g.BatchNormTrain(x, gamma, beta, 1e-3, make([]float32, 2), make([]float32, 2))
	defer func() {
		if recover() == nil {
			t.Fatal("second-order gradient through BatchNorm did not panic")
		}
	}()
	g.Grad(g.Sum(g.Square(y)), []*Var{x}, true)
}
