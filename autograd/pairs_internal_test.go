package autograd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/internal/parallel"
)

// TestPairedGradientsBitIdentical: a backward pass through convolutions, transposed
// convolutions and products whose input and weight gradients are both wanted (a critic
// differentiated for its weights and for its input) gives the same bits on 1 and 2
// threads, where each rule computes them one after the other, and on 4, 8 and 16, where
// it computes them as pairs at once on halves of the team. It also checks that the
// pairs ran, on 4 threads or more only.
func TestPairedGradientsBitIdentical(t *testing.T) {
	defer parallel.SetThreads(0)
	rng := rand.New(rand.NewPCG(31, 32))
	w0 := pairParam(rng, "w0", 3, 3, 3, 8)   // Conv2D 3 → 8, stride 1
	w1 := pairParam(rng, "w1", 5, 5, 8, 32)  // Conv2D 8 → 32, stride 2
	w2 := pairParam(rng, "w2", 4, 4, 16, 32) // Conv2DTranspose 32 → 16, stride 2
	w3 := pairParam(rng, "w3", 16*16*16, 24) // MatMul
	x := make([]float32, 12*16*16*3)
	r := make([]float32, 12*24)
	fill(rng, x)
	fill(rng, r)
	var first []float32
	for _, threads := range []int{1, 2, 4, 8, 16} {
		parallel.SetThreads(threads)
		g := NewGraph(nil)
		var run []float32
		for step := range 2 { // the second step's arena holds the first's values
			g.Reset()
			for _, w := range []*Var{w0, w1, w2, w3} {
				w.ZeroGrad()
			}
			xv := g.Input(x, true, 12, 16, 16, 3)
			h := g.LeakyReLU(g.Conv2D(xv, w0, [2]int{1, 1}, Same), 0.2)        // (12, 16, 16, 8)
			h = g.LeakyReLU(g.Conv2D(h, w1, [2]int{2, 2}, Same), 0.2)          // (12, 8, 8, 32)
			h = g.LeakyReLU(g.Conv2DTranspose(h, w2, [2]int{2, 2}, Same), 0.2) // (12, 16, 16, 16)
			y := g.MatMul(g.Reshape(h, 12, 16*16*16), w3, false, false)        // (12, 24)
			loss := g.Sum(g.Mul(y, g.Input(r, false, 12, 24)))
			g.Backward(loss)
			wantPairs := 0
			if threads >= 4 {
				wantPairs = 4 * (step + 1) // one for each op
			}
			if g.pairsRun != wantPairs {
				t.Errorf("%d threads, step %d: %d pairs ran at once, want %d", threads, step, g.pairsRun, wantPairs)
			}
			run = append(append(append(append([]float32(nil), w0.Grad...), w1.Grad...), w2.Grad...), w3.Grad...)
		}
		if first == nil {
			first = run
			continue
		}
		for i := range run {
			if math.Float32bits(run[i]) != math.Float32bits(first[i]) {
				t.Fatalf("%d threads: value %d of the gradients is %v, on 1 thread %v", threads, i, run[i], first[i])
			}
		}
	}
}

func pairParam(rng *rand.Rand, name string, shape ...int) *Var {
	w := NewParam(name, shape...)
	fill(rng, w.Data)
	return w
}

func fill(rng *rand.Rand, s []float32) {
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
}
