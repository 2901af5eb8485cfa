package gan

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/internal/parallel"
)

// TestDrawNoise: a step's noise is the same, bit for bit, on 1, 2, 3 and 16 threads;
// it moves the run's generator by one draw; its values are standard normal (mean,
// variance and tails), and its blocks are not copies or shifts of each other.
func TestDrawNoise(t *testing.T) {
	defer parallel.SetThreads(0)
	const n = 50*noiseBlock + 77 // a last block that is not full
	var first []float32
	for _, threads := range []int{1, 2, 3, 16} {
		parallel.SetThreads(threads)
		pcg := rand.NewPCG(3, 4)
		rng := rand.New(pcg)
		z := make([]float32, n)
		drawNoise(z, rng)
		next := rng.Uint64()
		want := rand.New(rand.NewPCG(3, 4))
		want.Uint64()
		if next != want.Uint64() {
			t.Fatalf("%d threads: the run's generator moved by more than one draw", threads)
		}
		if first == nil {
			first = z
			continue
		}
		for i := range z {
			if math.Float32bits(z[i]) != math.Float32bits(first[i]) {
				t.Fatalf("noise[%d] = %v on %d threads, %v on 1", i, z[i], threads, first[i])
			}
		}
	}
	var sum, sq float64
	over3 := 0
	for _, v := range first {
		sum += float64(v)
		sq += float64(v) * float64(v)
		if math.Abs(float64(v)) > 3 {
			over3++
		}
	}
	mean, variance := sum/n, sq/n-(sum/n)*(sum/n)
	// For n ≈ 51,000: the mean's standard error is 0.0044, the variance's 0.0063;
	// P(|z| > 3) = 0.0027, about 138 values, give or take 12.
	if math.Abs(mean) > 0.02 || math.Abs(variance-1) > 0.03 || over3 < 90 || over3 > 190 {
		t.Errorf("noise mean %.4f, variance %.4f, %d of %d beyond 3σ", mean, variance, over3, n)
	}
	// Neighbouring blocks, and a block against its neighbour shifted by one value, are
	// uncorrelated (standard error 1/√1024 ≈ 0.031).
	for b := 0; b+1 < n/noiseBlock; b++ {
		x, y := first[b*noiseBlock:(b+1)*noiseBlock], first[(b+1)*noiseBlock:(b+2)*noiseBlock]
		for _, shift := range []int{0, 1} {
			var c float64
			for i := 0; i+shift < noiseBlock; i++ {
				c += float64(x[i]) * float64(y[i+shift])
			}
			if c /= noiseBlock; math.Abs(c) > 0.15 {
				t.Fatalf("blocks %d and %d (shift %d) correlate: %.3f", b, b+1, shift, c)
			}
		}
	}
}

// TestDrawNoiseAllocatesNothing: once warm, drawing a step's noise allocates nothing,
// on one thread or shared.
func TestDrawNoiseAllocatesNothing(t *testing.T) {
	defer parallel.SetThreads(0)
	rng := rand.New(rand.NewPCG(5, 6))
	z := make([]float32, 25*noiseBlock)
	for _, threads := range []int{1, 2} {
		parallel.SetThreads(threads)
		drawNoise(z, rng)
		if a := testing.AllocsPerRun(20, func() { drawNoise(z, rng) }); a != 0 {
			t.Errorf("%d threads: %v allocations a draw", threads, a)
		}
	}
}
