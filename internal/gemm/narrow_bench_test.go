package gemm

import (
	"fmt"
	"testing"
)

// narrowShapes are the products of a one-unit Dense layer (a discriminator's last):
// its forward (n = 1), its weight gradient (transA, n = 1) and its input gradient (k = 1).
var narrowShapes = []benchShape{
	{name: "fwd", m: 512, k: 256, n: 1},
	{name: "dW", m: 256, k: 512, n: 1, transA: true},
	{name: "dX", m: 512, k: 1, n: 256, transB: true},
	{name: "fwd", m: 128, k: 6272, n: 1},
	{name: "dW", m: 6272, k: 128, n: 1, transA: true},
	{name: "dX", m: 128, k: 1, n: 6272, transB: true},
	{name: "dX", m: 64, k: 1, n: 6272, transB: true},
}

// BenchmarkSgemmNarrow times the products of a one-unit Dense layer.
func BenchmarkSgemmNarrow(b *testing.B) {
	for _, s := range narrowShapes {
		b.Run(fmt.Sprintf("%s_%dx%dx%d", s.name, s.m, s.k, s.n), func(b *testing.B) {
			benchProduct(b, s, func(o *operands) {
				Sgemm(o.transA, o.transB, o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c, o.ldc)
			})
		})
	}
}
