package losses

import (
	"fmt"

	"github.com/gogan/gogan/autograd"
)

// SparseCategoricalCrossEntropy returns the mean over the batch of
// −log softmax(logits)[i, label_i], for logits (N, C) and one class index per
// row, as Keras's sparse_categorical_crossentropy(from_logits=True).
func SparseCategoricalCrossEntropy(g *autograd.Graph, logits *autograd.Var, labels []uint8) *autograd.Var {
	n, c := logits.Rows(), logits.Cols()
	if len(labels) != n {
		panic(fmt.Sprintf("losses: %d labels for %d rows", len(labels), n))
	}
	// The one-hot rows are made on the host and handed to the graph as an
	// Input, which a graph on a device copies there.
	hot := make([]float32, n*c)
	for i, l := range labels {
		if int(l) >= c {
			panic(fmt.Sprintf("losses: label %d out of range for %d classes", l, c))
		}
		hot[i*c+int(l)] = 1
	}
	return CategoricalCrossEntropy(g, logits, g.Input(hot, false, n, c))
}

// CategoricalCrossEntropy returns the mean over the batch of
// −Σ_c targets[i, c]·log softmax(logits)[i, c], for logits and targets (N, C)
// (one-hot rows, or any distributions), as Keras's
// categorical_crossentropy(from_logits=True). targets gets no gradient.
func CategoricalCrossEntropy(g *autograd.Graph, logits, targets *autograd.Var) *autograd.Var {
	if !logits.Shape.Equal(targets.Shape) || len(logits.Shape) != 2 {
		panic(fmt.Sprintf("losses: categorical cross-entropy of logits %s and targets %s, want the same (N, C)", logits.Shape, targets.Shape))
	}
	return g.Scale(g.Sum(g.Mul(targets, g.LogSoftmax(logits))), -1/float32(logits.Rows()))
}
