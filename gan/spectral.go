package gan

import (
	"fmt"

	"github.com/gogan/gogan/nn"
)

// withSpectralNorm returns D with every kernel layer (Dense, Conv2D,
// Conv2DTranspose) wrapped in nn.SpectralNorm, for the sngan recipe.
func withSpectralNorm(d nn.Network) (nn.Network, error) {
	seq, ok := d.(*nn.Sequential)
	if !ok {
		return nil, fmt.Errorf("spectral normalization wraps the layers of a Sequential discriminator; %s is a functional model", d.Name())
	}
	layers := seq.Layers()
	wrapped := make([]nn.Layer, len(layers))
	for i, l := range layers {
		if nn.HasKernel(l) {
			wrapped[i] = nn.SpectralNorm(l)
		} else {
			wrapped[i] = l
		}
	}
	return nn.NewSequential(seq.Name(), wrapped...), nil
}
