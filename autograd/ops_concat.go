package autograd

import "fmt"

// Concat joins xs along their last axis: every x is (N, ..., C_k) with the same
// dimensions but the last, and the result is (N, ..., Σ C_k). Each output row
// (all dimensions but the last) is the inputs' rows laid end to end.
//
// A recorded op holds at most three inputs, so longer lists are joined three at
// a time; the result is the same.
func (g *Graph) Concat(xs ...*Var) *Var {
	switch len(xs) {
	case 0:
		panic("autograd: Concat of no tensors")
	case 1:
		return xs[0]
	case 2, 3:
		return g.concat(xs)
	}
	return g.Concat(append([]*Var{g.concat(xs[:3])}, xs[3:]...)...)
}

// concat is Concat of two or three tensors, recorded as one op.
func (g *Graph) concat(xs []*Var) *Var {
	first := xs[0]
	rank := len(first.Shape)
	if rank == 0 {
		panic("autograd: Concat of a scalar")
	}
	rows := first.Shape[:rank-1].Size()
	width := 0
	for _, x := range xs {
		if len(x.Shape) != rank || !x.Shape[:rank-1].Equal(first.Shape[:rank-1]) {
			panic("autograd: Concat of " + shapesString(xs) + ": shapes differ before the last axis")
		}
		width += x.Shape[rank-1]
	}
	var shape [6]int
	copy(shape[:], first.Shape)
	shape[rank-1] = width
	out := g.newVar(shape[:rank]...)
	off := 0
	for _, x := range xs {
		c := x.Shape[rank-1]
		if g.dev != nil {
			g.dev.CopyColumns(out.dev, width, off, g.ptr(x), c, 0, rows, c, false)
		} else {
			for r := 0; r < rows; r++ {
				copy(out.Data[r*width+off:r*width+off+c], x.Data[r*c:(r+1)*c])
			}
		}
		off += c
	}
	var in [3]*Var
	copy(in[:], xs)
	g.record("Concat", out, concatBackward, in[0], in[1], in[2])
	return out
}

// concatBackward: forward y = [x_1 | x_2 | x_3] along the last axis, so each
// dx_k is dy's columns [o_k, o_k + C_k) of that axis, o_k = C_1 + … + C_{k−1}.
func concatBackward(g *Graph, n *node, dy *Var) {
	off := 0
	for _, x := range n.in {
		if x == nil {
			break
		}
		c := x.Shape[len(x.Shape)-1]
		if g.wants(x) {
			g.accumulate(x, g.SliceLast(dy, off, off+c))
		}
		off += c
	}
}

// SliceLast returns x's entries [from, to) along its last axis: x is
// (N, ..., C), the result (N, ..., to − from), with 0 ≤ from ≤ to ≤ C.
func (g *Graph) SliceLast(x *Var, from, to int) *Var {
	rank := len(x.Shape)
	if rank == 0 {
		panic("autograd: SliceLast of a scalar")
	}
	c := x.Shape[rank-1]
	if from < 0 || from > to || to > c {
		panic(fmt.Sprintf("autograd: SliceLast [%d, %d) of %s", from, to, x.Shape))
	}
	var shape [6]int
	copy(shape[:], x.Shape)
	shape[rank-1] = to - from
	out := g.newVar(shape[:rank]...)
	w := to - from
	rows := x.Shape[:rank-1].Size()
	if g.dev != nil {
		g.dev.CopyColumns(out.dev, w, 0, g.ptr(x), c, from, rows, w, false)
	} else {
		for r := 0; r < rows; r++ {
			copy(out.Data[r*w:(r+1)*w], x.Data[r*c+from:r*c+to])
		}
	}
	if nd := g.record("SliceLast", out, sliceLastBackward, x); nd != nil {
		nd.span = [2]int{from, to}
	}
	return out
}

// sliceLastBackward: forward y = x[..., from:to], so dx is dy with zeros
// around it on the last axis: dx = [0 (…, from) | dy | 0 (…, C − to)].
func sliceLastBackward(g *Graph, n *node, dy *Var) {
	x := n.in[0]
	if !g.wants(x) {
		return
	}
	from, to := n.span[0], n.span[1]
	c := x.Shape[len(x.Shape)-1]
	var buf [3]*Var
	parts := buf[:0]
	if from > 0 {
		parts = append(parts, g.zerosLast(dy, from))
	}
	parts = append(parts, dy)
	if to < c {
		parts = append(parts, g.zerosLast(dy, c-to))
	}
	g.accumulate(x, g.Concat(parts...))
}

// zerosLast returns zeros shaped as like but with width entries on the last axis.
func (g *Graph) zerosLast(like *Var, width int) *Var {
	var shape [6]int
	rank := copy(shape[:], like.Shape)
	shape[rank-1] = width
	return g.Constant(0, shape[:rank]...)
}

func shapesString(xs []*Var) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += ", "
		}
		s += x.Shape.String()
	}
	return s
}
