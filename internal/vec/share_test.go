package vec

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/internal/parallel"
)

// sharedKernels run every kernel that is shared among threads on a (rows, cols) matrix
// x, with y and dy the same size and b a row vector, and return everything they wrote.
var sharedKernels = []struct {
	name string
	run  func(x, y, dy, b []float32, cols int) []float32
}{
	{"AddTo", func(x, _, dy, _ []float32, _ int) []float32 { d := clone(dy); AddTo(d, x); return d }},
	{"Copy", func(x, _, _, _ []float32, _ int) []float32 { d := make([]float32, len(x)); Copy(d, x); return d }},
	{"Add", func(x, y, _, _ []float32, _ int) []float32 { d := clone(y); Add(d, x, y); return d }},
	{"Mul", func(x, y, _, _ []float32, _ int) []float32 { d := clone(y); Mul(d, x, y); return d }},
	{"LeakyReLU", func(x, _, _, _ []float32, _ int) []float32 { d := clone(x); LeakyReLU(d, x, 0.2); return d }},
	{"LeakyReLUBackward", func(x, _, dy, _ []float32, _ int) []float32 {
		d := clone(dy)
		LeakyReLUBackward(d, x, dy, 0.2)
		return d
	}},
	{"Tanh", func(x, _, _, _ []float32, _ int) []float32 { d := clone(x); Tanh(d, x); return d }},
	{"TanhBackward", func(_, y, dy, _ []float32, _ int) []float32 { d := clone(dy); TanhBackward(d, y, dy); return d }},
	{"Sigmoid", func(x, _, _, _ []float32, _ int) []float32 { d := clone(x); Sigmoid(d, x); return d }},
	{"AddRowVectorTo", func(x, _, _, b []float32, _ int) []float32 { d := clone(x); AddRowVectorTo(d, x, b); return d }},
	{"AccumulateColumnSums", func(x, _, _, b []float32, _ int) []float32 { d := clone(b); AccumulateColumnSums(d, x); return d }},
	{"BiasLeakyReLU", func(x, _, _, b []float32, _ int) []float32 { d := clone(x); BiasLeakyReLU(d, x, b, 0.2); return d }},
	{"BiasLeakyReLUBackward", func(_, y, dy, b []float32, _ int) []float32 {
		dx, db := clone(dy), clone(b)
		BiasLeakyReLUBackward(dx, db, y, dy, 0.2)
		return append(dx, db...)
	}},
	{"BiasTanh", func(x, _, _, b []float32, _ int) []float32 { d := clone(x); BiasTanh(d, x, b); return d }},
	{"BiasTanhBackward", func(_, y, dy, b []float32, _ int) []float32 {
		dx, db := clone(dy), clone(b)
		BiasTanhBackward(dx, db, y, dy)
		return append(dx, db...)
	}},
	{"DropoutMask", func(x, _, _, _ []float32, _ int) []float32 {
		d := clone(x)
		DropoutMask(d, 0x243F6A8885A308D3, 1288490188, 1/0.7) // rate 0.3
		return d
	}},
	{"BatchNorm", func(x, _, dy, b []float32, cols int) []float32 {
		mean, variance, invStd := make([]float32, cols), make([]float32, cols), make([]float32, cols)
		BatchNormStats(mean, variance, x)
		InvStd(invStd, variance, 1e-3)
		gamma, beta := clone(b), clone(b)
		y := make([]float32, len(x))
		BatchNormApply(y, x, mean, invStd, gamma, beta)
		dx, dgamma, dbeta := make([]float32, len(x)), clone(b), clone(b)
		BatchNormBackward(dx, dgamma, dbeta, dy, x, mean, invStd, gamma)
		return append(append(append(append(y, dx...), dgamma...), dbeta...), mean...)
	}},
}

func clone(x []float32) []float32 { return append([]float32(nil), x...) }

// TestSharedKernelsBitIdentical: the kernels cut among 2, 3, 8 or 16 threads compute
// the same bits as on one, on matrices large enough to be shared (and, but for
// (3000, 7), to wake parked workers, so that the cut always happens), with ragged
// columns and, for the column sums, ragged blocks of rows: (3000, 7) is three blocks
// of 1024 rows, the last short, and one strip of 7 columns; (15000, 37) and (9000, 61)
// blocks by strips, the last strip narrow; (12544, 64) and (25088, 64) are the DCGAN's
// batch norm and bias gradient.
func TestSharedKernelsBitIdentical(t *testing.T) {
	defer parallel.SetThreads(0)
	rng := rand.New(rand.NewPCG(3, 4))
	shapes := [][2]int{{1024, 520}, {9000, 61}, {1, wakeShare + 5}, {12544, 64}, {25088, 64}, {3000, 7}, {15000, 37}}
	for _, shape := range shapes {
		rows, cols := shape[0], shape[1]
		x, y := testValues(rng, rows*cols), testValues(rng, rows*cols)
		dy, b := testValues(rng, rows*cols), testValues(rng, cols)
		for i := range y {
			y[i] = float32(rng.Float64()*2 - 1) // an activation's output, in (−1, 1)
		}
		checkSharedKernels(t, fmt.Sprintf("%d×%d", rows, cols), x, y, dy, b, cols, false)
		if rows > blockRows {
			// Finite values too: a column of testValues holds a NaN or an infinity,
			// which makes its sum the same whatever the grouping.
			x, y, dy, b = blockedInputs(rng, rows, cols)
			checkSharedKernels(t, fmt.Sprintf("%d×%d finite", rows, cols), x, y, dy, b, cols, true)
		}
	}
}

// columnSumKernels are the sharedKernels that sum down the columns.
var columnSumKernels = map[string]bool{"AccumulateColumnSums": true, "BiasLeakyReLUBackward": true,
	"BiasTanhBackward": true, "BatchNorm": true}

// checkSharedKernels runs every shared kernel (only the columnSumKernels if sumsOnly)
// at 1, 2, 3, 8 and 16 threads and reports those whose bits differ from one thread's.
func checkSharedKernels(t *testing.T, what string, x, y, dy, b []float32, cols int, sumsOnly bool) {
	t.Helper()
	for _, k := range sharedKernels {
		if sumsOnly && !columnSumKernels[k.name] {
			continue
		}
		parallel.SetThreads(1)
		want := k.run(x, y, dy, b, cols)
		for _, threads := range []int{2, 3, 8, 16} {
			parallel.SetThreads(threads)
			if got := k.run(x, y, dy, b, cols); !sameBits(got, want) {
				t.Errorf("%s on %s: %d threads differ from one", k.name, what, threads)
			}
		}
	}
}

// TestSharePartsCutsLargeWorkOnly: small kernels stay on one thread, large ones are
// cut, never into more parts than units.
func TestSharePartsCutsLargeWorkOnly(t *testing.T) {
	defer parallel.SetThreads(0)
	parallel.SetThreads(16)
	for _, c := range []struct{ size, n, align, want int }{
		{1000, 1000, 16, 1},
		{1 << 20, 1 << 20, 16, 16},
		{1 << 20, 64, 16, 4},
		{2 * minShare, 2 * minShare, 16, 2},
	} {
		if got := shareParts(c.size, c.n, c.align); got != c.want {
			t.Errorf("%s: %d parts, want %d", fmt.Sprint(c.size, c.n, c.align), got, c.want)
		}
	}
}

// TestCopyOverlapping: Copy of overlapping slices is copy's memmove, not a shared copy
// whose parts would read what another part already wrote.
func TestCopyOverlapping(t *testing.T) {
	defer parallel.SetThreads(0)
	parallel.SetThreads(4)
	n := wakeShare + 1000
	buf, want := make([]float32, n+1), make([]float32, n+1)
	for i := range buf {
		buf[i] = float32(i)
		want[i] = float32(i)
	}
	Copy(buf[1:], buf)
	copy(want[1:], want)
	if !sameBits(buf, want) {
		t.Fatal("Copy(buf[1:], buf) differs from copy")
	}
}

// TestBatchNormNoColumns: the batch-norm kernels given no columns do nothing (they
// divided by zero).
func TestBatchNormNoColumns(t *testing.T) {
	x := []float32{1, 2, 3}
	BatchNormStats(nil, nil, x)
	BatchNormApply(x, x, nil, nil, nil, nil)
	BatchNormBackward(x, nil, nil, x, x, nil, nil, nil)
}
