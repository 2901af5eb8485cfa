package gemm

// The portable kernels: the plain Go loops that define what the assembly computes. They are
// compiled on every platform so that the tests can hold the assembly against them and the
// benchmarks can show both side by side; the purego build (and every non-amd64 one) runs them.

// kernelSet is one family of micro-kernel and packing routines, chosen once at init.
type kernelSet struct {
	name string
	// mr×nr is the tile of C that one kernel call computes.
	mr, nr int
	// kernel computes one full mr×nr tile from a packed mr×kc panel of op(A) and a kc×nr
	// panel of op(B) with rows ldb apart (packed, or read in place); its loop is kernelRef's.
	kernel func(kc int, a, b []float32, ldb int, c []float32, ldc int, alpha, beta float32)
	// kernelRowA, when set, is kernel reading op(A) in place from mr rows lda apart
	// (op(A)[i,p] = a[i*lda+p]) instead of from a packed panel.
	kernelRowA func(kc int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32)
	// packCopyA and packCopyB, when set, pack side-by-side full panels of width mr (nr),
	// each as packCopyGo would.
	packCopyA, packCopyB func(kc int, src []float32, ld int, dst []float32, panels int)
	// packTransA and packTransB, when set, pack one full panel of width mr (nr) as
	// packTransGo would, for kc a multiple of 8.
	packTransA, packTransB func(kc int, src []float32, ld int, dst []float32)
	// gemv, when set, holds the kernels of products with one column (gemv.go).
	gemv *gemvKernels
}

// goKernels is the portable set: a 4×4 kernel whose 16 accumulators stay in registers.
var goKernels = kernelSet{name: "go 4x4", mr: 4, nr: 4, kernel: kernel4x4Go}

// kernelRef is the loop that every micro-kernel computes, for an mr×nr tile: a is an
// mr×kc panel packed p by p (a[p*mr+i] is op(A)[i,p]), b a kc×nr panel (b[p*ldb+j] is
// op(B)[p,j]), c the tile's top-left corner in a matrix of leading dimension ldc.
// When beta is 0, c is not read.
func kernelRef(mr, nr, kc int, a, b []float32, ldb int, c []float32, ldc int, alpha, beta float32) {
	for i := 0; i < mr; i++ {
		for j := 0; j < nr; j++ {
			var acc float32
			for p := 0; p < kc; p++ {
				acc += a[p*mr+i] * b[p*ldb+j]
			}
			acc *= alpha
			if beta != 0 {
				acc += beta * c[i*ldc+j]
			}
			c[i*ldc+j] = acc
		}
	}
}

// kernel4x4Go is kernelRef for mr = nr = 4, unrolled so that the accumulators are locals.
func kernel4x4Go(kc int, a, b []float32, ldb int, c []float32, ldc int, alpha, beta float32) {
	var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 float32
	a = a[:4*kc]
	for p := 0; p < kc; p++ {
		ap, bp := a[4*p:4*p+4], b[p*ldb:p*ldb+4]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		a0 := ap[0]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		a1 := ap[1]
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		a2 := ap[2]
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		a3 := ap[3]
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	store4 := func(row []float32, v0, v1, v2, v3 float32) {
		row = row[:4]
		v0, v1, v2, v3 = v0*alpha, v1*alpha, v2*alpha, v3*alpha
		if beta != 0 {
			v0 += beta * row[0]
			v1 += beta * row[1]
			v2 += beta * row[2]
			v3 += beta * row[3]
		}
		row[0], row[1], row[2], row[3] = v0, v1, v2, v3
	}
	store4(c, c00, c01, c02, c03)
	store4(c[ldc:], c10, c11, c12, c13)
	store4(c[2*ldc:], c20, c21, c22, c23)
	store4(c[3*ldc:], c30, c31, c32, c33)
}

// packCopyGo packs a kc×w panel stored row by row (row p at src[p*ld:]) of which only the
// first valid columns exist; the others are packed as zeros:
//
//	for p := 0; p < kc; p++ {
//		copy(dst[p*w:p*w+w], src[p*ld:p*ld+w])
//	}
func packCopyGo(kc int, src []float32, ld int, dst []float32, w, valid int) {
	for p := 0; p < kc; p++ {
		d := dst[p*w : p*w+w]
		copy(d, src[p*ld:p*ld+valid])
		clear(d[valid:])
	}
}

// packTransGo packs the transpose of a w×kc panel (row j at src[j*ld:]) of which only the
// first valid rows exist; the others are packed as zeros:
//
//	for p := 0; p < kc; p++ {
//		for j := 0; j < w; j++ {
//			dst[p*w+j] = src[j*ld+p]
//		}
//	}
func packTransGo(kc int, src []float32, ld int, dst []float32, w, valid int) {
	for j := 0; j < valid; j++ {
		row := src[j*ld : j*ld+kc]
		for p, v := range row {
			dst[p*w+j] = v
		}
	}
	if valid < w {
		for p := 0; p < kc; p++ {
			clear(dst[p*w+valid : p*w+w])
		}
	}
}

// packCopyPanels packs the kc×w panels side by side in src (panel q's row p at src[p*ld+q*w:])
// of which only the first valid columns exist, into dst one panel after another (see
// packCopyGo); the full panels go through pack, an assembly routine for width w, when set.
//
// Narrow panels (w < packRun) are packed packRun/w at a time: a walk across all the panels
// at once writes to mc/w streams kc·w floats apart, which for op(A) of the filter gradient
// (32 streams 8 KiB apart) evict each other's half-written lines; packRun floats of a row
// at a time still read whole cache lines (measured: +30% on the 64×64×3 DCGAN's filter
// gradients on one thread).
func packCopyPanels(pack func(kc int, src []float32, ld int, dst []float32, panels int), kc int, src []float32, ld int, dst []float32, w, valid int) {
	full := valid / w
	if pack != nil && full > 0 && kc > 0 {
		group := full
		if w < packRun {
			group = packRun / w
		}
		for q := 0; q < full; q += group {
			pack(kc, src[q*w:], ld, dst[q*w*kc:], min(group, full-q))
		}
		src, dst, valid = src[full*w:], dst[full*w*kc:], valid-full*w
	}
	for q := 0; valid > 0; q++ {
		packCopyGo(kc, src[q*w:], ld, dst[q*w*kc:], w, min(w, valid))
		valid -= w
	}
}

// packTransPanel packs the transpose of a w×kc panel (see packTransGo) with pack, an assembly
// routine for full panels of width w, where it is set and the panel is full; the last kc%8
// columns, and the panels it does not fit, go through the Go loop.
func packTransPanel(pack func(kc int, src []float32, ld int, dst []float32), kc int, src []float32, ld int, dst []float32, w, valid int) {
	if pack != nil && valid == w && kc >= 8 {
		k8 := kc &^ 7
		pack(k8, src, ld, dst)
		if k8 < kc {
			packTransGo(kc-k8, src[k8:], ld, dst[k8*w:], w, valid)
		}
		return
	}
	packTransGo(kc, src, ld, dst, w, valid)
}

// packRun is the fewest floats of a row that packCopyPanels copies before moving to the
// next row: two cache lines.
const packRun = 32
