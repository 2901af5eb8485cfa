package gan

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gogan/gogan/nn"
)

// TestConfigInit builds the seed's GAN with each of nn's initializer schemes:
// glorot gives the default's weights value for value (the seed's networks
// already use it), pytorch draws G's first kernel and bias from U(±1/√100),
// orthogonal gives it orthonormal columns. An unknown name is rejected.
func TestConfigInit(t *testing.T) {
	trainer := func(init string) *Trainer {
		cfg := DefaultConfig()
		cfg.Init = init
		tr, err := NewTrainer(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	def := trainer("")
	for _, name := range nn.InitSchemeNames() {
		t.Run(name, func(t *testing.T) {
			tr := trainer(name)
			k, b := tr.G.Weights()[0], tr.G.Weights()[1] // dense/kernel (100, 256), dense/bias (256)
			switch name {
			case "glorot":
				a, w := def.G.Weights(), tr.G.Weights()
				a, w = append(a, def.D.Weights()...), append(w, tr.D.Weights()...)
				for i := range a {
					if !slices.Equal(a[i].Data, w[i].Data) {
						t.Fatalf("%s differs from the default's", a[i].Name)
					}
				}
			case "pytorch":
				limit := 1 / math.Sqrt(100)
				for _, w := range [][]float32{k.Data, b.Data} {
					top := 0.0
					for _, v := range w {
						top = max(top, math.Abs(float64(v)))
					}
					if top > limit || top < 0.9*limit {
						t.Errorf("largest |value| %g, want near and at most %g", top, limit)
					}
				}
			case "orthogonal":
				// (100, 256) is wider than tall: its rows are orthonormal.
				var row float64
				for j := range 256 {
					row += float64(k.Data[j]) * float64(k.Data[j])
				}
				if math.Abs(row-1) > 1e-5 {
					t.Errorf("%s: first row has squared norm %g, want 1", k.Name, row)
				}
			default:
				if slices.Equal(k.Data, def.G.Weights()[0].Data) {
					t.Errorf("%s draws the default's kernel", name)
				}
			}
		})
	}
	cfg := DefaultConfig()
	cfg.Init = "he"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), `unknown initializer "he"`) {
		t.Errorf("Validate: %v, want an unknown initializer", err)
	}
}
