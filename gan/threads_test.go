package gan_test

import (
	"math"
	"testing"

	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/internal/parallel"
)

// TestThreadsGiveTheSameBits: a few training steps on 1 thread and on 4 and 8, where the
// products are shared, the convolutions cut by images and the backward rules compute their
// input and weight gradients as pairs on halves of the threads, end with the same bits in
// every weight; for the MLP and for the DCGAN.
func TestThreadsGiveTheSameBits(t *testing.T) {
	defer parallel.SetThreads(0)
	for name, cfg := range map[string]gan.Config{"mlp": smallConfig(), "dcgan": dcganConfig(8)} {
		t.Run(name, func(t *testing.T) {
			var first []float32
			for _, threads := range []int{1, 4, 8} {
				parallel.SetThreads(threads)
				tr, err := gan.NewTrainer(cfg)
				if err != nil {
					t.Fatal(err)
				}
				train(t, tr, 3)
				var bits []float32
				for _, w := range append(tr.G.Weights(), tr.D.Weights()...) {
					bits = append(bits, w.Data...)
				}
				if first == nil {
					first = bits
					continue
				}
				for i := range bits {
					if math.Float32bits(bits[i]) != math.Float32bits(first[i]) {
						t.Fatalf("%d threads: weight value %d is %v, on 1 thread %v", threads, i, bits[i], first[i])
					}
				}
			}
		})
	}
}
