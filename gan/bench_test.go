package gan_test

import (
	"testing"

	"github.com/gogan/gogan/gan"
)

// BenchmarkTrainStep times one training step of the seed's MLP GAN at batch 64.
func BenchmarkTrainStep(b *testing.B) { benchmarkTrainStep(b, gan.DefaultConfig()) }

// benchmarkTrainStep times one training step of a trainer of cfg, whose batch is 64,
// on one batch of images, after a first step outside the timing, and reports img/s.
func benchmarkTrainStep(b *testing.B, cfg gan.Config) {
	tr, err := gan.NewTrainer(cfg)
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
