package metrics

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/gogan/gogan/internal/gemm"
)

// tile is the side of the square blocks in which KID and PrecisionRecall compute their
// all-pairs dot products. A 96×96 tile is a whole number of gemm's micro-tiles (8×32 for
// AVX-512, 6×16 for AVX2), it and its two 96-row input panels stay in L2 while it is consumed,
// and at dimension 128 (2·96·96·128 = 2.4 MFLOP) it is small enough for gemm to run it
// on the calling goroutine, so the goroutines here do not queue for gemm's shared workers.
// (Larger dimensions still work: gemm then shares each tile with its workers.)
const tile = 96

// maxNorm2 bounds the squared norm of a row for the float32 products: any dot product of
// two rows, and 2× it, stays far inside float32's range (3.4e38).
const maxNorm2 = 1e36

// rows32 is a feature set prepared for the float32 products: x is (n, d), row-major, the
// rows less a shift (0 when none is given), and norm2[i] is the squared norm of row i of x,
// summed in float64 from the float32 values (so that |xi − xj|² = norm2[i] + norm2[j] −
// 2·xi·xj uses the same numbers throughout). src is the float64 data it came from.
type rows32 struct {
	n, d  int
	x     []float32
	norm2 []float64
	src   []float64
}

// toRows32 converts a checked feature set, less shift (nil for none); fn and name label
// the error for a row too large for float32 products.
func toRows32(f Features, shift []float64, fn, name string) (rows32, error) {
	r := rows32{n: f.N, d: f.D, x: make([]float32, len(f.Data)), norm2: make([]float64, f.N), src: f.Data}
	for i := range f.N {
		src, dst := f.Row(i), r.x[i*f.D:(i+1)*f.D]
		s := 0.0
		for j, v := range src {
			if shift != nil {
				v -= shift[j]
			}
			dst[j] = float32(v)
			s += float64(dst[j]) * float64(dst[j])
		}
		if !(s <= maxNorm2) {
			return rows32{}, fmt.Errorf("metrics: %s: %w: %s row %d has squared norm %.3g, beyond the %.0e that float32 products allow",
				fn, ErrNotFinite, name, i, s, maxNorm2)
		}
		r.norm2[i] = s
	}
	return r, nil
}

// nearTol is where a squared distance from norms and a float32 dot product is recomputed
// from the float64 data: below nearTol·(|xi|² + |xj|²) the rounding of the dot product
// (about 1e-6 of the norms) would be 1% of the distance or more. Such pairs are rare
// (repeated samples, or points of a tight cluster far from the mean), and exact duplicates
// then come out at distance 0, as they should.
const nearTol = 1e-4

// exactDist2 is |x_i − y_j|² summed in float64 over the source rows.
func exactDist2(x rows32, i int, y rows32, j int) float64 {
	a, b := x.src[i*x.d:(i+1)*x.d], y.src[j*y.d:(j+1)*y.d]
	s := 0.0
	for k := range a {
		diff := a[k] - b[k]
		s += diff * diff
	}
	return s
}

// gather copies the rows idx of r into dst (len(idx), d) and returns it.
func (r rows32) gather(dst []float32, idx []int) []float32 {
	dst = dst[:len(idx)*r.d]
	for k, i := range idx {
		copy(dst[k*r.d:(k+1)*r.d], r.x[i*r.d:(i+1)*r.d])
	}
	return dst
}

// gramTile is: for i in [i0, i1), j in [j0, j1): dst[(i-i0)·(j1-j0) + j-j0] = x_i·y_j,
// where x and y are row-major (·, d). dst must hold (i1-i0)·(j1-j0) floats; it is returned
// cut to that length.
func gramTile(dst []float32, x []float32, i0, i1 int, y []float32, j0, j1, d int) []float32 {
	m, n := i1-i0, j1-j0
	dst = dst[:m*n]
	gemm.Sgemm(false, true, m, n, d, 1, x[i0*d:i1*d], d, y[j0*d:j1*d], d, 0, dst, n)
	return dst
}

// blockPairs lists the tiles of an (n, n) product when symmetric (the blocks (I, J) with
// J ≥ I) or of an (n, m) product otherwise, as pairs of block indices.
func blockPairs(n, m int, symmetric bool) [][2]int {
	bn, bm := (n+tile-1)/tile, (m+tile-1)/tile
	var pairs [][2]int
	for bi := range bn {
		start := 0
		if symmetric {
			start = bi
		}
		for bj := start; bj < bm; bj++ {
			pairs = append(pairs, [2]int{bi, bj})
		}
	}
	return pairs
}

// tileCount is len(blockPairs(n, m, symmetric)).
func tileCount(n, m int, symmetric bool) int {
	bn, bm := (n+tile-1)/tile, (m+tile-1)/tile
	if symmetric {
		return bn * (bn + 1) / 2
	}
	return bn * bm
}

// progressCounter counts the items (tiles, KID's subsets) that the goroutines of
// parallelFor compute, and tells the count to fn from goroutine 0, the caller's, so
// that fn is never called from two goroutines. A nil *progressCounter counts nothing.
type progressCounter struct {
	fn       func(done, total int)
	total    int
	done     atomic.Int64 // items computed, by any goroutine
	reported int          // the last count told to fn; goroutine 0's only
}

// newProgressCounter tells fn (0, total) and returns the counter of total items; nil
// when fn is nil.
func newProgressCounter(fn func(done, total int), total int) *progressCounter {
	if fn == nil {
		return nil
	}
	fn(0, total)
	return &progressCounter{fn: fn, total: total}
}

// add counts an item computed by goroutine w of parallelFor; goroutine 0 tells fn the
// count.
func (p *progressCounter) add(w int) {
	if p == nil {
		return
	}
	n := int(p.done.Add(1))
	if w == 0 {
		p.report(n)
	}
}

// flush tells fn the count once parallelFor has returned: the items that the other
// goroutines computed after goroutine 0's last one.
func (p *progressCounter) flush() {
	if p != nil {
		p.report(int(p.done.Load()))
	}
}

// report tells fn n, unless it was told n already.
func (p *progressCounter) report(n int) {
	if n > p.reported {
		p.reported = n
		p.fn(n, p.total)
	}
}

// blockRange is the half-open range of rows of block b in a set of n rows.
func blockRange(b, n int) (lo, hi int) { return b * tile, min((b+1)*tile, n) }

// workers is how many goroutines share n items: runtime.GOMAXPROCS(0), at most n, at least 1.
func workers(n int) int { return max(1, min(runtime.GOMAXPROCS(0), n)) }

// parallelFor calls fn(w, i) once for each i in [0, n), on nw goroutines; w in [0, nw)
// names the goroutine, so that fn can keep per-goroutine state without locks. Items are
// handed out in order through an atomic counter.
func parallelFor(nw, n int, fn func(w, i int)) {
	var next atomic.Int64
	run := func(w int) {
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			fn(w, i)
		}
	}
	if nw <= 1 {
		run(0)
		return
	}
	var wg sync.WaitGroup
	for w := 1; w < nw; w++ {
		wg.Go(func() { run(w) })
	}
	run(0)
	wg.Wait()
}

// dist2 is |x_i − y_j|² from the squared norms ni, nj and the float32 dot product; near
// reports a near-duplicate pair (see nearTol), whose distance the caller recomputes with
// exactDist2. (Small enough to inline into the loops over a tile.)
func dist2(ni, nj float64, dot float32) (d float64, near bool) {
	d = ni + nj - 2*float64(dot)
	return d, d < nearTol*(ni+nj)
}
