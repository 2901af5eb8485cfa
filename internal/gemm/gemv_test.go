package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestGemvKernelsMatchLoops holds each family's matrix-vector kernels against the loops
// in their docs: dot against dotRef in blocks of 4·lanes, the column kernels against the
// column loop, with rows wider than the block.
func TestGemvKernelsMatchLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, ks := range families() {
		gk := ks.gemv
		if gk == nil {
			continue
		}
		block := 4 * gk.lanes
		for _, blocks := range []int{0, 1, 2, 7, 98} {
			a, x := randFloats(rng, blocks*block), randFloats(rng, blocks*block)
			got, want := gk.dot(a, x), dotRef(a, x, block)
			if d := math.Abs(float64(got - want)); !(d <= 1e-6*float64(len(a)+1)) {
				t.Errorf("%s dot of %d: %v, its loop %v", ks.name, len(a), got, want)
			}
		}
		for _, kern := range []struct {
			w int
			f func(k int, a []float32, lda int, x []float32, y []float32)
		}{{8 * gk.lanes, gk.wide}, {gk.lanes, gk.narrow}} {
			for _, k := range []int{0, 1, 5, 128, 300} {
				lda := kern.w + 13
				a, x := randFloats(rng, max(k*lda, 1)), randFloats(rng, k)
				got := randFloats(rng, kern.w+1)
				last := got[kern.w]
				kern.f(k, a, lda, x, got)
				for j := range kern.w {
					var want float32
					for p := range k {
						want += a[p*lda+j] * x[p]
					}
					if d := math.Abs(float64(got[j] - want)); !(d <= 1e-6*float64(k+1)) {
						t.Fatalf("%s %d columns, k=%d: y[%d] = %v, its loop %v", ks.name, kern.w, k, j, got[j], want)
					}
				}
				if got[kern.w] != last {
					t.Fatalf("%s %d columns wrote past its block", ks.name, kern.w)
				}
			}
		}
	}
}

// dotRef is the loop of the dot kernels' doc for partial sums of block floats.
func dotRef(a, x []float32, block int) float32 {
	acc := make([]float32, block)
	for i := 0; i < len(a); i += block {
		for l := range block {
			acc[l] += a[i+l] * x[i+l]
		}
	}
	for w := block / 2; w >= 1; w /= 2 {
		for l := range w {
			acc[l] += acc[l+w]
		}
	}
	return acc[0]
}

// TestGemvMatchesReference: products with one column, for every family and
// transposition, against the float64 loops: rows around the kernels' blocks (wide,
// narrow, the last columns in Go) and depths around the dot's blocks, op(B)'s column
// strided (gathered) or not, C strided, with alpha and beta (C NaN where beta is 0).
func TestGemvMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	ms := []int{1, 15, 16, 17, 143, 300}
	ks := []int{1, 63, 64, 65, 300}
	for _, fam := range families() {
		for tr := range 4 {
			transA, transB := tr&1 != 0, tr&2 != 0
			t.Run(fmt.Sprintf("%s/transA=%v/transB=%v", fam.name, transA, transB), func(t *testing.T) {
				n := 0
				for _, m := range ms {
					for _, k := range ks {
						n++
						o := newOperands(rng, transA, transB, m, 1, k, n%3*2)
						alpha, beta := []float32{1, -0.5, 2}[n%3], []float32{0, 1, 0.25}[n%3]
						check(t, fam, o, alpha, beta, beta == 0)
					}
				}
			})
		}
	}
}
