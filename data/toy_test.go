package data

import (
	"math"
	"testing"
)

func TestToyDatasets(t *testing.T) {
	for _, c := range []struct {
		name  string
		modes int
		sigma float64
	}{{"ring8", 8, 0.02}, {"grid25", 25, 0.05}} {
		toy, err := NewToy(c.name, 64, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(toy.Centers) != c.modes || toy.Sigma != c.sigma {
			t.Fatalf("%s: %d modes, σ %g", c.name, len(toy.Centers), toy.Sigma)
		}
		dst, labels := make([]float32, 128), make([]uint8, 64)
		toy.Batch(dst, labels, 3, 5)
		again := make([]float32, 128)
		toy.Batch(again, nil, 3, 5)
		for k := range dst {
			if dst[k] != again[k] {
				t.Fatalf("%s: batch (3, 5) differs between calls", c.name)
			}
		}
		for k, m := range labels {
			dx := float64(dst[2*k]) - toy.Centers[m][0]
			dy := float64(dst[2*k+1]) - toy.Centers[m][1]
			if math.Hypot(dx, dy) > 6*c.sigma {
				t.Fatalf("%s: point %d is %g from its mode", c.name, k, math.Hypot(dx, dy))
			}
		}
	}
	if _, err := NewToy("spiral", 64, 1); err == nil {
		t.Fatal("unknown toy dataset accepted")
	}
}
