package autograd

import (
	"fmt"
	"time"

	"github.com/gogan/gogan/internal/vec"
)

// Backward computes the gradient of loss (a one-element Var) with respect to
// every trainable, unfrozen parameter it depends on and adds it to the
// parameter's Grad.
func (g *Graph) Backward(loss *Var) {
	if loss.Len() != 1 {
		panic("autograd: Backward of a non-scalar " + loss.Shape.String())
	}
	g.backprop(loss, nil, false, true)
}

// Grad returns the gradients of the sum of y's elements with respect to each of
// xs (nil for an x that y does not depend on). Parameters' Grad fields are left
// alone. With createGraph the gradient computation is itself recorded, so the
// results can be used in a loss and differentiated again (a gradient penalty).
func (g *Graph) Grad(y *Var, xs []*Var, createGraph bool) []*Var {
	g.backprop(y, xs, createGraph, false)
	out := make([]*Var, len(xs))
	for i, x := range xs {
		out[i] = x.adj
	}
	g.clearAdjoints(xs)
	return out
}

// backprop walks the tape backwards from y's producer, giving every op whose
// output has a gradient the chance to pass it to its inputs.
func (g *Graph) backprop(y *Var, xs []*Var, createGraph, toParams bool) {
	if y.producer == 0 {
		return // y does not depend on anything that needs a gradient
	}
	last := y.producer - 1
	prevRecording, prevWant := g.recording, g.wantParams
	g.recording = createGraph
	g.wantParams = toParams
	y.adj = g.Constant(1, y.Shape...)
	defer g.profileBackward()()
	for i := last; i >= 0; i-- {
		n := g.tape[i]
		if n.out.adj == nil || n.backward == nil {
			continue
		}
		if createGraph && n.firstOrderOnly {
			panic(fmt.Sprintf("autograd: op %s is first-order only and cannot be differentiated twice", n.name))
		}
		g.runBackward(n)
	}
	g.recording, g.wantParams = prevRecording, prevWant
	// Deliver parameter gradients and forget the adjoints of intermediate Vars.
	for _, n := range g.tape[:last+1] {
		for _, x := range n.in {
			if x == nil || x.adj == nil {
				continue
			}
			if x.isParam && toParams {
				g.addToGrad(x)
			}
			if !isIn(x, xs) {
				x.adj = nil
			}
		}
		if !isIn(n.out, xs) {
			n.out.adj = nil
		}
	}
	y.adj = nil
	if toParams {
		g.Lap("gradients to parameters")
	}
}

// runBackward runs n's backward rule, timed when the graph has a profile.
func (g *Graph) runBackward(n *node) {
	if g.profile == nil {
		n.backward(g, n, n.out.adj)
		return
	}
	g.profileMark()
	n.backward(g, n, n.out.adj)
	g.profile.lap(n.name, n.out.Shape, true) // what the ops it ran (their own entries) leave
}

// profileBackward tells the profile that a backward pass runs (the ops its rules
// run are charged as ops in a backward rule), charges the time since the last op to
// "(before backward)", and returns what ends it.
func (g *Graph) profileBackward() (end func()) {
	p := g.profile
	if p == nil {
		return func() {}
	}
	prev := p.inBackward
	if !prev {
		p.lap("(before backward)", nil, false)
	}
	p.inBackward = true
	return func() {
		p.inBackward = prev
		if !prev {
			p.mark = time.Now()
		}
	}
}

func (g *Graph) clearAdjoints(xs []*Var) {
	for _, x := range xs {
		x.adj = nil
	}
}

func isIn(v *Var, xs []*Var) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}

// wants reports whether the backward pass must compute a gradient for x.
func (g *Graph) wants(x *Var) bool {
	if x == nil {
		return false
	}
	if x.isParam {
		return g.wantParams && x.Trainable && !x.Frozen
	}
	return x.requiresGrad
}

// accumulate adds a gradient contribution to x's adjoint: the rule "gradients
// add up where a Var fans out".
func (g *Graph) accumulate(x *Var, d *Var) {
	if x.adj == nil {
		// Adopt d without copying; it may be shared (Add passes one gradient to
		// both inputs), so it is copied before anything is added to it.
		x.adj = d
		x.adjOwned = false
		return
	}
	if g.recording {
		x.adj = g.Add(x.adj, d)
		return
	}
	if !x.adjOwned {
		own := g.newVarLike(x.adj)
		g.copyVar(own, x.adj)
		x.adj = own
		x.adjOwned = true
	}
	if g.dev != nil {
		g.dev.Accumulate(x.adj.dev, g.ptr(d), x.adj.Len())
		return
	}
	addTo(x.adj.Data, d.Data)
}

// addToGrad adds x's adjoint to its accumulated gradient (Grad, or its device copy).
func (g *Graph) addToGrad(x *Var) {
	if g.dev != nil {
		g.dev.Accumulate(g.gradPtr(x), g.ptr(x.adj), x.Len())
		return
	}
	addTo(x.Grad, x.adj.Data)
}

// copyVar copies src's values into dst (same size), on the graph's device or CPU.
func (g *Graph) copyVar(dst, src *Var) {
	if g.dev != nil {
		g.dev.Copy(dst.dev, g.ptr(src), dst.Len())
		return
	}
	copy(dst.Data, src.Data)
}

func addTo(dst, src []float32) { vec.AddTo(dst, src[:len(dst)]) }

// paramGrad returns x.Grad when the backward pass may add x's gradient straight into
// it, as the fused kernels do (a product with beta = 1, a column sum): x is a trainable
// parameter that this pass (Backward, not recorded) delivers gradients to. Otherwise it
// returns nil and the gradient goes through accumulate.
func (g *Graph) paramGrad(x *Var) []float32 {
	if g.recording || !g.wantParams || !x.isParam || !x.Trainable || x.Frozen {
		return nil
	}
	return x.Grad
}

// biasGrad returns where a backward kernel adds the column sums of a bias b's gradient:
// b's Grad (paramGrad), or a zeroed Var that the caller then passes to accumulate; nil
// slice when b wants no gradient.
func (g *Graph) biasGrad(b *Var) (dst []float32, v *Var) {
	if b == nil || !g.wants(b) {
		return nil, nil
	}
	if dst := g.paramGrad(b); dst != nil {
		return dst, nil
	}
	v = g.newVarLike(b)
	clear(v.Data)
	return v.Data, v
}
