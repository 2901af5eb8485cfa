package gan_test

import (
	"testing"

	"github.com/gogan/gogan/gan"
)

// BenchmarkDCGANTrainStep times one training step of the TensorFlow tutorial's
// DCGAN at batch 64: D on a real and a fake batch, then G through D, as
// /work/shared/bench/torch_dcgan.py times PyTorch.
func BenchmarkDCGANTrainStep(b *testing.B) {
	tr, err := gan.NewTrainer(dcganConfig(64))
	if err != nil {
		b.Fatal(err)
	}
	batch := fakeImages(64, 1)
	tr.TrainStep(batch, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := tr.TrainStep(batch, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*64)/b.Elapsed().Seconds(), "img/s")
}
