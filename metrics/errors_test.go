package metrics

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestBadInputs(t *testing.T) {
	ok := gaussian(newRand(1), 20, 4, 0, 1)
	other := gaussian(newRand(2), 20, 5, 0, 1)
	withNaN := gaussian(newRand(3), 20, 4, 0, 1)
	withNaN.Data[13] = math.NaN()
	withInf := gaussian(newRand(3), 20, 4, 0, 1)
	withInf.Data[2] = math.Inf(-1)
	huge := gaussian(newRand(3), 20, 4, 0, 1)
	huge.Data[5] = 1e30
	short := Features{N: 20, D: 4, Data: ok.Data[:79]}
	three := Features{N: 3, D: 4, Data: ok.Data[:12]}
	stats, err := ComputeStats(ok)
	if err != nil {
		t.Fatal(err)
	}
	stats5, _ := ComputeStats(other)
	nanStats := Stats{Mean: append([]float64{math.NaN()}, stats.Mean[1:]...), Cov: stats.Cov}
	nanCov := Stats{Mean: stats.Mean, Cov: append([]float64{}, stats.Cov...)}
	nanCov.Cov[6] = math.NaN()
	notPSD := Stats{Mean: stats.Mean, Cov: diag([]float64{1, -1, 1, 1})}
	uniform := posteriors(10, 4, func(_ int, p []float64) {
		for c := range p {
			p[c] = 0.25
		}
	})
	probsNaN := append([]float64{}, uniform...)
	probsNaN[7] = math.NaN()
	negative := append([]float64{}, uniform...)
	negative[0], negative[1] = -0.25, 0.75
	logits := posteriors(10, 4, func(_ int, p []float64) { p[2] = 3 })
	labels := make([]int, 10)

	cases := []struct {
		name string
		want error
		call func() error
	}{
		{"NewFeatures length", ErrShape, func() error { _, err := NewFeatures(3, 4, make([]float64, 11)); return err }},
		{"NewFeatures empty", ErrShape, func() error { _, err := NewFeatures(0, 4, nil); return err }},
		{"FeaturesFromFloat32 length", ErrShape, func() error { _, err := FeaturesFromFloat32(3, 4, make([]float32, 13)); return err }},

		{"ComputeStats empty", ErrShape, func() error { _, err := ComputeStats(Features{}); return err }},
		{"ComputeStats short data", ErrShape, func() error { _, err := ComputeStats(short); return err }},
		{"ComputeStats one sample", ErrTooFewSamples, func() error { _, err := ComputeStats(Features{N: 1, D: 4, Data: ok.Data[:4]}); return err }},
		{"ComputeStats NaN", ErrNotFinite, func() error { _, err := ComputeStats(withNaN); return err }},
		{"ComputeStats Inf", ErrNotFinite, func() error { _, err := ComputeStats(withInf); return err }},

		{"FID dimensions", ErrDimensionMismatch, func() error { _, err := FID(stats, stats5); return err }},
		{"FID empty", ErrShape, func() error { _, err := FID(Stats{}, stats); return err }},
		{"FID Cov length", ErrShape, func() error { _, err := FID(stats, Stats{Mean: stats.Mean, Cov: stats.Cov[:15]}); return err }},
		{"FID NaN mean", ErrNotFinite, func() error { _, err := FID(nanStats, stats); return err }},
		{"FID NaN cov", ErrNotFinite, func() error { _, err := FID(stats, nanCov); return err }},
		{"FID not semi-definite", ErrArgument, func() error { _, err := FID(notPSD, stats); return err }},

		{"KID dimensions", ErrDimensionMismatch, func() error { _, _, err := KID(ok, other, 2, 10, 1); return err }},
		{"KID subsets", ErrArgument, func() error { _, _, err := KID(ok, ok, 0, 10, 1); return err }},
		{"KID subset size", ErrArgument, func() error { _, _, err := KID(ok, ok, 2, 1, 1); return err }},
		{"KID subset too large", ErrTooFewSamples, func() error { _, _, err := KID(ok, ok, 2, 21, 1); return err }},
		{"KID empty", ErrShape, func() error { _, _, err := KID(Features{}, ok, 2, 10, 1); return err }},
		{"KID NaN", ErrNotFinite, func() error { _, _, err := KID(ok, withNaN, 2, 10, 1); return err }},
		{"KID too large for float32", ErrNotFinite, func() error { _, _, err := KID(huge, ok, 2, 10, 1); return err }},

		{"PrecisionRecall k", ErrArgument, func() error { _, _, err := PrecisionRecall(ok, ok, 0); return err }},
		{"PrecisionRecall n ≤ k", ErrTooFewSamples, func() error { _, _, err := PrecisionRecall(ok, three, 3); return err }},
		{"PrecisionRecall dimensions", ErrDimensionMismatch, func() error { _, _, err := PrecisionRecall(ok, other, 3); return err }},
		{"PrecisionRecall empty", ErrShape, func() error { _, _, err := PrecisionRecall(ok, Features{}, 3); return err }},
		{"PrecisionRecall NaN", ErrNotFinite, func() error { _, _, err := PrecisionRecall(withNaN, ok, 3); return err }},
		{"PrecisionRecall Inf", ErrNotFinite, func() error { _, _, err := PrecisionRecall(ok, withInf, 3); return err }},

		{"InceptionScore length", ErrShape, func() error { _, _, err := InceptionScore(uniform[:39], 10, 4, 2); return err }},
		{"InceptionScore empty", ErrShape, func() error { _, _, err := InceptionScore(nil, 0, 4, 1); return err }},
		{"InceptionScore splits 0", ErrArgument, func() error { _, _, err := InceptionScore(uniform, 10, 4, 0); return err }},
		{"InceptionScore splits > n", ErrArgument, func() error { _, _, err := InceptionScore(uniform, 10, 4, 11); return err }},
		{"InceptionScore NaN", ErrNotFinite, func() error { _, _, err := InceptionScore(probsNaN, 10, 4, 2); return err }},
		{"InceptionScore negative", ErrArgument, func() error { _, _, err := InceptionScore(negative, 10, 4, 2); return err }},
		{"InceptionScore logits", ErrArgument, func() error { _, _, err := InceptionScore(logits, 10, 4, 2); return err }},

		{"ClassHistogram length", ErrShape, func() error { _, err := ClassHistogram(uniform, 10, 3); return err }},
		{"ClassHistogram no classes", ErrShape, func() error { _, err := ClassHistogram(nil, 10, 0); return err }},
		{"ClassHistogram NaN", ErrNotFinite, func() error { _, err := ClassHistogram(probsNaN, 10, 4); return err }},

		{"LabelAccuracy labels length", ErrShape, func() error { _, err := LabelAccuracy(uniform, 10, 4, labels[:9]); return err }},
		{"LabelAccuracy label range", ErrArgument, func() error {
			_, err := LabelAccuracy(uniform, 10, 4, append(append([]int{}, labels[:9]...), 4))
			return err
		}},
		{"LabelAccuracy negative label", ErrArgument, func() error {
			_, err := LabelAccuracy(uniform, 10, 4, append([]int{-1}, labels[1:]...))
			return err
		}},
		{"LabelAccuracy NaN", ErrNotFinite, func() error { _, err := LabelAccuracy(probsNaN, 10, 4, labels); return err }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			if !errors.Is(err, c.want) {
				t.Fatalf("got error %v, want one wrapping %q", err, c.want)
			}
			fn := strings.Fields(c.name)[0]
			if !strings.HasPrefix(err.Error(), "metrics: "+fn+": ") {
				t.Errorf("error %q does not begin with %q", err, "metrics: "+fn+": ")
			}
			t.Log(err)
		})
	}
}

// TestErrorsNameArguments: FID's and KID's errors name the argument at fault as the
// parameters are named, samples or ref (the samples' features or statistics, the
// reference's), where they said "a" and "b".
func TestErrorsNameArguments(t *testing.T) {
	ok := gaussian(newRand(1), 20, 4, 0, 1)
	other := gaussian(newRand(2), 20, 5, 0, 1)
	withNaN := gaussian(newRand(3), 20, 4, 0, 1)
	withNaN.Data[13] = math.NaN()
	stats, err := ComputeStats(ok)
	if err != nil {
		t.Fatal(err)
	}
	stats5, _ := ComputeStats(other)
	nanCov := Stats{Mean: stats.Mean, Cov: append([]float64{}, stats.Cov...)}
	nanCov.Cov[6] = math.NaN()
	notPSD := Stats{Mean: stats.Mean, Cov: diag([]float64{1, -1, 1, 1})}
	for _, c := range []struct {
		want string
		call func() error
	}{
		{"KID: not finite: samples row 3 column 1 is NaN", func() error { _, _, err := KID(withNaN, ok, 2, 10, 1); return err }},
		{"KID: not finite: ref row 3 column 1 is NaN", func() error { _, _, err := KID(ok, withNaN, 2, 10, 1); return err }},
		{"KID: dimension mismatch: samples has dimension 4, ref has 5", func() error { _, _, err := KID(ok, other, 2, 10, 1); return err }},
		{"KID: too few samples: ref has 20 samples, need at least 21", func() error {
			_, _, err := KID(gaussian(newRand(4), 30, 4, 0, 1), ok, 2, 21, 1)
			return err
		}},
		{"FID: dimension mismatch: samples has dimension 4, ref has 5", func() error { _, err := FID(stats, stats5); return err }},
		{"FID: not finite: ref.Cov[1][2] is NaN", func() error { _, err := FID(stats, nanCov); return err }},
		{"FID: bad argument: samples.Cov is not positive semi-definite", func() error { _, err := FID(notPSD, stats); return err }},
	} {
		if err := c.call(); err == nil || !strings.Contains(err.Error(), "metrics: "+c.want) {
			t.Errorf("error %v, want one saying %q", err, c.want)
		}
	}
}
