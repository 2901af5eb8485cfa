package autograd

import (
	"github.com/gogan/gogan/internal/vec"
	"github.com/gogan/gogan/tensor"
)

// AddBias returns x + b with b added to every row: x is (N, F...), b is (F...) with
// as many elements as a row of x.
func (g *Graph) AddBias(x, b *Var) *Var {
	checkBias("AddBias", x, b)
	out := g.newVarLike(x)
	if g.dev != nil {
		g.dev.AddBias(out.dev, g.ptr(x), g.ptr(b), x.Rows(), x.Cols())
	} else {
		vec.AddRowVectorTo(out.Data, x.Data, b.Data)
	}
	g.record("AddBias", out, addBiasBackward, x, b)
	return out
}

// addBiasBackward: forward y[i,j] = x[i,j] + b[j], so dx = dy and db[j] = Σ_i dy[i,j].
func addBiasBackward(g *Graph, n *node, dy *Var) {
	x, b := n.in[0], n.in[1]
	if g.wants(x) {
		g.accumulate(x, dy)
	}
	if g.wants(b) && g.dev != nil {
		if dst := g.paramGradPtr(b); dst != 0 {
			g.dev.SumRows(dst, g.ptr(dy), dy.Rows(), dy.Cols(), 1)
		} else {
			g.accumulate(b, g.SumRows(dy, b.Shape...))
		}
		return
	}
	if g.wants(b) {
		if dst := g.paramGrad(b); dst != nil {
			vec.AccumulateColumnSums(dst, dy.Data)
		} else {
			g.accumulate(b, g.SumRows(dy, b.Shape...))
		}
	}
}

// SumRows returns Σ_i x[i, ...], the sum over the batch dimension, shaped as
// shape (which must hold Cols(x) elements).
func (g *Graph) SumRows(x *Var, shape ...int) *Var {
	out := g.newVar(shape...)
	if out.Len() != x.Cols() {
		panic("autograd: SumRows of " + x.Shape.String() + " into " + tensor.Shape(shape).String())
	}
	if g.dev != nil {
		g.dev.SumRows(out.dev, g.ptr(x), x.Rows(), x.Cols(), 0)
		g.record("SumRows", out, sumRowsBackward, x)
		return out
	}
	clear(out.Data)
	vec.AccumulateColumnSums(out.Data, x.Data)
	g.record("SumRows", out, sumRowsBackward, x)
	return out
}

// sumRowsBackward: forward y[j] = Σ_i x[i,j], so dx[i,j] = dy[j]: dy tiled over rows.
func sumRowsBackward(g *Graph, n *node, dy *Var) {
	x := n.in[0]
	if g.wants(x) {
		g.accumulate(x, g.TileRows(dy, x.Shape...))
	}
}

// TileRows returns v repeated as every row of a tensor of the given shape
// (shape[1:] must hold as many elements as v).
func (g *Graph) TileRows(v *Var, shape ...int) *Var {
	out := g.newVar(shape...)
	cols := out.Cols()
	if cols != v.Len() {
		panic("autograd: TileRows of " + v.Shape.String() + " into " + out.Shape.String())
	}
	if g.dev != nil {
		g.dev.Fill(out.dev, out.Len(), 0)
		g.dev.AddBias(out.dev, out.dev, g.ptr(v), out.Rows(), cols)
		g.record("TileRows", out, tileRowsBackward, v)
		return out
	}
	for off := 0; off < len(out.Data); off += cols {
		copy(out.Data[off:off+cols], v.Data)
	}
	g.record("TileRows", out, tileRowsBackward, v)
	return out
}

// tileRowsBackward: forward y[i,j] = v[j], so dv[j] = Σ_i dy[i,j].
func tileRowsBackward(g *Graph, n *node, dy *Var) {
	v := n.in[0]
	if g.wants(v) {
		g.accumulate(v, g.SumRows(dy, v.Shape...))
	}
}

// SumCols returns Σ_j x[i, j] for every row: x is (N, F...), the result (N, 1).
func (g *Graph) SumCols(x *Var) *Var {
	out := g.newVar(x.Rows(), 1)
	if g.dev != nil {
		// x (N, F) · ones (F, 1)
		ones := g.Constant(1, x.Cols())
		g.cudaSgemm(false, false, x.Rows(), 1, x.Cols(), g.ptr(x), x.Cols(), ones.dev, 1, 0, out.dev)
	} else {
		vec.RowSums(out.Data, x.Data, x.Cols())
	}
	g.record("SumCols", out, sumColsBackward, x)
	return out
}

// sumColsBackward: forward y[i] = Σ_j x[i,j], so dx[i,j] = dy[i].
func sumColsBackward(g *Graph, n *node, dy *Var) {
	x := n.in[0]
	if g.wants(x) {
		g.accumulate(x, g.TileCols(dy, x.Shape...))
	}
}

// TileCols returns a tensor of the given shape whose row i is filled with v[i]:
// v is (N, 1), the result (N, F...).
func (g *Graph) TileCols(v *Var, shape ...int) *Var {
	out := g.newVar(shape...)
	if out.Rows() != v.Len() {
		panic("autograd: TileCols of " + v.Shape.String() + " into " + out.Shape.String())
	}
	if g.dev != nil {
		// v (N, 1) · ones (1, F): products by 1, exact
		ones := g.Constant(1, out.Cols())
		g.cudaSgemm(false, false, out.Rows(), out.Cols(), 1, g.ptr(v), 1, ones.dev, out.Cols(), 0, out.dev)
	} else {
		vec.BroadcastRows(out.Data, v.Data, out.Cols())
	}
	g.record("TileCols", out, tileColsBackward, v)
	return out
}

// tileColsBackward: forward y[i,j] = v[i], so dv[i] = Σ_j dy[i,j].
func tileColsBackward(g *Graph, n *node, dy *Var) {
	v := n.in[0]
	if g.wants(v) {
		g.accumulate(v, g.SumCols(dy))
	}
}

// Sum returns the sum of all elements as a one-element Var of shape ().
func (g *Graph) Sum(x *Var) *Var {
	out := g.newVar()
	if g.dev != nil {
		g.dev.Sum(out.dev, g.ptr(x), x.Len(), 1, 0)
	} else {
		out.Data[0] = float32(vec.Sum(x.Data))
	}
	g.record("Sum", out, sumBackward, x)
	return out
}

// sumBackward: forward y = Σ x, so dx = dy everywhere.
func sumBackward(g *Graph, n *node, dy *Var) {
	x := n.in[0]
	if g.wants(x) {
		g.accumulate(x, g.Expand(dy, x.Shape...))
	}
}

// Expand returns a tensor of the given shape filled with the one element of s.
func (g *Graph) Expand(s *Var, shape ...int) *Var {
	out := g.newVar(shape...)
	if g.dev != nil {
		g.dev.Broadcast(out.dev, g.ptr(s), out.Len(), 1)
		g.record("Expand", out, expandBackward, s)
		return out
	}
	c := s.Item()
	for i := range out.Data {
		out.Data[i] = c
	}
	g.record("Expand", out, expandBackward, s)
	return out
}

// expandBackward: forward y[i] = s, so ds = Σ dy.
func expandBackward(g *Graph, n *node, dy *Var) {
	s := n.in[0]
	if g.wants(s) {
		g.accumulate(s, g.Sum(dy))
	}
}

// Mean returns the mean of all elements, shape ().
func (g *Graph) Mean(x *Var) *Var { return g.Scale(g.Sum(x), 1/float32(x.Len())) }
