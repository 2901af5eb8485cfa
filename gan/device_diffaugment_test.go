package gan

import (
	"math"
	"testing"

	"github.com/gogan/gogan/nn"
)

// plainResNetDiscriminator is ResNetDiscriminator without spectral
// normalization: its average pooling, global sum pooling and residual sums
// on the device, with nothing from SN.
func plainResNetDiscriminator(channels, width int) *nn.Model {
	x := nn.NewInput("image", ResNetSize, ResNetSize, channels)
	h := nn.Apply(nn.Add(),
		applyAll(x, conv3(width), nn.ReLU(), conv3(width), nn.AveragePooling2D(2)),
		applyAll(x, nn.AveragePooling2D(2), nn.Conv2D(width, 1)))
	h = nn.Apply(nn.Add(),
		applyAll(h, nn.ReLU(), conv3(width), nn.ReLU(), conv3(width), nn.AveragePooling2D(2)),
		applyAll(h, nn.Conv2D(width, 1), nn.AveragePooling2D(2)))
	h = nn.Apply(nn.Add(), applyAll(h, nn.ReLU(), conv3(width), nn.ReLU(), conv3(width)), h)
	out := applyAll(h, nn.ReLU(), nn.GlobalSumPooling2D(), nn.Dense(1))
	return nn.NewModel("discriminator", []*nn.Node{x}, out)
}

// TestDeviceDiffAugmentTracksCPU trains with --diffaugment
// color,translation,cutout on the CPU and on the GPU from the same weights
// and batches. The transforms' parameters are the CPU's draws and their
// kernels the CPU's arithmetic, so for models without Dropout the runs differ
// by the other ops' float32 rounding: the seed's MLP, WGAN-GP (the penalty
// differentiates the transforms' backward) and the ResNet G (UpSampling2D)
// against a ResNet D without spectral normalization (AveragePooling2D,
// GlobalSumPooling2D). Their first step's losses agree to 1e-4, G's weights
// after it to wtol, the next steps' losses to 1e-3. The TF DCGAN's Dropout
// draws its masks on the CPU from the generator the transforms draw from, so
// its losses need only be finite. The steps are not captured in a CUDA graph
// (the draws happen in the step's Go code).
func TestDeviceDiffAugmentTracksCPU(t *testing.T) {
	const policy = "color,translation,cutout"
	cases := []struct {
		name string
		// wtol bounds G's weights after step 1: 1e-4, or 1e-3 where Adam's
		// first update (±lr for a gradient not near 0) may flip with a
		// gradient summed to near 0 from many terms, as
		// TestDeviceWGANGPTracksCPU allows; 0 compares nothing.
		wtol float64
		make func() (*Trainer, error)
	}{
		{"mlp", 1e-4, func() (*Trainer, error) {
			cfg := DefaultConfig()
			cfg.Batch, cfg.DiffAugment = 16, policy
			return NewTrainer(cfg)
		}},
		{"wgan-gp", 1e-3, func() (*Trainer, error) {
			cfg := DefaultConfig()
			cfg.Model, cfg.Arch, cfg.Batch, cfg.NCritic, cfg.DiffAugment = "wgan-gp", "mlp", 8, 1, policy
			ApplyDefaults(&cfg, map[string]bool{"model": true, "arch": true, "batch": true, "n-critic": true, "diffaugment": true})
			return NewTrainer(cfg)
		}},
		{"resnet", 1e-3, func() (*Trainer, error) {
			cfg := DefaultConfig()
			cfg.Model, cfg.Batch, cfg.LatentDim, cfg.Loss, cfg.DiffAugment = "my-resnet", 4, 16, "hinge", policy
			return NewTrainerFor(ResNetGenerator(16, 3, 8), plainResNetDiscriminator(3, 8), cfg)
		}},
		{"dcgan", 0, func() (*Trainer, error) {
			cfg := DefaultConfig()
			cfg.Model, cfg.Batch, cfg.DiffAugment = "dcgan", 8, policy
			ApplyDefaults(&cfg, map[string]bool{"model": true, "batch": true, "diffaugment": true})
			return NewTrainer(cfg)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cpu, err := c.make()
			if err != nil {
				t.Fatal(err)
			}
			gpu, err := c.make()
			if err != nil {
				t.Fatal(err)
			}
			if err := gpu.UseDevice("cuda"); err != nil {
				t.Skipf("no CUDA device: %v", err)
			}
			for step := range 4 {
				real := uniformImages(cpu.Config.Batch*cpu.sample.Size(), uint64(step))
				var stats [2]StepStats
				for k, tr := range []*Trainer{cpu, gpu} {
					if stats[k], err = tr.TrainStep(real, nil); err != nil {
						t.Fatalf("step %d on %s: %v", step+1, tr.Device(), err)
					}
				}
				cs, gs := stats[0], stats[1]
				t.Logf("step %d: d_loss cpu %.6f gpu %.6f, g_loss cpu %.6f gpu %.6f", step+1, cs.DLoss, gs.DLoss, cs.GLoss, gs.GLoss)
				if !finite(gs.DLoss) || !finite(gs.GLoss) {
					t.Fatalf("step %d on the GPU: losses %v, %v", step+1, gs.DLoss, gs.GLoss)
				}
				if c.wtol == 0 {
					continue
				}
				tol := 1e-3
				if step == 0 {
					tol = 1e-4
					checkClose(t, "step 1", cpu, gpu, c.wtol)
				}
				if math.Abs(gs.DLoss-cs.DLoss) > tol*(1+math.Abs(cs.DLoss)) || math.Abs(gs.GLoss-cs.GLoss) > tol*(1+math.Abs(cs.GLoss)) {
					t.Errorf("step %d: the GPU's losses are more than %g from the CPU's", step+1, tol)
				}
			}
			if gpu.CUDAGraph() {
				t.Error("a DiffAugment run's steps were captured in a CUDA graph")
			}
		})
	}
}
