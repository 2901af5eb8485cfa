package cuda

import (
	"math"
	"math/rand/v2"
	"testing"
)

// embedShapes are the (n ids, rows of the table, cols) Gather and ScatterAdd run
// on: one id, a label embedding (10 classes of 50 at batches 7 and 256, so that
// every row repeats), and odd sizes with more rows than ids.
var embedShapes = [][3]int{{1, 1, 1}, {7, 10, 50}, {256, 10, 50}, {33, 1000, 3}, {1000, 7, 129}}

// randomIDs returns n row ids in [0, rows) as float32, with every bad index of
// bad replaced by an id the CPU panics on (out of range, negative, fractional,
// NaN): the device gives NaN rows (Gather) or adds them nowhere (ScatterAdd).
func randomIDs(rng *rand.Rand, n, rows int, bad []int) []float32 {
	ids := make([]float32, n)
	for i := range ids {
		ids[i] = float32(rng.IntN(rows))
	}
	wrong := []float32{float32(rows), -1, 0.5, float32(math.NaN())}
	for k, i := range bad {
		ids[i] = wrong[k%len(wrong)]
	}
	return ids
}

// validRow is autograd's checkIndex without the panic: v as a row, or −1.
func validRow(v float32, rows int) int {
	if f := float64(v); f != math.Trunc(f) || f < 0 || f >= float64(rows) {
		return -1
	}
	return int(v)
}

// TestGatherScatterAdd checks Gather and ScatterAdd against autograd's loops,
// to the bit (ScatterAdd adds in the CPU's order), with bad ids among good
// ones where there are enough rows.
func TestGatherScatterAdd(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(31, 32))
	for _, s := range embedShapes {
		n, rows, cols := s[0], s[1], s[2]
		var bad []int
		if n >= 7 {
			bad = []int{1, n - 1, n / 2, 3}
		}
		ids := randomIDs(rng, n, rows, bad)
		table, src := randoms(rng, rows*cols), randoms(rng, n*cols)
		pids, ptable, psrc := upload(t, d, ids), upload(t, d, table), upload(t, d, src)

		// Gather: for i := range n { y[i, :] = table[ids[i], :] }
		want := make([]float32, n*cols)
		for i, v := range ids {
			for j := range cols {
				if r := validRow(v, rows); r >= 0 {
					want[i*cols+j] = table[r*cols+j]
				} else {
					want[i*cols+j] = float32(math.NaN())
				}
			}
		}
		py := upload(t, d, randoms(rng, n*cols))
		d.Gather(py, ptable, pids, n, rows, cols)
		sameBits(t, "Gather", s, download(t, d, py, n*cols), want)

		// ScatterAdd: clear(y); for i := range n { y[ids[i], :] += src[i, :] }
		want = make([]float32, rows*cols)
		for i, v := range ids {
			if r := validRow(v, rows); r >= 0 {
				for j := range cols {
					want[r*cols+j] += src[i*cols+j]
				}
			}
		}
		py = upload(t, d, randoms(rng, rows*cols))
		d.ScatterAdd(py, psrc, pids, n, rows, cols)
		sameBits(t, "ScatterAdd", s, download(t, d, py, rows*cols), want)
	}
}

// sameBits fails the test unless got and want hold the same float32s (any NaN
// matching any NaN).
func sameBits(t *testing.T, name string, shape [3]int, got, want []float32) {
	t.Helper()
	for i := range want {
		g, w := got[i], want[i]
		if math.Float32bits(g) != math.Float32bits(w) && !(g != g && w != w) {
			t.Fatalf("%s (n, rows, cols) = %v: [%d] is %g, want %g", name, shape, i, g, w)
		}
	}
}

// TestExpLogSumExp checks Exp and LogSumExp against autograd's loops: Exp
// within an ulp (CUDA's exp and Go's in float64, then rounded), LogSumExp
// within 2e-7 relative, a row holding NaN giving NaN.
func TestExpLogSumExp(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(33, 34))
	worstExp, worstLSE := 0.0, 0.0
	for _, s := range testShapes {
		rows, cols := s[0], s[1]
		n := rows * cols
		x := randoms(rng, n)
		for i := range x {
			x[i] *= 20 // e^±40: far from 1
		}
		px := upload(t, d, x)

		want := make([]float32, n)
		for i, v := range x {
			want[i] = float32(math.Exp(float64(v)))
		}
		py := upload(t, d, randoms(rng, n))
		d.Exp(py, px, n)
		got := download(t, d, py, n)
		for i := range want {
			e := math.Abs(float64(got[i])-float64(want[i])) / float64(want[i])
			worstExp = max(worstExp, e)
			if !(e <= 1.2e-7) {
				t.Fatalf("Exp n=%d: e^%g is %g, want %g (relative error %.2g)", n, x[i], got[i], want[i], e)
			}
		}

		if rows > 2 {
			x[cols+cols/2] = float32(math.NaN()) // row 1
			d.CopyToDevice(px, x)
		}
		want = make([]float32, rows)
		for i := range want {
			row := x[i*cols : (i+1)*cols]
			m := row[0]
			for _, v := range row {
				m = max(m, v)
			}
			var s float64
			for _, v := range row {
				s += math.Exp(float64(v - m))
			}
			want[i] = m + float32(math.Log(s))
		}
		py = upload(t, d, randoms(rng, rows))
		d.LogSumExp(py, px, rows, cols)
		got = download(t, d, py, rows)
		if rows > 2 && !math.IsNaN(float64(got[1])) {
			t.Errorf("LogSumExp %d×%d: a row holding NaN gives %g, want NaN", rows, cols, got[1])
		}
		worstLSE = max(worstLSE, checkClose(t, "LogSumExp", got, want, 2e-7))
	}
	t.Logf("Exp max relative error %.3g; LogSumExp %.3g", worstExp, worstLSE)
}
