package vec

import (
	"sync"

	"github.com/gogan/gogan/internal/parallel"
)

// Sharing among threads. A kernel over a large slice is cut into parts that the team
// of internal/parallel runs at once: element-wise kernels by ranges of elements, the
// row kernels by rows, and the kernels that sum down the columns (a bias's or batch
// norm's gradient) by pieces of a fixed block of rows and a strip of columns
// (blocks.go), each block summed on its own and the blocks' sums added in block order,
// as the serial loop does too. Each element is computed by the same instructions
// whatever the cut (the cuts fall on whole vectors, and the blocks do not depend on
// it), so the results are bit-identical for any number of threads.

// The least work, in floats of the largest operand, that a kernel shares: below
// minShare the hand-over costs more than it saves; below wakeShare a kernel only uses
// workers still spinning after the previous job (waking a parked thread costs tens of
// microseconds).
const (
	minShare  = 1 << 14
	wakeShare = 1 << 19
)

// shareJob is one kernel call cut into parts: run does [lo, hi) of n units (elements,
// rows, columns or (block, strip) pieces, blocks.go), the cuts on multiples of align.
// The slices and scalars are the kernel's own arguments, by the names its doc comment
// gives them; part32 and part64 are a blocked kernel's partial sums, rows its matrix's
// rows.
type shareJob struct {
	run                 func(j *shareJob, lo, hi int)
	n, align            int
	dst, dx, x, y, dy   []float32
	a, b, c, db         []float32
	mean, invStd, gamma []float32
	beta, dgamma, dbeta []float32
	part32              []float32
	part64              []float64
	alpha               float32
	rows, cols          int
	seed, threshold     uint64
}

// Run does part p of parts.
func (j *shareJob) Run(p, parts int) {
	lo, hi := parallel.Range(j.n, p, parts, j.align)
	if lo < hi {
		j.run(j, lo, hi)
	}
}

var shareJobs = sync.Pool{New: func() any { return new(shareJob) }}

// shareParts is how many parts a kernel touching size floats (its largest operand)
// and cutting n units on multiples of align is shared among: 1 when not worth it.
func shareParts(size, n, align int) int {
	if size < 2*minShare { // before asking for the threads, which takes a lock
		return 1
	}
	return max(1, min(parallel.Threads(), size/minShare, n/align))
}

// share runs j in parts on the team and reports true, or reports false (having run
// nothing) when the kernel is too small or the team busy or asleep: the caller then
// runs its serial loop.
func share(j *shareJob, size int) bool { return shareOrRun(j, size, false) }

// shareOrRun is share; with orRun, a job it does not share runs on its caller instead,
// and it reports true. The job runs on a pooled copy of j either way, so that j stays
// on its caller's stack (j's address handed to the function value j.run would move j
// to the heap).
func shareOrRun(j *shareJob, size int, orRun bool) bool {
	parts := shareParts(size, j.n, j.align)
	if parts < 2 && !orRun {
		return false
	}
	sj := shareJobs.Get().(*shareJob)
	*sj = *j
	done := parts >= 2 && parallel.TryRun(sj, parts, size >= wakeShare)
	if !done && orRun {
		sj.run(sj, 0, sj.n)
		done = true
	}
	*sj = shareJob{}
	shareJobs.Put(sj)
	return done
}

// shareElements shares a kernel over n elements by ranges of whole vectors.
func shareElements(j shareJob, n int, run func(j *shareJob, lo, hi int)) bool {
	j.run, j.n, j.align = run, n, 16
	return share(&j, n)
}

// shareRows shares a row kernel over (len(dst)/cols, cols) by rows.
func shareRows(j shareJob, size int, run func(j *shareJob, lo, hi int)) bool {
	if j.cols == 0 {
		return false
	}
	j.run, j.n, j.align = run, size/j.cols, 1
	return share(&j, size)
}

// shareColumns shares a column-summing kernel over (size/cols, cols) by strips of 16
// columns.
func shareColumns(j shareJob, size int, run func(j *shareJob, lo, hi int)) bool {
	j.run, j.n, j.align = run, j.cols, 16
	return share(&j, size)
}
