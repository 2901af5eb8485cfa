package autograd

import (
	"math"

	"github.com/gogan/gogan/internal/cuda"

	"github.com/gogan/gogan/internal/vec"
)

// SigmoidCrossEntropy returns the binary cross-entropy of σ(logits) against targets
// (same shapes), averaged over all elements, shape (): the mean of
//
//	softplus(x) − t·x = max(x, 0) − t·x + log(1 + e^−|x|)
//
// in one pass, accumulated in float64, finite for any logits. Recorded, its backward
// is made of differentiable ops, so it can be differentiated twice.
func (g *Graph) SigmoidCrossEntropy(logits, targets *Var) *Var {
	sameShape("SigmoidCrossEntropy", logits, targets)
	if g.dev != nil {
		out := g.newVar()
		g.dev.SigmoidCrossEntropy(out.dev, g.ptr(logits), g.ptr(targets), logits.Len())
		g.record("SigmoidCrossEntropy", out, sigmoidCrossEntropyBackward, logits, targets)
		return out
	}
	var s float64
	for i, v := range logits.Data {
		x, t := float64(v), float64(targets.Data[i])
		s += math.Max(x, 0) - t*x + math.Log1p(math.Exp(-math.Abs(x)))
	}
	out := g.newVar()
	out.Data[0] = float32(s / float64(len(logits.Data)))
	g.record("SigmoidCrossEntropy", out, sigmoidCrossEntropyBackward, logits, targets)
	return out
}

// sigmoidCrossEntropyBackward: forward y = mean(softplus(x) − t·x) over N elements, so
// dx = dy·(σ(x) − t)/N and dt = −dy·x/N.
func sigmoidCrossEntropyBackward(g *Graph, n *node, dy *Var) {
	x, t := n.in[0], n.in[1]
	scale := 1 / float32(x.Len())
	if g.dev != nil {
		g.cpuOnlyIf(g.recording, "SigmoidCrossEntropy's second derivative")
		var dx, dt *Var
		var dxp, dtp cuda.Ptr
		if g.wants(x) {
			dx = g.newVarLike(x)
			dxp = dx.dev
		}
		if g.wants(t) {
			dt = g.newVarLike(t)
			dtp = dt.dev
		}
		g.dev.SigmoidCrossEntropyGrad(dxp, dtp, g.ptr(dy), g.ptr(x), g.ptr(t), x.Len(), false)
		if dx != nil {
			g.accumulate(x, dx)
		}
		if dt != nil {
			g.accumulate(t, dt)
		}
		return
	}
	if g.recording {
		d := g.Scale(g.Expand(dy, x.Shape...), scale)
		if g.wants(x) {
			g.accumulate(x, g.Mul(d, g.Sub(g.Sigmoid(x), t)))
		}
		if g.wants(t) {
			g.accumulate(t, g.Scale(g.Mul(d, x), -1))
		}
		return
	}
	k := dy.Item() * scale
	if g.wants(x) {
		dx := g.newVarLike(x)
		vec.Sigmoid(dx.Data, x.Data)
		for i, p := range dx.Data {
			dx.Data[i] = k * (p - t.Data[i])
		}
		g.accumulate(x, dx)
	}
	if g.wants(t) {
		dt := g.newVarLike(t)
		vec.ScaleTo(dt.Data, -k, x.Data, 0)
		g.accumulate(t, dt)
	}
}
