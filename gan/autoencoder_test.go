package gan_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
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

// TestAutoencoderBadBatches: a batch that is not whole images is an error
// naming the count; ReconstructionGrid's misuse panics naming the arguments,
// where each ended in a panic inside the graph or a slice (or, for cols 0,
// never ended).
func TestAutoencoderBadBatches(t *testing.T) {
	a, err := gan.NewAutoencoderTrainer(caeConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range [][]float32{nil, make([]float32, 100), make([]float32, 784+392)} {
		want := fmt.Sprintf("%d values are not whole images of 28×28×1", len(x))
		if _, err := a.Train(x, nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Train of %d values: %v, want an error containing %q", len(x), err, want)
		}
	}
	if _, err := a.Evaluate(gan.TestSet{Images: make([]float32, 784+1)}); err == nil || !strings.Contains(err.Error(), "test set: 785 values") {
		t.Errorf("Evaluate of 785 values: %v", err)
	}
	const grid = "gan: AutoencoderTrainer.ReconstructionGrid: "
	for _, tc := range []struct {
		images, n, cols int
		want            string
	}{
		{10, 10, 8, grid + "n must be a multiple of cols, and cols positive, got n 10 and cols 8"},
		{8, 8, 0, grid + "n must be a multiple of cols, and cols positive, got n 8 and cols 0"},
		{8, 16, 8, grid + "test holds 8 images of 28×28×1, n is 16"},
	} {
		got := panicOf(func() { a.ReconstructionGrid(make([]float32, tc.images*784), tc.n, tc.cols) })
		if got != tc.want {
			t.Errorf("ReconstructionGrid(%d images, n %d, cols %d) panicked with %q, want %q", tc.images, tc.n, tc.cols, got, tc.want)
		}
	}
	if pic := a.ReconstructionGrid(make([]float32, 8*784), 8, 4); pic.N != 16 || pic.Cols != 4 {
		t.Errorf("ReconstructionGrid of 8 in 4 columns: %d images in %d columns", pic.N, pic.Cols)
	}
}

// TestDrawCodesNeedsWholeImages: DrawCodes of no test images, or of values
// that are not whole images, is an error naming the count and leaves z as it
// was, where it filled z with NaN codes (the mean of none) that Generate later
// refused; the codes of one image are finite.
func TestDrawCodesNeedsWholeImages(t *testing.T) {
	a, err := gan.NewAutoencoderTrainer(caeConfig())
	if err != nil {
		t.Fatal(err)
	}
	noise := make([]float32, 2*8) // 2 codes of caeConfig's 8
	gan.Latents(noise, 1)
	for _, x := range [][]float32{nil, make([]float32, 784+1)} {
		z := slices.Clone(noise)
		want := fmt.Sprintf("drawing codes from the test images' codes: %d values are not whole images of 28×28×1", len(x))
		if err := a.DrawCodes(z, x); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("DrawCodes of %d values: %v, want an error containing %q", len(x), err, want)
		}
		if !slices.Equal(z, noise) {
			t.Errorf("DrawCodes of %d values changed z: %v", len(x), z)
		}
	}
	z := slices.Clone(noise)
	if err := a.DrawCodes(z, fakeImages(1, 1)); err != nil {
		t.Fatalf("DrawCodes of one image: %v", err)
	}
	for i, v := range z {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("DrawCodes of one image: z[%d] is %v", i, v)
		}
	}
}
