package gemm

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
)

// benchShape is one product C (m×n) = op(A) (m×k) · op(B) (k×n) that GAN training runs.
type benchShape struct {
	name           string
	m, k, n        int
	transA, transB bool
}

// benchShapes are the products of the MLP GAN at batch 64 (forward, dX = dY·Wᵀ and
// dW = Xᵀ·dY), 1024³, and the plain products that /work/shared/bench/sgemm_peer.py times
// for OpenBLAS (named "peer", all without transposes) so that the two compare directly.
var benchShapes = []benchShape{
	{name: "fwd", m: 64, k: 100, n: 256},
	{name: "fwd", m: 64, k: 784, n: 1024},
	{name: "fwd", m: 64, k: 1024, n: 512},
	{name: "fwd", m: 64, k: 1024, n: 784},
	{name: "fwd", m: 64, k: 256, n: 512},
	{name: "fwd", m: 64, k: 512, n: 1024},
	{name: "dX", m: 64, k: 1024, n: 784, transB: true},
	{name: "dW", m: 784, k: 64, n: 1024, transA: true},
	{name: "dW", m: 1024, k: 64, n: 784, transA: true},
	{name: "peer", m: 64, k: 512, n: 256},
	{name: "peer", m: 1024, k: 64, n: 784},
	{name: "peer", m: 784, k: 64, n: 1024},
	{name: "square", m: 1024, k: 1024, n: 1024},
}

// BenchmarkSgemm times each shape through the fast path (the family dispatch chose) and the
// portable one (the Go kernels in the same packed loops), in GFLOP/s.
func BenchmarkSgemm(b *testing.B) {
	paths := []struct {
		name string
		ks   *kernelSet
	}{{"fast", kernels}, {"portable", &goKernels}}
	for _, s := range benchShapes {
		for _, p := range paths {
			name := fmt.Sprintf("%s_%dx%dx%d/%s", s.name, s.m, s.k, s.n, p.name)
			b.Run(name, func(b *testing.B) {
				benchProduct(b, s, func(o *operands) {
					sgemmWith(p.ks, o.transA, o.transB, o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c, o.ldc, nil)
				})
			})
		}
	}
}

// BenchmarkSgemmThreads times the fast path with 1 and 2 threads, to place parallelMinFlops.
func BenchmarkSgemmThreads(b *testing.B) {
	defer SetThreads(0)
	for _, s := range []benchShape{
		{name: "sq", m: 64, k: 64, n: 64}, {name: "sq", m: 96, k: 96, n: 96},
		{name: "sq", m: 128, k: 128, n: 128}, {name: "sq", m: 160, k: 160, n: 160},
		{name: "fwd", m: 64, k: 100, n: 256}, {name: "fwd", m: 64, k: 256, n: 256},
		{name: "fwd", m: 64, k: 256, n: 512},
	} {
		for _, th := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s_%dx%dx%d/threads=%d", s.name, s.m, s.k, s.n, th), func(b *testing.B) {
				SetThreads(th)
				benchProduct(b, s, func(o *operands) {
					Sgemm(o.transA, o.transB, o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c, o.ldc)
				})
			})
		}
	}
}

func benchProduct(b *testing.B, s benchShape, f func(*operands)) {
	rng := rand.New(rand.NewPCG(1, 1))
	o := newOperands(rng, s.transA, s.transB, s.m, s.n, s.k, 0)
	f(o)
	b.ResetTimer()
	for b.Loop() {
		f(o)
	}
	flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkKernel times one micro-kernel call with its panels in L1: the ceiling of the loops.
func BenchmarkKernel(b *testing.B) {
	for _, ks := range families() {
		for _, kc := range []int{64, 256} {
			b.Run(fmt.Sprintf("%s/kc=%d", ks.name, kc), func(b *testing.B) {
				a := alignedFloats(ks.mr * kc)
				bb := alignedFloats(ks.nr * kc)
				c := alignedFloats(ks.mr * ks.nr)
				for b.Loop() {
					ks.kernel(kc, a, bb, ks.nr, c, ks.nr, 1, 0)
				}
				flops := 2 * float64(ks.mr*ks.nr*kc)
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkPackB times packing all of op(B) (k×n, slab by slab) as the fast path does, in GB/s read.
func BenchmarkPackB(b *testing.B) {
	for _, s := range [][2]int{{784, 1024}, {1024, 784}, {1024, 512}} {
		for _, transB := range []bool{false, true} {
			b.Run(fmt.Sprintf("%dx%d/transB=%v", s[0], s[1], transB), func(b *testing.B) {
				k, n := s[0], s[1]
				src := make([]float32, k*n)
				ld := n
				if transB {
					ld = k
				}
				g := &call{ks: kernels, transB: transB, k: k, n: n, b: src, ldb: ld}
				ws := new(workspace)
				ws.fit(kernels)
				step := kStep(k)
				for b.Loop() {
					for jc := 0; jc < n; jc += ncMax {
						nc := min(ncMax, n-jc)
						for pc := 0; pc < k; pc += step {
							g.packB(ws.b, pc, min(step, k-pc), jc, nc)
						}
					}
				}
				b.ReportMetric(float64(4*k*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			})
		}
	}
}

// BenchmarkSgemmIndependent is the ceiling that sharing products among cores can reach:
// every one of GOMAXPROCS goroutines runs serial products of its own, with no hand-over,
// so the GFLOP/s per core at -cpu 16 against -cpu 2 is what the cores themselves lose when
// all of them run (a lower clock, shared caches and memory). Run it with
// `-cpu 1,2,4,8,16`. The shapes are a convolution chunk's product (the 28×28 DCGAN's second
// critic layer, 1,024 positions) and a Dense layer's at batch 256.
func BenchmarkSgemmIndependent(b *testing.B) {
	defer SetThreads(0)
	SetThreads(1)
	for _, s := range []benchShape{
		{name: "conv", m: 1024, k: 1600, n: 128},
		{name: "dense", m: 256, k: 1024, n: 784},
	} {
		b.Run(fmt.Sprintf("%s_%dx%dx%d", s.name, s.m, s.k, s.n), func(b *testing.B) {
			var seed uint64
			var mu sync.Mutex
			b.RunParallel(func(pb *testing.PB) {
				mu.Lock()
				seed++
				o := newOperands(rand.New(rand.NewPCG(seed, 1)), s.transA, s.transB, s.m, s.n, s.k, 0)
				mu.Unlock()
				for pb.Next() {
					Sgemm(o.transA, o.transB, o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c, o.ldc)
				}
			})
			reportPerCore(b, s)
		})
	}
}

// BenchmarkSgemmShared times one product shared by GOMAXPROCS threads (the team of
// internal/parallel), in GFLOP/s per core, beside BenchmarkSgemmIndependent's ceiling: run
// both with `-cpu 1,2,4,8,16`. The shapes are the ceiling's two and 1024³.
func BenchmarkSgemmShared(b *testing.B) {
	defer SetThreads(0)
	for _, s := range []benchShape{
		{name: "conv", m: 1024, k: 1600, n: 128},
		{name: "dense", m: 256, k: 1024, n: 784},
		{name: "square", m: 1024, k: 1024, n: 1024},
	} {
		b.Run(fmt.Sprintf("%s_%dx%dx%d", s.name, s.m, s.k, s.n), func(b *testing.B) {
			SetThreads(runtime.GOMAXPROCS(0))
			o := newOperands(rand.New(rand.NewPCG(1, 1)), s.transA, s.transB, s.m, s.n, s.k, 0)
			Sgemm(o.transA, o.transB, o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c, o.ldc)
			b.ResetTimer()
			for b.Loop() {
				Sgemm(o.transA, o.transB, o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c, o.ldc)
			}
			reportPerCore(b, s)
		})
	}
}

// reportPerCore reports the GFLOP/s of b's products of shape s per core of GOMAXPROCS.
func reportPerCore(b *testing.B, s benchShape) {
	flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
	perCore := flops * float64(b.N) / b.Elapsed().Seconds() / 1e9 / float64(runtime.GOMAXPROCS(0))
	b.ReportMetric(perCore, "GFLOP/s/core")
}
