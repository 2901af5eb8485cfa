package gan_test

import (
	"testing"

	"github.com/gogan/gogan/gan"
)

// BenchmarkTrainStep times one training step of the seed's MLP GAN at batch 64.
func BenchmarkTrainStep(b *testing.B) {
	tr, err := gan.NewTrainer(gan.DefaultConfig())
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
