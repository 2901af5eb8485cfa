package autograd

import (
	"math"

	"github.com/gogan/gogan/internal/vec"
)

// Dropout zeroes each element of x with probability rate and scales the rest by
// 1/(1−rate) (inverted dropout, as Keras), drawing from g.Rand.
func (g *Graph) Dropout(x *Var, rate float32) *Var {
	if rate <= 0 {
		return x
	}
	if g.dev != nil {
		// The mask is drawn on the device by a counter-based generator seeded
		// from g.Rand: deterministic, but not the CPU's draws.
		mask := g.newVarLike(x)
		threshold, keep := uint64(float64(rate)*(1<<32)), 1/(1-rate)
		if g.seeds != nil {
			g.dev.DropoutMaskFrom(mask.dev, mask.Len(), g.ptr(g.seeds), g.masks, threshold, keep)
			g.masks++
		} else {
			g.dev.DropoutMask(mask.dev, mask.Len(), g.Rand.Uint64(), threshold, keep)
		}
		return g.Mul(x, mask)
	}
	mask := g.floats(len(x.Data))
	// Each element draws 32 random bits (two per Uint64) and is dropped when they
	// fall below rate·2³², without a branch: a random branch mispredicts often.
	keep := math.Float32bits(1 / (1 - rate))
	threshold := uint64(float64(rate) * (1 << 32))
	dropped := func(u uint32) uint32 { return uint32((uint64(u) - threshold) >> 32) } // all ones if u < threshold
	for i := 0; i < len(mask); i += 2 {
		u := g.Rand.Uint64()
		mask[i] = math.Float32frombits(keep &^ dropped(uint32(u)))
		if i+1 < len(mask) {
			mask[i+1] = math.Float32frombits(keep &^ dropped(uint32(u>>32)))
		}
	}
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
