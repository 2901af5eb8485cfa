package gan

import "github.com/gogan/gogan/autograd"

// RelativisticAverageLS is RaLSGAN, the relativistic average least-squares GAN
// (Jolicoeur-Martineau 2018, "The relativistic discriminator: a key element
// missing from standard GAN"):
//
//	D: mean (C(x) − mean C(x̃) − 1)² + mean (C(x̃) − mean C(x) + 1)²
//	G: mean (C(x̃) − mean C(x) − 1)² + mean (C(x) − mean C(x̃) + 1)²
//
// with C the scores and x̃ = G(z): D's loss with the roles swapped for G.
type RelativisticAverageLS struct{}

// DiscriminatorLoss is mean (real − mean fake − 1)² + mean (fake − mean real + 1)².
func (RelativisticAverageLS) DiscriminatorLoss(g *autograd.Graph, real, fake *autograd.Var) *autograd.Var {
	return relativisticSquares(g, real, fake)
}

// GeneratorLoss is mean (fake − mean real − 1)² + mean (real − mean fake + 1)².
func (RelativisticAverageLS) GeneratorLoss(g *autograd.Graph, real, fake *autograd.Var) *autograd.Var {
	return relativisticSquares(g, fake, real)
}

// GeneratorReadsReal is true.
func (RelativisticAverageLS) GeneratorReadsReal() bool { return true }

// relativisticSquares is mean (a − mean b − 1)² + mean (b − mean a + 1)².
func relativisticSquares(g *autograd.Graph, a, b *autograd.Var) *autograd.Var {
	return g.Add(
		g.Mean(g.Square(g.AddScalar(relative(g, a, b), -1))),
		g.Mean(g.Square(g.AddScalar(relative(g, b, a), 1))))
}
