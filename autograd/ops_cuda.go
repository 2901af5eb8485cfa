package autograd

import "github.com/gogan/gogan/internal/cuda"

// The device side of the ops: what an op does when its graph computes on a CUDA
// device (UseDevice). Each mirrors the CPU code beside the op and keeps its
// conventions (which gradients go straight into parameters, what is saved).

// ptr returns where x's values live on the graph's device, panicking when x is
// on the host: a parameter not given to ToDevice, or a Var of another graph.
func (g *Graph) ptr(x *Var) cuda.Ptr {
	if x.gpu != g.dev || (x.dev == 0 && x.Len() > 0) {
		panic("autograd: " + x.describe() + " is not on the graph's device (give the parameters to ToDevice)")
	}
	return x.dev
}

// gradPtr returns the device copy of a parameter's gradient.
func (g *Graph) gradPtr(x *Var) cuda.Ptr {
	if x.gpu != g.dev || x.devGrad == 0 {
		panic("autograd: " + x.describe() + " has no gradient on the graph's device")
	}
	return x.devGrad
}

// describe names x in a panic message: its name, or its shape.
func (x *Var) describe() string {
	if x.Name != "" {
		return "parameter " + x.Name
	}
	return "a Var " + x.Shape.String()
}

// cudaSgemm is sgemm on the device, with alpha 1 and row strides of the
// operands' columns: C(m×n) = op(A)·op(B) + beta·C.
func (g *Graph) cudaSgemm(transA, transB bool, m, n, k int, a cuda.Ptr, lda int, b cuda.Ptr, ldb int, beta float32, c cuda.Ptr) {
	g.countFlops(2 * uint64(m) * uint64(n) * uint64(k))
	g.dev.Sgemm(transA, transB, m, n, k, 1, a, lda, b, ldb, beta, c, n)
}

// cudaAccumulateProduct is accumulateProduct on the device: straight into a
// parameter's gradient when the pass allows it (beta = 1), else a MatMul passed
// to accumulate.
func (g *Graph) cudaAccumulateProduct(x, p, q *Var, transP, transQ bool) {
	dst := g.paramGradPtr(x)
	if dst == 0 {
		g.accumulate(x, g.MatMul(p, q, transP, transQ))
		return
	}
	m, nq, k := gradientProduct(x, p, q, transP, transQ)
	g.cudaSgemm(transP, transQ, m, nq, k, g.ptr(p), p.Cols(), g.ptr(q), q.Cols(), 1, dst)
}

// paramGradPtr is paramGrad on the device: the device gradient a fused kernel
// may add to, or 0.
func (g *Graph) paramGradPtr(x *Var) cuda.Ptr {
	if g.recording || !g.wantParams || !x.isParam || !x.Trainable || x.Frozen {
		return 0
	}
	return g.gradPtr(x)
}

// biasGradPtr is biasGrad on the device: where a kernel adds b's gradient
// (b's device gradient, or a zeroed Var the caller passes to accumulate), or
// 0 when b wants none.
func (g *Graph) biasGradPtr(b *Var) (cuda.Ptr, *Var) {
	if b == nil || !g.wants(b) {
		return 0, nil
	}
	if dst := g.paramGradPtr(b); dst != 0 {
		return dst, nil
	}
	v := g.Constant(0, b.Shape...)
	return v.dev, v
}

// cudaBiasActivationGrads is fusedBiasActivationGrads on the device: dz, the
// gradient at x + b, from the activation's gradient kernel, its column sums
// added to b's gradient, dz passed to x.
func (g *Graph) cudaBiasActivationGrads(x, b, dy *Var, grad func(dz cuda.Ptr)) {
	dz := g.newVarLike(dy)
	grad(dz.dev)
	if db, dbVar := g.biasGradPtr(b); db != 0 {
		g.dev.SumRows(db, dz.dev, dz.Rows(), dz.Cols(), 1)
		if dbVar != nil {
			g.accumulate(b, dbVar)
		}
	}
	if g.wants(x) {
		g.accumulate(x, dz)
	}
}
