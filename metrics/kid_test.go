package metrics

import (
	"math"
	"runtime"
	"testing"
)

func TestMMDMatchesReference(t *testing.T) {
	// Odd sizes: subsets that straddle tiles (2m > 128) and split a tile between x and y.
	cases := []struct{ na, nb, d, subsets, m int }{
		{7, 9, 3, 3, 2},
		{301, 277, 13, 4, 150},
		{200, 200, 64, 2, 200},
		{130, 150, 1, 2, 129},
	}
	for _, c := range cases {
		rng := newRand(uint64(c.na))
		a, b := gaussian(rng, c.na, c.d, 0, 1), gaussian(rng, c.nb, c.d, 0.2, 1.1)
		ra, err := toRows32(a, nil, "test", "a")
		if err != nil {
			t.Fatal(err)
		}
		rb, err := toRows32(b, nil, "test", "b")
		if err != nil {
			t.Fatal(err)
		}
		ia, ib := drawSubsets(c.na, c.nb, c.subsets, c.m, 42)
		got := mmdSubsets(ra, rb, ia, ib, nil)
		for s := range c.subsets {
			want := refMMD2(a, b, ia[s], ib[s])
			// The kernel values are of order 1–10; float32 dot products hold ~7 digits.
			if math.Abs(got[s]-want) > 1e-5 {
				t.Errorf("%+v subset %d: MMD² = %.9g, float64 reference %.9g", c, s, got[s], want)
			}
		}
	}
}

func TestDrawSubsets(t *testing.T) {
	ia, ib := drawSubsets(50, 30, 20, 30, 1)
	for s := range ia {
		for _, set := range []struct {
			idx []int
			n   int
		}{{ia[s], 50}, {ib[s], 30}} {
			seen := map[int]bool{}
			for _, i := range set.idx {
				if i < 0 || i >= set.n || seen[i] {
					t.Fatalf("subset %d: index %d repeated or outside [0, %d)", s, i, set.n)
				}
				seen[i] = true
			}
		}
	}
	if ia[0][0] == ia[1][0] && ia[0][1] == ia[1][1] && ia[0][2] == ia[1][2] {
		t.Error("two subsets begin alike: the permutation is not carried over")
	}
}

func TestKID(t *testing.T) {
	const n, d = 2000, 32
	rng := newRand(5)
	a, same, shifted := gaussian(rng, n, d, 0, 1), gaussian(rng, n, d, 0, 1), gaussian(rng, n, d, 0.3, 1)

	mean, std, err := KID(a, same, 50, 500, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("one distribution: KID %.3g ± %.3g", mean, std)
	if !(std > 0) || math.Abs(mean) > std {
		t.Errorf("one distribution: KID = %g ± %g, want |mean| < std", mean, std)
	}

	mean, std, err = KID(a, shifted, 50, 500, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("shifted by 0.3: KID %.3g ± %.3g", mean, std)
	if !(mean > 10*std) {
		t.Errorf("shifted: KID = %g ± %g, want mean > 10·std", mean, std)
	}
}

func TestKIDDeterministic(t *testing.T) {
	rng := newRand(9)
	a, b := gaussian(rng, 700, 40, 0, 1), gaussian(rng, 600, 40, 0.1, 1)
	m1, s1, err := KID(a, b, 9, 300, 77)
	if err != nil {
		t.Fatal(err)
	}
	m2, s2, _ := KID(a, b, 9, 300, 77)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	m3, s3, _ := KID(a, b, 9, 300, 77)
	if m1 != m2 || s1 != s2 || m1 != m3 || s1 != s3 {
		t.Errorf("seed 77 gave %v±%v, %v±%v, and %v±%v on one goroutine: want identical", m1, s1, m2, s2, m3, s3)
	}
	m4, _, _ := KID(a, b, 9, 300, 78)
	if m4 == m1 {
		t.Errorf("seeds 77 and 78 gave the same KID %v", m1)
	}
}

// TestKIDProgress: KIDProgress tells its progress from 0 to the number of subsets,
// growing, from the goroutine that called it, on one goroutine and on several; its
// results are KID's, bit for bit.
func TestKIDProgress(t *testing.T) {
	rng := newRand(11)
	samples, ref := gaussian(rng, 300, 19, 0.1, 1.05), gaussian(rng, 257, 19, 0, 1)
	const subsets = 7
	wm, ws, err := KID(samples, ref, subsets, 150, 3)
	if err != nil {
		t.Fatal(err)
	}
	checkProgress(t, subsets, func(progress func(done, total int)) {
		m, s, err := KIDProgress(samples, ref, subsets, 150, 3, progress)
		if err != nil || m != wm || s != ws {
			t.Errorf("GOMAXPROCS %d: %v, %v, %v; want KID's %v, %v", runtime.GOMAXPROCS(0), m, s, err, wm, ws)
		}
	})
	if _, _, err := KIDProgress(samples, ref, 0, 150, 3, func(int, int) { t.Error("progress called for arguments refused") }); err == nil {
		t.Error("subsets = 0 accepted")
	}
}
