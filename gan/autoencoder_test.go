package gan_test

import (
	"testing"

	"github.com/gogan/gogan/gan"
)

func caeConfig() gan.Config {
	cfg := gan.DefaultConfig()
	cfg.Model, cfg.LatentDim, cfg.Batch, cfg.LR, cfg.Beta1 = "cae", 8, 4, 1e-3, 0.9
	return cfg
}

// TestAutoencoderLearnsAndResumes: the reconstruction error falls on a fixed
// batch, and a checkpointed autoencoder continues bit for bit.
func TestAutoencoderLearnsAndResumes(t *testing.T) {
	a, err := gan.NewAutoencoderTrainer(caeConfig())
	if err != nil {
		t.Fatal(err)
	}
	x := fakeImages(4, 3)
	first, _ := a.TrainStep(x)
	for range 20 {
		if _, err := a.TrainStep(x); err != nil {
			t.Fatal(err)
		}
	}
	after, _ := a.TrainStep(x)
	if !(after < 0.8*first) {
		t.Fatalf("reconstruction error %g after 21 steps, from %g: not learning", after, first)
	}
	dir := t.TempDir()
	if _, err := a.SaveCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	job, err := gan.LoadJob(dir)
	if err != nil {
		t.Fatal(err)
	}
	b := job.(*gan.AutoencoderTrainer)
	la, _ := a.TrainStep(x)
	lb, _ := b.TrainStep(x)
	if la != lb {
		t.Fatalf("resumed autoencoder's loss %v, original's %v", lb, la)
	}
	if _, err := gan.LoadCheckpoint(dir); err == nil {
		t.Fatal("LoadCheckpoint accepted an autoencoder as a GAN")
	}
	vals, err := b.Evaluate(gan.TestSet{Images: x})
	if err != nil || len(vals) != 1 || vals[0].Name != "test_mse" || !(vals[0].Value > 0) {
		t.Fatalf("Evaluate = %v, %v", vals, err)
	}
}
