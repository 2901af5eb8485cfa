package autograd

import "github.com/gogan/gogan/internal/vec"

// LeakyReLU returns x where x > 0 and alpha·x elsewhere (ReLU when alpha is 0).
func (g *Graph) LeakyReLU(x *Var, alpha float32) *Var {
	out := g.newVarLike(x)
	vec.LeakyReLU(out.Data, x.Data, alpha)
	if nd := g.record("LeakyReLU", out, leakyReLUBackward, x); nd != nil {
		nd.alpha = alpha
	}
	return out
}

// leakyReLUBackward: forward y = x (x > 0) or alpha·x, so dx = dy where x > 0 and
// alpha·dy elsewhere: a mask fixed by x, linear in dy.
func leakyReLUBackward(g *Graph, n *node, dy *Var) {
	x := n.in[0]
	if g.wants(x) {
		g.accumulate(x, g.leakyMask(dy, x.Data, n.alpha))
	}
}

// leakyMask returns dy scaled by 1 where x > 0 and by alpha elsewhere. Its
// derivative with respect to x is zero almost everywhere, so x is data, not an input.
func (g *Graph) leakyMask(dy *Var, x []float32, alpha float32) *Var {
	out := g.newVarLike(dy)
	vec.LeakyReLUBackward(out.Data, x, dy.Data, alpha)
	if nd := g.record("LeakyReLUMask", out, leakyMaskBackward, dy); nd != nil {
		nd.alpha = alpha
		nd.saved = x
	}
	return out
}

// leakyMaskBackward: forward y = m ⊙ dy with a fixed mask m, so d(dy) = m ⊙ dy'.
func leakyMaskBackward(g *Graph, n *node, d *Var) {
	if g.wants(n.in[0]) {
		g.accumulate(n.in[0], g.leakyMask(d, n.saved, n.alpha))
	}
}

// ReLU returns max(x, 0).
func (g *Graph) ReLU(x *Var) *Var { return g.LeakyReLU(x, 0) }

// Tanh returns tanh(x).
func (g *Graph) Tanh(x *Var) *Var {
	out := g.newVarLike(x)
	vec.Tanh(out.Data, x.Data)
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
		for i, v := range y.Data {
			dx.Data[i] = dy.Data[i] * (1 - v*v)
		}
		g.accumulate(x, dx)
		return
	}
	g.accumulate(x, g.Mul(dy, g.AddScalar(g.Scale(g.Square(y), -1), 1)))
}

// Sigmoid returns 1/(1+exp(−x)). The result remembers x, so that
// BinaryCrossEntropy can work on the logits, as Keras does.
func (g *Graph) Sigmoid(x *Var) *Var {
	out := g.newVarLike(x)
	vec.Sigmoid(out.Data, x.Data)
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
		for i, v := range y.Data {
			dx.Data[i] = dy.Data[i] * v * (1 - v)
		}
		g.accumulate(x, dx)
		return
	}
	g.accumulate(x, g.Mul(dy, g.Mul(y, g.AddScalar(g.Scale(y, -1), 1))))
}

// Softplus returns log(1 + exp(x)), computed without overflow.
func (g *Graph) Softplus(x *Var) *Var {
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
