package autograd

import "github.com/gogan/gogan/internal/cuda"

// PowerIteration takes one step of spectral normalization's power iteration on
// the graph's device, for k read as the matrix K (rows, cols), u (cols) and v
// (rows), parameters (state) on the device, updated in place:
//
//	v = K·u/max(‖K·u‖, 1e-12);  u = Kᵀ·v/max(‖Kᵀ·v‖, 1e-12)
//
// in float64, in the order of nn.SpectralNormLayer's CPU loop (its twin, which
// gives the same bits). It is not recorded: no gradient flows through u and v.
// On a graph on the CPU it panics: the layer runs its own loop there.
func (g *Graph) PowerIteration(k, u, v *Var) {
	if g.dev == nil {
		panic("autograd: PowerIteration on a graph on the CPU (nn.SpectralNormLayer runs its loop there)")
	}
	rows, cols := v.Len(), u.Len()
	if k.Len() != rows*cols {
		panic("autograd: PowerIteration of " + k.Shape.String() + " with u " + u.Shape.String() + " and v " + v.Shape.String())
	}
	scratch := g.darena.alloc(cuda.PowerIterationScratch(rows, cols))
	g.dev.PowerIteration(g.ptr(k), g.ptr(u), g.ptr(v), rows, cols, scratch)
}
