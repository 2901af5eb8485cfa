package autograd

import (
	"sync"
	"sync/atomic"

	"github.com/gogan/gogan/internal/gemm"
	"github.com/gogan/gogan/internal/parallel"
	"github.com/gogan/gogan/internal/vec"
)

// Filter gradients in slices. The filter gradient of a convolution with few input
// channels (an image's first layer: 5×5×1×64, 4×4×3×64) is a small matrix, kh·kw·Ci by
// Co, summed over a great many positions: a product whose output is a tile or two
// cannot be shared by cutting its output, so it ran on one thread while the others
// waited (on 16 threads the 64×64×3 DCGAN's first filter gradient took 15.6 ms of a
// 269 ms step, 1.7× its time on 2). Instead, the images are cut into a fixed number
// of slices (filterSlices, or one an image, independent of the threads), the threads
// take whole slices — im2col and a product summed over the slice's positions, into a
// partial gradient of its own — and the partials are added in slice order. Each partial
// is computed by one thread whatever their number, so the bits do not depend on it.
//
// Larger filter gradients with few output channels (the DCGAN critic's second,
// 5×5×64×128) were tried in slices too (bench/manycore/slices-2026-12-03.txt): on 2
// AMD cores the op ran 26-37% faster, but on the 16-core Xeon the DCGAN's step lost
// 4-6% at 16 and at 2 threads, and the op alone ran at a quarter of its speed on 16
// threads; so they stay cut along their output.

const (
	// filterSlices is how many slices the images are cut into.
	filterSlices = 16
	// maxSlicedFilter is the largest filter gradient (kh·kw·Ci·Co floats) summed in
	// slices: larger ones are cut along their output, among the threads, by the product.
	maxSlicedFilter = 1 << 16
	// minSliceRows is the fewest positions a slice has on average: fewer, and the
	// product is left to the chunked path.
	minSliceRows = 256
	// maxSliceFloats bounds the slices' im2col matrices, one per thread, together
	// (32 MiB), whatever the number of threads.
	maxSliceFloats = 1 << 23
)

// filterJob is a filter gradient summed slice by slice: Run takes slices from a
// shared counter until none is left.
type filterJob struct {
	d        convDims
	x, dy    []float32
	partials []float32 // slice s's gradient at s·len(dw)
	col      []float32 // one im2col matrix of colLen floats per part
	colLen   int
	slices   int
	next     atomic.Int64
}

var filterJobs = sync.Pool{New: func() any { return new(filterJob) }}

// slice is the images [n0, n1) of slice s.
func (j *filterJob) slice(s int) (n0, n1 int) {
	return s * j.d.n / j.slices, (s + 1) * j.d.n / j.slices
}

// Run takes slices until none is left, in part p's im2col matrix.
func (j *filterJob) Run(p, _ int) {
	d := &j.d
	col := j.col[p*j.colLen : (p+1)*j.colLen]
	size, k := d.patch()*d.co, d.patch()
	for {
		s := int(j.next.Add(1)) - 1
		if s >= j.slices {
			return
		}
		n0, n1 := j.slice(s)
		c := d.images(n0, n1)
		rows := c.rows(d)
		gatherRows(col, j.x, d, &c, 0, rows)
		gemm.Sgemm(true, false, k, d.co, rows, 1, col, k, j.dy[c.first(d)*d.co:], d.co, 0, j.partials[s*size:(s+1)*size], d.co)
	}
}

// filterGradSliced computes dw = x ⋆ʷ dy in slices (see above) and reports whether it
// did: false, having done nothing, when the gradient is too large for it, the images
// too few, or the patches hold only some kernel rows (classes; see forEachChunk).
func (g *Graph) filterGradSliced(dw, x, dy []float32, d *convDims) bool {
	size := d.patch() * d.co
	slices := min(filterSlices, d.n)
	if size > maxSlicedFilter || slices < 2 || d.rows() < slices*minSliceRows || d.splitClasses() {
		return false
	}
	j := filterJobs.Get().(*filterJob)
	defer func() { *j = filterJob{}; filterJobs.Put(j) }()
	j.d, j.x, j.dy, j.slices = *d, x, dy, slices
	j.colLen = (d.n + slices - 1) / slices * d.oh * d.ow * d.patch() // the most images of a slice
	parts := min(parallel.Threads(), slices, maxSliceFloats/max(j.colLen, 1))
	if parts < 1 {
		return false
	}
	j.partials = g.floats(slices * size)
	j.col = g.floats(parts * j.colLen)
	parallel.Run(j, parts)
	copy(dw, j.partials[:size])
	for s := 1; s < slices; s++ {
		vec.AddTo(dw, j.partials[s*size:(s+1)*size])
	}
	g.releaseScratch(j.col)
	g.releaseScratch(j.partials)
	g.countFlops(d.flops())
	return true
}
