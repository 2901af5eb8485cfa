package autograd

import "github.com/gogan/gogan/internal/vec"

// Dropout zeroes each element of x with probability rate and scales the rest by
// 1/(1−rate) (inverted dropout, as Keras). The mask is counter-based: one seed
// drawn from g.Rand, then element i is dropped when the high half of
// SplitMix64's finalizer of seed + (i+1)·0x9E3779B97F4A7C15 falls below
// rate·2³² (vec.DropoutMask). On the CPU and on a device (without
// SetDeviceSeeds) the same g.Rand gives the same mask, and the CPU draws it on
// all the threads with bits that do not depend on their number.
func (g *Graph) Dropout(x *Var, rate float32) *Var {
	if rate <= 0 {
		return x
	}
	threshold, keep := uint64(float64(rate)*(1<<32)), 1/(1-rate)
	if g.dev != nil {
		mask := g.newVarLike(x)
		if g.seeds != nil {
			g.dev.DropoutMaskFrom(mask.dev, mask.Len(), g.ptr(g.seeds), g.masks, threshold, keep)
			g.masks++
		} else {
			g.dev.DropoutMask(mask.dev, mask.Len(), g.Rand.Uint64(), threshold, keep)
		}
		return g.Mul(x, mask)
	}
	mask := g.floats(len(x.Data))
	vec.DropoutMask(mask, g.Rand.Uint64(), threshold, keep)
	return g.maskMul(x, mask)
}

// maskMul returns x ⊙ mask for a fixed mask.
func (g *Graph) maskMul(x *Var, mask []float32) *Var {
	out := g.newVarLike(x)
	vec.Mul(out.Data, x.Data, mask)
	if nd := g.record("MaskMul", out, maskMulBackward, x); nd != nil {
		nd.mask = mask
	}
	return out
}

// maskMulBackward: forward y = x ⊙ m with m fixed, so dx = dy ⊙ m.
func maskMulBackward(g *Graph, n *node, dy *Var) {
	if g.wants(n.in[0]) {
		g.accumulate(n.in[0], g.maskMul(dy, n.mask))
	}
}
