package gan

import (
	"strings"
	"testing"
)

// TestConditionalRecipesTrain: cgan and acgan on both backbones take steps
// with labels, resume bit for bit, and picture a grid of one row per class.
func TestConditionalRecipesTrain(t *testing.T) {
	for _, arch := range []string{"mlp", "dcgan"} {
		for _, recipe := range []string{"cgan", "acgan"} {
			t.Run(arch+"/"+recipe, func(t *testing.T) {
				cfg := DefaultConfig()
				cfg.Model, cfg.Arch, cfg.Batch, cfg.LatentDim = recipe, arch, 4, 8
				ApplyRecipe(&cfg, nil)
				tr, err := NewTrainer(cfg)
				if err != nil {
					t.Fatal(err)
				}
				x := make([]float32, 4*784)
				labels := []uint8{0, 3, 9, 3}
				for range 2 {
					if _, err := tr.TrainStep(x, labels); err != nil {
						t.Fatal(err)
					}
				}
				back := reloaded(t, tr)
				a, _ := tr.TrainStep(x, labels)
				b, _ := back.TrainStep(x, labels)
				if a != b {
					t.Fatalf("resumed step %+v, original %+v", b, a)
				}
				pic, err := tr.Progress(TestSet{})
				if err != nil {
					t.Fatal(err)
				}
				if pic.N != Classes*8 || pic.Cols != 8 || len(pic.Images) != pic.N*pic.Shape.Size() || pic.Shape.Size() != 784 {
					t.Fatalf("progress grid of %d images of shape %s, %d to a row (%d numbers); want one row of 8 per class", pic.N, pic.Shape, pic.Cols, len(pic.Images))
				}
				if _, err := tr.TrainStep(x, []uint8{0, 1, 2, 10}); err == nil || !strings.Contains(err.Error(), "label 10 of sample 3") {
					t.Fatalf("label 10 gave %v", err)
				}
			})
		}
	}
}
