// Package gradcheck compares gradients computed by autograd with central finite
// differences: the oracle that every op's and layer's test uses.
package gradcheck

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/autograd"
)

// Check compares the gradients that Backward gives for every parameter in params
// with central finite differences of step h. f builds y from the parameters on
// the graph it is given, and must be deterministic (dropout draws from the
// graph's Rand, which Check seeds the same way for every evaluation). The loss
// is L = Σ r⊙y for a fixed random r, evaluated in float64 from y's float32
// values, so every element of y takes part. A ReLU kink near the evaluation
// point calls for a smaller h.
func Check(t testing.TB, name string, params []*autograd.Var, f func(g *autograd.Graph) *autograd.Var, h float32) {
	t.Helper()
	newGraph := func() *autograd.Graph { return autograd.NewGraph(rand.New(rand.NewPCG(3, 4))) }
	g := newGraph()
	y := f(g)
	rng := rand.New(rand.NewPCG(1, 2))
	r := make([]float32, len(y.Data))
	for i := range r {
		r[i] = float32(rng.NormFloat64())
	}
	lossAt := func() float64 {
		y := f(newGraph())
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
	analytic := make([][]float32, len(params))
	for i, p := range params {
		analytic[i] = append([]float32(nil), p.Grad...)
	}
	for pi, p := range params {
		for i := range p.Data {
			orig := p.Data[i]
			p.Data[i] = orig + h
			up := lossAt()
			p.Data[i] = orig - h
			down := lossAt()
			p.Data[i] = orig
			numeric := (up - down) / (2 * float64(h))
			a := float64(analytic[pi][i])
			if diff := math.Abs(numeric - a); diff > 2e-3+2e-2*math.Abs(numeric) {
				t.Fatalf("%s: d/d%s[%d]: analytic %.6g, finite differences %.6g", name, p.Name, i, a, numeric)
			}
		}
	}
}

// RandomParam returns a parameter of the given shape with N(0, 1) values.
func RandomParam(rng *rand.Rand, name string, shape ...int) *autograd.Var {
	p := autograd.NewParam(name, shape...)
	for i := range p.Data {
		p.Data[i] = float32(rng.NormFloat64())
	}
	return p
}
