package autograd

import (
	"github.com/gogan/gogan/internal/gemm"
	"github.com/gogan/gogan/internal/vec"
)

// MatMulBiasLeakyReLU returns LeakyReLU(x·w + b), a Dense layer with its bias and
// activation: x is (m, k), w (k, n), b holds n values, the result is (m, n). It
// is BiasLeakyReLU(MatMul(x, w, false, false), b, alpha) bit for bit, with the same
// gradients, but on the CPU the bias and the activation are applied to each block
// of the product as the core that computed it finishes it (gemm.SgemmThen), while
// it is in that core's cache: they take no pass of their own over memory and no
// hand-over between threads. alpha must not be negative.
func (g *Graph) MatMulBiasLeakyReLU(x, w, b *Var, alpha float32) *Var {
	if !(alpha >= 0) {
		panic("autograd: MatMulBiasLeakyReLU with a negative slope")
	}
	if g.dev != nil {
		return g.BiasLeakyReLU(g.MatMul(x, w, false, false), b, alpha)
	}
	g.tail = denseTail{b: b.Data, alpha: alpha}
	y, h := g.matMulThen(x, w, b, "MatMulBiasLeakyReLU")
	if nd := g.recordUnprofiled("BiasLeakyReLU", y, biasLeakyReLUBackward, h, b); nd != nil {
		nd.slope = alpha
	}
	return y
}

// MatMulBiasTanh returns tanh(x·w + b), as MatMulBiasLeakyReLU returns a leaky
// rectifier's: BiasTanh(MatMul(x, w, false, false), b) bit for bit, the bias and
// tanh applied to each block of the product as it is finished.
func (g *Graph) MatMulBiasTanh(x, w, b *Var) *Var {
	if g.dev != nil {
		return g.BiasTanh(g.MatMul(x, w, false, false), b)
	}
	g.tail = denseTail{b: b.Data, tanh: true}
	y, h := g.matMulThen(x, w, b, "MatMulBiasTanh")
	g.recordUnprofiled("BiasTanh", y, biasTanhBackward, h, b)
	return y
}

// matMulThen computes y = act(x·w + b) with g.tail as the product's epilogue, and
// records the product as a MatMul node whose output h is y's storage: h, the
// product before its bias and activation, is not kept, and no backward rule reads
// it (MatMul's reads its operands, the bias activation's its output y). The
// caller records the activation's node, from h to y. The product's node bears
// the caller's name op, in panics and in an OpProfile, whose forward time for it
// is the whole op's: the caller records the activation's node unprofiled.
func (g *Graph) matMulThen(x, w, b *Var, op string) (y, h *Var) {
	m, k := x.Rows(), x.Cols()
	if w.Rows() != k {
		panic("autograd: " + op + " inner dimensions differ: " + x.Shape.String() + " and " + w.Shape.String())
	}
	n := w.Cols()
	if b.Len() != n {
		panic("autograd: " + op + " of a bias of " + b.Shape.String() + " to rows of " + w.Shape.String() + "'s product")
	}
	y = g.newVar(m, n)
	g.countFlops(2 * uint64(m) * uint64(n) * uint64(k))
	gemm.SgemmThen(false, false, m, n, k, x.Data, k, w.Data, n, y.Data, n, &g.tail)
	g.tail = denseTail{}
	h = g.view(y, m, n)
	if nd := g.record(op, h, matMulBackward, x, w); nd != nil {
		nd.trans = [2]bool{false, false}
	}
	return y, h
}

// denseTail is a Dense layer's bias and activation as a product's epilogue: the
// leaky rectifier of slope alpha, or tanh.
type denseTail struct {
	b     []float32
	alpha float32
	tanh  bool
}

// Apply rewrites row, the columns [j, j+len(row)) of a row of the product, as
// act(row + b).
func (t *denseTail) Apply(row []float32, j int) {
	b := t.b[j : j+len(row)]
	if t.tanh {
		vec.BiasTanh(row, row, b)
		return
	}
	vec.BiasLeakyReLU(row, row, b, t.alpha)
}
