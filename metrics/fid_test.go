package metrics

import (
	"math"
	"math/cmplx"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// frechetByProductEigen is the Fréchet distance by another route than FID's: the eigenvalues
// of the non-symmetric product Σa·Σb (gonum's general Eigen), which are those of
// Σa^½ Σb Σa^½, so Tr((Σa^½ Σb Σa^½)^½) = Σ √λ.
func frechetByProductEigen(t *testing.T, mua, mub, covA, covB []float64) float64 {
	t.Helper()
	d := len(mua)
	var prod mat.Dense
	prod.Mul(mat.NewDense(d, d, covA), mat.NewDense(d, d, covB))
	var eig mat.Eigen
	if !eig.Factorize(&prod, mat.EigenNone) {
		t.Fatal("Eigen did not converge")
	}
	trSqrt := 0.0
	for _, v := range eig.Values(nil) {
		if math.Abs(imag(v)) > 1e-8*cmplx.Abs(v)+1e-12 {
			t.Fatalf("eigenvalue %v of Σa·Σb is not real", v)
		}
		trSqrt += math.Sqrt(math.Max(0, real(v)))
	}
	fid := 0.0
	for i := range d {
		fid += (mua[i]-mub[i])*(mua[i]-mub[i]) + covA[i*d+i] + covB[i*d+i]
	}
	return fid - 2*trSqrt
}

func diag(v []float64) []float64 {
	d := len(v)
	out := make([]float64, d*d)
	for i, x := range v {
		out[i*d+i] = x
	}
	return out
}

// rotate returns R·C·Rᵀ.
func rotate(r, c []float64, d int) []float64 {
	var rc, out mat.Dense
	rc.Mul(mat.NewDense(d, d, r), mat.NewDense(d, d, c))
	out.Mul(&rc, mat.NewDense(d, d, r).T())
	return out.RawMatrix().Data
}

// orthogonal returns the Q of a random matrix's QR factorization.
func orthogonal(t *testing.T, seed uint64, d int) []float64 {
	var qr mat.QR
	qr.Factorize(mat.NewDense(d, d, randomMatrix(newRand(seed), d, 0)))
	var q mat.Dense
	qr.QTo(&q)
	return q.RawMatrix().Data
}

func TestFIDClosedForm(t *testing.T) {
	// Commuting covariances (diagonal, or diagonal in one rotated basis):
	// FID = |Δμ|² + Σ (√aᵢ − √bᵢ)².
	mua := []float64{0.5, -1, 2, 0, 3, 0.25}
	mub := []float64{0, 1, 2.5, -0.5, 3, 1}
	va := []float64{1, 4, 0.25, 9, 2, 1e-3}
	vb := []float64{2, 1, 0.25, 16, 0.5, 3}
	want := 0.0
	for i := range mua {
		want += (mua[i]-mub[i])*(mua[i]-mub[i]) + (math.Sqrt(va[i])-math.Sqrt(vb[i]))*(math.Sqrt(va[i])-math.Sqrt(vb[i]))
	}
	d := len(mua)
	r := orthogonal(t, 3, d)
	cases := []struct {
		name       string
		covA, covB []float64
	}{
		{"diagonal", diag(va), diag(vb)},
		{"rotated", rotate(r, diag(va), d), rotate(r, diag(vb), d)},
		{"one zero variance", diag(append([]float64{0}, va[1:]...)), diag(vb)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := want
			if c.name == "one zero variance" {
				w += -(math.Sqrt(va[0])-math.Sqrt(vb[0]))*(math.Sqrt(va[0])-math.Sqrt(vb[0])) + vb[0]
			}
			got, err := FID(Stats{Mean: mua, Cov: c.covA}, Stats{Mean: mub, Cov: c.covB})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("relative error %.2g", relErr(got, w))
			if e := relErr(got, w); e > 1e-9 {
				t.Errorf("FID = %.15g, closed form %.15g (relative error %.2g)", got, w, e)
			}
		})
	}
}

func TestFIDMatchesProductEigenvalues(t *testing.T) {
	// Non-commuting covariances Σ = A·Aᵀ: FID against the independent route.
	for _, d := range []int{1, 2, 5, 17, 64} {
		rng := newRand(uint64(d))
		mua, mub := gaussian(rng, 1, d, 0, 1).Data, gaussian(rng, 1, d, 0.3, 1).Data
		covA, covB := outer(randomMatrix(rng, d, 2), d), outer(randomMatrix(rng, d, 0), d)
		got, err := FID(Stats{Mean: mua, Cov: covA}, Stats{Mean: mub, Cov: covB})
		if err != nil {
			t.Fatal(err)
		}
		want := frechetByProductEigen(t, mua, mub, covA, covB)
		if e := relErr(got, want); e > 1e-9 {
			t.Errorf("d=%d: FID = %.15g, via eig(Σa·Σb) %.15g (relative error %.2g)", d, got, want, e)
		}
	}
}

func TestFIDOfSamplesApproachesTrueDistance(t *testing.T) {
	const d = 6
	rng := newRand(7)
	mu1, mu2 := gaussian(rng, 1, d, 0, 1).Data, gaussian(rng, 1, d, 0, 1).Data
	a1, a2 := randomMatrix(rng, d, 1), randomMatrix(rng, d, 0)
	want := frechetByProductEigen(t, mu1, mu2, outer(a1, d), outer(a2, d))
	var prevErr float64
	for i, n := range []int{1_000, 10_000, 200_000} {
		s1, err := ComputeStats(mvn(rng, n, mu1, a1))
		if err != nil {
			t.Fatal(err)
		}
		s2, err := ComputeStats(mvn(rng, n, mu2, a2))
		if err != nil {
			t.Fatal(err)
		}
		got, err := FID(s1, s2)
		if err != nil {
			t.Fatal(err)
		}
		e := relErr(got, want)
		t.Logf("n=%d: sample FID %.5f, true %.5f, relative error %.4f", n, got, want, e)
		if i > 0 && e > prevErr {
			t.Errorf("n=%d: relative error %.4f grew from %.4f", n, e, prevErr)
		}
		prevErr = e
	}
	if prevErr > 0.01 {
		t.Errorf("sample FID at n=200000 is %.2f%% off the true distance, want < 1%%", 100*prevErr)
	}
}

func TestComputeStats(t *testing.T) {
	// Two columns: x and 2x+1 over x = 1..4: mean (2.5, 6), var 5/3 and 20/3, cov 10/3.
	f, err := NewFeatures(4, 2, []float64{1, 3, 2, 5, 3, 7, 4, 9})
	if err != nil {
		t.Fatal(err)
	}
	s, err := ComputeStats(f)
	if err != nil {
		t.Fatal(err)
	}
	wantMean, wantCov := []float64{2.5, 6}, []float64{5.0 / 3, 10.0 / 3, 10.0 / 3, 20.0 / 3}
	for i, v := range wantMean {
		if math.Abs(s.Mean[i]-v) > 1e-14 {
			t.Errorf("Mean[%d] = %v, want %v", i, s.Mean[i], v)
		}
	}
	for i, v := range wantCov {
		if math.Abs(s.Cov[i]-v) > 1e-14 {
			t.Errorf("Cov[%d] = %v, want %v", i, s.Cov[i], v)
		}
	}
	if s.N != 4 || s.Dim() != 2 {
		t.Errorf("N, Dim = %d, %d, want 4, 2", s.N, s.Dim())
	}
}

func TestFIDSelfSymmetricNonNegative(t *testing.T) {
	cases := []struct {
		name   string
		n, d   int
		selfTo float64 // FID(x, x) ≤ selfTo·Tr(Σ)
	}{
		{"full rank", 500, 16, 1e-9},
		{"d=128", 2000, 128, 1e-9},
		// n < d: Σ is singular, and the square roots of its rounding-level eigenvalues
		// are of order √ε: FID(x, x) is 0 only to about 1e-7 of Tr Σ.
		{"rank deficient", 10, 16, 1e-6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := newRand(11)
			sa, err := ComputeStats(gaussian(rng, c.n, c.d, 0, 1))
			if err != nil {
				t.Fatal(err)
			}
			sb, err := ComputeStats(gaussian(rng, c.n, c.d, 0.1, 1.2))
			if err != nil {
				t.Fatal(err)
			}
			tr := 0.0
			for i := range c.d {
				tr += sa.Cov[i*c.d+i]
			}
			self, err := FID(sa, sa)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("FID(x, x) = %.3g with Tr Σ = %.3g", self, tr)
			if self < 0 || self > c.selfTo*tr {
				t.Errorf("FID(x, x) = %g, want in [0, %g]", self, c.selfTo*tr)
			}
			ab, err1 := FID(sa, sb)
			ba, err2 := FID(sb, sa)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if ab <= 0 || relErr(ab, ba) > 1e-9 {
				t.Errorf("FID(a, b) = %.15g, FID(b, a) = %.15g: want equal and positive", ab, ba)
			}
		})
	}
}
