package autograd

import "github.com/gogan/gogan/internal/vec"

// BatchNormTrain normalizes each column of x (N, F) with the batch's mean and
// biased variance, then scales by gamma and shifts by beta (both (F)). It writes
// the batch statistics into mean and variance (length F) so the layer can update
// its moving averages. Its backward is one fused kernel: first-order only.
func (g *Graph) BatchNormTrain(x, gamma, beta *Var, eps float32, mean, variance []float32) *Var {
	cols := len(gamma.Data)
	if x.Cols() != cols {
		panic("autograd: BatchNorm of " + x.Shape.String() + " with " + gamma.Shape.String() + " scale")
	}
	vec.BatchNormStats(mean, variance, x.Data)
	invStd := g.floats(cols)
	vec.InvStd(invStd, variance, eps)
	xhat := g.floats(len(x.Data))
	out := g.newVarLike(x)
	vec.BatchNormApply(out.Data, xhat, x.Data, mean, invStd, gamma.Data, beta.Data)
	if nd := g.record("BatchNorm", out, batchNormBackward, x, gamma, beta); nd != nil {
		nd.saved, nd.saved2 = xhat, invStd
		nd.firstOrderOnly = true
	}
	return out
}

// batchNormBackward: forward y = gamma·x̂ + beta with x̂ = (x − μ)/σ over the batch, so
// dgamma = Σ dy·x̂, dbeta = Σ dy, dx = gamma/(Nσ)·(N·dy − Σdy − x̂·Σ dy·x̂).
func batchNormBackward(g *Graph, n *node, dy *Var) {
	x, gamma, beta := n.in[0], n.in[1], n.in[2]
	var dx, dgamma, dbeta *Var
	var dxData, dgData, dbData []float32
	if g.wants(x) {
		dx = g.newVarLike(x)
		dxData = dx.Data
	}
	if g.wants(gamma) {
		dgamma = g.newVarLike(gamma)
		clear(dgamma.Data)
		dgData = dgamma.Data
	}
	if g.wants(beta) {
		dbeta = g.newVarLike(beta)
		clear(dbeta.Data)
		dbData = dbeta.Data
	}
	vec.BatchNormBackward(dxData, dgData, dbData, dy.Data, n.saved, gamma.Data, n.saved2)
	if dx != nil {
		g.accumulate(x, dx)
	}
	if dgamma != nil {
		g.accumulate(gamma, dgamma)
	}
	if dbeta != nil {
		g.accumulate(beta, dbeta)
	}
}

// MulColumns returns x[i,j]·s[j]: every row of x (N, F...) multiplied element by
// element with s (F...).
func (g *Graph) MulColumns(x, s *Var) *Var {
	cols := len(s.Data)
	if x.Cols() != cols {
		panic("autograd: MulColumns of " + x.Shape.String() + " by " + s.Shape.String())
	}
	out := g.newVarLike(x)
	for off := 0; off+cols <= len(x.Data); off += cols {
		vec.Mul(out.Data[off:off+cols], x.Data[off:off+cols], s.Data)
	}
	g.record("MulColumns", out, mulColumnsBackward, x, s)
	return out
}

// mulColumnsBackward: forward y[i,j] = x[i,j]·s[j], so dx[i,j] = dy[i,j]·s[j] and
// ds[j] = Σ_i dy[i,j]·x[i,j].
func mulColumnsBackward(g *Graph, n *node, dy *Var) {
	x, s := n.in[0], n.in[1]
	if g.wants(x) {
		g.accumulate(x, g.MulColumns(dy, s))
	}
	if g.wants(s) {
		g.accumulate(s, g.SumRows(g.Mul(dy, x), s.Shape...))
	}
}
