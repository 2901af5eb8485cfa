package autograd

import "math"

// Exp returns eˣ element by element.
func (g *Graph) Exp(x *Var) *Var {
	out := g.newVarLike(x)
	if g.dev != nil {
		g.dev.Exp(out.dev, g.ptr(x), out.Len())
	} else {
		for i, v := range x.Data {
			out.Data[i] = float32(math.Exp(float64(v)))
		}
	}
	g.record("Exp", out, expBackward, x)
	return out
}

// expBackward: forward y = eˣ, so dx = dy ⊙ y.
func expBackward(g *Graph, n *node, dy *Var) {
	if g.wants(n.in[0]) {
		g.accumulate(n.in[0], g.Mul(dy, n.out))
	}
}

// LogSumExp returns log Σ_j exp(x[i, j]) for every row of x (N, C...), shape
// (N, 1), computed with the row's maximum m = max_j x[i, j] taken out so it
// never overflows: m + float32(log Σ_j e^(x[i, j] − m)), the sum in float64.
func (g *Graph) LogSumExp(x *Var) *Var {
	out := g.newVar(x.Rows(), 1)
	cols := x.Cols()
	if g.dev != nil {
		g.dev.LogSumExp(out.dev, g.ptr(x), x.Rows(), cols)
		g.record("LogSumExp", out, logSumExpBackward, x)
		return out
	}
	for i := range out.Data {
		row := x.Data[i*cols : (i+1)*cols]
		m := row[0]
		for _, v := range row {
			m = max(m, v)
		}
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v - m))
		}
		out.Data[i] = m + float32(math.Log(s))
	}
	g.record("LogSumExp", out, logSumExpBackward, x)
	return out
}

// logSumExpBackward: forward y_i = log Σ_j exp(x_ij), so dx_ij = dy_i·softmax(x)_ij,
// with softmax(x)_ij = exp(x_ij − y_i).
func logSumExpBackward(g *Graph, n *node, dy *Var) {
	x := n.in[0]
	if g.wants(x) {
		softmax := g.Exp(g.Sub(x, g.TileCols(n.out, x.Shape...)))
		g.accumulate(x, g.Mul(g.TileCols(dy, x.Shape...), softmax))
	}
}

// LogSoftmax returns x[i, j] − log Σ_k exp(x[i, k]) for every row of x (N, C):
// the log-probabilities of C classes.
func (g *Graph) LogSoftmax(x *Var) *Var {
	return g.Sub(x, g.TileCols(g.LogSumExp(x), x.Shape...))
}
