package vec

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// BenchmarkFourKAliasing times the kernels that store to one slice and then load
// another, on slices whose addresses share their low 12 bits (as page-aligned
// allocations and 4 KiB rows make them) and on slices 128 bytes apart from that:
// a core that matches a load with an earlier store by those bits alone holds the
// load back until the store's full address is known. On the 2-core AMD machine and the
// GPU machine's 16-core Xeon the two layouts time the same, and so did kernels that load
// all of a turn's vectors before storing any (bench/manycore/epilogue-2026-12-03.txt).
func BenchmarkFourKAliasing(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const cols = 1024
	at := func(buf []float32, shift, n int) []float32 {
		off := int(uintptr(unsafe.Pointer(&buf[0]))%4096) / 4
		s := (1024 - off + shift) % 1024
		return buf[s : s+n]
	}
	for _, rows := range []int{64, 256} {
		n := rows * cols
		y, dy, dx := testValues(rng, n+2048), testValues(rng, n+2048), make([]float32, n+2048)
		np := 784 * 1024
		p, g, m, v := make([]float32, np+2048), make([]float32, np+2048), make([]float32, np+2048), make([]float32, np+2048)
		dbBuf := make([]float32, 4096)
		for _, layout := range []struct {
			name  string
			shift int
		}{{"aliased", 0}, {"apart", 32}} {
			sh := layout.shift
			db := at(dbBuf, sh, cols)
			yy, dyy, dxx := at(y, 0, n), at(dy, 0, n), at(dx, 0, n)
			pp, gg, mm, vv := at(p, 0, np), at(g, sh, np), at(m, 2*sh, np), at(v, 3*sh, np)
			name := fmt.Sprintf("%s/rows=%d", layout.name, rows)
			b.Run("BiasLeakyReLUBackward/"+name, func(b *testing.B) {
				b.SetBytes(int64(4 * 3 * n))
				for range b.N {
					biasLeakyReLUBackwardRows(dxx, db, yy, dyy, 0.2, cols, rows)
				}
			})
			b.Run("BiasTanhBackward/"+name, func(b *testing.B) {
				b.SetBytes(int64(4 * 3 * n))
				for range b.N {
					for off := 0; off < n; off += cols {
						biasTanhBackward(dxx[off:off+cols], db, yy[off:off+cols], dyy[off:off+cols])
					}
				}
			})
			if rows == 64 {
				b.Run("Adam/"+layout.name, func(b *testing.B) {
					b.SetBytes(int64(4 * 7 * np))
					for range b.N {
						adam(pp, gg, mm, vv, 0.5, 0.5, 0.999, 0.001, 2e-4, 1e-7)
					}
				})
			}
		}
	}
}
