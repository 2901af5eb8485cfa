package metrics

import (
	"math"
	"testing"
)

// posteriors builds (n, classes) rows with row(i) filling row i.
func posteriors(n, classes int, row func(i int, p []float64)) []float64 {
	probs := make([]float64, n*classes)
	for i := range n {
		row(i, probs[i*classes:(i+1)*classes])
	}
	return probs
}

func TestInceptionScore(t *testing.T) {
	const n, classes = 1000, 10
	// Two samples, two classes: p(y) = (½, ½), KL = 0.9·ln 1.8 + 0.1·ln 0.2 for both.
	twoByTwo := []float64{0.9, 0.1, 0.1, 0.9}
	cases := []struct {
		name          string
		probs         []float64
		n, classes    int
		splits        int
		want, wantStd float64
	}{
		{"uniform", posteriors(n, classes, func(_ int, p []float64) {
			for c := range p {
				p[c] = 1.0 / classes
			}
		}), n, classes, DefaultISSplits, 1, 0},
		{"one-hot, even over 10 classes", posteriors(n, classes, func(i int, p []float64) { p[i%classes] = 1 }),
			n, classes, DefaultISSplits, 10, 0},
		{"collapsed to one class", posteriors(n, classes, func(_ int, p []float64) { p[3] = 1 }),
			n, classes, DefaultISSplits, 1, 0},
		{"collapsed, soft", posteriors(n, classes, func(_ int, p []float64) {
			for c := range p {
				p[c] = 0.05
			}
			p[3] = 0.55
		}), n, classes, DefaultISSplits, 1, 0},
		{"two by two", twoByTwo, 2, 2, 1, math.Exp(0.9*math.Log(1.8) + 0.1*math.Log(0.2)), 0},
		// Splits of 1 and 2 rows out of 3 ([0, 1) and [1, 3)): scores 1 and 2.
		{"uneven splits", []float64{1, 0, 1, 0, 0, 1}, 3, 2, 2, 1.5, 0.5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mean, std, err := InceptionScore(c.probs, c.n, c.classes, c.splits)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(mean-c.want) > 1e-12*c.want || math.Abs(std-c.wantStd) > 1e-12 {
				t.Errorf("IS = %.15g ± %.3g, want %.15g ± %g", mean, std, c.want, c.wantStd)
			}
		})
	}
}
