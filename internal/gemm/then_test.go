package gemm

import (
	"math/rand/v2"
	"sync"
	"testing"
)

// TestSgemmThen: the epilogue sees every element of C exactly once, after its last k
// slab, and the result is bit for bit Sgemm's followed by the same function on whole
// rows, for every kernel family, transposition and thread count; shapes cover edge
// tiles, several k slabs (k > kcMax), several column blocks (n > ncMax), several row
// blocks (m > mcMax), the MLP's first Dense product (64×1024×784), a shape Sgemm
// computes swapped when op(B) is transposed (64×784×1024, m×n×k: the MLP's dX = dY·Wᵀ,
// which SgemmThen computes unswapped), k = 0, products with one column (gemv.go) and one
// that packs op(B) once on 16 threads (2003×45×257, sharedpack.go).
func TestSgemmThen(t *testing.T) {
	defer SetThreads(0)
	rng := rand.New(rand.NewPCG(3, 4))
	// A bias and a leaky rectifier, element by element, as a Dense layer's tail.
	bias := randFloats(rng, 1500)
	leaky := biasLeaky(bias)
	shapes := [][3]int{{64, 1024, 784}, {64, 784, 1024}, {7, 33, 5}, {203, 517, 333}, {300, 1100, 40}, {64, 1, 1024}, {5, 9, 0}, {6272, 1, 128}, {300, 1, 517}, {2003, 45, 257}}
	if !swapped(64, 784, 1024) {
		t.Fatal("64×784×1024 is no longer a swapped product: pick a shape that is")
	}
	g := &call{ks: kernels, m: 2003, n: 45, k: 257}
	if pm, pn := plan(g, 16); !sharesPacking(g, pm, pn) {
		t.Fatal("2003×45×257 no longer packs op(B) once on 16 threads (sharedpack.go): pick a shape that does")
	}
	for _, ks := range families() {
		for _, s := range shapes {
			for tr := range 4 {
				o := newOperands(rng, tr&1 != 0, tr&2 != 0, s[0], s[1], s[2], 3)
				want := append([]float32(nil), o.c...)
				sgemmWith(ks, o.transA, o.transB, o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, 0, want, o.ldc, nil)
				for i := range o.m {
					leaky(want[i*o.ldc:i*o.ldc+o.n], 0)
				}
				for _, th := range []int{1, 2, 16} {
					SetThreads(th)
					got := append([]float32(nil), o.c...)
					var mu sync.Mutex
					seen := make([]int, o.m*o.ldc)
					then := epilogueFunc(func(row []float32, j int) {
						// The row's offset in C tells which elements it is.
						off := cap(got) - cap(row)
						mu.Lock()
						for x := range row {
							seen[off+x]++
						}
						mu.Unlock()
						if (off-j)%o.ldc != 0 {
							t.Errorf("row stretch at offset %d told column %d", off, j)
						}
						leaky(row, j)
					})
					sgemmWith(ks, o.transA, o.transB, o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, 0, got, o.ldc, then)
					for idx, c := range seen {
						i, j := idx/o.ldc, idx%o.ldc
						if want := i < o.m && j < o.n; (c == 1) != want {
							t.Fatalf("%s %v tr=%d threads=%d: C[%d,%d] passed to the epilogue %d times", ks.name, s, tr, th, i, j, c)
						}
					}
					if !equalBits(got, want) {
						t.Fatalf("%s %v tr=%d threads=%d: SgemmThen differs from Sgemm and the epilogue", ks.name, s, tr, th)
					}
				}
			}
		}
	}
}

// epilogueFunc is a function as an Epilogue.
type epilogueFunc func(row []float32, j int)

func (f epilogueFunc) Apply(row []float32, j int) { f(row, j) }

// biasLeaky is a Dense layer's tail as an epilogue: bias[j] added to column j, then a leaky
// rectifier of slope 0.2, element by element.
func biasLeaky(bias []float32) func(row []float32, j int) {
	return func(row []float32, j int) {
		for x := range row {
			h := row[x] + bias[j+x]
			if h <= 0 {
				h *= 0.2
			}
			row[x] = h
		}
	}
}
