package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogan/gogan/checkpoint"
)

// FuzzReadLatents feeds arbitrary bytes to the --latents parser (latent size 4):
// what it accepts is a finite (n, 4) matrix with 1 ≤ n ≤ maxSamples.
func FuzzReadLatents(f *testing.F) {
	const latent = 4
	dir := f.TempDir()
	nan := []float32{1, 2, 3, float32(math.NaN())}
	for _, ts := range []map[string]checkpoint.Tensor{
		{"latents": checkpoint.F32([]int{2, latent}, []float32{0, 1, -1, 0.5, 2, -2, 0.25, 3})},
		{"latents": checkpoint.F32([]int{1, latent}, nan)},
		{"latents": checkpoint.F32([]int{latent}, nan)},
		{"latents": checkpoint.F64([]int{1, latent}, []float64{1, 2, 3, 4})},
		{"z": checkpoint.F32([]int{1, latent}, []float32{1, 2, 3, 4})},
	} {
		p := filepath.Join(dir, "z.safetensors")
		if err := checkpoint.SaveSafetensors(p, ts, nil); err != nil {
			f.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		z, err := parseLatents("fuzz.safetensors", b, latent)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.safetensors") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q: want one line naming the file", err)
			}
			return
		}
		if n := len(z) / latent; len(z)%latent != 0 || n < 1 || n > maxSamples {
			t.Fatalf("accepted %d values", len(z))
		}
		if checkpoint.CheckFinite("z", z) != nil {
			t.Fatal("accepted a non-finite latent")
		}
	})
}
