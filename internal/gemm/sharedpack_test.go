package gemm

import (
	"math/rand/v2"
	"testing"
)

// TestPackedBMatchesPartPacking: op(B) packed once (packUnits, in any cut of its units) holds,
// for every column band, block and slab, the floats that a part packs itself into its
// workspace (packB), padding included: over several column blocks (n > ncMax), partial
// panels, several slabs of depth and 1 to 3 column bands, B transposed or not.
func TestPackedBMatchesPartPacking(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, ks := range families() {
		for _, s := range [][2]int{{100, 600}, {1100, 300}, {64, 100}, {2100, 257}} { // n, k
			for _, transB := range []bool{false, true} {
				for pn := 1; pn <= 3; pn++ {
					o := newOperands(rng, false, transB, 8, s[0], s[1], 3)
					g := &call{ks: ks, transB: transB, m: o.m, n: o.n, k: o.k, b: o.b, ldb: o.ldb, pn: pn}
					g.packedB = make([]float32, pn*g.packedBandStride())
					for i := range g.packedB {
						g.packedB[i] = float32(i) // packing must overwrite the padding too
					}
					units := g.packUnits(0, 0)
					for _, cut := range [][2]int{{0, units / 3}, {units / 3, units - 1}, {units - 1, units}} {
						g.packUnits(cut[0], cut[1])
					}
					comparePackedB(t, ks, g)
				}
			}
		}
	}
}

// comparePackedB compares g.packedB with op(B) packed block by block as a part packs it.
func comparePackedB(t *testing.T, ks *kernelSet, g *call) {
	t.Helper()
	ws := new(workspace)
	ws.fit(ks)
	nr, step := ks.nr, kStep(g.k)
	for bn := range g.pn {
		j0, j1 := band(g.n, nr, bn, g.pn)
		for jc := j0; jc < j1; jc += ncMax {
			nc := min(ncMax, j1-jc)
			for pc := 0; pc < g.k; pc += step {
				kc := min(step, g.k-pc)
				g.packB(ws.b, pc, kc, jc, nc)
				got := g.packedBlock(bn, j0, jc, nc, pc, kc)
				if !equalBits(got, ws.b[:len(got)]) {
					t.Fatalf("%s n=%d k=%d transB=%v band %d of %d, columns %d, depth %d: packed once ≠ packed by the part", ks.name, g.n, g.k, g.transB, bn, g.pn, jc, pc)
				}
			}
		}
	}
}

// TestSharedPackingProducts: products that pack op(B) once on 16 threads (checked: their
// plan cuts them along their rows alone, into sharedPackMinBands bands or more) give the bits
// of one thread, and the plain loops' values, A and B transposed or not, with beta 0 and not.
func TestSharedPackingProducts(t *testing.T) {
	defer SetThreads(0)
	rng := rand.New(rand.NewPCG(13, 14))
	for _, ks := range families() {
		sharing := 0
		for _, s := range [][3]int{{800, 700, 100}, {3000, 200, 150}, {2000, 260, 64}, {1600, 931, 128}, {3000, 300, 24}} { // m, k, n
			g := &call{ks: ks, m: s[0], n: s[2], k: s[1]}
			if pm, pn := plan(g, 16); !sharesPacking(g, pm, pn) {
				continue // a grid, for this family's panels
			}
			sharing++
			for tr := range 4 {
				o := newOperands(rng, tr&1 != 0, tr&2 != 0, s[0], s[2], s[1], 1)
				var results [2][]float32
				for i, th := range []int{1, 16} {
					SetThreads(th)
					c := append([]float32(nil), o.c...)
					sgemmWith(ks, o.transA, o.transB, o.m, o.n, o.k, 0.75, o.a, o.lda, o.b, o.ldb, 0.5, c, o.ldc, nil)
					results[i] = c
				}
				if !equalBits(results[0], results[1]) {
					t.Fatalf("%s %v tr=%d: 16 threads sharing op(B)'s packing differ from 1 thread", ks.name, s, tr)
				}
				check(t, ks, o, 1, 0, false) // 16 threads, against the plain loops
			}
		}
		if sharing < 2 {
			t.Errorf("%s: %d of the shapes pack op(B) once on 16 threads: the test needs 2 or more", ks.name, sharing)
		}
	}
}

// TestSharedPackingAllocatesNothing checks the steady state of products that pack op(B) once.
func TestSharedPackingAllocatesNothing(t *testing.T) {
	defer SetThreads(0)
	SetThreads(16)
	o := newOperands(rand.New(rand.NewPCG(15, 16)), false, false, 2000, 64, 260, 0)
	run := func() { Sgemm(false, false, o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c, o.ldc) }
	run()
	if allocs := testing.AllocsPerRun(20, run); allocs != 0 {
		t.Errorf("%v allocations a product", allocs)
	}
}
