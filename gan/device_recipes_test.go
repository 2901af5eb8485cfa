package gan

import (
	"math"
	"slices"
	"testing"

	"github.com/gogan/gogan/data"
)

// TestDeviceTrainsEveryRecipe trains every recipe on MNIST (the conditional
// ones with the batches' labels) and the ResNet on 32×32×3 images for a few
// steps on the GPU and on the CPU from the same weights and batches: every
// loss on the GPU is finite, and the first step's losses agree with the
// CPU's to 1e-3 (relative, or absolute near zero) where D has no Dropout. Each recipe's own test
// bounds its weights more tightly; this one shows that none of them stops on
// the GPU, whatever ops it is made of.
func TestDeviceTrainsEveryRecipe(t *testing.T) {
	newDeviceTrainer(t, DefaultConfig()) // skips without a GPU
	ds, err := data.Load("mnist")
	if err != nil {
		t.Skipf("MNIST: %v", err)
	}
	names := make([]string, 0, len(recipes)+1)
	for name := range recipes {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range append(names, "resnet") {
		t.Run(name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Model = name
			ApplyDefaults(&cfg, nil)
			sample := 784
			if name == "resnet" {
				cfg.Batch, cfg.LatentDim, cfg.Loss = 8, 128, "hinge"
				sample = 32 * 32 * 3
			}
			gpu := newDeviceTrainer(t, cfg)
			cpu, err := NewTrainer(cfg)
			if err != nil {
				t.Fatal(err)
			}
			batches, err := data.NewBatcher(ds.Train, cfg.Batch, cfg.Seed)
			if err != nil {
				t.Fatal(err)
			}
			real, labels := make([]float32, cfg.Batch*sample), make([]uint8, cfg.Batch)
			steps := 2 * cfg.criticSteps()
			// The TF DCGAN's Dropout draws other masks on the GPU.
			dropoutFree := cfg.ArchitectureName() != "dcgan"
			for step := range steps {
				if name == "resnet" {
					real = uniformImages(len(real), uint64(step+1))
				} else {
					batches.Batch(real, labels, 0, step)
				}
				var given []uint8
				if cfg.Conditional != "" {
					given = labels
				}
				var stats [2]StepStats
				for k, tr := range []*Trainer{cpu, gpu} {
					if stats[k], err = tr.TrainStep(real, given); err != nil {
						t.Fatalf("step %d on %s: %v", step, tr.Device(), err)
					}
				}
				c, g := stats[0], stats[1]
				if !finite(g.DLoss) || !finite(g.GLoss) {
					t.Fatalf("step %d on the GPU: %+v", step, g)
				}
				if step == 0 && dropoutFree && !(lossNear(g.DLoss, c.DLoss) && lossNear(g.GLoss, c.GLoss)) {
					t.Fatalf("first step: D loss %g, G loss %g on the GPU; %g, %g on the CPU", g.DLoss, g.GLoss, c.DLoss, c.GLoss)
				}
			}
			t.Logf("%d steps on the GPU", steps)
		})
	}
}

// lossNear reports whether two losses agree to 1e-3, relative where they are
// larger than 1.
func lossNear(a, b float64) bool {
	return math.Abs(a-b) <= 1e-3*max(1, math.Abs(b))
}
