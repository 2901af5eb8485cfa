package metrics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Stats are the mean and covariance of a feature set, all FID needs of it. They are plain
// data (encoding/json or gob store them), so the real set's can be computed once and cached.
type Stats struct {
	Mean []float64 // (D)
	Cov  []float64 // (D, D), row-major, symmetric, with the n−1 denominator
	N    int       // the number of samples they were computed from
}

// Dim is the dimension D of the features the stats describe.
func (s Stats) Dim() int { return len(s.Mean) }

// ComputeStats returns the mean and the covariance of f, the covariance with the n−1
// denominator as TF-GAN and pytorch-fid compute it. f needs at least 2 rows.
//
// forward: μ = (1/n) Σ xᵢ; Σ = (1/(n−1)) Σ (xᵢ−μ)(xᵢ−μ)ᵀ, computed as XcᵀXc/(n−1) with
// Xc the centred (n, D) matrix (gonum's Syrk), in float64.
func ComputeStats(f Features) (Stats, error) {
	if err := f.check("ComputeStats", "features", 2); err != nil {
		return Stats{}, err
	}
	n, d := f.N, f.D
	mean := columnMeans(f)
	centred := make([]float64, len(f.Data))
	for i := range n {
		row, c := f.Row(i), centred[i*d:(i+1)*d]
		for j, v := range row {
			c[j] = v - mean[j]
		}
	}
	var cov mat.SymDense
	cov.SymOuterK(1/float64(n-1), mat.NewDense(n, d, centred).T())
	out := make([]float64, d*d)
	for i := range d {
		for j := range d {
			out[i*d+j] = cov.At(i, j)
		}
	}
	return Stats{Mean: mean, Cov: out, N: n}, nil
}

// FID returns the Fréchet distance between the Gaussians N(μs, Σs) of the samples'
// features (samples, the generated set scored) and N(μr, Σr) of the reference's (ref,
// the real set):
//
//	FID = |μs − μr|² + Tr(Σs + Σr − 2·(Σs^½ Σr Σs^½)^½)
//
// in float64. Σs^½ comes from the symmetric eigendecomposition Σs = Q Λ Qᵀ (gonum's
// EigenSym) as Q Λ^½ Qᵀ; the trace of the outer square root is the sum of the square
// roots of the eigenvalues of Σs^½ Σr Σs^½, computed (another EigenSym) from its
// orthogonally similar form Λ^½ (Qᵀ Σr Q) Λ^½, which has the same eigenvalues. Tiny
// negative eigenvalues that rounding leaves in a semi-definite matrix are clamped to 0,
// and so is a result of −(rounding), so FID is never negative; an eigenvalue below
// −1e-6 times the largest is an error (a covariance that is not positive semi-definite).
//
// FID is symmetric in samples and ref up to rounding. It returns an error, naming
// samples or ref, when the dimensions differ, when a Cov does not have D·D entries, or
// when the stats hold NaN or ±Inf.
func FID(samples, ref Stats) (float64, error) {
	if err := samples.check("samples"); err != nil {
		return 0, err
	}
	if err := ref.check("ref"); err != nil {
		return 0, err
	}
	if samples.Dim() != ref.Dim() {
		return 0, fmt.Errorf("metrics: FID: %w: samples has dimension %d, ref has %d", ErrDimensionMismatch, samples.Dim(), ref.Dim())
	}
	d := samples.Dim()

	meanTerm := 0.0
	for i := range d {
		diff := samples.Mean[i] - ref.Mean[i]
		meanTerm += diff * diff
	}
	trace := 0.0
	for i := range d {
		trace += samples.Cov[i*d+i] + ref.Cov[i*d+i]
	}

	// Σs = Q Λ Qᵀ.
	var es mat.EigenSym
	if !es.Factorize(symmetrized(samples.Cov, d), true) {
		return 0, fmt.Errorf("metrics: FID: eigendecomposition of samples.Cov did not converge")
	}
	lambda := es.Values(nil)
	if err := clampEigen(lambda, "samples.Cov"); err != nil {
		return 0, err
	}
	var q mat.Dense
	es.VectorsTo(&q)

	// Λ^½ (Qᵀ Σr Q) Λ^½, then its eigenvalues.
	var qtr, inner mat.Dense
	qtr.Mul(q.T(), mat.NewDense(d, d, ref.Cov))
	inner.Mul(&qtr, &q)
	sqrtL := make([]float64, d)
	for i, l := range lambda {
		sqrtL[i] = math.Sqrt(l)
	}
	m := mat.NewSymDense(d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			v := 0.5 * (inner.At(i, j) + inner.At(j, i)) * sqrtL[i] * sqrtL[j]
			m.SetSym(i, j, v)
		}
	}
	if !es.Factorize(m, false) {
		return 0, fmt.Errorf("metrics: FID: eigendecomposition of Σs^½ Σr Σs^½ (samples, ref) did not converge")
	}
	mu := es.Values(nil)
	if err := clampEigen(mu, "Σs^½ Σr Σs^½ (samples, ref)"); err != nil {
		return 0, err
	}
	trSqrt := 0.0
	for _, v := range mu {
		trSqrt += math.Sqrt(v)
	}

	fid := meanTerm + trace - 2*trSqrt
	if math.IsNaN(fid) || math.IsInf(fid, 0) {
		return 0, fmt.Errorf("metrics: FID: %w: the result is %v", ErrNotFinite, fid)
	}
	return math.Max(0, fid), nil
}

// check validates s for FID; name labels the error.
func (s Stats) check(name string) error {
	d := s.Dim()
	if d == 0 || len(s.Cov) != d*d {
		return fmt.Errorf("metrics: FID: %w: %s has len(Mean)=%d, len(Cov)=%d (want D > 0 and D·D)",
			ErrShape, name, d, len(s.Cov))
	}
	if i := firstNonFinite(s.Mean); i >= 0 {
		return fmt.Errorf("metrics: FID: %w: %s.Mean[%d] is %v", ErrNotFinite, name, i, s.Mean[i])
	}
	if i := firstNonFinite(s.Cov); i >= 0 {
		return fmt.Errorf("metrics: FID: %w: %s.Cov[%d][%d] is %v", ErrNotFinite, name, i/d, i%d, s.Cov[i])
	}
	return nil
}

// symmetrized returns (C + Cᵀ)/2 for a row-major (d, d) c, as gonum's symmetric type.
func symmetrized(c []float64, d int) *mat.SymDense {
	s := mat.NewSymDense(d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			s.SetSym(i, j, 0.5*(c[i*d+j]+c[j*d+i]))
		}
	}
	return s
}

// clampEigen sets the eigenvalues that rounding made slightly negative to 0, and reports an
// error for one below −1e-6 times the largest magnitude (a matrix that is not semi-definite).
func clampEigen(vals []float64, name string) error {
	scale := 0.0
	for _, v := range vals {
		scale = math.Max(scale, math.Abs(v))
	}
	for i, v := range vals {
		if v < 0 {
			if v < -1e-6*scale {
				return fmt.Errorf("metrics: FID: %w: %s is not positive semi-definite: eigenvalue %g (largest magnitude %g)",
					ErrArgument, name, v, scale)
			}
			vals[i] = 0
		}
	}
	return nil
}
