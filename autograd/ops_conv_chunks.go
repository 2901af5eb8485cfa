package autograd

import (
	"sync"
	"sync/atomic"

	"github.com/gogan/gogan/internal/gemm"
	"github.com/gogan/gogan/internal/parallel"
)

// Chunks in parallel. When a convolution's chunks are whole images (one class
// of all the kernel rows) and there are at least two for each thread (or, on 4
// threads or more, the images can be cut into one chunk a thread; see recut), the
// threads take whole chunks, one after another from a shared counter, and run
// each alone: its im2col, its product and its col2im, in a scratch matrix of
// their own. There is no hand-over inside a chunk, a chunk's patches stay in
// the cache of the core that gathered them, and a thread held up (by another
// program on its core) holds up no other. Each chunk computes what it computes
// on one thread (a product's rows do not depend on how its rows are cut), and
// chunks of whole images write disjoint parts of the output, so the bits are
// the serial loop's for any number of threads.

// chunkJob is a conv's forward (y = x ⋆ w) or input gradient (dx = dy ⋆ᵀ w)
// shared by whole chunks.
type chunkJob struct {
	backward bool // the input gradient: src is dy, dst is dx; else src x, dst y
	d        convDims
	chunks   []patchChunk
	src, w   []float32
	dst      []float32
	col      []float32 // one scratch matrix of colLen floats per part
	colLen   int
	next     atomic.Int64 // the next chunk to take
}

// chunkJobs recycles the jobs and their chunk lists, so that sharing allocates nothing.
var chunkJobs = sync.Pool{New: func() any { return new(chunkJob) }}

// Run takes chunks until none is left, in part p's scratch matrix.
func (j *chunkJob) Run(p, _ int) {
	col := j.col[p*j.colLen : (p+1)*j.colLen]
	d := &j.d
	for {
		i := int(j.next.Add(1)) - 1
		if i >= len(j.chunks) {
			return
		}
		c := &j.chunks[i]
		rows, k, co := c.rows(d), c.patch(d), d.co
		w := j.w[c.ilo*d.kw*d.ci*co:]
		if j.backward {
			gemm.Sgemm(false, true, rows, k, co, 1, j.src[c.first(d)*co:], co, w, co, 0, col, k)
			scatterRows(j.dst, col, d, c, 0, d.n*d.h)
		} else {
			gatherRows(col, j.src, d, c, 0, rows)
			gemm.Sgemm(false, false, rows, co, k, 1, col, k, w, co, 0, j.dst[c.first(d)*co:], co)
		}
	}
}

// convChunksParallel runs a conv's forward (backward false: dst y = src x ⋆ w)
// or input gradient (backward: dst dx += src dy ⋆ᵀ w, dx cleared) by whole
// chunks on the team's threads, and reports whether it did: false, having done
// nothing, when the chunks are not whole images, too few, or the team is busy.
func (g *Graph) convChunksParallel(backward bool, dst, src, w []float32, d *convDims) bool {
	threads := parallel.Threads()
	if threads < 2 {
		return false
	}
	j := chunkJobs.Get().(*chunkJob)
	defer func() {
		chunks := j.chunks[:0]
		*j = chunkJob{chunks: chunks}
		chunkJobs.Put(j)
	}()
	whole := true
	d.forEachChunk(func(c patchChunk) {
		whole = whole && c == d.images(c.n0, c.n1)
		j.chunks = append(j.chunks, c)
	})
	if !whole {
		return false
	}
	if len(j.chunks) < 2*threads && !j.recut(d, threads) {
		return false
	}
	colLen := 0
	for i := range j.chunks {
		colLen = max(colLen, j.chunks[i].rows(d)*j.chunks[i].patch(d))
	}
	col := g.floats(threads * colLen)
	defer g.releaseScratch(col)
	j.backward, j.d, j.src, j.w, j.dst, j.col, j.colLen = backward, *d, src, w, dst, col, colLen
	if !parallel.TryRun(j, threads, true) {
		return false
	}
	g.countFlops(d.flops())
	return true
}

// minChunkRows is the fewest output positions of a chunk that recut makes: each
// chunk packs the whole kernel again, which costs about 32/rows of its product
// (a quarter at most), less than a chunk's product cut among many threads, each
// part of which packs the whole kernel for fewer rows.
const minChunkRows = 128

// recut cuts the images into one chunk a thread, when there are many threads
// (4 or more: on fewer, the chunks of forEachChunk, tall enough that packing the
// kernel costs nothing, are shared by whole chunks or not at all) and each
// chunk keeps minChunkRows positions; it reports whether it did. Smaller chunks
// change no bit of the forward or of the input gradient: a product's rows do
// not depend on how its rows are cut.
func (j *chunkJob) recut(d *convDims, threads int) bool {
	per := (d.n + threads - 1) / threads
	if threads < 4 || per*d.oh*d.ow < minChunkRows || (d.n+per-1)/per < threads {
		return false
	}
	j.chunks = j.chunks[:0]
	for n0 := 0; n0 < d.n; n0 += per {
		j.chunks = append(j.chunks, d.images(n0, min(n0+per, d.n)))
	}
	return true
}
