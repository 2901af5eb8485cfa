package gan

import (
	"testing"
)

// conditionalBatch is a synthetic batch of step: images in [−1, 1] and their
// labels, every class of 10 among them.
func conditionalBatch(batch, step int) ([]float32, []uint8) {
	real := make([]float32, batch*784)
	for i := range real {
		real[i] = float32((i*7+step*3)%19)/9 - 1
	}
	labels := make([]uint8, batch)
	for i := range labels {
		labels[i] = uint8((i*3 + step) % Classes)
	}
	return real, labels
}

// TestDeviceConditionalTracksCPU trains cgan and acgan on the seed's networks
// (no Dropout, so the GPU draws the CPU's noise and fake labels) for 5 steps
// on the CPU and on the GPU from the same weights, batches and labels: G's
// weights after the first step (the label embedding's among them, its
// gradient from ScatterAdd) agree to 1e-4 and each step's losses to 1e-3, as
// TestDeviceTracksCPU bounds the seed's GAN. ACGAN's losses hold the class
// cross-entropy (LogSoftmax on the GPU). From the third step on the GPU's
// steps replay a CUDA graph, their labels staged in pinned memory.
func TestDeviceConditionalTracksCPU(t *testing.T) {
	for _, recipe := range []string{"cgan", "acgan"} {
		t.Run(recipe, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Model, cfg.Batch, cfg.Seed = recipe, 16, 5
			ApplyRecipe(&cfg, nil)
			gpu := newDeviceTrainer(t, cfg)
			cpu, err := NewTrainer(cfg)
			if err != nil {
				t.Fatal(err)
			}
			for step := range 5 {
				real, labels := conditionalBatch(cfg.Batch, step)
				var stats [2]StepStats
				for k, tr := range []*Trainer{cpu, gpu} {
					if stats[k], err = tr.TrainStep(real, labels); err != nil {
						t.Fatalf("step %d on %s: %v", step+1, tr.Device(), err)
					}
				}
				if step == 0 {
					checkClose(t, "step 1", cpu, gpu, 1e-4)
				}
				c, g := stats[0], stats[1]
				t.Logf("step %d: d_loss cpu %.6f gpu %.6f, g_loss cpu %.6f gpu %.6f", step+1, c.DLoss, g.DLoss, c.GLoss, g.GLoss)
				if !lossesClose(c.DLoss, g.DLoss, 1e-3) || !lossesClose(c.GLoss, g.GLoss, 1e-3) {
					t.Errorf("step %d: the GPU's losses are more than 1e-3 from the CPU's", step+1)
				}
			}
			if !gpu.CUDAGraph() {
				t.Error("the conditional steps on the GPU are not replayed from a CUDA graph")
			}
		})
	}
}

// TestDeviceTrainsConditionalDCGAN trains cgan and acgan on the TensorFlow
// DCGAN's networks (the label map joined to the image as a channel for cgan;
// Dropout, whose masks the GPU draws its own way) three steps on the GPU, with
// finite losses, and pictures their grid of one row per class.
func TestDeviceTrainsConditionalDCGAN(t *testing.T) {
	for _, recipe := range []string{"cgan", "acgan"} {
		t.Run(recipe, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Model, cfg.Arch, cfg.Batch = recipe, "dcgan", 8
			ApplyRecipe(&cfg, nil)
			tr := newDeviceTrainer(t, cfg)
			for step := range 3 {
				real, labels := conditionalBatch(cfg.Batch, step)
				st, err := tr.TrainStep(real, labels)
				if err != nil {
					t.Fatalf("step %d: %v", step+1, err)
				}
				if !finite(st.DLoss) || !finite(st.GLoss) {
					t.Fatalf("step %d: losses %v, %v", step+1, st.DLoss, st.GLoss)
				}
			}
			pic, err := tr.Progress(TestSet{})
			if err != nil {
				t.Fatal(err)
			}
			if pic.N != Classes*8 {
				t.Fatalf("progress grid of %d images, want one row of 8 per class", pic.N)
			}
		})
	}
}
