package gemm

import "unsafe"

// Blocking parameters, tuned on a Sapphire Rapids core (48 KiB L1d, 2 MiB L2); see doc.go.
const (
	// kcMax is the deepest slab of the k dimension packed at once: one kc×nr panel of op(B)
	// (32 KiB for nr = 32) stays in L1 while the kernel streams op(A) panels past it.
	// k is cut into equal slabs of at most kcMax (a multiple of 8), never a thin last one.
	kcMax = 256
	// mcMax is the most rows of op(A) packed at once (rounded down to the kernel's mr):
	// mc×kc floats, 256 KiB, stay in L2.
	mcMax = 256
	// ncMax is the most columns of op(B) packed at once: kc×nc floats, 1 MiB, in L2.
	ncMax = 1024
)

// kernels is the family the fast path runs, chosen once at init (dispatch_*.go).
var kernels = bestKernels()

// Sgemm computes C = alpha·op(A)·op(B) + beta·C (see the package doc for layouts).
// When beta is 0, C is only written, so it may hold garbage (even NaN) on entry. When alpha
// is 0 or k is 0, A and B are not read: C = beta·C.
//
// a is op(A)'s storage: (m, k) with leading dimension lda, or (k, m) when transA;
// b is op(B)'s: (k, n) with ldb, or (n, k) when transB; c is (m, n) with ldc.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemmWith(kernels, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, nil)
}

// An Epilogue rewrites, in place, finished stretches of the rows of a product:
// Apply's row is C[i, j:j+len(row)]. It must treat each element on its own (a bias
// and an activation, say), so that its result does not depend on how the rows are
// cut, and it may be called from several goroutines at once, on other stretches.
type Epilogue interface {
	Apply(row []float32, j int)
}

// SgemmThen computes C = op(A)·op(B) (alpha 1, beta 0) and applies then to every
// element of C once, stretch by stretch, each right after the goroutine that computed
// it wrote its last sum, while it is still in that core's cache: a layer's bias and
// activation cost no pass of their own over C, and no hand-over to other threads.
// The result is bit for bit Sgemm's followed by then on every row.
func SgemmThen(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, then Epilogue) {
	sgemmWith(kernels, transA, transB, m, n, k, 1, a, lda, b, ldb, 0, c, ldc, then)
}

// sgemmWith is Sgemm, or SgemmThen when then is not nil, through the given kernel
// family (the tests and benchmarks compare families).
func sgemmWith(ks *kernelSet, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, then Epilogue) {
	checkArgs(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		if then != nil {
			for i := range m {
				then.Apply(c[i*ldc:i*ldc+n], 0)
			}
		}
		return
	}
	if n == 1 {
		gemv(ks, transA, transB, m, k, alpha, a, lda, b, ldb, beta, c, ldc, then)
		return
	}
	g := call{
		ks: ks, transA: transA, transB: transB, m: m, n: n, k: k,
		alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, then: then,
	}.arranged()
	execute(&g)
}

// arranged is the call g computed as the kernels read it best: swapped, Cᵀ =
// op(B)ᵀ·op(A)ᵀ, where op(B)ᵀ is B as stored, read in place by the kernel, so that the
// large B needs no transposing pack (Cᵀ goes to a scratch matrix, then into C); else with
// op(A) read in place when it is short (packing it again in every part of a parallel
// product would cost more than the kernel saves) or thin in k.
func (g call) arranged() call {
	ks := g.ks
	if g.transB && ks.kernelRowA != nil && g.then == nil && swapped(g.m, g.n, g.k) {
		return call{
			ks: ks, transA: false, transB: !g.transA, m: g.n, n: g.m, k: g.k,
			alpha: g.alpha, a: g.b, lda: g.ldb, b: g.a, ldb: g.lda, beta: 0, ldc: g.m,
			directA: true, out: g.c, ldout: g.ldc, outBeta: g.beta,
		}
	}
	if !g.transA && ks.kernelRowA != nil && (g.m <= 64 || g.k <= kcMax) {
		g.directA = true
	}
	return g
}

// swapped reports whether C = op(A)·Bᵀ is better computed as Cᵀ = B·op(A)ᵀ: when B is the
// larger operand (n ≥ 2m, m ≤ 128), which then needs no transposing pack, and deep enough
// (k ≥ 16m) for that pack to cost more than writing Cᵀ back transposed, m·n floats out of
// place. Measured on 2 threads (µs, swapped against not): 64×784×1024 (the MLP's dX = dY·Wᵀ)
// 332 against 346–398; 64×1024×512 222 against 214; 64×6272×1 (a 1-unit Dense layer's dX)
// 540 against 66; 128×6272×32 806 against 168; 64×12544×100 860 against 513.
func swapped(m, n, k int) bool { return m <= 128 && n >= 2*m && k >= 16*m }

// scaleC sets C = beta·C, without reading C when beta is 0.
func scaleC(m, n int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		switch beta {
		case 0:
			clear(row)
		case 1:
		default:
			for j := range row {
				row[j] *= beta
			}
		}
	}
}

// call holds the arguments of one product, checked.
type call struct {
	ks             *kernelSet
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
	// directA: the kernel reads the full panels of op(A) in place (A not transposed), and
	// only the last, partial panel is packed.
	directA bool
	// out, when set, receives the result transposed: out[j*ldout+i] = c[i*ldc+j] (+ outBeta
	// times its old value unless outBeta is 0), c being scratch space.
	out     []float32
	ldout   int
	outBeta float32
	// pm, pn: a shared product is cut into pm bands of rows by pn bands of columns (see Run),
	// part p packing into ws[p].
	pm, pn int
	ws     []*workspace
	// packedB, when set, holds all of op(B) packed once for the parts of a shared product
	// (sharedpack.go): column band by column band, each its blocks of ncMax columns, each its
	// k slabs.
	packedB []float32
	// then, when set, is applied to each block of C once its last k slab is summed.
	then Epilogue
}

// kStep is the depth of the k slabs: k cut into ⌈k/kcMax⌉ slabs of equal depth, rounded up
// to a multiple of 8 (the transposing pack's block), so the last one is never thin. It depends
// on k alone: every element of C is summed in the same order whatever the threads.
func kStep(k int) int {
	slabs := (k + kcMax - 1) / kcMax
	step := (k + slabs - 1) / slabs
	return (step + 7) &^ 7
}

// run computes the block C[i0:i1, j0:j1] with the packing buffers of ws: the GotoBLAS loops
// (columns by ncMax, depth by kStep, rows by mcMax) around the macro-kernel. Where op(B) was
// packed once for all the parts (g.packedB), the block's columns are column band bn's, and
// their slabs are read from there instead of packed into ws.
func (g *call) run(ws *workspace, i0, i1, j0, j1, bn int) {
	ks := g.ks
	ws.fit(ks)
	mcBlk := mcMax / ks.mr * ks.mr
	step := kStep(g.k)
	for jc := j0; jc < j1; jc += ncMax {
		nc := min(ncMax, j1-jc)
		for pc := 0; pc < g.k; pc += step {
			kc := min(step, g.k-pc)
			beta := g.beta
			if pc > 0 {
				beta = 1
			}
			bp := ws.b
			if g.packedB != nil {
				bp = g.packedBlock(bn, j0, jc, nc, pc, kc)
			} else {
				g.packB(bp, pc, kc, jc, nc)
			}
			for ic := i0; ic < i1; ic += mcBlk {
				mc := min(mcBlk, i1-ic)
				g.packA(ws.a, ic, mc, pc, kc)
				g.macro(ws, bp, ic, mc, jc, nc, pc, kc, beta)
				if g.then != nil && pc+kc == g.k {
					g.finish(ic, mc, jc, nc)
				}
			}
		}
	}
	if g.out != nil {
		g.writeOut(i0, i1, j0, j1)
	}
}

// finish applies the epilogue to the finished block C[ic:ic+mc, jc:jc+nc], row by row.
func (g *call) finish(ic, mc, jc, nc int) {
	for i := ic; i < ic+mc; i++ {
		g.then.Apply(g.c[i*g.ldc+jc:i*g.ldc+jc+nc], jc)
	}
}

// writeOut moves the finished block c[i0:i1, j0:j1] to out, transposed.
func (g *call) writeOut(i0, i1, j0, j1 int) {
	for j := j0; j < j1; j++ {
		row := g.out[j*g.ldout+i0 : j*g.ldout+i1]
		col := g.c[i0*g.ldc+j:]
		if g.outBeta == 0 {
			for i := range row {
				row[i] = col[i*g.ldc]
			}
			continue
		}
		for i := range row {
			row[i] = col[i*g.ldc] + g.outBeta*row[i]
		}
	}
}

// packB packs op(B)[pc:pc+kc, jc:jc+nc] into panels of nr columns, each kc×nr stored p by p,
// the last one padded with zero columns. op(B) is read in place: row by row (copy) or,
// when transB, across the rows of B (transpose).
func (g *call) packB(dst []float32, pc, kc, jc, nc int) {
	ks := g.ks
	nr := ks.nr
	if !g.transB {
		packCopyPanels(ks.packCopyB, kc, g.b[pc*g.ldb+jc:], g.ldb, dst, nr, nc)
		return
	}
	for jr := 0; jr < nc; jr += nr {
		j := jc + jr
		packTransPanel(ks.packTransB, kc, g.b[j*g.ldb+pc:], g.ldb, dst[jr*kc:(jr+nr)*kc], nr, min(nr, nc-jr))
	}
}

// packA packs op(A)[ic:ic+mc, pc:pc+kc] into panels of mr rows, each mr×kc stored p by p
// (a column of the panel after another), the last one padded with zero rows.
func (g *call) packA(dst []float32, ic, mc, pc, kc int) {
	ks := g.ks
	mr := ks.mr
	if g.directA {
		if full := mc / mr * mr; full < mc {
			packTransGo(kc, g.a[(ic+full)*g.lda+pc:], g.lda, dst[full*kc:], mr, mc-full)
		}
		return
	}
	if g.transA {
		packCopyPanels(ks.packCopyA, kc, g.a[pc*g.lda+ic:], g.lda, dst, mr, mc)
		return
	}
	for ir := 0; ir < mc; ir += mr {
		i := ic + ir
		packTransPanel(ks.packTransA, kc, g.a[i*g.lda+pc:], g.lda, dst[ir*kc:(ir+mr)*kc], mr, min(mr, mc-ir))
	}
}

// macro runs the micro-kernel over the packed block (op(A)'s in ws, op(B)'s in bp): each
// op(B) panel stays in L1 while the op(A) panels stream past it. Edge tiles go through
// ws.tile: the valid part of C copied in (when beta is not 0), the same kernel run on it,
// the valid part copied back, so that an edge element is computed exactly as an inner one.
func (g *call) macro(ws *workspace, bp []float32, ic, mc, jc, nc, pc, kc int, beta float32) {
	ks := g.ks
	mr, nr, ldc := ks.mr, ks.nr, g.ldc
	for jr := 0; jr < nc; jr += nr {
		cols := min(nr, nc-jr)
		panel := bp[jr*kc : (jr+nr)*kc]
		for ir := 0; ir < mc; ir += mr {
			rows := min(mr, mc-ir)
			ap, rowA := ws.a[ir*kc:(ir+mr)*kc], g.directA && rows == mr
			if rowA {
				ap = g.a[(ic+ir)*g.lda+pc:]
			}
			ct := g.c[(ic+ir)*ldc+jc+jr:]
			if rows == mr && cols == nr {
				g.tile(rowA, kc, ap, panel, ct, ldc, beta)
				continue
			}
			tile := ws.tile[:mr*nr]
			if beta != 0 {
				for i := 0; i < rows; i++ {
					copy(tile[i*nr:i*nr+cols], ct[i*ldc:i*ldc+cols])
				}
			}
			g.tile(rowA, kc, ap, panel, tile, nr, beta)
			for i := 0; i < rows; i++ {
				copy(ct[i*ldc:i*ldc+cols], tile[i*nr:i*nr+cols])
			}
		}
	}
}

// tile runs the micro-kernel on one tile, reading op(A) in place (rowA) or packed, and
// op(B) packed.
func (g *call) tile(rowA bool, kc int, a, b, c []float32, ldc int, beta float32) {
	nr := g.ks.nr
	if rowA {
		g.ks.kernelRowA(kc, a, g.lda, b, nr, c, ldc, g.alpha, beta)
		return
	}
	g.ks.kernel(kc, a, b, nr, c, ldc, g.alpha, beta)
}

// workspace holds one thread's packing buffers, allocated once (64-byte aligned) and reused.
type workspace struct {
	a    []float32 // packed op(A) block: mcMax×kcMax
	b    []float32 // packed op(B) slab: kcMax×ncMax
	tile []float32 // one mr×nr edge tile
	ct   []float32 // Cᵀ of a swapped product (see sgemmWith)
	sums []float32 // a block of sums of a product with one column (gemv.go)
}

// scratch returns ws.ct grown to n floats.
func (ws *workspace) scratch(n int) []float32 {
	if len(ws.ct) < n {
		ws.ct = alignedFloats(n)
	}
	return ws.ct[:n]
}

// fit grows the buffers to what the kernel family ks needs; a no-op in the steady state.
func (ws *workspace) fit(ks *kernelSet) {
	mcBlk := mcMax / ks.mr * ks.mr
	if need := mcBlk * kcMax; len(ws.a) < need {
		ws.a = alignedFloats(need)
	}
	if need := (ncMax + ks.nr - 1) / ks.nr * ks.nr * kcMax; len(ws.b) < need {
		ws.b = alignedFloats(need)
	}
	if need := ks.mr * ks.nr; len(ws.tile) < need {
		ws.tile = alignedFloats(need)
	}
}

// alignedFloats returns n zeroed floats starting on a 64-byte (cache line) boundary.
func alignedFloats(n int) []float32 {
	const lineFloats = 64 / 4
	buf := make([]float32, n+lineFloats-1)
	off := 0
	if mis := int(uintptr(unsafe.Pointer(&buf[0]))%64) / 4; mis != 0 {
		off = lineFloats - mis
	}
	return buf[off : off+n : off+n]
}

// checkArgs panics with a clear message when the dimensions do not fit the slices:
// a programmer error, never a user one.
func checkArgs(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic("gemm: negative dimension")
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	need := func(name string, rows, cols, ld, have int) {
		if rows == 0 || cols == 0 {
			return
		}
		if ld < cols {
			panic("gemm: leading dimension of " + name + " smaller than its row length")
		}
		if (rows-1)*ld+cols > have {
			panic("gemm: " + name + " is too short for its dimensions")
		}
	}
	need("A", ar, ac, lda, len(a))
	need("B", br, bc, ldb, len(b))
	need("C", m, n, ldc, len(c))
}
