package autograd_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/gradcheck"
)

// TestGatherMatchesLoop compares Gather and ScatterAdd with the loops of their
// definitions, y[i, j] = table[ids[i], j] and t[ids[i], j] += src[i, j], on
// random sizes with repeated ids.
func TestGatherMatchesLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for trial := 0; trial < 30; trial++ {
		v, d := 1+rng.IntN(7), 1+rng.IntN(5)
		n, l := 1+rng.IntN(5), 1+rng.IntN(3)
		table := make([]float32, v*d)
		for i := range table {
			table[i] = float32(rng.NormFloat64())
		}
		ids := make([]float32, n*l)
		for i := range ids {
			ids[i] = float32(rng.IntN(v))
		}
		g := autograd.NewGraph(nil)
		idVar := g.Input(ids, false, n, l)
		y := g.Gather(g.Input(table, false, v, d), idVar)
		if !y.Shape.Equal([]int{n, l, d}) {
			t.Fatalf("Gather shape %v, want (%d, %d, %d)", y.Shape, n, l, d)
		}
		sum := make([]float32, v*d)
		for i, id := range ids {
			for j := 0; j < d; j++ {
				if got, want := y.Data[i*d+j], table[int(id)*d+j]; got != want {
					t.Fatalf("Gather y[%d, %d] = %g, want %g", i, j, got, want)
				}
				sum[int(id)*d+j] += y.Data[i*d+j]
			}
		}
		s := g.ScatterAdd(y, idVar, v)
		if !s.Shape.Equal([]int{v, d}) {
			t.Fatalf("ScatterAdd shape %v, want (%d, %d)", s.Shape, v, d)
		}
		for i := range sum {
			if s.Data[i] != sum[i] {
				t.Fatalf("ScatterAdd t[%d] = %g, want %g", i, s.Data[i], sum[i])
			}
		}
	}
}

func TestGatherGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	table := gradcheck.RandomParam(rng, "table", 5, 3)
	src := gradcheck.RandomParam(rng, "src", 4, 2, 3)
	ids := []float32{4, 0, 2, 4, 1, 4} // 4 repeats: its gradient rows add up
	ids42 := []float32{1, 1, 0, 3, 4, 1, 2, 0}
	cases := []struct {
		name   string
		params []*autograd.Var
		f      func(g *autograd.Graph) *autograd.Var
	}{
		{"Gather", []*autograd.Var{table}, func(g *autograd.Graph) *autograd.Var {
			return g.Gather(table, g.Input(ids, false, 6, 1))
		}},
		{"Gather 2-D ids", []*autograd.Var{table}, func(g *autograd.Graph) *autograd.Var {
			return g.Gather(table, g.Input(ids, false, 3, 2))
		}},
		{"ScatterAdd", []*autograd.Var{src}, func(g *autograd.Graph) *autograd.Var {
			return g.ScatterAdd(src, g.Input(ids42, false, 4, 2), 5)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { gradcheck.Check(t, c.name, c.params, c.f, 1e-2) })
	}
}

// TestGatherSecondOrder differentiates a penalty on the embedding table's
// gradient, P = Σ (∂f/∂table)², with f = Σ tanh(Gather(table, ids)·W): the
// gradient is a ScatterAdd that depends on W, and P's gradient with respect to
// W goes back through it (ScatterAdd's backward is a Gather).
func TestGatherSecondOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	w := gradcheck.RandomParam(rng, "w", 3, 2)
	tableData := make([]float32, 5*3)
	for i := range tableData {
		tableData[i] = float32(rng.NormFloat64())
	}
	ids := []float32{1, 3, 1, 0}
	penalty := func(g *autograd.Graph) *autograd.Var {
		table := g.Input(tableData, true, 5, 3)
		e := g.Reshape(g.Gather(table, g.Input(ids, false, 4, 1)), 4, 3)
		y := g.Tanh(g.MatMul(e, w, false, false))
		dt := g.Grad(y, []*autograd.Var{table}, true)[0]
		return g.Sum(g.Square(dt))
	}
	gradcheck.Check(t, "penalty through Gather", []*autograd.Var{w}, penalty, 1e-3)
}

func TestGatherPanics(t *testing.T) {
	g := autograd.NewGraph(nil)
	table := g.Input(make([]float32, 6), false, 3, 2)
	cases := []struct {
		name, want string
		ids        []float32
	}{
		{"too large", "Gather index 3 is not an integer in [0, 3)", []float32{0, 3}},
		{"negative", "Gather index -1 is not an integer in [0, 3)", []float32{-1}},
		{"fraction", "Gather index 1.5 is not an integer in [0, 3)", []float32{1.5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(fmt.Sprint(r), c.want) {
					t.Fatalf("panic %v, want one containing %q", r, c.want)
				}
			}()
			g.Gather(table, g.Input(c.ids, false, len(c.ids), 1))
		})
	}
}
