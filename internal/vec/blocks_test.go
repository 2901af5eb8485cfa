package vec

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/gogan/gogan/internal/parallel"
)

// The oracles of the blocked kernels: the formulas of their doc comments as plain Go
// loops over the whole matrix, block after block of blockRows rows. Over one block
// they are the plain sums down the rows that the serial loops computed before the
// blocks; over more, the tests compare the kernels with them bit for bit (the
// contract), and TestBatchNormKernels bounds the error of both against float64.

// columnSumsByBlocks is AccumulateColumnSums's comment: block 0's rows onto dst, each
// later block's onto zeros, those sums then onto dst in block order.
func columnSumsByBlocks(dst, x []float32) {
	biasBackwardByBlocks(x, dst, x, x, func(_, sums, _, row []float32) { addToGo(sums, row) })
}

// biasBackwardByBlocks is a bias activation's backward by its comment, with row the
// Go loop of one row: dx row by row, db by blocks as columnSumsByBlocks.
func biasBackwardByBlocks(dx, db, y, dy []float32, row func(dx, db, y, dy []float32)) {
	cols := len(db)
	rows := len(dy) / cols
	var later [][]float32
	for r0 := 0; r0 < rows; r0 += blockRows {
		sums := db
		if r0 > 0 {
			sums = make([]float32, cols)
			later = append(later, sums)
		}
		for i := r0; i < min(rows, r0+blockRows); i++ {
			o := i * cols
			row(dx[o:o+cols], sums, y[o:o+cols], dy[o:o+cols])
		}
	}
	for _, p := range later {
		addToGo(db, p)
	}
}

// statsByBlocks is BatchNormStats's comment: d = x[i,j] − x[0,j] summed in float64,
// each block from zero, then the blocks' sums from zero in block order.
func statsByBlocks(mean, variance, x []float32) {
	cols := len(mean)
	rows := len(x) / cols
	n := float64(rows)
	for j := range cols {
		x0 := float64(x[j])
		var s1, s2 float64
		for r0 := 0; r0 < rows; r0 += blockRows {
			var b1, b2 float64
			for i := r0; i < min(rows, r0+blockRows); i++ {
				d := float64(x[i*cols+j]) - x0
				b1 += d
				b2 += float64(d * d)
			}
			s1 += b1
			s2 += b2
		}
		m := s1 / n
		mean[j] = float32(x0 + m)
		variance[j] = float32(max(s2/n-m*m, 0))
	}
}

// normBackwardByBlocks is BatchNormBackward's comment, its sums by blocks as
// statsByBlocks's.
func normBackwardByBlocks(dx, dgamma, dbeta, dy, x, mean, invStd, gamma []float32) {
	cols := len(gamma)
	rows := len(dy) / cols
	n := float64(rows)
	for j := range cols {
		var sdy, sdyh float64
		for r0 := 0; r0 < rows; r0 += blockRows {
			var b1, b2 float64
			for i := r0; i < min(rows, r0+blockRows); i++ {
				g := dy[i*cols+j]
				h := float32((x[i*cols+j] - mean[j]) * invStd[j])
				b1 += float64(g)
				b2 += float64(g) * float64(h)
			}
			sdy += b1
			sdyh += b2
		}
		dgamma[j] += float32(sdyh)
		dbeta[j] += float32(sdy)
		k := float64(gamma[j]) * float64(invStd[j])
		a, b, c := float32(k), float32(-k*sdyh/n), float32(-k*sdy/n)
		for i := range rows {
			h := float32((x[i*cols+j] - mean[j]) * invStd[j])
			dx[i*cols+j] = float32(float32(a*dy[i*cols+j])+float32(b*h)) + c
		}
	}
}

// blockedKernels run each blocked kernel (fast) or its oracle on a (rows, cols)
// matrix x, y and dy (y an activation's output) and b (cols), and return all it wrote.
var blockedKernels = []struct {
	name string
	run  func(fast bool, x, y, dy, b []float32) []float32
}{
	{"AccumulateColumnSums", func(fast bool, x, _, _, b []float32) []float32 {
		d := clone(b)
		pick(fast, func() { AccumulateColumnSums(d, x) }, func() { columnSumsByBlocks(d, x) })
		return d
	}},
	{"BiasLeakyReLUBackward", func(fast bool, _, y, dy, b []float32) []float32 {
		dx, db := make([]float32, len(dy)), clone(b)
		row := func(dx, db, y, dy []float32) { biasLeakyReLUBackwardGo(dx, db, y, dy, 0.2) }
		pick(fast, func() { BiasLeakyReLUBackward(dx, db, y, dy, 0.2) }, func() { biasBackwardByBlocks(dx, db, y, dy, row) })
		return append(dx, db...)
	}},
	{"BiasTanhBackward", func(fast bool, _, y, dy, b []float32) []float32 {
		dx, db := make([]float32, len(dy)), clone(b)
		pick(fast, func() { BiasTanhBackward(dx, db, y, dy) }, func() { biasBackwardByBlocks(dx, db, y, dy, biasTanhBackwardGo) })
		return append(dx, db...)
	}},
	{"BatchNormStats", func(fast bool, x, _, _, b []float32) []float32 {
		mean, variance := make([]float32, len(b)), make([]float32, len(b))
		pick(fast, func() { BatchNormStats(mean, variance, x) }, func() { statsByBlocks(mean, variance, x) })
		return append(mean, variance...)
	}},
	{"BatchNormBackward", func(fast bool, x, _, dy, b []float32) []float32 {
		cols := len(b)
		mean, variance, invStd := make([]float32, cols), make([]float32, cols), make([]float32, cols)
		statsByBlocks(mean, variance, x)
		InvStd(invStd, variance, 1e-3)
		dx, dgamma, dbeta := make([]float32, len(x)), clone(b), clone(b)
		pick(fast, func() { BatchNormBackward(dx, dgamma, dbeta, dy, x, mean, invStd, b) },
			func() { normBackwardByBlocks(dx, dgamma, dbeta, dy, x, mean, invStd, b) })
		return append(append(dx, dgamma...), dbeta...)
	}},
}

// blockedInputs are a (rows, cols) x and dy of normal values around 3 (a mean the
// batch norm's shift must handle), y in (−1, 1), b normal.
func blockedInputs(rng *rand.Rand, rows, cols int) (x, y, dy, b []float32) {
	x, y, dy, b = make([]float32, rows*cols), make([]float32, rows*cols), make([]float32, rows*cols), make([]float32, cols)
	for i := range x {
		x[i] = float32(3 + rng.NormFloat64())
		y[i] = float32(rng.Float64()*2 - 1)
		dy[i] = float32(rng.NormFloat64())
	}
	for j := range b {
		b[j] = float32(rng.NormFloat64())
	}
	return x, y, dy, b
}

// TestBlockedKernelsMatchLoops compares the column-summing kernels, on each
// instruction set and on one thread and on the team, with their oracles bit for bit:
// one block (1024 rows), a block and a row, and ragged blocks and strips; the last
// shape is large enough (wakeShare) to wake the team's parked workers.
func TestBlockedKernelsMatchLoops(t *testing.T) {
	defer parallel.SetThreads(0)
	rng := rand.New(rand.NewPCG(11, 12))
	for _, shape := range [][2]int{{1024, 33}, {1025, 16}, {3000, 7}, {2100, 37}, {4096, 64}, {wakeShare/40 + 3, 40}} {
		rows, cols := shape[0], shape[1]
		x, y, dy, b := blockedInputs(rng, rows, cols)
		for _, k := range blockedKernels {
			want := k.run(false, x, y, dy, b)
			for _, isa := range isas() {
				for _, threads := range []int{1, 2, 5} {
					restore := useISA(isa)
					parallel.SetThreads(threads)
					got := k.run(true, x, y, dy, b)
					restore()
					if !sameBits(got, want) {
						t.Errorf("%s, %s, %d thread(s), %d×%d: differs from its loop", k.name, isa, threads, rows, cols)
					}
				}
			}
		}
	}
}

// TestBlockedKernelsConcurrent runs the blocked kernels from several goroutines at
// once (the team busy with one, the others on their callers), each taking scratch of
// its own: every result must be the one computed alone.
func TestBlockedKernelsConcurrent(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	const goroutines = 4
	type input struct{ x, y, dy, b []float32 }
	in := make([]input, goroutines)
	want := make([][][]float32, goroutines)
	for g := range in {
		x, y, dy, b := blockedInputs(rng, 3000+500*g, 19+16*g)
		in[g] = input{x, y, dy, b}
		for _, k := range blockedKernels {
			want[g] = append(want[g], k.run(true, x, y, dy, b))
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			for range 5 {
				for i, k := range blockedKernels {
					if got := k.run(true, in[g].x, in[g].y, in[g].dy, in[g].b); !sameBits(got, want[g][i]) {
						errs[g] = fmt.Errorf("%s in goroutine %d differs from its result alone", k.name, g)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// TestBlockedKernelsAllocateNothing: once warm, a blocked kernel takes its scratch
// from the free list, on one thread and on the team; a small one (one block, not
// shared) needs none.
func TestBlockedKernelsAllocateNothing(t *testing.T) {
	defer parallel.SetThreads(0)
	rng := rand.New(rand.NewPCG(15, 16))
	for _, shape := range [][2]int{{12544, 64}, {64, 100}} {
		rows, cols := shape[0], shape[1]
		x, y, dy, b := blockedInputs(rng, rows, cols)
		dx, db, mean, variance := make([]float32, rows*cols), clone(b), make([]float32, cols), make([]float32, cols)
		invStd := make([]float32, cols)
		BatchNormStats(mean, variance, x)
		InvStd(invStd, variance, 1e-3)
		kernels := map[string]func(){
			"AccumulateColumnSums":  func() { AccumulateColumnSums(db, x) },
			"BiasLeakyReLUBackward": func() { BiasLeakyReLUBackward(dx, db, y, dy, 0.2) },
			"BiasTanhBackward":      func() { BiasTanhBackward(dx, db, y, dy) },
			"BatchNormStats":        func() { BatchNormStats(mean, variance, x) },
			"BatchNormBackward":     func() { BatchNormBackward(dx, db, db, dy, x, mean, invStd, b) },
		}
		for _, threads := range []int{1, 2} {
			parallel.SetThreads(threads)
			for name, f := range kernels {
				f()
				if a := testing.AllocsPerRun(10, f); a != 0 {
					t.Errorf("%s on %d×%d, %d thread(s): %v allocations per call", name, rows, cols, threads, a)
				}
			}
		}
	}
}

// TestPiecesCutBlocksByStrips: the DCGAN's (12544, 64) batch norm is 13 blocks of 4
// strips, which 16 threads all share; a (1024, 64) matrix is one block.
func TestPiecesCutBlocksByStrips(t *testing.T) {
	defer parallel.SetThreads(0)
	parallel.SetThreads(16)
	for _, c := range []struct{ rows, cols, pieces, parts int }{
		{12544, 64, 52, 16},
		{1024, 64, 4, 4},
		{3000, 7, 3, 1}, // 21,000 floats: not worth sharing
		{65536, 1, 64, 4},
	} {
		n := pieces(c.rows, c.cols)
		if parts := shareParts(c.rows*c.cols, n, 1); n != c.pieces || parts != c.parts {
			t.Errorf("(%d, %d): %d pieces in %d parts, want %d in %d", c.rows, c.cols, n, parts, c.pieces, c.parts)
		}
	}
}
