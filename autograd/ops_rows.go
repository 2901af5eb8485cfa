package autograd

import "github.com/gogan/gogan/internal/vec"

// StackRows joins a and b along the batch axis: a is (N, ...), b (M, ...) with the
// same sample shape, the result (N+M, ...), a's rows first. A trainer runs one
// discriminator call on real and generated samples together this way.
func (g *Graph) StackRows(a, b *Var) *Var {
	if len(a.Shape) == 0 || len(a.Shape) != len(b.Shape) || !a.Shape[1:].Equal(b.Shape[1:]) {
		panic("autograd: StackRows of " + a.Shape.String() + " and " + b.Shape.String())
	}
	var shape [6]int
	copy(shape[:], a.Shape)
	shape[0] = a.Shape[0] + b.Shape[0]
	out := g.newVar(shape[:len(a.Shape)]...)
	if g.dev != nil {
		g.dev.Copy(out.dev, g.ptr(a), a.Len())
		g.dev.Copy(out.dev.Add(a.Len()), g.ptr(b), b.Len())
	} else {
		vec.Copy(out.Data, a.Data)
		vec.Copy(out.Data[len(a.Data):], b.Data)
	}
	g.record("StackRows", out, stackRowsBackward, a, b)
	return out
}

// stackRowsBackward: forward y = [a; b] along the batch axis, so da is dy's first
// N rows and db the rest.
func stackRowsBackward(g *Graph, n *node, dy *Var) {
	a, b := n.in[0], n.in[1]
	if g.wants(a) {
		g.accumulate(a, g.SliceRows(dy, 0, a.Shape[0]))
	}
	if g.wants(b) {
		g.accumulate(b, g.SliceRows(dy, a.Shape[0], dy.Shape[0]))
	}
}

// SliceRows returns rows [lo, hi) of x (N, ...) along the batch axis, sharing x's
// storage (the rows are contiguous).
func (g *Graph) SliceRows(x *Var, lo, hi int) *Var {
	if len(x.Shape) == 0 || lo < 0 || hi > x.Shape[0] || lo > hi {
		panic("autograd: SliceRows of " + x.Shape.String() + " out of range")
	}
	var shape [6]int
	copy(shape[:], x.Shape)
	shape[0] = hi - lo
	cols := x.Cols()
	out := g.view(x, shape[:len(x.Shape)]...)
	if g.dev != nil {
		out.dev = g.ptr(x).Add(lo * cols)
	} else {
		out.Data = x.Data[lo*cols : hi*cols : hi*cols]
	}
	if nd := g.record("SliceRows", out, sliceRowsBackward, x); nd != nil {
		nd.span = [2]int{lo, hi}
	}
	return out
}

// sliceRowsBackward: forward y = x[lo:hi], so dx is dy in rows [lo, hi) and zero
// elsewhere.
func sliceRowsBackward(g *Graph, n *node, dy *Var) {
	x := n.in[0]
	if !g.wants(x) {
		return
	}
	lo, hi := n.span[0], n.span[1]
	if lo == 0 && hi == x.Shape[0] {
		g.accumulate(x, g.Reshape(dy, x.Shape...))
		return
	}
	g.accumulate(x, g.padRows(dy, x.Shape, lo))
}

// padRows returns a tensor of the given shape holding d in rows [lo, lo+rows of d) and
// zeros elsewhere: SliceRows's gradient, itself sliced in the backward.
func (g *Graph) padRows(d *Var, shape []int, lo int) *Var {
	out := g.newVar(shape...)
	cols := out.Cols()
	if g.dev != nil {
		g.dev.Fill(out.dev, out.Len(), 0)
		g.dev.Copy(out.dev.Add(lo*cols), g.ptr(d), d.Len())
	} else {
		clear(out.Data)
		copy(out.Data[lo*cols:], d.Data)
	}
	if nd := g.record("PadRows", out, padRowsBackward, d); nd != nil {
		nd.span = [2]int{lo, lo + d.Shape[0]}
	}
	return out
}

// padRowsBackward: forward y = x in rows [lo, hi), 0 elsewhere, so dx = dy[lo:hi].
func padRowsBackward(g *Graph, n *node, dy *Var) {
	if g.wants(n.in[0]) {
		g.accumulate(n.in[0], g.SliceRows(dy, n.span[0], n.span[1]))
	}
}
