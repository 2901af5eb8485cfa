package autograd

import (
	"github.com/gogan/gogan/internal/cuda"
	"github.com/gogan/gogan/internal/vec"
)

// LeakyReLU returns x where x > 0 and alpha·x elsewhere (ReLU when alpha is 0).
func (g *Graph) LeakyReLU(x *Var, alpha float32) *Var {
	out := g.newVarLike(x)
	if g.dev != nil {
		g.dev.LeakyReLU(out.dev, g.ptr(x), x.Len(), alpha)
	} else {
		vec.LeakyReLU(out.Data, x.Data, alpha)
	}
	if nd := g.record("LeakyReLU", out, leakyReLUBackward, x); nd != nil {
		nd.slope = alpha
	}
	return out
}

// leakyReLUBackward: forward y = x (x > 0) or alpha·x, so dx = dy where x > 0 and
// alpha·dy elsewhere: a mask fixed by x, linear in dy.
func leakyReLUBackward(g *Graph, n *node, dy *Var) {
	x := n.in[0]
	if !g.wants(x) {
		return
	}
	if g.dev != nil {
		g.cpuOnlyIf(n.slope < 0, "LeakyReLU with a negative slope")
		g.accumulate(x, g.cudaLeakyMask(dy, n.out.dev, n.slope)) // y > 0 where x > 0
		return
	}
	g.accumulate(x, g.leakyMask(dy, x.Data, n.slope))
}

// leakyMask returns dy scaled by 1 where x > 0 and by alpha elsewhere. Its
// derivative with respect to x is zero almost everywhere, so x is data, not an input.
func (g *Graph) leakyMask(dy *Var, x []float32, alpha float32) *Var {
	g.cpuOnly("leakyMask")
	out := g.newVarLike(dy)
	vec.LeakyReLUBackward(out.Data, x, dy.Data, alpha)
	if nd := g.record("LeakyReLUMask", out, leakyMaskBackward, dy); nd != nil {
		nd.slope = alpha
		nd.gate = x
	}
	return out
}

// cudaLeakyMask is leakyMask on the device, the gate (dy's size) in device
// memory: LeakyReLUGrad's kernel, which reads the mask off the gate's sign.
func (g *Graph) cudaLeakyMask(dy *Var, gate cuda.Ptr, alpha float32) *Var {
	out := g.newVarLike(dy)
	g.dev.LeakyReLUGrad(out.dev, g.ptr(dy), gate, dy.Len(), alpha, false)
	if nd := g.record("LeakyReLUMask", out, leakyMaskBackward, dy); nd != nil {
		nd.slope = alpha
		nd.devGate = gate
	}
	return out
}

// leakyMaskBackward: forward y = m ⊙ dy with a fixed mask m, so d(dy) = m ⊙ dy'.
func leakyMaskBackward(g *Graph, n *node, d *Var) {
	if !g.wants(n.in[0]) {
		return
	}
	if g.dev != nil {
		g.accumulate(n.in[0], g.cudaLeakyMask(d, n.devGate, n.slope))
		return
	}
	g.accumulate(n.in[0], g.leakyMask(d, n.gate, n.slope))
}

// ReLU returns max(x, 0).
func (g *Graph) ReLU(x *Var) *Var { return g.LeakyReLU(x, 0) }

// Tanh returns tanh(x).
func (g *Graph) Tanh(x *Var) *Var {
	out := g.newVarLike(x)
	if g.dev != nil {
		g.dev.Tanh(out.dev, g.ptr(x), x.Len())
	} else {
		vec.Tanh(out.Data, x.Data)
	}
	g.record("Tanh", out, tanhBackward, x)
	return out
}

// tanhBackward: forward y = tanh(x), so dx = dy ⊙ (1 − y²).
func tanhBackward(g *Graph, n *node, dy *Var) {
	x, y := n.in[0], n.out
	if !g.wants(x) {
		return
	}
	if !g.recording {
		dx := g.newVarLike(dy)
		if g.dev != nil {
			g.dev.TanhGrad(dx.dev, g.ptr(dy), y.dev, dx.Len(), false)
		} else {
			vec.TanhBackward(dx.Data, y.Data, dy.Data)
		}
		g.accumulate(x, dx)
		return
	}
	g.accumulate(x, g.tanhGrad(dy, y))
}

// tanhGrad is dy ⊙ (1 − y²), recorded: the gradient through y = tanh(x).
func (g *Graph) tanhGrad(dy, y *Var) *Var {
	return g.Mul(dy, g.AddScalar(g.Scale(g.Square(y), -1), 1))
}

// Sigmoid returns 1/(1+exp(−x)). The result remembers x, so that
// BinaryCrossEntropy can work on the logits, as Keras does.
func (g *Graph) Sigmoid(x *Var) *Var {
	out := g.newVarLike(x)
	if g.dev != nil {
		g.dev.Sigmoid(out.dev, g.ptr(x), x.Len())
	} else {
		vec.Sigmoid(out.Data, x.Data)
	}
	g.record("Sigmoid", out, sigmoidBackward, x)
	out.logits = x
	return out
}

// Logits returns the input of the Sigmoid that produced p, or nil when p is not a
// Sigmoid's output.
func (p *Var) Logits() *Var { return p.logits }

// sigmoidBackward: forward y = σ(x), so dx = dy ⊙ y ⊙ (1 − y).
func sigmoidBackward(g *Graph, n *node, dy *Var) {
	x, y := n.in[0], n.out
	if !g.wants(x) {
		return
	}
	if !g.recording {
		dx := g.newVarLike(dy)
		if g.dev != nil {
			g.dev.SigmoidGrad(dx.dev, g.ptr(dy), y.dev, dx.Len(), false)
			g.accumulate(x, dx)
			return
		}
		vec.SigmoidBackward(dx.Data, y.Data, dy.Data)
		g.accumulate(x, dx)
		return
	}
	g.accumulate(x, g.Mul(dy, g.Mul(y, g.AddScalar(g.Scale(y, -1), 1))))
}

// Softplus returns log(1 + exp(x)), computed without overflow.
func (g *Graph) Softplus(x *Var) *Var {
	g.cpuOnly("Softplus")
	out := g.newVarLike(x)
	vec.Softplus(out.Data, x.Data)
	g.record("Softplus", out, softplusBackward, x)
	return out
}

// softplusBackward: forward y = log(1+eˣ), so dx = dy ⊙ σ(x).
func softplusBackward(g *Graph, n *node, dy *Var) {
	x := n.in[0]
	if g.wants(x) {
		g.accumulate(x, g.Mul(dy, g.Sigmoid(x)))
	}
}

// BiasLeakyReLU returns LeakyReLU(x + b) in one pass: x is (N, F...), b holds F...
// (as AddBias). Its backward is one pass too, where nothing records it; recorded
// (a gradient penalty), it is AddBias's and LeakyReLU's, so it differentiates twice.
// alpha must not be negative (the backward reads the mask off the output).
func (g *Graph) BiasLeakyReLU(x, b *Var, alpha float32) *Var {
	checkBias("BiasLeakyReLU", x, b)
	if !(alpha >= 0) {
		panic("autograd: BiasLeakyReLU with a negative slope")
	}
	out := g.newVarLike(x)
	if g.dev != nil {
		g.dev.BiasLeakyReLU(out.dev, g.ptr(x), g.ptr(b), x.Rows(), x.Cols(), alpha)
	} else {
		vec.BiasLeakyReLU(out.Data, x.Data, b.Data, alpha)
	}
	if nd := g.record("BiasLeakyReLU", out, biasLeakyReLUBackward, x, b); nd != nil {
		nd.slope = alpha
	}
	return out
}

// biasLeakyReLUBackward: forward y = LeakyReLU(x + b), so with the mask m = 1 where
// y > 0 (where x + b > 0, alpha ≥ 0) and alpha elsewhere, dx = m ⊙ dy and
// db = Σ_rows m ⊙ dy.
func biasLeakyReLUBackward(g *Graph, n *node, dy *Var) {
	x, b, y := n.in[0], n.in[1], n.out
	if g.dev != nil {
		if g.recording {
			g.biasActivationGrads(x, b, g.cudaLeakyMask(dy, y.dev, n.slope))
			return
		}
		g.cudaBiasActivationGrads(x, b, dy, func(dz cuda.Ptr) { g.dev.LeakyReLUGrad(dz, g.ptr(dy), y.dev, dy.Len(), n.slope, false) })
		return
	}
	if g.recording {
		dz := g.leakyMask(dy, y.Data, n.slope)
		g.biasActivationGrads(x, b, dz)
		return
	}
	g.fusedBiasActivationGrads(x, b, dy,
		func(dz, db []float32) { vec.BiasLeakyReLUBackward(dz, db, y.Data, dy.Data, n.slope) },
		func(dz []float32) { vec.LeakyReLUBackward(dz, y.Data, dy.Data, n.slope) })
}

// BiasTanh returns tanh(x + b) in one pass: x is (N, F...), b holds F... (as
// AddBias). Like BiasLeakyReLU, its backward is fused where nothing records it.
func (g *Graph) BiasTanh(x, b *Var) *Var {
	checkBias("BiasTanh", x, b)
	out := g.newVarLike(x)
	if g.dev != nil {
		g.dev.BiasTanh(out.dev, g.ptr(x), g.ptr(b), x.Rows(), x.Cols())
	} else {
		vec.BiasTanh(out.Data, x.Data, b.Data)
	}
	g.record("BiasTanh", out, biasTanhBackward, x, b)
	return out
}

// biasTanhBackward: forward y = tanh(x + b), so dx = dy ⊙ (1 − y²) and
// db = Σ_rows dy ⊙ (1 − y²).
func biasTanhBackward(g *Graph, n *node, dy *Var) {
	x, b, y := n.in[0], n.in[1], n.out
	if g.recording { // recorded ops, on the device as on the CPU
		g.biasActivationGrads(x, b, g.tanhGrad(dy, y))
		return
	}
	if g.dev != nil {
		g.cudaBiasActivationGrads(x, b, dy, func(dz cuda.Ptr) { g.dev.TanhGrad(dz, g.ptr(dy), y.dev, dy.Len(), false) })
		return
	}
	g.fusedBiasActivationGrads(x, b, dy,
		func(dz, db []float32) { vec.BiasTanhBackward(dz, db, y.Data, dy.Data) },
		func(dz []float32) { vec.TanhBackward(dz, y.Data, dy.Data) })
}

// fusedBiasActivationGrads passes the gradient dy at an activation of x + b on
// to x and b where nothing records it: fused writes dz (the gradient at x + b)
// and adds its column sums to db in one pass; plain writes dz alone, when b
// wants no gradient.
func (g *Graph) fusedBiasActivationGrads(x, b, dy *Var, fused func(dz, db []float32), plain func(dz []float32)) {
	dz := g.newVarLike(dy)
	if db, dbVar := g.biasGrad(b); db != nil {
		fused(dz.Data, db)
		if dbVar != nil {
			g.accumulate(b, dbVar)
		}
	} else {
		plain(dz.Data)
	}
	if g.wants(x) {
		g.accumulate(x, dz)
	}
}

// biasActivationGrads passes the gradient dz at x + b on to x and b, recorded.
func (g *Graph) biasActivationGrads(x, b, dz *Var) {
	if g.wants(x) {
		g.accumulate(x, dz)
	}
	if g.wants(b) {
		g.accumulate(b, g.SumRows(dz, b.Shape...))
	}
}

// checkBias panics unless b has as many elements as a row of x.
func checkBias(op string, x, b *Var) {
	if x.Cols() != b.Len() {
		panic("autograd: " + op + " of " + b.Shape.String() + " to rows of " + x.Shape.String())
	}
}
