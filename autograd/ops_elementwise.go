package autograd

import "github.com/gogan/gogan/internal/vec"

func sameShape(op string, a, b *Var) {
	if !a.Shape.Equal(b.Shape) {
		panic("autograd: " + op + " of different shapes " + a.Shape.String() + " and " + b.Shape.String())
	}
}

// Add returns a + b, element by element (same shapes).
func (g *Graph) Add(a, b *Var) *Var {
	sameShape("Add", a, b)
	out := g.newVarLike(a)
	if g.dev != nil {
		g.dev.Add(out.dev, g.ptr(a), g.ptr(b), out.Len())
	} else {
		vec.Add(out.Data, a.Data, b.Data)
	}
	g.record("Add", out, addBackward, a, b)
	return out
}

// addBackward: forward y = a + b, so da = dy and db = dy.
func addBackward(g *Graph, n *node, dy *Var) {
	if g.wants(n.in[0]) {
		g.accumulate(n.in[0], dy)
	}
	if g.wants(n.in[1]) {
		g.accumulate(n.in[1], dy)
	}
}

// Sub returns a − b, element by element (same shapes).
func (g *Graph) Sub(a, b *Var) *Var {
	sameShape("Sub", a, b)
	out := g.newVarLike(a)
	if g.dev != nil {
		g.dev.Sub(out.dev, g.ptr(a), g.ptr(b), out.Len())
	} else {
		vec.Sub(out.Data, a.Data, b.Data)
	}
	g.record("Sub", out, subBackward, a, b)
	return out
}

// subBackward: forward y = a − b, so da = dy and db = −dy.
func subBackward(g *Graph, n *node, dy *Var) {
	if g.wants(n.in[0]) {
		g.accumulate(n.in[0], dy)
	}
	if g.wants(n.in[1]) {
		g.accumulate(n.in[1], g.Scale(dy, -1))
	}
}

// Mul returns a ⊙ b, element by element (same shapes).
func (g *Graph) Mul(a, b *Var) *Var {
	sameShape("Mul", a, b)
	out := g.newVarLike(a)
	if g.dev != nil {
		g.dev.Mul(out.dev, g.ptr(a), g.ptr(b), out.Len())
	} else {
		vec.Mul(out.Data, a.Data, b.Data)
	}
	g.record("Mul", out, mulBackward, a, b)
	return out
}

// mulBackward: forward y = a ⊙ b, so da = dy ⊙ b and db = dy ⊙ a.
func mulBackward(g *Graph, n *node, dy *Var) {
	a, b := n.in[0], n.in[1]
	if g.wants(a) {
		g.accumulate(a, g.Mul(dy, b))
	}
	if g.wants(b) {
		g.accumulate(b, g.Mul(dy, a))
	}
}

// Div returns a / b, element by element (same shapes).
func (g *Graph) Div(a, b *Var) *Var {
	sameShape("Div", a, b)
	out := g.newVarLike(a)
	if g.dev != nil {
		g.dev.Divide(out.dev, g.ptr(a), g.ptr(b), out.Len())
	} else {
		for i := range out.Data {
			out.Data[i] = a.Data[i] / b.Data[i]
		}
	}
	g.record("Div", out, divBackward, a, b)
	return out
}

// divBackward: forward y = a / b, so da = dy / b and db = −dy ⊙ a / b².
func divBackward(g *Graph, n *node, dy *Var) {
	a, b := n.in[0], n.in[1]
	if g.wants(a) {
		g.accumulate(a, g.Div(dy, b))
	}
	if g.wants(b) {
		g.accumulate(b, g.Scale(g.Div(g.Mul(dy, a), g.Square(b)), -1))
	}
}

// Scale returns c·x.
func (g *Graph) Scale(x *Var, c float32) *Var {
	out := g.newVarLike(x)
	if g.dev != nil {
		g.dev.Scale(out.dev, g.ptr(x), out.Len(), c)
	} else {
		vec.ScaleTo(out.Data, c, x.Data, 0)
	}
	if nd := g.record("Scale", out, scaleBackward, x); nd != nil {
		nd.factor = c
	}
	return out
}

// scaleBackward: forward y = c·x, so dx = c·dy.
func scaleBackward(g *Graph, n *node, dy *Var) {
	if g.wants(n.in[0]) {
		g.accumulate(n.in[0], g.Scale(dy, n.factor))
	}
}

// AddScalar returns x + c.
func (g *Graph) AddScalar(x *Var, c float32) *Var {
	out := g.newVarLike(x)
	if g.dev != nil {
		g.dev.Fill(out.dev, out.Len(), c)
		g.dev.Accumulate(out.dev, g.ptr(x), out.Len())
	} else {
		vec.ScaleTo(out.Data, 1, x.Data, c)
	}
	g.record("AddScalar", out, addScalarBackward, x)
	return out
}

// addScalarBackward: forward y = x + c, so dx = dy.
func addScalarBackward(g *Graph, n *node, dy *Var) {
	if g.wants(n.in[0]) {
		g.accumulate(n.in[0], dy)
	}
}

// Square returns x ⊙ x.
func (g *Graph) Square(x *Var) *Var {
	out := g.newVarLike(x)
	if g.dev != nil {
		g.dev.Mul(out.dev, g.ptr(x), x.dev, out.Len())
	} else {
		vec.Mul(out.Data, x.Data, x.Data)
	}
	g.record("Square", out, squareBackward, x)
	return out
}

// squareBackward: forward y = x², so dx = 2·x ⊙ dy.
func squareBackward(g *Graph, n *node, dy *Var) {
	x := n.in[0]
	if g.wants(x) {
		g.accumulate(x, g.Mul(dy, g.Scale(x, 2)))
	}
}

// Sqrt returns √x element by element. On a device its backward is first
// order only (enough for a gradient penalty's norm, which is differentiated once).
func (g *Graph) Sqrt(x *Var) *Var {
	out := g.newVarLike(x)
	if g.dev != nil {
		g.dev.Sqrt(out.dev, g.ptr(x), g.darena.alloc(3*x.Len()), x.Len())
		if nd := g.record("Sqrt", out, cudaSqrtBackward, x); nd != nil {
			nd.firstOrderOnly = true
		}
		return out
	}
	vec.Sqrt(out.Data, x.Data)
	g.record("Sqrt", out, sqrtBackward, x)
	return out
}

// cudaSqrtBackward is sqrtBackward on the device, dx = dy·(1/√x)/2, with 1/√x
// from InvStd (eps 0): not recorded as a function of x.
func cudaSqrtBackward(g *Graph, n *node, dy *Var) {
	x := n.in[0]
	if !g.wants(x) {
		return
	}
	half := g.newVarLike(x) // 1/√x, then dy/(2√x)
	g.dev.InvStd(half.dev, g.ptr(x), g.darena.alloc(3*x.Len()), x.Len(), 0)
	g.dev.Mul(half.dev, half.dev, g.ptr(dy), x.Len())
	g.dev.Scale(half.dev, half.dev, x.Len(), 0.5)
	g.accumulate(x, half)
}

// sqrtBackward: forward y = √x, so dx = dy / (2y).
func sqrtBackward(g *Graph, n *node, dy *Var) {
	x := n.in[0]
	if g.wants(x) {
		g.accumulate(x, g.Div(dy, g.Scale(n.out, 2)))
	}
}

// Reshape returns x viewed with another shape of the same size; no data moves.
func (g *Graph) Reshape(x *Var, shape ...int) *Var {
	out := g.view(x, shape...)
	if out.Shape.Size() != x.Len() {
		panic("autograd: Reshape of " + x.Shape.String() + " into " + out.Shape.String())
	}
	g.record("Reshape", out, reshapeBackward, x)
	return out
}

// reshapeBackward: forward y = x under a new shape, so dx = dy under x's shape.
func reshapeBackward(g *Graph, n *node, dy *Var) {
	x := n.in[0]
	if g.wants(x) {
		g.accumulate(x, g.Reshape(dy, x.Shape...))
	}
}

// Log returns the natural logarithm of x element by element.
func (g *Graph) Log(x *Var) *Var {
	g.cpuOnly("Log")
	out := g.newVarLike(x)
	vec.Log(out.Data, x.Data)
	g.record("Log", out, logBackward, x)
	return out
}

// logBackward: forward y = log x, so dx = dy / x.
func logBackward(g *Graph, n *node, dy *Var) {
	x := n.in[0]
	if g.wants(x) {
		g.accumulate(x, g.Div(dy, x))
	}
}

// Clip returns x limited to [lo, hi] element by element.
func (g *Graph) Clip(x *Var, lo, hi float32) *Var {
	g.cpuOnly("Clip")
	out := g.newVarLike(x)
	mask := g.floats(len(x.Data))
	for i, v := range x.Data {
		switch {
		case v < lo:
			out.Data[i], mask[i] = lo, 0
		case v > hi:
			out.Data[i], mask[i] = hi, 0
		default:
			out.Data[i], mask[i] = v, 1
		}
	}
	if nd := g.record("Clip", out, maskMulBackward, x); nd != nil {
		nd.mask = mask
	}
	return out
}
