package generator

import (
	"slices"
	"testing"
)

// The vectors Latents returns, given back as Request.Latents, make the same
// images bit for bit as the seeds they come from.
func TestLatentsMatchSeeds(t *testing.T) {
	g := mlp(t)
	seeds := []uint64{7, 3, 1 << 40}
	for _, trunc := range []float64{0, 0.5} {
		z, err := g.Latents(seeds, trunc)
		if err != nil {
			t.Fatal(err)
		}
		if len(z) != len(seeds)*g.LatentDim() {
			t.Fatalf("truncation %g: %d values, want %d", trunc, len(z), len(seeds)*g.LatentDim())
		}
		fromSeeds := generate(t, g, Request{Seeds: seeds, Truncation: trunc})
		fromLatents := generate(t, g, Request{Latents: z})
		if !slices.Equal(fromSeeds.Data, fromLatents.Data) {
			t.Errorf("truncation %g: images from Latents(seeds) differ from those of the seeds", trunc)
		}
	}
	if _, err := g.Latents(seeds, 0.001); err == nil {
		t.Error("truncation 0.001 (below MinTruncation) was accepted")
	}
	if _, err := g.Latents(nil, 0); err == nil {
		t.Error("no seeds was accepted")
	}
}
