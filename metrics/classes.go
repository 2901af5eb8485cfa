package metrics

import "fmt"

// ClassHistogram returns how many of the n samples the classifier assigns to each class:
// counts[c] is the number of rows of probs (n, classes) whose largest entry is at c (the
// first of equal largest entries, as numpy's argmax). probs may be posteriors or logits:
// only the argmax is used. Errors: a shape that does not match, NaN or ±Inf.
func ClassHistogram(probs []float64, n, classes int) (counts []int, err error) {
	if err := checkProbs("ClassHistogram", probs, n, classes, false); err != nil {
		return nil, err
	}
	counts = make([]int, classes)
	for i := range n {
		counts[argmax(probs[i*classes:(i+1)*classes])]++
	}
	return counts, nil
}

// ClassesOver returns the number of classes that hold more than fraction of all the
// samples counted (DefaultClassFraction, 2%, is usual: with 10 balanced classes each holds
// 10%, and a mode-collapsed generator leaves some near 0). With no samples it returns 0.
func ClassesOver(counts []int, fraction float64) int {
	total := 0
	for _, c := range counts {
		total += c
	}
	if total == 0 {
		return 0
	}
	over := 0
	for _, c := range counts {
		if float64(c) > fraction*float64(total) {
			over++
		}
	}
	return over
}

// LabelAccuracy returns the fraction of the n samples of a conditional generator that the
// classifier assigns to the label they were generated for: the argmax of row i of probs
// (n, classes) equal to labels[i]. probs may be posteriors or logits. Errors: shapes that
// do not match, NaN or ±Inf, a label outside [0, classes).
func LabelAccuracy(probs []float64, n, classes int, labels []int) (float64, error) {
	if err := checkProbs("LabelAccuracy", probs, n, classes, false); err != nil {
		return 0, err
	}
	if len(labels) != n {
		return 0, fmt.Errorf("metrics: LabelAccuracy: %w: len(labels)=%d, want n=%d", ErrShape, len(labels), n)
	}
	hits := 0
	for i, l := range labels {
		if l < 0 || l >= classes {
			return 0, fmt.Errorf("metrics: LabelAccuracy: %w: labels[%d] is %d, want [0, %d)", ErrArgument, i, l, classes)
		}
		if argmax(probs[i*classes:(i+1)*classes]) == l {
			hits++
		}
	}
	return float64(hits) / float64(n), nil
}

// argmax is the index of the first largest element of a non-empty x.
func argmax(x []float64) int {
	best := 0
	for i, v := range x[1:] {
		if v > x[best] {
			best = i + 1
		}
	}
	return best
}
