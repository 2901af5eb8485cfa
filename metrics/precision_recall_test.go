package metrics

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// modes draws n points from the mixture of equal Gaussians (std 1) around the given
// centres (each a row of centres), picking the centre of point i as i mod len.
func modes(rng *rand.Rand, n int, centres Features) Features {
	f := gaussian(rng, n, centres.D, 0, 1)
	for i := range n {
		c := centres.Row(i % centres.N)
		for j, v := range c {
			f.Data[i*f.D+j] += v
		}
	}
	return f
}

func TestKthNeighbourMatchesReference(t *testing.T) {
	for _, c := range []struct{ n, d, k int }{{5, 2, 1}, {4, 3, 3}, {300, 19, 3}, {257, 1, 5}, {129, 128, 3}} {
		f := gaussian(newRand(uint64(c.n)), c.n, c.d, 1, 2)
		r, err := toRows32(f, nil, "test", "f")
		if err != nil {
			t.Fatal(err)
		}
		got, want := kthNeighbour2(r, c.k, nil), refKthNeighbour2(f, c.k)
		for i := range want {
			// |x−y|² from norms and a float32 dot: an absolute error of order 1e-7·|x|².
			if tol := 1e-5 * (r.norm2[i] + want[i]); math.Abs(got[i]-want[i]) > tol {
				t.Errorf("%+v row %d: k-th neighbour distance² %.9g, reference %.9g", c, i, got[i], want[i])
			}
		}
	}
}

func TestPrecisionRecallMatchesReference(t *testing.T) {
	cases := []struct {
		nr, nf, d, k int
		offset       float64 // added to every feature: a large common offset, as after a ReLU
	}{{300, 257, 19, 3, 0}, {140, 133, 5, 1, 0}, {20, 150, 3, 4, 0}, {200, 230, 128, 3, 1000}}
	for _, c := range cases {
		rng := newRand(uint64(c.nr + c.nf))
		real, fake := gaussian(rng, c.nr, c.d, c.offset, 1), gaussian(rng, c.nf, c.d, c.offset+0.1, 1.05)
		p, r, err := PrecisionRecall(real, fake, c.k)
		if err != nil {
			t.Fatal(err)
		}
		wp, wr := refPrecisionRecall(real, fake, c.k)
		t.Logf("%+v: precision %.4f recall %.4f (reference %.4f %.4f)", c, p, r, wp, wr)
		// A distance within rounding of a radius may fall either side: allow one sample.
		if math.Abs(p-wp) > 1.5/float64(c.nf) || math.Abs(r-wr) > 1.5/float64(c.nr) {
			t.Errorf("%+v: precision, recall = %.4f, %.4f; reference %.4f, %.4f", c, p, r, wp, wr)
		}
	}
}

func TestPrecisionRecall(t *testing.T) {
	const d = 2 // in few dimensions 3-NN balls cover a sample's own distribution well
	rng := newRand(21)
	centres := gaussian(rng, 10, d, 0, 30) // ten modes, far apart against their std of 1
	real := modes(rng, 3000, centres)
	half := Features{N: 5, D: d, Data: centres.Data[:5*d]}
	cases := []struct {
		name               string
		fake               Features
		pLo, pHi, rLo, rHi float64
	}{
		{"identical", real, 1, 1, 1, 1},
		{"same distribution", modes(rng, 3000, centres), 0.95, 1, 0.95, 1},
		{"far away", gaussian(rng, 500, d, 1000, 1), 0, 0, 0, 0},
		{"half the modes", modes(rng, 1500, half), 0.95, 1, 0.45, 0.55},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, r, err := PrecisionRecall(real, c.fake, DefaultPRNeighbours)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("precision %.4f, recall %.4f", p, r)
			if p < c.pLo || p > c.pHi || r < c.rLo || r > c.rHi {
				t.Errorf("precision, recall = %.4f, %.4f; want in [%g, %g], [%g, %g]", p, r, c.pLo, c.pHi, c.rLo, c.rHi)
			}
		})
	}
}

func TestPrecisionRecallHalfModesHighDimension(t *testing.T) {
	// In 32 dimensions the 3-NN estimate of a sample's own distribution is well below 1
	// (about 0.7 here), so the half-mode set is judged against a same-distribution one:
	// it keeps the precision and halves the recall.
	const d = 32
	rng := newRand(22)
	centres := gaussian(rng, 10, d, 0, 30)
	real := modes(rng, 3000, centres)
	ps, rs, err := PrecisionRecall(real, modes(rng, 3000, centres), DefaultPRNeighbours)
	if err != nil {
		t.Fatal(err)
	}
	half := Features{N: 5, D: d, Data: centres.Data[:5*d]}
	ph, rh, err := PrecisionRecall(real, modes(rng, 1500, half), DefaultPRNeighbours)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("same distribution: precision %.4f recall %.4f; half the modes: precision %.4f recall %.4f", ps, rs, ph, rh)
	if math.Abs(ph-ps) > 0.05 || math.Abs(rh/rs-0.5) > 0.05 {
		t.Errorf("half the modes: precision %.4f, recall %.4f; want ≈ %.4f and ≈ %.4f/2", ph, rh, ps, rs)
	}
}

func TestKthNeighbourIndependentOfGoroutines(t *testing.T) {
	f := gaussian(newRand(4), 700, 33, 0, 1)
	r, err := toRows32(f, nil, "test", "f")
	if err != nil {
		t.Fatal(err)
	}
	many := kthNeighbour2(r, 3, nil)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if one := kthNeighbour2(r, 3, nil); !slices.Equal(one, many) {
		t.Error("k-th neighbour distances differ between one goroutine and several")
	}
}

func TestPrecisionRecallDuplicates(t *testing.T) {
	// Every point five times over (a data set with repeats, a generator that memorizes):
	// radii are 0 and distances to copies 0, so each point lies in its copies' balls.
	const copies = 5
	base := gaussian(newRand(30), 150, 64, 3, 10)
	dup := Features{N: base.N * copies, D: base.D}
	for i := range dup.N {
		dup.Data = append(dup.Data, base.Row(i/copies)...)
	}
	for _, k := range []int{1, 3, 4} {
		p, r, err := PrecisionRecall(dup, dup, k)
		if err != nil {
			t.Fatal(err)
		}
		wp, wr := refPrecisionRecall(dup, dup, k)
		if p != 1 || r != 1 || wp != 1 || wr != 1 {
			t.Errorf("k=%d: precision, recall = %v, %v (reference %v, %v), want 1, 1", k, p, r, wp, wr)
		}
	}
}

// TestPrecisionRecallProgress: PrecisionRecallProgress tells its progress from 0 to the
// number of tiles, growing, from the goroutine that called it, on one goroutine and on
// several; its results are PrecisionRecall's, bit for bit.
func TestPrecisionRecallProgress(t *testing.T) {
	rng := newRand(9)
	real, fake := gaussian(rng, 300, 19, 0, 1), gaussian(rng, 257, 19, 0.1, 1.05)
	const total = 10 + 6 + 12 // tiles of 96: real–real 4·5/2, fake–fake 3·4/2, fake–real 3·4
	wp, wr, err := PrecisionRecall(real, fake, 3)
	if err != nil {
		t.Fatal(err)
	}
	checkProgress(t, total, func(progress func(done, total int)) {
		p, r, err := PrecisionRecallProgress(real, fake, 3, progress)
		if err != nil || p != wp || r != wr {
			t.Errorf("GOMAXPROCS %d: %v, %v, %v; want PrecisionRecall's %v, %v", runtime.GOMAXPROCS(0), p, r, err, wp, wr)
		}
	})
	if _, _, err := PrecisionRecallProgress(real, fake, 0, func(int, int) { t.Error("progress called for arguments refused") }); err == nil {
		t.Error("k = 0 accepted")
	}
}
