package nn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/nn"
)

func TestGlobalSumPooling2DShapes(t *testing.T) {
	checkShapes(t, []shapeCase{
		{[]int{8, 8, 16}, nn.GlobalSumPooling2D(), []int{16}, 0},
		{[]int{3, 5, 2}, nn.GlobalSumPooling2D(), []int{2}, 0},
	})
}

// TestGlobalSumPooling2DComputes compares the layer with the plain loop
// y[n, c] = Σ_{i,j} x[n, i, j, c] on a random batch of odd sizes.
func TestGlobalSumPooling2DComputes(t *testing.T) {
	const n, h, w, c = 3, 5, 7, 4
	m := buildModel(t, []int{h, w, c}, nn.GlobalSumPooling2D())
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, n*h*w*c)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	g := autograd.NewGraph(nil)
	y := m.Call(g, g.Input(x, false, n, h, w, c), false)
	if y.Shape[0] != n || y.Shape[1] != c {
		t.Fatalf("output shape %v, want (%d, %d)", y.Shape, n, c)
	}
	for s := range n {
		for ch := range c {
			var sum float64
			for p := range h * w {
				sum += float64(x[(s*h*w+p)*c+ch])
			}
			if got := float64(y.Data[s*c+ch]); math.Abs(got-sum) > 1e-4*(1+math.Abs(sum)) {
				t.Fatalf("y[%d, %d] = %g, want %g", s, ch, got, sum)
			}
		}
	}
}

func TestGlobalSumPooling2DGradients(t *testing.T) {
	checkLayerGradients(t, []int{3, 4, 2}, true, nn.GlobalSumPooling2D())
}

func TestGlobalSumPooling2DBuildErrors(t *testing.T) {
	wantBuildError(t, []int{8, 8}, nn.GlobalSumPooling2D(), "global_sum_pooling2d (GlobalSumPooling2D): expects input of shape (None, height, width, channels), got (None, 8, 8)")
	wantBuildError(t, []int{8, 8, 1}, nn.GlobalSumPooling2D(nn.Strides(2)), "GlobalSumPooling2D does not take the option strides")
}
