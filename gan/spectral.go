package gan

import (
	"fmt"

	"github.com/gogan/gogan/nn"
)

// withSpectralNorm returns D with spectral normalization on every layer that
// has a kernel (Dense, Conv2D), for the sngan recipe.
func withSpectralNorm(d *nn.Sequential) (*nn.Sequential, error) {
	return nil, fmt.Errorf("spectral normalization is not available yet")
}
