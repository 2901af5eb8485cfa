package autograd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/gogan/gogan/internal/parallel"
)

// pairCase builds a loss on g from fresh params (made by the case, seeded) and
// returns the Vars whose gradients (Grad of params, adj-derived values of inputs) are
// compared, plus the loss.
type pairCase struct {
	name      string
	wantPairs bool
	build     func(g *Graph, rng *rand.Rand, ps map[string]*Var) (loss *Var, inputs []*Var)
}

func pairCaseParam(ps map[string]*Var, rng *rand.Rand, name string, shape ...int) *Var {
	if w, ok := ps[name]; ok {
		return w
	}
	w := NewParam(name, shape...)
	fill(rng, w.Data)
	ps[name] = w
	return w
}

func pairCaseInput(g *Graph, rng *rand.Rand, grad bool, shape ...int) *Var {
	n := 1
	for _, s := range shape {
		n *= s
	}
	x := make([]float32, n)
	fill(rng, x)
	return g.Input(x, grad, shape...)
}

func pairCases() []pairCase {
	s1, s2 := [2]int{1, 1}, [2]int{2, 2}
	return []pairCase{
		{"matmul x·reshape(x)", true, func(g *Graph, rng *rand.Rand, ps map[string]*Var) (*Var, []*Var) {
			x := pairCaseInput(g, rng, true, 64, 64)
			y := g.MatMul(x, g.Reshape(x, 64, 64), false, true)
			r := pairCaseInput(g, rng, false, 64, 64)
			return g.Sum(g.Mul(y, r)), []*Var{x}
		}},
		{"matmul p·reshape(p) param", true, func(g *Graph, rng *rand.Rand, ps map[string]*Var) (*Var, []*Var) {
			p := pairCaseParam(ps, rng, "p", 96, 96)
			y := g.MatMul(p, g.Reshape(p, 96, 96), true, false)
			r := pairCaseInput(g, rng, false, 96, 96)
			return g.Sum(g.Mul(y, r)), nil
		}},
		{"weight used twice", true, func(g *Graph, rng *rand.Rand, ps map[string]*Var) (*Var, []*Var) {
			w := pairCaseParam(ps, rng, "w", 128, 128)
			x := pairCaseInput(g, rng, true, 32, 128)
			h := g.Tanh(g.MatMul(x, w, false, false))
			h = g.MatMul(h, w, false, true)
			h = g.MatMul(w, h, false, true) // w on the left too
			r := pairCaseInput(g, rng, false, 128, 32)
			return g.Sum(g.Mul(h, r)), []*Var{x}
		}},
		{"param in two convs + convT", true, func(g *Graph, rng *rand.Rand, ps map[string]*Var) (*Var, []*Var) {
			w := pairCaseParam(ps, rng, "w", 3, 3, 8, 8)
			wt := pairCaseParam(ps, rng, "wt", 4, 4, 8, 8)
			x := pairCaseInput(g, rng, true, 6, 16, 16, 8)
			h := g.Tanh(g.Conv2D(x, w, s1, Same))
			h = g.Tanh(g.Conv2D(h, w, s2, Same))           // (6, 8, 8, 8)
			h = g.Tanh(g.Conv2DTranspose(h, wt, s2, Same)) // (6, 16, 16, 8)
			h = g.Conv2D(h, w, s1, Same)
			r := pairCaseInput(g, rng, false, 6, 16, 16, 8)
			return g.Sum(g.Mul(h, r)), []*Var{x}
		}},
		{"convT weight and big image", true, func(g *Graph, rng *rand.Rand, ps map[string]*Var) (*Var, []*Var) {
			wt := pairCaseParam(ps, rng, "wt", 5, 5, 3, 16) // 16 → 3 channels
			x := pairCaseInput(g, rng, true, 16, 14, 14, 16)
			h := g.Conv2DTranspose(x, wt, s2, Same) // (16, 28, 28, 3)
			r := pairCaseInput(g, rng, false, 16, 28, 28, 3)
			return g.Sum(g.Mul(h, r)), []*Var{x}
		}},
		{"frozen weight", false, func(g *Graph, rng *rand.Rand, ps map[string]*Var) (*Var, []*Var) {
			w := pairCaseParam(ps, rng, "w", 3, 3, 8, 16)
			w.Frozen = true
			x := pairCaseInput(g, rng, true, 8, 16, 16, 8)
			h := g.Conv2D(x, w, s1, Same)
			r := pairCaseInput(g, rng, false, 8, 16, 16, 16)
			return g.Sum(g.Mul(h, r)), []*Var{x}
		}},
	}
}

func pairCaseRun(c pairCase, steps int) (bits []float32, pairs int) {
	g := NewGraph(nil)
	ps := map[string]*Var{}
	for range steps {
		g.Reset()
		rng := rand.New(rand.NewPCG(5, 6))
		for _, p := range ps {
			p.ZeroGrad()
		}
		loss, inputs := c.build(g, rng, ps)
		if inputs != nil {
			// Input gradients through Grad, parameters' through Backward.
			gs := g.Grad(loss, inputs, false)
			bits = nil
			for _, v := range gs {
				bits = append(bits, v.Data...)
			}
			g.Reset()
			rng = rand.New(rand.NewPCG(5, 6))
			loss, _ = c.build(g, rng, ps)
		} else {
			bits = nil
		}
		g.Backward(loss)
	}
	for _, name := range []string{"p", "w", "wt"} {
		if p, ok := ps[name]; ok {
			bits = append(bits, p.Grad...)
		}
	}
	return bits, g.pairsRun
}

// TestPairsBits: aliasing operands, shared weights, transposed convolutions and
// frozen weights give 1 thread's bits on 4..16 threads.
func TestPairsBits(t *testing.T) {
	defer parallel.SetThreads(0)
	for _, c := range pairCases() {
		t.Run(c.name, func(t *testing.T) {
			parallel.SetThreads(1)
			want, _ := pairCaseRun(c, 2)
			for _, n := range []int{4, 5, 7, 8, 16} {
				parallel.SetThreads(n)
				got, pairs := pairCaseRun(c, 2)
				if (pairs > 0) != c.wantPairs {
					t.Errorf("%d threads: %d pairs ran", n, pairs)
				}
				sameBits(t, fmt.Sprintf("%d threads", n), got, want)
			}
		})
	}
}

func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: value %d is %v, on 1 thread %v", what, i, got[i], want[i])
		}
	}
}

// TestPairsConcurrentGraphs: graphs backpropagating in 3 goroutines at once
// on 8 threads give 1 thread's bits.
func TestPairsConcurrentGraphs(t *testing.T) {
	defer parallel.SetThreads(0)
	cases := pairCases()
	parallel.SetThreads(1)
	var want [][]float32
	for _, c := range cases {
		b, _ := pairCaseRun(c, 2)
		want = append(want, b)
	}
	parallel.SetThreads(8)
	for round := range 2 {
		got := make([][]float32, len(cases))
		var wg sync.WaitGroup
		for i, c := range cases {
			wg.Add(1)
			go func() { defer wg.Done(); got[i], _ = pairCaseRun(c, 2) }()
		}
		wg.Wait()
		for i, c := range cases {
			sameBits(t, fmt.Sprintf("round %d, %s", round, c.name), got[i], want[i])
		}
	}
}

// TestArenaAfterPairs: after a backward pass of pairs, the arena holds no more
// than on 1 thread: scratch the two jobs release out of order is not kept until Reset.
func TestArenaAfterPairs(t *testing.T) {
	defer parallel.SetThreads(0)
	c := pairCases()[3]
	var offs []int
	for _, n := range []int{1, 8} {
		parallel.SetThreads(n)
		g := NewGraph(nil)
		ps := map[string]*Var{}
		most := 0
		for step := range 50 {
			g.Reset()
			for _, p := range ps {
				p.ZeroGrad()
			}
			loss, _ := c.build(g, rand.New(rand.NewPCG(5, 6)), ps)
			g.Backward(loss)
			if step >= 3 {
				most = max(most, g.arena.off+g.arena.overflow)
			}
		}
		offs = append(offs, most)
	}
	t.Logf("arena in use after backward: 1 thread %d floats, 8 threads at most %d", offs[0], offs[1])
	if offs[1] > offs[0] {
		t.Errorf("arena after backward: %d floats on 8 threads, %d on 1", offs[1], offs[0])
	}
}
