package gemm

import "github.com/gogan/gogan/internal/parallel"

// A shared product cut into pm bands of rows has each of its parts pack the columns of op(B)
// it needs: every column band's op(B) is packed pm times over. Where pm is large, that is much
// of a part's work: a convolution with 128 output channels, cut into 16 bands of rows on 16
// threads, has each part pack all k×128 floats of op(B) (about a cycle a float) for 1/16 of the
// arithmetic. Such a product packs op(B) once instead, its parts each packing a share of it
// into one buffer (packedB), then computes as before with every part reading its slabs from
// there. The packed floats are those each part would have packed itself, so the result is
// the same, bit for bit.
//
// Measured on the 16-core Xeon (call V3, bench/manycore/sharedpack-2026-12-03.txt; 5 rounds,
// three binaries alternated): the DCGAN's convolutions, all cut 16 × 1, gained (its 5×5×64×128
// filter gradients 7.9–8.2 ms → 6.0–6.1, the step 1,349 → 1,527 img/s, ahead in 5 of 5
// rounds). Sharing it in grids too (the MLP's 4 × 4 and 8 × 2 cuts) left the MLP at batch 256
// at 0.94 (ahead in 1 of 5), and letting the plan count the packing as shared, which cuts
// every MLP product 16 × 1, lost 15–21% there. So only products cut along their rows alone
// share it.

// sharedPackMinBands is the fewest bands of rows for which op(B) is packed once for all the
// parts: with 2 or 3 (2 threads) each part packing its own costs little, and the 2-thread
// products stay as they were.
const sharedPackMinBands = 4

// maxPackedB is the most floats of op(B) packed once for all the parts (64 MiB); a larger
// op(B) is packed by each part, slab by slab, as before.
const maxPackedB = 16 << 20

// packGroup is how many columns of op(B) one unit of the shared packing holds: whole panels,
// and at least packRun floats of a row (packCopyPanels' run).
func packGroup(nr int) int { return max(1, packRun/nr) * nr }

// packedBandStride is how many floats one column band's packed op(B) takes in packedB: its k
// slabs of the widest band's columns, rounded up to whole panels.
func (g *call) packedBandStride() int {
	nr := g.ks.nr
	tiles := (g.n + nr - 1) / nr
	return (tiles + g.pn - 1) / g.pn * nr * g.k
}

// sharesPacking reports whether a product cut pm × pn packs op(B) once for all its parts:
// when it is cut along its rows alone, into sharedPackMinBands bands or more.
func sharesPacking(g *call, pm, pn int) bool {
	if pm < sharedPackMinBands || pn != 1 {
		return false
	}
	nr := g.ks.nr
	return (g.n+nr-1)/nr*nr*g.k <= maxPackedB
}

// packedBlock is the packed slab op(B)[pc:pc+kc, jc:jc+nc] of column band bn (whose columns
// start at j0) in g.packedB: the band's blocks of ncMax columns come one after the other, each
// its slabs of kc × nc (rounded up to whole panels) floats in order of depth.
func (g *call) packedBlock(bn, j0, jc, nc, pc, kc int) []float32 {
	nr := g.ks.nr
	ncPad := (nc + nr - 1) / nr * nr
	off := bn*g.packedBandStride() + (jc-j0)*g.k + pc*ncPad
	return g.packedB[off : off+kc*ncPad]
}

// packUnits packs the units [lo, hi) of op(B) into g.packedB, in the order of the column
// bands, their blocks, slabs and groups of packGroup columns, and returns how many units
// there are in all (packUnits(0, 0) counts them).
func (g *call) packUnits(lo, hi int) int {
	nr, step, group := g.ks.nr, kStep(g.k), packGroup(g.ks.nr)
	u := 0
	for bn := range g.pn {
		j0, j1 := band(g.n, nr, bn, g.pn)
		for jc := j0; jc < j1; jc += ncMax {
			nc := min(ncMax, j1-jc)
			for pc := 0; pc < g.k; pc += step {
				kc := min(step, g.k-pc)
				for jr := 0; jr < nc; jr += group {
					if lo <= u && u < hi {
						g.packB(g.packedBlock(bn, j0, jc, nc, pc, kc)[jr*kc:], pc, kc, jc+jr, min(group, nc-jr))
					}
					u++
				}
			}
		}
	}
	return u
}

// bPacker is the job that packs op(B) once for a shared product: part p of parts packs its
// share of the units.
type bPacker struct {
	g     *call
	units int
}

func (j *bPacker) Run(p, parts int) {
	j.g.packUnits(p*j.units/parts, (p+1)*j.units/parts)
}

// packShared packs op(B) for the product gc, cut into parts, into s.packedB, on the team
// (on this goroutine when it is one unit), and reports whether the team was free to do it.
func (s *sharedProduct) packShared(gc *call, parts int) bool {
	need := gc.pn * gc.packedBandStride()
	if len(s.packedB) < need {
		s.packedB = alignedFloats(need)
	}
	gc.packedB = s.packedB[:need]
	units := gc.packUnits(0, 0)
	if units < 2 {
		gc.packUnits(0, units)
		return true
	}
	s.packer = bPacker{g: gc, units: units}
	done := parallel.TryRun(&s.packer, min(parts, units), true)
	s.packer = bPacker{}
	return done
}
