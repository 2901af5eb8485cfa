package gan

import (
	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/losses"
)

// The built-in objectives of Objectives other than the relativistic ones
// (ragan.go, ralsgan.go). Each reads scores (n, 1) and gives a scalar.

// NonSaturating is the seed's objective (Goodfellow et al. 2014, §3):
// D: BCE(D(x), 1 − s) + BCE(D(G(z)), 0); G: BCE(D(G(z)), 1), on logits.
type NonSaturating struct {
	LabelSmoothing float32 // s: one-sided, real targets 1 − s
}

// DiscriminatorLoss is BCE(real, 1 − s) + BCE(fake, 0).
func (o NonSaturating) DiscriminatorLoss(g *autograd.Graph, real, fake *autograd.Var) *autograd.Var {
	return bceDiscriminatorLoss(g, real, fake, 1-o.LabelSmoothing)
}

// GeneratorLoss is BCE(fake, 1).
func (NonSaturating) GeneratorLoss(g *autograd.Graph, _, fake *autograd.Var) *autograd.Var {
	return losses.BinaryCrossEntropyWithLogits(g, fake, losses.Targets(g, 1, fake))
}

// GeneratorReadsReal is false.
func (NonSaturating) GeneratorReadsReal() bool { return false }

// bceDiscriminatorLoss is BCE(real, realTarget) + BCE(fake, 0) on logits.
func bceDiscriminatorLoss(g *autograd.Graph, real, fake *autograd.Var, realTarget float32) *autograd.Var {
	return g.Add(
		losses.BinaryCrossEntropyWithLogits(g, real, losses.Targets(g, realTarget, real)),
		losses.BinaryCrossEntropyWithLogits(g, fake, losses.Targets(g, 0, fake)))
}

// Minimax is the original GAN game: D as NonSaturating, G minimizes
// log(1 − D(G(z))) = −BCE(D(G(z)), 0).
type Minimax struct {
	LabelSmoothing float32 // s: one-sided, real targets 1 − s
}

// DiscriminatorLoss is BCE(real, 1 − s) + BCE(fake, 0).
func (o Minimax) DiscriminatorLoss(g *autograd.Graph, real, fake *autograd.Var) *autograd.Var {
	return bceDiscriminatorLoss(g, real, fake, 1-o.LabelSmoothing)
}

// GeneratorLoss is −BCE(fake, 0).
func (Minimax) GeneratorLoss(g *autograd.Graph, _, fake *autograd.Var) *autograd.Var {
	return g.Scale(losses.BinaryCrossEntropyWithLogits(g, fake, losses.Targets(g, 0, fake)), -1)
}

// GeneratorReadsReal is false.
func (Minimax) GeneratorReadsReal() bool { return false }

// LeastSquares is LSGAN (Mao et al. 2017): D: ½mean((D(x) − (1 − s))²) +
// ½mean(D(G(z))²); G: ½mean((D(G(z)) − 1)²).
type LeastSquares struct {
	LabelSmoothing float32 // s: one-sided, real targets 1 − s
}

// DiscriminatorLoss is ½MSE(real, 1 − s) + ½MSE(fake, 0).
func (o LeastSquares) DiscriminatorLoss(g *autograd.Graph, real, fake *autograd.Var) *autograd.Var {
	return g.Scale(g.Add(
		losses.MeanSquaredError(g, real, losses.Targets(g, 1-o.LabelSmoothing, real)),
		losses.MeanSquaredError(g, fake, losses.Targets(g, 0, fake))), 0.5)
}

// GeneratorLoss is ½MSE(fake, 1).
func (LeastSquares) GeneratorLoss(g *autograd.Graph, _, fake *autograd.Var) *autograd.Var {
	return g.Scale(losses.MeanSquaredError(g, fake, losses.Targets(g, 1, fake)), 0.5)
}

// GeneratorReadsReal is false.
func (LeastSquares) GeneratorReadsReal() bool { return false }

// Wasserstein is WGAN's critic objective (Arjovsky et al. 2017): D: mean
// D(G(z)) − mean D(x); G: −mean D(G(z)). It needs D to be kept Lipschitz:
// by clipping (wgan) or a gradient penalty (wgan-gp).
type Wasserstein struct{}

// DiscriminatorLoss is mean(fake) − mean(real).
func (Wasserstein) DiscriminatorLoss(g *autograd.Graph, real, fake *autograd.Var) *autograd.Var {
	return g.Sub(g.Mean(fake), g.Mean(real))
}

// GeneratorLoss is −mean(fake).
func (Wasserstein) GeneratorLoss(g *autograd.Graph, _, fake *autograd.Var) *autograd.Var {
	return g.Scale(g.Mean(fake), -1)
}

// GeneratorReadsReal is false.
func (Wasserstein) GeneratorReadsReal() bool { return false }

// Hinge is the hinge objective of SNGAN (Miyato et al. 2018): D:
// mean relu(1 − D(x)) + mean relu(1 + D(G(z))); G: −mean D(G(z)).
type Hinge struct{}

// DiscriminatorLoss is mean relu(1 − real) + mean relu(1 + fake).
func (Hinge) DiscriminatorLoss(g *autograd.Graph, real, fake *autograd.Var) *autograd.Var {
	return g.Add(
		g.Mean(g.ReLU(g.AddScalar(g.Scale(real, -1), 1))),
		g.Mean(g.ReLU(g.AddScalar(fake, 1))))
}

// GeneratorLoss is −mean(fake).
func (Hinge) GeneratorLoss(g *autograd.Graph, _, fake *autograd.Var) *autograd.Var {
	return g.Scale(g.Mean(fake), -1)
}

// GeneratorReadsReal is false.
func (Hinge) GeneratorReadsReal() bool { return false }
