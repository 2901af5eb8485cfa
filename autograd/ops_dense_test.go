package autograd_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/gradcheck"
	"github.com/gogan/gogan/internal/parallel"
)

// denseOps are the Dense products with their bias and activation as the product's
// epilogue, beside the ops they stand for.
var denseOps = []struct {
	name         string
	fused, plain func(g *autograd.Graph, x, w, b *autograd.Var) *autograd.Var
}{
	{"MatMulBiasLeakyReLU",
		func(g *autograd.Graph, x, w, b *autograd.Var) *autograd.Var {
			return g.MatMulBiasLeakyReLU(x, w, b, 0.2)
		},
		func(g *autograd.Graph, x, w, b *autograd.Var) *autograd.Var {
			return g.BiasLeakyReLU(g.MatMul(x, w, false, false), b, 0.2)
		}},
	{"MatMulBiasLeakyReLU ReLU",
		func(g *autograd.Graph, x, w, b *autograd.Var) *autograd.Var { return g.MatMulBiasLeakyReLU(x, w, b, 0) },
		func(g *autograd.Graph, x, w, b *autograd.Var) *autograd.Var {
			return g.BiasLeakyReLU(g.MatMul(x, w, false, false), b, 0)
		}},
	{"MatMulBiasTanh",
		func(g *autograd.Graph, x, w, b *autograd.Var) *autograd.Var { return g.MatMulBiasTanh(x, w, b) },
		func(g *autograd.Graph, x, w, b *autograd.Var) *autograd.Var {
			return g.BiasTanh(g.MatMul(x, w, false, false), b)
		}},
}

// TestDenseOpGradients checks the fused Dense ops' gradients (x, w and b) against
// finite differences.
func TestDenseOpGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	x := gradcheck.RandomParam(rng, "x", 3, 4)
	w := gradcheck.RandomParam(rng, "w", 4, 5)
	b := gradcheck.RandomParam(rng, "b", 5)
	for _, op := range denseOps {
		t.Run(op.name, func(t *testing.T) {
			gradcheck.Check(t, op.name, []*autograd.Var{x, w, b}, func(g *autograd.Graph) *autograd.Var { return op.fused(g, x, w, b) }, 1e-2)
		})
	}
}

// TestDenseOpSecondOrder checks the gradient of a gradient penalty through the fused
// Dense ops (their backward recorded, as WGAN-GP's critic records it) against finite
// differences of the penalty. ReLU is left out: at this point a step of h crosses
// its kink, where the penalty jumps (the unfused ops' check fails there too).
func TestDenseOpSecondOrder(t *testing.T) {
	for _, op := range denseOps {
		if op.name == "MatMulBiasLeakyReLU ReLU" {
			continue
		}
		rng := rand.New(rand.NewPCG(5, 6))
		w1 := gradcheck.RandomParam(rng, "w1", 3, 6)
		b1 := gradcheck.RandomParam(rng, "b1", 6)
		w2 := gradcheck.RandomParam(rng, "w2", 6, 1)
		xData := make([]float32, 4*3)
		for i := range xData {
			xData[i] = float32(rng.NormFloat64())
		}
		penalty := func(g *autograd.Graph) *autograd.Var {
			x := g.Input(xData, true, 4, 3)
			y := g.MatMul(op.fused(g, x, w1, b1), w2, false, false)
			dx := g.Grad(y, []*autograd.Var{x}, true)[0]
			norm := g.Sqrt(g.AddScalar(g.SumCols(g.Square(dx)), 1e-6))
			return g.Sum(g.Square(g.AddScalar(norm, -1)))
		}
		t.Run(op.name, func(t *testing.T) { gradcheck.Check(t, op.name, []*autograd.Var{w1, b1, w2}, penalty, 1e-3) })
	}
}

// TestDenseOpsBitIdentical: a fused Dense op gives the bits of the ops it stands for,
// forward and backward (the gradients of x, w and b), on the MLP's shapes and odd ones,
// on 1, 2 and 16 threads (where the backward computes its two products at once).
func TestDenseOpsBitIdentical(t *testing.T) {
	defer parallel.SetThreads(0)
	shapes := [][3]int{{64, 784, 1024}, {256, 1024, 512}, {7, 5, 33}, {130, 100, 257}}
	for _, op := range denseOps {
		for _, s := range shapes {
			m, k, n := s[0], s[1], s[2]
			rng := rand.New(rand.NewPCG(uint64(m), uint64(n)))
			xData := make([]float32, m*k)
			dyData := make([]float32, m*n)
			for i := range xData {
				xData[i] = float32(rng.NormFloat64())
			}
			for i := range dyData {
				dyData[i] = float32(rng.NormFloat64())
			}
			w := gradcheck.RandomParam(rng, "w", k, n)
			b := gradcheck.RandomParam(rng, "b", n)
			run := func(f func(g *autograd.Graph, x, w, b *autograd.Var) *autograd.Var) [][]float32 {
				w.ZeroGrad()
				b.ZeroGrad()
				g := autograd.NewGraph(rand.New(rand.NewPCG(1, 2)))
				x := g.Input(xData, true, m, k)
				y := f(g, x, w, b)
				out := append([]float32(nil), y.Data...)
				dx := g.Grad(g.Sum(g.Mul(y, g.Input(dyData, false, m, n))), []*autograd.Var{x}, false)[0]
				g.Backward(g.Sum(g.Mul(f(g, x, w, b), g.Input(dyData, false, m, n))))
				return [][]float32{out, append([]float32(nil), dx.Data...), append([]float32(nil), w.Grad...), append([]float32(nil), b.Grad...)}
			}
			for _, threads := range []int{1, 2, 16} {
				parallel.SetThreads(threads)
				want, got := run(op.plain), run(op.fused)
				for i, what := range []string{"y", "dx", "dw", "db"} {
					if !sameBits(got[i], want[i]) {
						t.Fatalf("%s %v, %d threads: %s differs from the unfused ops'", op.name, s, threads, what)
					}
				}
			}
		}
	}
}

func sameBits(x, y []float32) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
			return false
		}
	}
	return true
}

// TestDenseOpsEdgeBits: two fused Dense ops in a row (the second reading the output
// whose storage the first's product node shares) give the bits of the unfused ops,
// forward, backward and through a gradient penalty (the second order), on edge
// shapes (one row, one unit, k = 0, several k slabs, n past a column block), with
// the kernel frozen or x needing no gradient, on 1, 2, 3 and 16 threads.
func TestDenseOpsEdgeBits(t *testing.T) {
	defer parallel.SetThreads(0)
	shapes := [][3]int{{1, 1, 1}, {1, 2000, 1}, {1, 600, 1025}, {5, 0, 7}, {2, 513, 33}, {9, 2049, 65}, {3, 7, 2}, {130, 1, 257}, {64, 100, 1}}
	for _, op := range denseOps {
		for _, s := range shapes {
			m, k, n := s[0], s[1], s[2]
			for _, mode := range []string{"plain", "frozen kernel", "x without gradient"} {
				rng := rand.New(rand.NewPCG(uint64(m*7+k), uint64(n)))
				xData, dy := make([]float32, m*k), make([]float32, m*3)
				for _, d := range [][]float32{xData, dy} {
					for i := range d {
						d[i] = float32(rng.NormFloat64())
					}
				}
				w, b := gradcheck.RandomParam(rng, "w", k, n), gradcheck.RandomParam(rng, "b", n)
				w2, b2 := gradcheck.RandomParam(rng, "w2", n, 3), gradcheck.RandomParam(rng, "b2", 3)
				params := []*autograd.Var{w, b, w2, b2}
				w.Frozen = mode == "frozen kernel"
				run := func(f func(g *autograd.Graph, x, w, b *autograd.Var) *autograd.Var) [][]float32 {
					for _, p := range params {
						p.ZeroGrad()
					}
					g := autograd.NewGraph(rand.New(rand.NewPCG(1, 2)))
					x := g.Input(xData, mode != "x without gradient", m, k)
					out := func() *autograd.Var { return f(g, f(g, x, w, b), w2, b2) }
					loss := func(y *autograd.Var) *autograd.Var { return g.Sum(g.Mul(y, g.Input(dy, false, m, 3))) }
					y := out()
					res := [][]float32{append([]float32(nil), y.Data...)}
					y = loss(y)
					if mode == "x without gradient" {
						g.Backward(y)
					} else {
						res = append(res, append([]float32(nil), g.Grad(y, []*autograd.Var{x}, false)[0].Data...))
						dx := g.Grad(loss(out()), []*autograd.Var{x}, true)[0]
						g.Backward(g.Sum(g.Square(g.AddScalar(g.Square(dx), -1))))
					}
					for _, p := range params {
						res = append(res, append([]float32(nil), p.Grad...))
					}
					return res
				}
				for _, threads := range []int{1, 2, 3, 16} {
					parallel.SetThreads(threads)
					want, got := run(op.plain), run(op.fused)
					for i := range want {
						if !sameBits(got[i], want[i]) {
							t.Errorf("%s %v, %s, %d threads: result %d differs from the unfused ops'", op.name, s, mode, threads, i)
						}
					}
				}
				w.Frozen = false
			}
		}
	}
}
