package data

import (
	"fmt"
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

// TestToyMisuse: a Toy not made by NewToy, a negative sample size and buffers
// of the wrong length panic naming the function and the value, where they
// panicked in IntN or makeslice, or drew nothing.
func TestToyMisuse(t *testing.T) {
	var zero Toy
	ring, err := NewToy("ring8", 8, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		call func()
		want string
	}{
		{"zero Batch", func() { zero.Batch(nil, nil, 0, 0) }, "data: Toy.Batch: Toy used without NewToy (it has no batch size)"},
		{"zero Sample", func() { zero.Sample(3, 1) }, "data: Toy.Sample: the Toy has no Centers (made without NewToy?)"},
		{"Sample(-1)", func() { ring.Sample(-1, 1) }, "data: Toy.Sample: n must not be negative, got -1"},
		{"short labels", func() { ring.Batch(make([]float32, 16), make([]uint8, 2), 0, 0) }, "data: Toy.Batch: len(labels) = 2, want 8"},
		{"Background(9).Color", func() { Background(9).Color() }, "data: Background(9).Color: unknown background: want BackgroundWhite or BackgroundBlack"},
	} {
		if got := panicOf(tc.call); got != tc.want {
			t.Errorf("%s panicked with %q, want %q", tc.name, got, tc.want)
		}
	}
	if points, modes := ring.Sample(0, 1); len(points) != 0 || len(modes) != 0 {
		t.Errorf("Sample(0) = %d points, %d modes", len(points), len(modes))
	}
}

// panicOf runs f and returns what it panicked with, as a string ("" if it did not).
func panicOf(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}
