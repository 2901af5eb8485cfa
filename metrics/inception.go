package metrics

import (
	"fmt"
	"math"
)

// sumTolerance is how far a row of posteriors may sum from 1 (float32 softmax outputs
// sum to 1 within about 1e-6 per thousand classes).
const sumTolerance = 1e-3

// InceptionScore returns the Inception Score of Salimans et al. 2016 for the posteriors
// p(y|x) of n samples over the given classes (probs is (n, classes), row-major):
//
//	IS = exp(E_x KL(p(y|x) ‖ p(y))),  p(y) = E_x p(y|x),  KL(p‖q) = Σ_c p_c·log(p_c/q_c)
//
// computed on each of splits consecutive parts of the samples (part i is rows
// [i·n/splits, (i+1)·n/splits), as in the original code), with 0·log 0 = 0. mean and std
// are the mean and the population standard deviation (denominator splits) of the parts'
// scores; the standard protocol uses DefaultISSplits. The score lies in [1, classes]:
// 1 for uniform or collapsed posteriors, classes for confident ones spread evenly.
//
// Errors: a shape that does not match, splits < 1 or > n, and rows that are not
// probability distributions (NaN, negative entries, or a sum off 1 by more than 1e-3).
func InceptionScore(probs []float64, n, classes, splits int) (mean, std float64, err error) {
	if err := checkProbs("InceptionScore", probs, n, classes, true); err != nil {
		return 0, 0, err
	}
	if splits < 1 || splits > n {
		return 0, 0, fmt.Errorf("metrics: InceptionScore: %w: splits must be in [1, n=%d], got %d", ErrArgument, n, splits)
	}
	scores := make([]float64, splits)
	marginal := make([]float64, classes)
	for s := range splits {
		lo, hi := s*n/splits, (s+1)*n/splits
		clear(marginal)
		for i := lo; i < hi; i++ {
			for c, p := range probs[i*classes : (i+1)*classes] {
				marginal[c] += p
			}
		}
		for c := range marginal {
			marginal[c] /= float64(hi - lo)
		}
		kl := 0.0
		for i := lo; i < hi; i++ {
			for c, p := range probs[i*classes : (i+1)*classes] {
				if p > 0 {
					kl += p * (math.Log(p) - math.Log(marginal[c]))
				}
			}
		}
		scores[s] = math.Exp(kl / float64(hi-lo))
	}
	mean, std = meanStd(scores)
	return mean, std, nil
}

// checkProbs validates (n, classes) scores for function fn: the shape and finite values;
// with distributions, also that each row is a probability distribution.
func checkProbs(fn string, probs []float64, n, classes int, distributions bool) error {
	if n <= 0 || classes <= 0 || len(probs) != n*classes {
		return fmt.Errorf("metrics: %s: %w: n=%d, classes=%d, len(probs)=%d (want n·classes with n, classes > 0)",
			fn, ErrShape, n, classes, len(probs))
	}
	if i := firstNonFinite(probs); i >= 0 {
		return fmt.Errorf("metrics: %s: %w: probs row %d class %d is %v", fn, ErrNotFinite, i/classes, i%classes, probs[i])
	}
	if !distributions {
		return nil
	}
	for i := range n {
		sum := 0.0
		for c, p := range probs[i*classes : (i+1)*classes] {
			if p < 0 {
				return fmt.Errorf("metrics: %s: %w: probs row %d class %d is %v, want a probability", fn, ErrArgument, i, c, p)
			}
			sum += p
		}
		if math.Abs(sum-1) > sumTolerance {
			return fmt.Errorf("metrics: %s: %w: probs row %d sums to %v, want 1 (softmax outputs, not logits)", fn, ErrArgument, i, sum)
		}
	}
	return nil
}
