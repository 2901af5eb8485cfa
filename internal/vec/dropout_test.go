package vec

import (
	"math"
	"testing"

	"github.com/gogan/gogan/internal/parallel"
)

// cudaDropoutMask is the CUDA kernel dropout_mask (internal/cuda/kernels.cu)
// written out again as its C reads, element by element, so that the test does
// not trust the code it tests.
func cudaDropoutMask(n int, seed, threshold uint64, keep float32) []float32 {
	mask := make([]float32, n)
	for i := range mask {
		z := seed + uint64(i+1)*0x9E3779B97F4A7C15
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		z ^= z >> 31
		if z>>32 < threshold {
			mask[i] = 0
		} else {
			mask[i] = keep
		}
	}
	return mask
}

// TestDropoutMaskIsTheDevicesFormula: the CPU's mask is the GPU kernel's, bit for
// bit, for several seeds and rates, on sizes shared among 1, 2 and 16 threads
// (odd ones included); and it drops about rate of the elements.
func TestDropoutMaskIsTheDevicesFormula(t *testing.T) {
	defer parallel.SetThreads(0)
	for _, c := range []struct {
		n    int
		seed uint64
		rate float64
	}{
		{1, 0, 0.5},
		{37, 1, 0.3},
		{2*minShare + 3, 0xDEADBEEF, 0.25},
		{wakeShare + 17, math.MaxUint64, 0.5},
		{wakeShare, 42, 0.9},
	} {
		threshold, keep := uint64(c.rate*(1<<32)), float32(1/(1-c.rate))
		want := cudaDropoutMask(c.n, c.seed, threshold, keep)
		for _, threads := range []int{1, 2, 16} {
			parallel.SetThreads(threads)
			got := make([]float32, c.n)
			for i := range got {
				got[i] = -1 // every element must be written
			}
			DropoutMask(got, c.seed, threshold, keep)
			if !sameBits(got, want) {
				t.Fatalf("n %d seed %#x rate %g on %d threads: not the device's mask", c.n, c.seed, c.rate, threads)
			}
		}
		if c.n < 1000 {
			continue
		}
		zeros := 0
		for _, v := range want {
			if v == 0 {
				zeros++
			}
		}
		if got := float64(zeros) / float64(c.n); math.Abs(got-c.rate) > 0.01 {
			t.Errorf("n %d rate %g: dropped %.4f", c.n, c.rate, got)
		}
	}
}
