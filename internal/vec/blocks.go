package vec

import "sync"

// Column sums by blocks of rows. The kernels that sum down the columns of a (rows, cols)
// matrix (AccumulateColumnSums, the bias activations' backward, BatchNormStats and
// BatchNormBackward) cut the rows into blocks of blockRows rows, the last one shorter,
// sum each block down its columns on its own (its partial sums), and then add the
// blocks' partial sums in block order. The blocks are a constant of the matrix's shape,
// never of the number of threads, so the sums are grouped alike and their bits are the
// same on any number of threads, the serial loop included. The team shares the pieces
// (block, strip of 16 columns), numbered block after block and strip after strip
// within a block, so that a (12544, 64) matrix is 13 × 4 = 52 pieces where strips
// alone gave 4. A matrix of at most blockRows rows is one block: its sums are the
// plain sums down the rows.

// blockRows is how many rows a column-summing kernel sums into one partial sum: large
// enough that a piece (blockRows × 16 floats) is worth handing a thread (minShare),
// small enough that the (12544, 64) and (25088, 64) matrices of the DCGAN's batch norm
// and bias gradients give a piece or more to each of 16 threads.
const blockRows = 1024

// rowBlocks is how many blocks rows rows are cut into: at least 1.
func rowBlocks(rows int) int { return max(1, (rows+blockRows-1)/blockRows) }

// blockSpan is block b's rows [lo, hi) of rows.
func blockSpan(b, rows int) (lo, hi int) { return b * blockRows, min(rows, (b+1)*blockRows) }

// strips is how many strips of 16 columns cols columns make, the last one narrower.
func strips(cols int) int { return (cols + 15) / 16 }

// eachBlock calls f on the pieces [lo, hi) of j's (j.rows, j.cols) matrix, once for
// each block they meet, with the columns [c0, c1) of that block's pieces.
func eachBlock(j *shareJob, lo, hi int, f func(j *shareJob, b, c0, c1 int)) {
	s := strips(j.cols)
	for p := lo; p < hi; {
		b, first := p/s, p%s
		end := min(hi, (b+1)*s)
		f(j, b, first*16, min((end-b*s)*16, j.cols))
		p = end
	}
}

// runBlocks runs a blocked column kernel over j's (j.rows, j.cols) matrix, size floats
// in its largest operand, by pieces (run does the pieces [lo, hi)): on the team when
// worth it and the team is free, else on its caller (shareOrRun).
func runBlocks(j shareJob, size int, run func(j *shareJob, lo, hi int)) {
	j.run, j.n, j.align = run, pieces(j.rows, j.cols), 1
	shareOrRun(&j, size, true)
}

// sumByBlocks runs a float32 column-summing kernel j over its (j.rows, j.cols) matrix,
// j.cols > 0, by pieces (runBlocks), with its blocks' partial sums in scratch; then it
// adds those of the blocks after the first onto sums, the kernel's own (len j.cols),
// onto which run sums block 0.
func sumByBlocks(j shareJob, sums []float32, run func(j *shareJob, lo, hi int)) {
	var scratch *partials
	if j.rows > blockRows {
		scratch = getPartials()
		j.part32 = scratch.float32s((rowBlocks(j.rows) - 1) * j.cols)
	}
	runBlocks(j, j.rows*j.cols, run)
	if scratch != nil {
		addBlocks(sums, j.part32)
		putPartials(scratch)
	}
}

// serialBlock reports whether a (rows, cols) matrix is one block too small to share:
// its kernel then calls its block function directly, skipping runBlocks's pooled job.
func serialBlock(rows, cols int) bool { return rows <= blockRows && rows*cols < 2*minShare }

// pieces is how many (block, strip) pieces a (rows, cols) matrix has.
func pieces(rows, cols int) int { return rowBlocks(rows) * strips(cols) }

// partials is the scratch in which a blocked kernel keeps its blocks' partial sums.
type partials struct {
	f32 []float32
	f64 []float64
}

// float32s is p's float32 scratch, n long (its contents left over from earlier use).
func (p *partials) float32s(n int) []float32 {
	if cap(p.f32) < n {
		p.f32 = make([]float32, n)
	}
	return p.f32[:n]
}

// float64s is p's float64 scratch, n long (its contents left over from earlier use).
func (p *partials) float64s(n int) []float64 {
	if cap(p.f64) < n {
		p.f64 = make([]float64, n)
	}
	return p.f64[:n]
}

// freePartials holds the scratch not in use. Kernels may run on several goroutines at
// once, each taking scratch of its own; a list rather than a sync.Pool, so that a
// garbage collection does not make the next calls allocate it again.
var freePartials struct {
	sync.Mutex
	list []*partials
}

// getPartials takes scratch from freePartials, or makes it; putPartials gives it back.
func getPartials() *partials {
	freePartials.Lock()
	defer freePartials.Unlock()
	n := len(freePartials.list)
	if n == 0 {
		return new(partials)
	}
	p := freePartials.list[n-1]
	freePartials.list = freePartials.list[:n-1]
	return p
}

// putPartials gives p back to freePartials.
func putPartials(p *partials) {
	freePartials.Lock()
	freePartials.list = append(freePartials.list, p)
	freePartials.Unlock()
}

// blockSums is where a float32 kernel sums block b down the columns [c0, c1): onto
// dst, the kernel's own sums, for block 0; for a later block, onto its row of part32
// (blocks−1, cols), zeroed on those columns.
func blockSums(j *shareJob, dst []float32, b, c0, c1 int) []float32 {
	if b == 0 {
		return dst
	}
	p := j.part32[(b-1)*j.cols : b*j.cols]
	clear(p[c0:c1])
	return p
}

// addBlocks adds the later blocks' partial sums (blocks−1, cols), block 1 first, onto
// dst (cols): for b := range blocks−1 { AddTo(dst, part[b*cols:(b+1)*cols]) }.
func addBlocks(dst, part []float32) {
	cols := len(dst)
	for off := 0; off+cols <= len(part); off += cols {
		addTo(dst, part[off:off+cols])
	}
}
