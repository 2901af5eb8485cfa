package autograd_test

import (
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/gradcheck"
)

// TestWarmStepAllocatesNothing: ops save their backward's state in the graph's
// pooled nodes, so a warm step through every op that saves something (a
// window, a slope, indices, a mask, a span, ids, statistics) allocates
// nothing, and a gradient penalty through them (whose backward ops save state
// too) allocates only the slice Grad returns.
func TestWarmStepAllocatesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := gradcheck.RandomParam(rng, "x", 2, 6, 6, 3)
	w := gradcheck.RandomParam(rng, "w", 3, 3, 3, 4)
	table := gradcheck.RandomParam(rng, "table", 5, 8)
	dense := gradcheck.RandomParam(rng, "dense", 16, 8)
	gamma := gradcheck.RandomParam(rng, "gamma", 8)
	beta := gradcheck.RandomParam(rng, "beta", 8)
	mean, variance := make([]float32, 8), make([]float32, 8)
	ids := []float32{1, 4}
	g := autograd.NewGraph(rand.New(rand.NewPCG(3, 4)))
	forward := func(in *autograd.Var) *autograd.Var {
		h := g.Conv2D(in, w, [2]int{1, 1}, autograd.Same)                                    // (2, 6, 6, 4)
		h = g.LeakyReLU(h, 0.2)                                                              //
		h = g.MaxPool2D(h, [2]int{2, 2}, [2]int{2, 2}, autograd.Valid)                       // (2, 3, 3, 4)
		h = g.UpSample2D(h, [2]int{2, 2})                                                    // (2, 6, 6, 4)
		h = g.AvgPool2D(h, [2]int{3, 3}, [2]int{3, 3}, autograd.Valid)                       // (2, 2, 2, 4)
		h = g.Crop2D(g.ZeroPad2D(h, [2]int{1, 0}, [2]int{0, 1}), [2]int{1, 0}, [2]int{0, 1}) // (2, 2, 2, 4)
		h = g.MatMul(g.Reshape(h, 2, 16), dense, false, false)                               // (2, 8)
		h = g.Add(h, g.Gather(table, g.Input(ids, false, 2)))                                //
		h = g.Dropout(g.Clip(h, -3, 3), 0.25)                                                //
		h = g.BatchNormTrain(h, gamma, beta, 1e-3, mean, variance)                           //
		h = g.SliceRows(g.SliceLast(h, 1, 7), 0, 1)                                          // (1, 6)
		return g.Scale(g.Sum(h), 0.5)
	}
	step := func() {
		g.Reset()
		g.Backward(forward(x))
	}
	for range 3 {
		step()
	}
	if a := testing.AllocsPerRun(10, step); a != 0 {
		t.Errorf("a warm step allocates %v times, want 0", a)
	}
	xs := make([]*autograd.Var, 1)
	penalty := func() {
		g.Reset()
		in := g.Input(x.Data, true, x.Shape...)
		xs[0] = in
		// BatchNorm's backward is first-order only: stop before it.
		h := g.Conv2D(in, w, [2]int{1, 1}, autograd.Same)
		h = g.LeakyReLU(h, 0.2)
		h = g.MaxPool2D(h, [2]int{2, 2}, [2]int{2, 2}, autograd.Valid)
		h = g.UpSample2D(h, [2]int{2, 2})
		h = g.AvgPool2D(h, [2]int{3, 3}, [2]int{3, 3}, autograd.Valid)
		h = g.Crop2D(g.ZeroPad2D(h, [2]int{1, 0}, [2]int{0, 1}), [2]int{1, 0}, [2]int{0, 1})
		h = g.SliceRows(g.MatMul(g.Reshape(h, 2, 16), dense, false, false), 0, 1)
		dx := g.Grad(g.Sum(h), xs, true)[0]
		g.Backward(g.Sum(g.Square(dx)))
	}
	for range 3 {
		penalty()
	}
	if a := testing.AllocsPerRun(10, penalty); a > 1 {
		t.Errorf("a warm gradient-penalty step allocates %v times, want 1 (Grad's result)", a)
	}
}
