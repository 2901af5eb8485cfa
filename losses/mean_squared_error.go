package losses

import "github.com/gogan/gogan/autograd"

// MeanSquaredError returns the mean of (a − b)² over all elements (same shapes).
func MeanSquaredError(g *autograd.Graph, a, b *autograd.Var) *autograd.Var {
	return g.Mean(g.Square(g.Sub(a, b)))
}
