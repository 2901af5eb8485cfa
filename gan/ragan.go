package gan

import (
	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/losses"
)

// RelativisticAverage is RaSGAN, the relativistic average standard GAN
// (Jolicoeur-Martineau 2018, "The relativistic discriminator: a key element
// missing from standard GAN").
// With C the scores and x̃ = G(z), D judges whether a real sample is more
// realistic than the generated ones on average, and the reverse:
//
//	D: −mean log σ(C(x) − mean C(x̃)) − mean log(1 − σ(C(x̃) − mean C(x)))
//	G: −mean log σ(C(x̃) − mean C(x)) − mean log(1 − σ(C(x) − mean C(x̃)))
//
// that is BCE with logits of the relative scores. G's loss reads the real
// scores: its gradient also flows through mean C(x̃) in the second term.
type RelativisticAverage struct{}

// DiscriminatorLoss is BCE(real − mean fake, 1) + BCE(fake − mean real, 0).
func (RelativisticAverage) DiscriminatorLoss(g *autograd.Graph, real, fake *autograd.Var) *autograd.Var {
	return relativisticBCE(g, real, fake)
}

// GeneratorLoss is BCE(fake − mean real, 1) + BCE(real − mean fake, 0): D's
// loss with the roles swapped.
func (RelativisticAverage) GeneratorLoss(g *autograd.Graph, real, fake *autograd.Var) *autograd.Var {
	return relativisticBCE(g, fake, real)
}

// GeneratorReadsReal is true.
func (RelativisticAverage) GeneratorReadsReal() bool { return true }

// relativisticBCE is BCE(a − mean b, 1) + BCE(b − mean a, 0) on logits: a's
// samples judged more realistic than b's on average, and b's less than a's.
func relativisticBCE(g *autograd.Graph, a, b *autograd.Var) *autograd.Var {
	ra, rb := relative(g, a, b), relative(g, b, a)
	return g.Add(
		losses.BinaryCrossEntropyWithLogits(g, ra, losses.Targets(g, 1, ra)),
		losses.BinaryCrossEntropyWithLogits(g, rb, losses.Targets(g, 0, rb)))
}

// relative is a's scores less the mean of b's: a − mean(b), shaped as a.
func relative(g *autograd.Graph, a, b *autograd.Var) *autograd.Var {
	return g.Sub(a, g.Expand(g.Mean(b), a.Shape...))
}
