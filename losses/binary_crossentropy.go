package losses

import "github.com/gogan/gogan/autograd"

// BinaryCrossEntropyWithLogits returns the mean of
//
//	−t·log σ(x) − (1−t)·log(1−σ(x)) = softplus(x) − t·x
//
// over all elements, for logits x and targets t of the same shape: one fused op
// (autograd's SigmoidCrossEntropy), whose softplus form never overflows or takes log(0).
func BinaryCrossEntropyWithLogits(g *autograd.Graph, logits, targets *autograd.Var) *autograd.Var {
	return g.SigmoidCrossEntropy(logits, targets)
}

// BinaryCrossEntropy is Keras's binary_crossentropy on probabilities p. When p
// is a Sigmoid's output (the seed's discriminator ends in one), it works on the
// sigmoid's input instead, exactly as Keras does, so it stays finite however
// confident the discriminator is. Otherwise p is clipped to [1e-7, 1−1e-7].
func BinaryCrossEntropy(g *autograd.Graph, p, targets *autograd.Var) *autograd.Var {
	if logits := p.Logits(); logits != nil {
		return BinaryCrossEntropyWithLogits(g, logits, targets)
	}
	const eps = 1e-7
	p = g.Clip(p, eps, 1-eps)
	// −[t·log p + (1−t)·log(1−p)]
	oneMinus := func(v *autograd.Var) *autograd.Var { return g.AddScalar(g.Scale(v, -1), 1) }
	ll := g.Add(g.Mul(targets, g.Log(p)), g.Mul(oneMinus(targets), g.Log(oneMinus(p))))
	return g.Scale(g.Mean(ll), -1)
}

// Targets returns a tensor shaped like like, filled with v (1 for "real", 0 for "fake").
func Targets(g *autograd.Graph, v float32, like *autograd.Var) *autograd.Var {
	return g.Constant(v, like.Shape...)
}
