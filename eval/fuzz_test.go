package eval

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogan/gogan/checkpoint"
)

// FuzzParseFeatureNet feeds arbitrary bytes to the feature-network loader, seeded
// with the embedded MNIST weights and small files that are nearly right: it must
// build the network or return an error naming the file, never panic.
func FuzzParseFeatureNet(f *testing.F) {
	real, err := embedded.ReadFile("weights/mnist.safetensors")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(real)
	f.Add(real[:len(real)/3])
	dir := f.TempDir()
	for _, ts := range []map[string]checkpoint.Tensor{
		{},
		{"features/conv2d/kernel": checkpoint.F32([]int{3, 3, 1, 32}, make([]float32, 288))},
		{"head/dense_1/bias": checkpoint.U8([]int{10}, make([]uint8, 10))},
	} {
		p := filepath.Join(dir, "f.safetensors")
		if err := checkpoint.SaveSafetensors(p, ts, map[string]string{"format": FeatureNetFormat}); err != nil {
			f.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		net, err := ParseFeatureNet("fuzz.safetensors", b)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.safetensors") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if net.Classes() != 10 || net.Dim() != 128 {
			t.Fatalf("built a network of %d classes and %d features", net.Classes(), net.Dim())
		}
	})
}
