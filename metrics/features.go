package metrics

import (
	"errors"
	"fmt"
	"math"
)

// The errors that the functions of this package wrap, for errors.Is.
var (
	// ErrShape: a slice's length does not match the shape given with it, or a size is not positive.
	ErrShape = errors.New("bad shape")
	// ErrDimensionMismatch: two feature sets or statistics have different dimensions.
	ErrDimensionMismatch = errors.New("dimension mismatch")
	// ErrTooFewSamples: a set has fewer samples than the metric needs.
	ErrTooFewSamples = errors.New("too few samples")
	// ErrNotFinite: an input holds NaN or ±Inf (or a value too large for the computation).
	ErrNotFinite = errors.New("not finite")
	// ErrArgument: a parameter (k, splits, subsets, a label, ...) is out of range.
	ErrArgument = errors.New("bad argument")
)

// Defaults of the standard protocols, for callers that have no reason to differ.
const (
	DefaultKIDSubsets    = 100  // KID: number of random subsets
	DefaultKIDSubsetSize = 1000 // KID: samples drawn from each set per subset
	DefaultISSplits      = 10   // Inception Score: splits for the mean and std
	DefaultPRNeighbours  = 3    // precision/recall: k of the k-NN radii
	DefaultClassFraction = 0.02 // ClassesOver: share of samples that makes a class count as covered
)

// Features is a set of N feature vectors of dimension D: Data is (N, D), row-major,
// so that row i is Data[i*D : (i+1)*D].
type Features struct {
	N, D int
	Data []float64
}

// NewFeatures wraps data, of shape (n, d), without copying it.
func NewFeatures(n, d int, data []float64) (Features, error) {
	f := Features{N: n, D: d, Data: data}
	if err := f.checkShape("NewFeatures", "data"); err != nil {
		return Features{}, err
	}
	return f, nil
}

// FeaturesFromFloat32 copies float32 features of shape (n, d), as a network produces
// them, into float64 Features.
func FeaturesFromFloat32(n, d int, data []float32) (Features, error) {
	if n <= 0 || d <= 0 || len(data) != n*d {
		return Features{}, fmt.Errorf("metrics: FeaturesFromFloat32: %w: n=%d, d=%d, len(data)=%d (want n·d with n, d > 0)",
			ErrShape, n, d, len(data))
	}
	out := make([]float64, len(data))
	for i, v := range data {
		out[i] = float64(v)
	}
	return Features{N: n, D: d, Data: out}, nil
}

// PosteriorsFromFloat32 copies float32 posteriors (or any per-class scores) into the
// float64 slice that InceptionScore, ClassHistogram and LabelAccuracy take.
func PosteriorsFromFloat32(probs []float32) []float64 {
	out := make([]float64, len(probs))
	for i, v := range probs {
		out[i] = float64(v)
	}
	return out
}

// Row returns row i, sharing Data.
func (f Features) Row(i int) []float64 { return f.Data[i*f.D : (i+1)*f.D] }

// checkShape reports whether f is a non-empty (N, D) set; fn and name label the error.
func (f Features) checkShape(fn, name string) error {
	if f.N <= 0 || f.D <= 0 || len(f.Data) != f.N*f.D {
		return fmt.Errorf("metrics: %s: %w: %s has N=%d, D=%d, len(Data)=%d (want N·D with N, D > 0)",
			fn, ErrShape, name, f.N, f.D, len(f.Data))
	}
	return nil
}

// check validates f for function fn: its shape, at least minN rows, and finite values.
func (f Features) check(fn, name string, minN int) error {
	if err := f.checkShape(fn, name); err != nil {
		return err
	}
	if f.N < minN {
		return fmt.Errorf("metrics: %s: %w: %s has %d samples, need at least %d", fn, ErrTooFewSamples, name, f.N, minN)
	}
	if i := firstNonFinite(f.Data); i >= 0 {
		return fmt.Errorf("metrics: %s: %w: %s row %d column %d is %v", fn, ErrNotFinite, name, i/f.D, i%f.D, f.Data[i])
	}
	return nil
}

// checkPair validates two feature sets that a metric compares: each as check does, and
// the same dimension.
func checkPair(fn string, a, b Features, nameA, nameB string, minA, minB int) error {
	if err := a.check(fn, nameA, minA); err != nil {
		return err
	}
	if err := b.check(fn, nameB, minB); err != nil {
		return err
	}
	if a.D != b.D {
		return fmt.Errorf("metrics: %s: %w: %s has dimension %d, %s has %d", fn, ErrDimensionMismatch, nameA, a.D, nameB, b.D)
	}
	return nil
}

// columnMeans is the mean of the rows of f, in float64.
func columnMeans(f Features) []float64 {
	mean := make([]float64, f.D)
	for i := range f.N {
		for j, v := range f.Row(i) {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(f.N)
	}
	return mean
}

// firstNonFinite returns the index of the first NaN or ±Inf in x, or -1.
func firstNonFinite(x []float64) int {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return i
		}
	}
	return -1
}
