package gemm

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/gogan/gogan/internal/parallel"
)

// timedParts is a shared product whose parts time themselves: part p's duration goes to
// took[p].
type timedParts struct {
	g    *call
	took []time.Duration
}

func (t *timedParts) Run(p, parts int) {
	start := time.Now()
	t.g.Run(p, parts)
	t.took[p] = time.Since(start)
}

// BenchmarkSharedBalance shares products of the MLP GAN at batch 256 and of the convolutions
// among GOMAXPROCS threads as execute does (the same plan, and op(B) packed once where
// execute packs it so), each part timing itself, and reports where a shared product's time
// goes beside the arithmetic: imbalance, the median over products of the slowest part's time
// over the mean part's (1 when the parts end together); handover, the median share of the
// product's time after its slowest part ended (waking and waiting for the workers); pack_share,
// the median share spent packing op(B) once before the parts start; and part_GFLOP/s, a mean
// part's own rate, against GFLOP/s/core, the product's. Run with -cpu 16 on a many-core host.
func BenchmarkSharedBalance(b *testing.B) {
	defer SetThreads(0)
	for _, s := range []benchShape{
		{name: "fwd", m: 512, k: 784, n: 1024},
		{name: "fwd", m: 256, k: 1024, n: 784},
		{name: "dX", m: 512, k: 1024, n: 784, transB: true},
		{name: "dW", m: 784, k: 512, n: 1024, transA: true},
		{name: "conv", m: 1024, k: 1600, n: 128},
		{name: "conv", m: 3136, k: 1600, n: 128},
		// Filter gradients over 3,136 positions (64 images of 7×7): the 28×28 DCGAN critic's
		// 5×5×64 → 128 in a generator step, and one of 5×5×128 → 64.
		{name: "convdW", m: 1600, k: 3136, n: 128, transA: true},
		{name: "convdW", m: 3200, k: 3136, n: 64, transA: true},
	} {
		b.Run(fmt.Sprintf("%s_%dx%dx%d", s.name, s.m, s.k, s.n), func(b *testing.B) {
			t := runtime.GOMAXPROCS(0)
			SetThreads(t)
			o := newOperands(rand.New(rand.NewPCG(1, 1)), s.transA, s.transB, s.m, s.n, s.k, 0)
			g := call{
				ks: kernels, transA: o.transA, transB: o.transB, m: o.m, n: o.n, k: o.k,
				alpha: 1, a: o.a, lda: o.lda, b: o.b, ldb: o.ldb, c: o.c, ldc: o.ldc,
			}.arranged()
			if g.out != nil {
				b.Skip("a swapped product: its write-back is not timed here")
			}
			pm, pn := plan(&g, sharedThreads(&g, t))
			parts := pm * pn
			if parts < 2 {
				b.Skip("not shared on this many threads")
			}
			var sp sharedProduct
			job := &timedParts{took: make([]time.Duration, parts)}
			var imbalance, handover, packShare, partRate []float64
			b.ResetTimer()
			for b.Loop() {
				gc := sp.setUp(&g, pm, pn)
				start := time.Now()
				if sharesPacking(gc, pm, pn) && !sp.packShared(gc, parts) {
					b.Fatal("the team was busy")
				}
				packed := time.Since(start)
				job.g = gc
				if !parallel.TryRun(job, parts, true) {
					b.Fatal("the team was busy")
				}
				wall := time.Since(start)
				slowest, sum := slices.Max(job.took), time.Duration(0)
				for _, d := range job.took {
					sum += d
				}
				mean := float64(sum) / float64(parts)
				imbalance = append(imbalance, float64(slowest)/mean)
				handover = append(handover, float64(wall-packed-slowest)/float64(wall))
				packShare = append(packShare, float64(packed)/float64(wall))
				partRate = append(partRate, 2*float64(s.m)*float64(s.n)*float64(s.k)/float64(parts)/mean)
			}
			b.StopTimer()
			reportPerCore(b, s)
			b.ReportMetric(median(imbalance), "imbalance")
			b.ReportMetric(median(handover), "handover")
			b.ReportMetric(median(packShare), "pack_share")
			b.ReportMetric(median(partRate), "part_GFLOP/s")
			b.ReportMetric(float64(pm), "pm")
			b.ReportMetric(float64(pn), "pn")
		})
	}
}

func median(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	y := slices.Clone(x)
	slices.Sort(y)
	return y[len(y)/2]
}
