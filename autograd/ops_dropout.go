package autograd

// Dropout zeroes each element of x with probability rate and scales the rest by
// 1/(1−rate) (inverted dropout, as Keras), drawing from g.Rand.
func (g *Graph) Dropout(x *Var, rate float32) *Var {
	if rate <= 0 {
		return x
	}
	mask := g.floats(len(x.Data))
	keep := 1 / (1 - rate)
	for i := range mask {
		if g.Rand.Float32() < rate {
			mask[i] = 0
		} else {
			mask[i] = keep
		}
	}
	return g.maskMul(x, mask)
}

// maskMul returns x ⊙ mask for a fixed mask.
func (g *Graph) maskMul(x *Var, mask []float32) *Var {
	out := g.newVarLike(x)
	for i, v := range x.Data {
		out.Data[i] = v * mask[i]
	}
	if nd := g.record("MaskMul", out, maskMulBackward, x); nd != nil {
		nd.saved = mask
	}
	return out
}

// maskMulBackward: forward y = x ⊙ m with m fixed, so dx = dy ⊙ m.
func maskMulBackward(g *Graph, n *node, dy *Var) {
	if g.wants(n.in[0]) {
		g.accumulate(n.in[0], g.maskMul(dy, n.saved))
	}
}
