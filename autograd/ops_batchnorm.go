package autograd

import "github.com/gogan/gogan/internal/vec"

// BatchNormTrain normalizes each column of x (N, F) with the batch's mean and
// biased variance, then scales by gamma and shifts by beta (both (F)). It writes
// the batch statistics into mean and variance (length F) so the layer can update
// its moving averages. Its backward is one fused kernel: first-order only.
func (g *Graph) BatchNormTrain(x, gamma, beta *Var, eps float32, mean, variance []float32) *Var {
	g.cpuOnly("BatchNormTrain with host statistics (use BatchNormMoving)")
	cols := len(gamma.Data)
	if x.Cols() != cols {
		panic("autograd: BatchNorm of " + x.Shape.String() + " with " + gamma.Shape.String() + " scale")
	}
	vec.BatchNormStats(mean, variance, x.Data)
	// The backward recomputes x̂ from x with the statistics, kept here (the caller's
	// mean may change before the backward runs).
	stats := g.floats(2 * cols)
	batchMean, invStd := stats[:cols], stats[cols:]
	copy(batchMean, mean)
	vec.InvStd(invStd, variance, eps)
	out := g.newVarLike(x)
	vec.BatchNormApply(out.Data, x.Data, batchMean, invStd, gamma.Data, beta.Data)
	if nd := g.record("BatchNorm", out, batchNormBackward, x, gamma, beta); nd != nil {
		nd.mean, nd.invStd = batchMean, invStd
		nd.firstOrderOnly = true
	}
	return out
}

// BatchNormMoving is BatchNormTrain for a layer that keeps moving statistics:
// it also moves movingMean and movingVariance (state parameters of F values)
// toward the batch's mean and biased variance,
//
//	moving = momentum·moving + (1 − momentum)·batch
//
// as Keras's BatchNormalization does. It runs on the graph's device as on the CPU.
func (g *Graph) BatchNormMoving(x, gamma, beta *Var, eps float32, movingMean, movingVariance *Var, momentum float32) *Var {
	cols := gamma.Len()
	if movingMean.Len() != cols || movingVariance.Len() != cols {
		panic("autograd: BatchNormMoving with " + gamma.Shape.String() + " scale and " + movingMean.Shape.String() + " statistics")
	}
	if g.dev != nil {
		return g.cudaBatchNorm(x, gamma, beta, eps, movingMean, movingVariance, momentum)
	}
	stats := g.floats(2 * cols)
	mean, variance := stats[:cols], stats[cols:]
	y := g.BatchNormTrain(x, gamma, beta, eps, mean, variance)
	m := momentum
	for j := range mean {
		movingMean.Data[j] = m*movingMean.Data[j] + (1-m)*mean[j]
		movingVariance.Data[j] = m*movingVariance.Data[j] + (1-m)*variance[j]
	}
	return y
}

// cudaBatchNorm is BatchNormMoving on the device.
func (g *Graph) cudaBatchNorm(x, gamma, beta *Var, eps float32, movingMean, movingVariance *Var, momentum float32) *Var {
	cols := gamma.Len()
	if x.Cols() != cols {
		panic("autograd: BatchNorm of " + x.Shape.String() + " with " + gamma.Shape.String() + " scale")
	}
	stats := g.newVar(3, cols) // mean, variance, 1/√(variance + ε)
	mean, variance, invStd := stats.dev, stats.dev.Add(cols), stats.dev.Add(2*cols)
	g.dev.BatchNormMoments(mean, variance, invStd, g.ptr(x), x.Rows(), cols, eps)
	out := g.newVarLike(x)
	g.dev.BatchNormApply(out.dev, x.dev, mean, invStd, g.ptr(gamma), g.ptr(beta), x.Rows(), cols)
	g.dev.MovingAverage(g.ptr(movingMean), mean, cols, momentum)
	g.dev.MovingAverage(g.ptr(movingVariance), variance, cols, momentum)
	if nd := g.record("BatchNorm", out, cudaBatchNormBackward, x, gamma, beta); nd != nil {
		nd.devMean, nd.devInvStd = mean, invStd
		nd.firstOrderOnly = true
	}
	return out
}

// cudaBatchNormBackward is batchNormBackward on the device.
func cudaBatchNormBackward(g *Graph, n *node, dy *Var) {
	x, gamma, beta := n.in[0], n.in[1], n.in[2]
	dx := g.newVarLike(x)
	dg, dgamma := g.biasGradPtr(gamma)
	db, dbeta := g.biasGradPtr(beta)
	g.dev.BatchNormGrad(dx.dev, dg, db, g.ptr(dy), x.dev, n.devMean, n.devInvStd, g.ptr(gamma), x.Rows(), x.Cols(), false)
	if g.wants(x) {
		g.accumulate(x, dx)
	}
	if dgamma != nil {
		g.accumulate(gamma, dgamma)
	}
	if dbeta != nil {
		g.accumulate(beta, dbeta)
	}
}

// batchNormBackward: forward y = gamma·x̂ + beta with x̂ = (x − μ)/σ over the batch, so
// dgamma = Σ dy·x̂, dbeta = Σ dy, dx = gamma/(Nσ)·(N·dy − Σdy − x̂·Σ dy·x̂).
// dgamma and dbeta go straight into the parameters' gradients when they can.
func batchNormBackward(g *Graph, n *node, dy *Var) {
	x, gamma, beta := n.in[0], n.in[1], n.in[2]
	var dx *Var
	var dxData []float32
	if g.wants(x) {
		dx = g.newVarLike(x)
		dxData = dx.Data
	}
	dgData, dgamma := g.biasGrad(gamma)
	dbData, dbeta := g.biasGrad(beta)
	vec.BatchNormBackward(dxData, dgData, dbData, dy.Data, x.Data, n.mean, n.invStd, gamma.Data)
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

// BatchNormInference normalizes each column of x (N, F) with fixed statistics,
// a layer's moving mean and variance (F, constants: no gradient), as
// BatchNormalization does at inference:
//
//	y = gamma·(x − mean)·invStd + beta,  invStd = 1/√(variance + eps)
//
// x, gamma and beta get gradients (first order). It runs on the graph's device
// as on the CPU; there the statistics are read from the device copies of mean
// and variance (state parameters given to ToDevice).
func (g *Graph) BatchNormInference(x, gamma, beta, mean, variance *Var, eps float32) *Var {
	cols := gamma.Len()
	if x.Cols() != cols || beta.Len() != cols || mean.Len() != cols || variance.Len() != cols {
		panic("autograd: BatchNormInference of " + x.Shape.String() + " with " + gamma.Shape.String() + " scale, " +
			beta.Shape.String() + " shift and " + mean.Shape.String() + ", " + variance.Shape.String() + " statistics")
	}
	out := g.newVarLike(x)
	var nd *node
	if g.dev != nil {
		invStd := g.newVar(4, cols) // 1/√(variance + ε), then InvStd's scratch
		g.dev.InvStd(invStd.dev, g.ptr(variance), invStd.dev.Add(cols), cols, eps)
		g.dev.BatchNormApply(out.dev, g.ptr(x), g.ptr(mean), invStd.dev, g.ptr(gamma), g.ptr(beta), x.Rows(), cols)
		if nd = g.record("BatchNormInference", out, cudaBatchNormInferenceBackward, x, gamma, beta); nd != nil {
			nd.devMean, nd.devInvStd = mean.dev, invStd.dev
		}
	} else {
		stats := g.floats(2 * cols)
		m, invStd := stats[:cols], stats[cols:]
		copy(m, mean.Data) // kept for the backward, as the layer's may change before it runs
		vec.InvStd(invStd, variance.Data, eps)
		vec.BatchNormApply(out.Data, x.Data, m, invStd, gamma.Data, beta.Data)
		if nd = g.record("BatchNormInference", out, batchNormInferenceBackward, x, gamma, beta); nd != nil {
			nd.mean, nd.invStd = m, invStd
		}
	}
	if nd != nil {
		nd.firstOrderOnly = true
	}
	return out
}

// batchNormInferenceBackward: forward y = gamma·x̂ + beta with x̂ = (x − mean)·invStd
// and fixed statistics, so dx = dy·gamma·invStd, dgamma = Σ_r dy·x̂, dbeta = Σ_r dy
// (float64 sums).
func batchNormInferenceBackward(g *Graph, n *node, dy *Var) {
	x, gamma, beta := n.in[0], n.in[1], n.in[2]
	cols := gamma.Len()
	if g.wants(x) {
		dx := g.newVarLike(x)
		for i, v := range dy.Data {
			c := i % cols
			dx.Data[i] = v * (gamma.Data[c] * n.invStd[c])
		}
		g.accumulate(x, dx)
	}
	dgData, dgamma := g.biasGrad(gamma)
	dbData, dbeta := g.biasGrad(beta)
	for c := range cols {
		if dgData == nil && dbData == nil {
			break
		}
		var sg, sb float64
		for i := c; i < len(dy.Data); i += cols {
			h := (x.Data[i] - n.mean[c]) * n.invStd[c]
			sg += float64(dy.Data[i]) * float64(h)
			sb += float64(dy.Data[i])
		}
		if dgData != nil {
			dgData[c] += float32(sg)
		}
		if dbData != nil {
			dbData[c] += float32(sb)
		}
	}
	if dgamma != nil {
		g.accumulate(gamma, dgamma)
	}
	if dbeta != nil {
		g.accumulate(beta, dbeta)
	}
}

// cudaBatchNormInferenceBackward is batchNormInferenceBackward on the device, from
// the batch-norm and element-wise kernels: dx is BatchNormApply of dy with mean 0,
// scale gamma·invStd, gamma 1 and beta 0; x̂ is BatchNormApply of x with gamma 1
// and beta 0; the sums are SumRows.
func cudaBatchNormInferenceBackward(g *Graph, n *node, dy *Var) {
	x, gamma, beta := n.in[0], n.in[1], n.in[2]
	rows, cols := x.Rows(), gamma.Len()
	consts := g.newVar(3, cols) // zeros, ones, gamma·invStd
	zeros, ones, scale := consts.dev, consts.dev.Add(cols), consts.dev.Add(2*cols)
	g.dev.Fill(zeros, cols, 0)
	g.dev.Fill(ones, cols, 1)
	if g.wants(x) {
		g.dev.Mul(scale, g.ptr(gamma), n.devInvStd, cols)
		dx := g.newVarLike(x)
		g.dev.BatchNormApply(dx.dev, g.ptr(dy), zeros, scale, ones, zeros, rows, cols)
		g.accumulate(x, dx)
	}
	if dg, dgamma := g.biasGradPtr(gamma); dg != 0 {
		t := g.newVarLike(x) // x̂, then dy·x̂
		g.dev.BatchNormApply(t.dev, g.ptr(x), n.devMean, n.devInvStd, ones, zeros, rows, cols)
		g.dev.Mul(t.dev, t.dev, g.ptr(dy), t.Len())
		g.dev.SumRows(dg, t.dev, rows, cols, 1)
		if dgamma != nil {
			g.accumulate(gamma, dgamma)
		}
	}
	if db, dbeta := g.biasGradPtr(beta); db != 0 {
		g.dev.SumRows(db, g.ptr(dy), rows, cols, 1)
		if dbeta != nil {
			g.accumulate(beta, dbeta)
		}
	}
}

// MulColumns returns x[i,j]·s[j]: every row of x (N, F...) multiplied element by
// element with s (F...).
func (g *Graph) MulColumns(x, s *Var) *Var {
	g.cpuOnly("MulColumns")
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
