package vec

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gogan/gogan/internal/gemm"
)

// BenchmarkAfterProduct times a bias activation's kernel (BiasLeakyReLU, or its backward)
// on a matrix product's output right after the product, as in a training step, where the
// product's parts leave their blocks of C in their own cores' caches; and, as "again",
// run a second time, its data then where its own parts left it; "cold", the forward into a
// destination not touched for 47 turns; "inplace", the forward written over C. The figure is the
// kernel's median in µs. Run it with -test.cpu 2,16 on a many-core machine
// (bench/manycore/elementwise-2026-12-02h.txt).
func BenchmarkAfterProduct(b *testing.B) {
	for _, rows := range []int{64, 128, 512} {
		for _, kernel := range []string{"forward", "forward-again", "forward-cold", "forward-inplace", "backward", "backward-again"} {
			b.Run(fmt.Sprintf("%dx1024/%s", rows, kernel), func(b *testing.B) {
				benchAfterProduct(b, rows, 1024, 1024, kernel)
			})
		}
	}
}

// benchAfterProduct runs C (m, n) = A (m, k) · W (k, n), then the kernel on C, b.N times.
func benchAfterProduct(b *testing.B, m, n, k int, kernel string) {
	rng := rand.New(rand.NewPCG(1, 2))
	fill := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(rng.NormFloat64())
		}
		return s
	}
	a, w, bias, y := fill(m*k), fill(k*n), fill(n), fill(m*n)
	c, dst, db := make([]float32, m*n), make([]float32, m*n), make([]float32, n)
	run := func() { BiasLeakyReLU(dst, c, bias, 0.2) }
	cold := make([][]float32, 48) // 48 destinations, 12–96 MiB: each one cold when its turn comes
	for i := range cold {
		cold[i] = make([]float32, m*n)
	}
	turn := 0
	switch kernel {
	case "forward-cold":
		run = func() { BiasLeakyReLU(cold[turn%len(cold)], c, bias, 0.2); turn++ }
	case "forward-inplace":
		run = func() { BiasLeakyReLU(c, c, bias, 0.2) }
	}
	if strings.HasPrefix(kernel, "backward") {
		run = func() { BiasLeakyReLUBackward(dst, db, y, c, 0.2) }
	}
	times := make([]float64, 0, b.N)
	for range b.N {
		gemm.Sgemm(false, false, m, n, k, 1, a, k, w, n, 0, c, n)
		if strings.HasSuffix(kernel, "again") {
			run()
		}
		start := time.Now()
		run()
		times = append(times, float64(time.Since(start).Nanoseconds())/1000)
	}
	sort.Float64s(times)
	b.ReportMetric(times[len(times)/2], "µs-median")
}
