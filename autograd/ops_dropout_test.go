package autograd_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/gemm"
)

// TestDropoutMaskIsTheDevicesFormula: on the CPU, Dropout draws one seed from
// g.Rand and keeps element i unless the high half of SplitMix64's finalizer of
// seed + (i+1)·0x9E3779B97F4A7C15 falls below rate·2³² (the CUDA kernel
// dropout_mask, written out again here), whatever the number of threads; its
// gradient is the same mask.
func TestDropoutMaskIsTheDevicesFormula(t *testing.T) {
	defer gemm.SetThreads(0)
	var rate float32 = 0.3
	x := autograd.NewParam("x", 700, 300) // large enough to be shared among threads
	for i := range x.Data {
		x.Data[i] = 1
	}
	seed := rand.New(rand.NewPCG(9, 9)).Uint64()
	threshold, keep := uint64(float64(rate)*(1<<32)), 1/(1-rate)
	for _, threads := range []int{1, 2, 16} {
		gemm.SetThreads(threads)
		g := autograd.NewGraph(rand.New(rand.NewPCG(9, 9)))
		y := g.Dropout(x, rate)
		g.Backward(g.Sum(y))
		for i, got := range y.Data {
			z := seed + uint64(i+1)*0x9E3779B97F4A7C15
			z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
			z = (z ^ z>>27) * 0x94D049BB133111EB
			z ^= z >> 31
			want := keep
			if z>>32 < threshold {
				want = 0
			}
			if math.Float32bits(got) != math.Float32bits(want) || x.Grad[i] != want {
				t.Fatalf("%d threads, element %d: %g (gradient %g), want %g", threads, i, got, x.Grad[i], want)
			}
		}
		x.ZeroGrad()
	}
}
