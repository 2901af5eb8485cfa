package autograd

import "github.com/gogan/gogan/internal/parallel"

// Pairs. The backward rule of a product (C = op(A)·op(B)) or of a convolution computes
// two gradients that do not depend on each other: its input's and its weights'. When both
// are wanted, the rule runs them at once, each on half of the team (parallel.Pair): on
// many cores a product shared by half the threads costs less in hand-overs and packing,
// and each core gives more when half of them work on it. Each gradient is computed as it
// would be alone (the products' and convolutions' bits do not depend on how many threads
// share them), so the bits do not change; the two are then accumulated in the order of the
// serial rule.
//
// A pair runs only on the CPU, on 4 threads or more, outside a recorded or profiled pass
// (a profile times op by op), and when the two gradients go to different Vars. Its jobs
// allocate from the arena and count flops at once, both of which are safe for that;
// nothing else of the graph is touched until both are done.

// gradKind is what a gradJob computes.
type gradKind uint8

const (
	gradProduct    gradKind = iota // c = op(a)·op(b) + beta·c
	gradConv                       // c = a ⋆ b (Conv2D's forward, d its geometry)
	gradConvData                   // c = a ⋆ᵀ b (the input gradient of Conv2D)
	gradConvFilter                 // c = a ⋆ʷ b (the filter gradient of Conv2D)
)

// gradJob is one gradient of a pair, a parallel.Job of one part. Graph keeps two, so
// that a pair allocates nothing.
type gradJob struct {
	g              *Graph
	kind           gradKind
	transA, transB bool
	m, n, k        int
	a, b, c        []float32
	lda, ldb, ldc  int
	beta           float32
	d              convDims
}

// Run computes the job's gradient.
func (j *gradJob) Run(_, _ int) {
	switch j.kind {
	case gradProduct:
		j.g.sgemm(j.transA, j.transB, j.m, j.n, j.k, 1, j.a, j.lda, j.b, j.ldb, j.beta, j.c, j.ldc)
	case gradConv:
		j.g.convForward(j.c, j.a, j.b, j.d)
	case gradConvData:
		j.g.convBackwardData(j.c, j.a, j.b, j.d)
	case gradConvFilter:
		j.g.convBackwardFilter(j.c, j.a, j.b, j.d)
	}
}

// pairs reports whether a backward rule computes the gradients of x and y as a pair:
// both wanted, different Vars, on the CPU, in a pass neither recorded nor profiled, and
// threads enough to run the two at once. Otherwise the rule computes them one after
// the other, as it does on one or two threads.
func (g *Graph) pairs(x, y *Var) bool {
	return x != y && g.dev == nil && g.profile == nil && !g.recording && g.wants(x) && g.wants(y) && parallel.PairsTogether()
}

// runPair computes the two gradients set in g.pair at once, forgets the jobs, then
// accumulates the results that went to new Vars (dx into x, dy into y; nil for one that
// went straight into a parameter's Grad), in the order of the serial rule.
func (g *Graph) runPair(x, dx, y, dy *Var) {
	// The jobs' arena allocations are scratch of their ops; run at once, they may give it
	// back out of order, which releaseScratch cannot take back: rewind past it instead.
	off := g.arena.mark()
	if parallel.Pair(&g.pair[0], &g.pair[1]) {
		g.pairsRun++
	}
	g.arena.rewind(off)
	g.pair = [2]gradJob{}
	if dx != nil {
		g.accumulate(x, dx)
	}
	if dy != nil {
		g.accumulate(y, dy)
	}
}

// pairProduct sets j to add op(p)·op(q) to x's gradient: into a parameter's Grad
// (beta = 1) when the pass allows it, as accumulateProduct does, else into a new Var,
// which it returns for the caller to accumulate once the pair is done.
func (g *Graph) pairProduct(j *gradJob, x, p, q *Var, transP, transQ bool) (v *Var) {
	m, n, k := gradientProduct(x, p, q, transP, transQ)
	dst, beta := g.paramGrad(x), float32(1)
	if dst == nil {
		v = g.newVar(m, n)
		dst, beta = v.Data, 0
	}
	*j = gradJob{g: g, kind: gradProduct, transA: transP, transB: transQ, m: m, n: n, k: k,
		a: p.Data, lda: p.Cols(), b: q.Data, ldb: q.Cols(), c: dst, ldc: n, beta: beta}
	return v
}

// pairConv sets j to compute conv(x, w) into a new Var, which it returns.
func (g *Graph) pairConv(j *gradJob, x, w *Var, win window, oh, ow int) *Var {
	y, d := g.newConv(x, w, win, oh, ow)
	*j = gradJob{g: g, kind: gradConv, a: x.Data, b: w.Data, c: y.Data, d: d}
	return y
}

// pairConvT sets j to compute convT(dy, w) into a new Var, which it returns.
func (g *Graph) pairConvT(j *gradJob, dy, w *Var, win window, h, wd int) *Var {
	dx, d := g.newConvT(dy, w, win, h, wd)
	*j = gradJob{g: g, kind: gradConvData, a: dy.Data, b: w.Data, c: dx.Data, d: d}
	return dx
}

// pairConvW sets j to compute convW(x, dy) into a new Var, which it returns.
func (g *Graph) pairConvW(j *gradJob, x, dy *Var, win window) *Var {
	dw, d := g.newConvW(x, dy, win)
	*j = gradJob{g: g, kind: gradConvFilter, a: x.Data, b: dy.Data, c: dw.Data, d: d}
	return dw
}
