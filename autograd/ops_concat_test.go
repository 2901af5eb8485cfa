package autograd_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/gradcheck"
)

// refConcat is Concat as the loop of its definition: y[r, o_k + j] = x_k[r, j]
// for every row r (all dimensions but the last) of (rows, C_k) inputs.
func refConcat(rows int, xs [][]float32, widths []int) []float32 {
	total := 0
	for _, c := range widths {
		total += c
	}
	y := make([]float32, rows*total)
	for r := 0; r < rows; r++ {
		off := 0
		for k, x := range xs {
			for j := 0; j < widths[k]; j++ {
				y[r*total+off+j] = x[r*widths[k]+j]
			}
			off += widths[k]
		}
	}
	return y
}

// TestConcatMatchesLoop compares Concat and SliceLast with the loops of their
// definitions on random leading shapes and widths, odd ones and zero included,
// for two to five inputs (more than three are joined in steps).
func TestConcatMatchesLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := 0; trial < 40; trial++ {
		lead := make([]int, 1+rng.IntN(3))
		for i := range lead {
			lead[i] = 1 + rng.IntN(4)
		}
		rows := 1
		for _, d := range lead {
			rows *= d
		}
		k := 2 + rng.IntN(4)
		g := autograd.NewGraph(nil)
		xs := make([]*autograd.Var, k)
		data := make([][]float32, k)
		widths := make([]int, k)
		for i := range xs {
			widths[i] = rng.IntN(5) // zero-width inputs are allowed
			data[i] = make([]float32, rows*widths[i])
			for j := range data[i] {
				data[i][j] = float32(rng.NormFloat64())
			}
			xs[i] = g.Input(data[i], false, append(append([]int(nil), lead...), widths[i])...)
		}
		y := g.Concat(xs...)
		want := refConcat(rows, data, widths)
		name := fmt.Sprintf("lead %v widths %v", lead, widths)
		if !y.Shape[:len(lead)].Equal(lead) || y.Shape[len(lead)] != len(want)/rows {
			t.Fatalf("%s: shape %v", name, y.Shape)
		}
		for i := range want {
			if y.Data[i] != want[i] {
				t.Fatalf("%s: y[%d] = %g, want %g", name, i, y.Data[i], want[i])
			}
		}
		// Slicing the result gives the inputs back.
		off := 0
		for i, x := range xs {
			s := g.SliceLast(y, off, off+widths[i])
			off += widths[i]
			if !s.Shape.Equal(x.Shape) || fmt.Sprint(s.Data) != fmt.Sprint(x.Data) {
				t.Fatalf("%s: slice %d is %v %v, want %v %v", name, i, s.Shape, s.Data, x.Shape, x.Data)
			}
		}
	}
}

func TestConcatGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	a := gradcheck.RandomParam(rng, "a", 3, 2, 4)
	b := gradcheck.RandomParam(rng, "b", 3, 2, 1)
	c := gradcheck.RandomParam(rng, "c", 3, 2, 3)
	d := gradcheck.RandomParam(rng, "d", 3, 2, 2)
	v := gradcheck.RandomParam(rng, "v", 5, 3)
	cases := []struct {
		name   string
		params []*autograd.Var
		f      func(g *autograd.Graph) *autograd.Var
	}{
		{"Concat 2", []*autograd.Var{a, b}, func(g *autograd.Graph) *autograd.Var { return g.Concat(a, b) }},
		{"Concat 3", []*autograd.Var{a, b, c}, func(g *autograd.Graph) *autograd.Var { return g.Concat(a, b, c) }},
		{"Concat 4", []*autograd.Var{a, b, c, d}, func(g *autograd.Graph) *autograd.Var { return g.Concat(a, b, c, d) }},
		{"Concat fan-out", []*autograd.Var{a, b}, func(g *autograd.Graph) *autograd.Var { return g.Concat(a, b, a) }},
		{"SliceLast middle", []*autograd.Var{a}, func(g *autograd.Graph) *autograd.Var { return g.SliceLast(a, 1, 3) }},
		{"SliceLast ends", []*autograd.Var{v}, func(g *autograd.Graph) *autograd.Var {
			return g.Concat(g.SliceLast(v, 2, 3), g.SliceLast(v, 0, 2))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { gradcheck.Check(t, c.name, c.params, c.f, 1e-2) })
	}
}

// TestConcatSecondOrder checks the gradient of a gradient penalty through
// Concat (whose backward is SliceLast, whose backward is Concat again):
// P = Σ_i (‖∂f/∂x_i‖ − 1)² for f(x) = tanh([x·W1 | x])·w2.
func TestConcatSecondOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	w1 := gradcheck.RandomParam(rng, "w1", 3, 4)
	w2 := gradcheck.RandomParam(rng, "w2", 7, 1)
	xData := make([]float32, 4*3)
	for i := range xData {
		xData[i] = float32(rng.NormFloat64())
	}
	penalty := func(g *autograd.Graph) *autograd.Var {
		x := g.Input(xData, true, 4, 3)
		h := g.Tanh(g.Concat(g.MatMul(x, w1, false, false), x))
		y := g.MatMul(h, w2, false, false)
		dx := g.Grad(y, []*autograd.Var{x}, true)[0]
		norm := g.Sqrt(g.AddScalar(g.SumCols(g.Square(dx)), 1e-6))
		return g.Sum(g.Square(g.AddScalar(norm, -1)))
	}
	gradcheck.Check(t, "penalty through Concat", []*autograd.Var{w1, w2}, penalty, 1e-3)
}

func TestConcatPanics(t *testing.T) {
	g := autograd.NewGraph(nil)
	a := g.Input(make([]float32, 6), false, 2, 3)
	cases := []struct {
		name, want string
		f          func()
	}{
		{"leading shapes differ", "shapes differ before the last axis", func() { g.Concat(a, g.Input(make([]float32, 6), false, 3, 2)) }},
		{"ranks differ", "shapes differ before the last axis", func() { g.Concat(a, g.Input(make([]float32, 6), false, 2, 3, 1)) }},
		{"no inputs", "Concat of no tensors", func() { g.Concat() }},
		{"slice out of range", "SliceLast [2, 4) of (2, 3)", func() { g.SliceLast(a, 2, 4) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(fmt.Sprint(r), c.want) {
					t.Fatalf("panic %v, want one containing %q", r, c.want)
				}
			}()
			c.f()
		})
	}
}
