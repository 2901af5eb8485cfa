package generator

import "fmt"

// Latents returns the latent vectors, (len(seeds), LatentDim), that Generate
// draws for Request{Seeds: seeds, Truncation: t}: a program can blend them
// (an interpolation, a latent walk) and pass the result back as Request.Latents.
func (g *Generator) Latents(seeds []uint64, t float64) ([]float32, error) {
	n, err := g.count(Request{Seeds: seeds, Truncation: t})
	if err != nil {
		return nil, fmt.Errorf("generator: %w", err)
	}
	z := make([]float32, n*g.latent)
	drawLatents(z, seeds, t)
	return z, nil
}
