package autograd

import "github.com/gogan/gogan/internal/gemm"

// MatMul returns op(a)·op(b), where op transposes when asked. Each operand is
// read as a matrix (Rows, Cols): a is (m, k), or (k, m) with transA; b is (k, n),
// or (n, k) with transB. The result is (m, n).
func (g *Graph) MatMul(a, b *Var, transA, transB bool) *Var {
	m, k := a.Rows(), a.Cols()
	if transA {
		m, k = k, m
	}
	kb, n := b.Rows(), b.Cols()
	if transB {
		kb, n = n, kb
	}
	if k != kb {
		panic("autograd: MatMul inner dimensions differ: " + a.Shape.String() + " and " + b.Shape.String())
	}
	out := g.newVar(m, n)
	if g.dev != nil {
		g.cudaSgemm(transA, transB, m, n, k, g.ptr(a), a.Cols(), g.ptr(b), b.Cols(), 0, out.dev)
	} else {
		g.sgemm(transA, transB, m, n, k, 1, a.Data, a.Cols(), b.Data, b.Cols(), 0, out.Data, n)
	}
	if nd := g.record("MatMul", out, matMulBackward, a, b); nd != nil {
		nd.trans = [2]bool{transA, transB}
	}
	return out
}

// matMulBackward: forward C = op(A)·op(B), so
//
//	dA = dC·op(B)ᵀ       (or op(B)·dCᵀ when A was transposed)
//	dB = op(A)ᵀ·dC       (or dCᵀ·op(A) when B was transposed)
func matMulBackward(g *Graph, n *node, dC *Var) {
	a, b := n.in[0], n.in[1]
	transA, transB := n.trans[0], n.trans[1]
	if g.pairs(a, b) {
		var da, db *Var
		if transA {
			da = g.pairProduct(&g.pair[0], a, b, dC, transB, true)
		} else {
			da = g.pairProduct(&g.pair[0], a, dC, b, false, !transB)
		}
		if transB {
			db = g.pairProduct(&g.pair[1], b, dC, a, true, transA)
		} else {
			db = g.pairProduct(&g.pair[1], b, a, dC, !transA, false)
		}
		g.runPair(a, da, b, db)
		return
	}
	if g.wants(a) {
		if transA {
			g.accumulateProduct(a, b, dC, transB, true)
		} else {
			g.accumulateProduct(a, dC, b, false, !transB)
		}
	}
	if g.wants(b) {
		if transB {
			g.accumulateProduct(b, dC, a, true, transA)
		} else {
			g.accumulateProduct(b, a, dC, !transA, false)
		}
	}
}

// accumulateProduct adds op(p)·op(q) to x's gradient: computed straight into a
// parameter's Grad (C += op(p)·op(q), beta = 1) when the pass allows it, else as a
// MatMul passed to accumulate.
func (g *Graph) accumulateProduct(x, p, q *Var, transP, transQ bool) {
	if g.dev != nil {
		g.cudaAccumulateProduct(x, p, q, transP, transQ)
		return
	}
	dst := g.paramGrad(x)
	if dst == nil {
		g.accumulate(x, g.MatMul(p, q, transP, transQ))
		return
	}
	m, nq, k := gradientProduct(x, p, q, transP, transQ)
	g.sgemm(transP, transQ, m, nq, k, 1, p.Data, p.Cols(), q.Data, q.Cols(), 1, dst, nq)
}

// gradientProduct is the size (m, n, k) of op(p)·op(q), checked to fill x's gradient.
func gradientProduct(x, p, q *Var, transP, transQ bool) (m, n, k int) {
	m, k = p.Rows(), p.Cols()
	if transP {
		m, k = k, m
	}
	n = q.Cols()
	if transQ {
		n = q.Rows()
	}
	if m*n != x.Len() {
		panic("autograd: gradient of " + x.Shape.String() + " from a product of " + p.Shape.String() + " and " + q.Shape.String())
	}
	return m, n, k
}

// sgemm is gemm.Sgemm, counted: every matrix product an op computes goes
// through it, so Flops reports the work a step did.
func (g *Graph) sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	g.countFlops(2 * uint64(m) * uint64(n) * uint64(k))
	gemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// countFlops adds f to Flops; the two jobs of a pair (pairs.go) count at once.
func (g *Graph) countFlops(f uint64) { g.flops.Add(f) }

// Flops is the number of floating-point operations in matrix products since the
// graph was made (2·m·n·k per product): the figure benchmarks divide by time.
func (g *Graph) Flops() uint64 { return g.flops.Load() }
