package gemm

import (
	"sync"

	"github.com/gogan/gogan/internal/parallel"
)

// Products with one column. A Dense layer of one unit (a discriminator's last) makes
// products whose C has one column: its forward, y = x·w (m×k times k×1), and its weight
// gradient, dw = xᵀ·dy (transA). The packed loops would compute a whole panel of nr
// columns for them and keep one: on AVX-512, 32 times the arithmetic, about 5 GFLOP/s.
// A product with one column is a matrix-vector product instead, which reads op(A) once:
//
//   - op(A) = A (its rows contiguous): C[i] is the dot product of row i with the column
//     (dot), summed in 4·lanes partial sums;
//   - op(A) = Aᵀ: C[i:i+w] is the column times a block of w columns of A, summed down
//     its k rows with one multiply-add a row (cols), w = 8 vectors and then 1 vector;
//     the last columns, fewer than a vector, by the Go loop.
//
// Each element is computed by one call, in an order that does not depend on where the
// threads' shares begin (they begin on multiples of gemvUnit columns), so the bits do
// not depend on the number of threads. Shares are rows of C, at least
// parallel.MinPerPart values of op(A) each.

// gemvKernels is one instruction set's matrix-vector kernels (nil in the Go family).
type gemvKernels struct {
	lanes int                          // floats per vector
	dot   func(a, x []float32) float32 // len(a) a multiple of 4·lanes
	// wide and narrow compute 8 vectors and 1 vector of columns.
	wide, narrow func(k int, a []float32, lda int, x []float32, y []float32)
}

// gemvUnit is the multiple of columns on which the threads' shares begin: a whole number
// of vectors for every family.
const gemvUnit = 16

// gemvJob is one product with one column, C = alpha·op(A)·x + beta·C, shared by rows.
type gemvJob struct {
	ks          *kernelSet
	transA      bool
	m, k        int
	alpha, beta float32
	a           []float32
	lda         int
	x           []float32 // op(B)'s column, contiguous
	c           []float32
	ldc         int
	then        Epilogue
}

var gemvJobs = sync.Pool{New: func() any { return new(gemvJob) }}

// gemv computes C = alpha·op(A)·op(B) + beta·C for n = 1 (see above), then applies then
// (when set) to each element. b holds op(B)'s one column: k values ldb apart, or, when
// transB, contiguous.
func gemv(ks *kernelSet, transA, transB bool, m, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, then Epilogue) {
	j := gemvJobs.Get().(*gemvJob)
	*j = gemvJob{ks: ks, transA: transA, m: m, k: k, alpha: alpha, beta: beta, a: a, lda: lda, c: c, ldc: ldc, then: then}
	var ws *workspace
	if transB || ldb == 1 {
		j.x = b[:k]
	} else {
		ws = getWorkspace()
		j.x = ws.scratch(k)[:k]
		for p := range j.x {
			j.x[p] = b[p*ldb]
		}
	}
	parts := min(parallel.Parts(m*k), (m+gemvUnit-1)/gemvUnit)
	if !parallel.TryRun(j, parts, true) {
		j.Run(0, 1)
	}
	if ws != nil {
		putWorkspace(ws)
	}
	*j = gemvJob{}
	gemvJobs.Put(j)
}

// Run computes share p of parts: rows [lo, hi) of C, lo a multiple of gemvUnit.
func (j *gemvJob) Run(p, parts int) {
	lo, hi := band(j.m, gemvUnit, p, parts)
	if j.transA {
		j.columns(lo, hi)
	} else {
		j.rows(lo, hi)
	}
}

// rows computes C[lo:hi] as dot products of op(A)'s rows with x.
func (j *gemvJob) rows(lo, hi int) {
	k := j.k
	for i := lo; i < hi; i++ {
		j.store(i, dotProduct(j.ks.gemv, j.a[i*j.lda:i*j.lda+k], j.x))
	}
}

// dotProduct is Σ a[p]·x[p]: the kernel's order on whole blocks of 4·lanes, then the
// rest in turn; dotGo's in the Go family.
func dotProduct(gk *gemvKernels, a, x []float32) float32 {
	if gk == nil {
		return dotGo(a, x)
	}
	whole := len(a) / (4 * gk.lanes) * (4 * gk.lanes)
	var s float32
	if whole > 0 {
		s = gk.dot(a[:whole], x[:whole])
	}
	for p := whole; p < len(a); p++ {
		s += a[p] * x[p]
	}
	return s
}

// dotBlock is the number of partial sums dotGo keeps.
const dotBlock = 64

// dotGo is the Go family's dot product: the AVX-512 kernel's order (dotBlock partial
// sums, added in halves) on whole blocks, the rest in turn.
func dotGo(a, x []float32) float32 {
	var acc [dotBlock]float32
	x = x[:len(a)]
	whole := len(a) / dotBlock * dotBlock
	for i := 0; i < whole; i += dotBlock {
		for l, v := range a[i : i+dotBlock] {
			acc[l] += v * x[i+l]
		}
	}
	for w := dotBlock / 2; w >= 1; w /= 2 {
		for l := range w {
			acc[l] += acc[l+w]
		}
	}
	s := acc[0]
	for p := whole; p < len(a); p++ {
		s += a[p] * x[p]
	}
	return s
}

// columns computes C[lo:hi] as x times the columns [lo, hi) of A (k×m), block by block:
// wide blocks, then narrow ones, then the last columns, fewer than a vector, in Go.
func (j *gemvJob) columns(lo, hi int) {
	i := lo
	if gk := j.ks.gemv; gk != nil {
		ws := getWorkspace()
		defer putWorkspace(ws)
		if len(ws.sums) < 8*gk.lanes {
			ws.sums = make([]float32, 8*gk.lanes)
		}
		sums := ws.sums
		for _, kern := range []struct {
			w int
			f func(k int, a []float32, lda int, x []float32, y []float32)
		}{{8 * gk.lanes, gk.wide}, {gk.lanes, gk.narrow}} {
			for ; hi-i >= kern.w; i += kern.w {
				kern.f(j.k, j.a[i:], j.lda, j.x, sums[:kern.w])
				for c, s := range sums[:kern.w] {
					j.store(i+c, s)
				}
			}
		}
	}
	for ; i < hi; i++ {
		var s float32
		for p, v := range j.x {
			s += j.a[p*j.lda+i] * v
		}
		j.store(i, s)
	}
}

// store writes C[i] = alpha·s + beta·C[i] (C[i] not read when beta is 0) and applies
// the epilogue to it.
func (j *gemvJob) store(i int, s float32) {
	ci := j.c[i*j.ldc : i*j.ldc+1]
	s *= j.alpha
	if j.beta != 0 {
		s += j.beta * ci[0]
	}
	ci[0] = s
	if j.then != nil {
		j.then.Apply(ci, 0)
	}
}
