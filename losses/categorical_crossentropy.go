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
	oneHot := g.Input(hot, false, n, c)
	return g.Scale(g.Sum(g.Mul(oneHot, g.LogSoftmax(logits))), -1/float32(n))
}
