// Command _asm generates gemm's amd64 assembly (sgemm_amd64.s) and its Go declarations
// (sgemm_amd64_stubs.go) with avo. It lives in its own module so that users of gogan never
// download avo. Regenerate from internal/gemm with `go generate` (see gen.go there).
//
// The functions it writes:
//
//   - kernelAVX512: the 8×32 AVX-512 micro-kernel (16 zmm accumulators, 2 zmm per row of C);
//   - kernelAVX2: the 6×16 AVX2+FMA micro-kernel (12 ymm accumulators, the BLIS Haswell shape);
//   - kernelRowAAVX512, kernelRowAAVX2: the same, reading op(A) in place from its rows
//     instead of from a packed panel;
//   - packCopy{8,16,32}AVX, packTrans{8,16,32}AVX: the packing routines for full panels of
//     those widths (a strided copy, and 8×8-block transposes);
//   - dotAVX512, dotAVX2, cols{128,16}AVX512, cols{64,8}AVX2: the products with one
//     column (gemv.go): a dot product of a row of op(A) with the column, and the column
//     times a block of columns of A, summed down its rows.
//
// Each function's doc comment is the Go loop it computes; internal/gemm runs those loops in
// the purego build and tests the assembly against them.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

func main() {
	ConstraintExpr("amd64,!purego")
	kernel512("kernelAVX512", 8, 32, false)
	kernel512("kernelRowAAVX512", 8, 32, true)
	kernelAVX2("kernelAVX2", 6, 16, false)
	kernelAVX2("kernelRowAAVX2", 6, 16, true)
	packCopy(8)
	packCopy(16)
	packCopy(32)
	packTrans(8)
	packTrans(16)
	packTrans(32)
	dot("dotAVX512", 16, ZMM)
	dot("dotAVX2", 8, YMM)
	cols("cols128AVX512", 8, 16, ZMM)
	cols("cols16AVX512", 1, 16, ZMM)
	cols("cols64AVX2", 8, 8, YMM)
	cols("cols8AVX2", 1, 8, YMM)
	Generate()
}

// kernelDoc is the Go loop that every micro-kernel computes, for an mr×nr tile.
func kernelDoc(name string, mr, nr int, rowA bool) {
	aPanel, aElem := fmt.Sprintf("a packed %d×kc panel of op(A)", mr), fmt.Sprintf("a[p*%d+i]", mr)
	if rowA {
		aPanel, aElem = fmt.Sprintf("%d rows of op(A) read in place, lda apart", mr), "a[i*lda+p]"
	}
	Doc(
		fmt.Sprintf("%s is the %d×%d micro-kernel: with a %s and b a kc×%d panel of op(B)", name, mr, nr, aPanel, nr),
		"(packed, ldb = nr, or read in place),",
		"",
		fmt.Sprintf("\tfor i := 0; i < %d; i++ {", mr),
		fmt.Sprintf("\t\tfor j := 0; j < %d; j++ {", nr),
		"\t\t\tvar acc float32",
		"\t\t\tfor p := 0; p < kc; p++ {",
		fmt.Sprintf("\t\t\t\tacc += %s * b[p*ldb+j]", aElem),
		"\t\t\t}",
		"\t\t\tacc *= alpha",
		"\t\t\tif beta != 0 {",
		"\t\t\t\tacc += beta * c[i*ldc+j]",
		"\t\t\t}",
		"\t\t\tc[i*ldc+j] = acc",
		"\t\t}",
		"\t}",
		"",
		"(the products are fused multiply-adds, and so is the beta update). When beta is 0, c is not read.",
	)
}

// The kernels' signatures: op(A) packed, or read in place from rows lda apart.
const (
	packedASig = "func(kc int, a, b []float32, ldb int, c []float32, ldc int, alpha, beta float32)"
	rowASig    = "func(kc int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32)"
)

// kernel512 writes the AVX-512 micro-kernel for an mr×nr tile, nr = 32 (two zmm per row).
func kernel512(name string, mr, nr int, rowA bool) {
	TEXT(name, NOSPLIT, map[bool]string{false: packedASig, true: rowASig}[rowA])
	kernelDoc(name, mr, nr, rowA)
	kernelBody(mr, nr, nr/16, 64, ZMM, rowA)
}

// kernelAVX2 writes the AVX2+FMA micro-kernel for an mr×nr tile, nr = 16 (two ymm per row).
func kernelAVX2(name string, mr, nr int, rowA bool) {
	TEXT(name, NOSPLIT, map[bool]string{false: packedASig, true: rowASig}[rowA])
	kernelDoc(name, mr, nr, rowA)
	kernelBody(mr, nr, nr/8, 32, YMM, rowA)
}

// kernelBody emits the accumulate loop (unrolled by 4 along p) and the store of one tile;
// width is the vector size in bytes and newVec allocates a vector register of that size.
//
// With rowA, op(A)[i,p] is a[i*lda+p]: rows 0-3 are addressed from a, rows 4-7 from a4.
func kernelBody(mr, nr, vecs, width int, newVec func() VecVirtual, rowA bool) {
	kc := Load(Param("kc"), GP64())
	a := Mem{Base: Load(Param("a").Base(), GP64())}
	// aAt is the address of op(A)[i, p+u] relative to the pointers' current p.
	aAt := func(i, u int) Mem { return a.Offset(u*mr*4 + i*4) }
	var a4, lda Register
	if rowA {
		lda = Load(Param("lda"), GP64())
		SHLQ(U8(2), lda)
		lda3 := GP64()
		LEAQ(Mem{Base: lda, Index: lda, Scale: 2}, lda3)
		a4 = GP64()
		LEAQ(Mem{Base: a.Base, Index: lda, Scale: 4}, a4)
		aAt = func(i, u int) Mem {
			base := a.Base
			if i >= 4 {
				base, i = a4, i-4
			}
			m := Mem{Base: base, Disp: u * 4}
			switch i {
			case 1:
				m.Index, m.Scale = lda, 1
			case 2:
				m.Index, m.Scale = lda, 2
			case 3:
				m.Index, m.Scale = lda3, 1
			}
			return m
		}
	}
	b := Mem{Base: Load(Param("b").Base(), GP64())}
	ldb := Load(Param("ldb"), GP64())
	SHLQ(U8(2), ldb)
	ldb3 := GP64()
	LEAQ(Mem{Base: ldb, Index: ldb, Scale: 2}, ldb3)
	c := Load(Param("c").Base(), GP64())
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(2), ldc)

	// Prefetch the tile of C, which the store reads (beta != 0) or writes.
	crow := GP64()
	MOVQ(c, crow)
	for i := 0; i < mr; i++ {
		for off := 0; off < nr*4; off += 64 {
			PREFETCHT0(Mem{Base: crow, Disp: off})
		}
		if i < mr-1 {
			ADDQ(ldc, crow)
		}
	}

	acc := make([][]VecVirtual, mr)
	for i := range acc {
		acc[i] = make([]VecVirtual, vecs)
		for v := range acc[i] {
			acc[i][v] = newVec()
			if width == 64 {
				VPXORD(acc[i][v], acc[i][v], acc[i][v])
			} else {
				VXORPS(acc[i][v], acc[i][v], acc[i][v])
			}
		}
	}
	bv := make([]VecVirtual, vecs)
	for v := range bv {
		bv[v] = newVec()
	}
	av := []VecVirtual{newVec(), newVec()}
	if mr*vecs+vecs+2 > 32 || (width == 32 && mr*vecs+vecs+1 > 16) {
		panic("too many vector registers")
	}
	if width == 32 {
		av = av[:1]
	}

	// step emits the multiply-adds of one p, with a and b displaced by u steps.
	rowOf := []Mem{b, {Base: b.Base, Index: ldb, Scale: 1}, {Base: b.Base, Index: ldb, Scale: 2}, {Base: b.Base, Index: ldb3, Scale: 1}}
	step := func(u int) {
		for v := range bv {
			VMOVUPS(rowOf[u].Offset(v*width), bv[v])
		}
		for i := 0; i < mr; i++ {
			r := av[i%len(av)]
			VBROADCASTSS(aAt(i, u), r)
			for v := range bv {
				VFMADD231PS(bv[v], r, acc[i][v])
			}
		}
	}

	const unroll = 4
	Label("loop4")
	CMPQ(kc, U8(unroll))
	JL(LabelRef("tail"))
	for u := 0; u < unroll; u++ {
		step(u)
	}
	advanceA := func(steps int) {
		if rowA {
			ADDQ(U8(uint8(steps*4)), a.Base)
			if mr > 4 {
				ADDQ(U8(uint8(steps*4)), a4)
			}
			return
		}
		ADDQ(U32(steps*mr*4), a.Base)
	}
	advanceA(unroll)
	LEAQ(Mem{Base: b.Base, Index: ldb, Scale: 4}, b.Base)
	SUBQ(U8(unroll), kc)
	JMP(LabelRef("loop4"))

	Label("tail")
	TESTQ(kc, kc)
	JZ(LabelRef("store"))
	step(0)
	advanceA(1)
	ADDQ(ldb, b.Base)
	DECQ(kc)
	JMP(LabelRef("tail"))

	// Store: acc *= alpha, then acc += beta*C unless beta == 0 (then C is not read).
	Label("store")
	alpha, beta := newVec(), newVec()
	VBROADCASTSS(paramAddr("alpha"), alpha)
	for i := range acc {
		for v := range acc[i] {
			VMULPS(alpha, acc[i][v], acc[i][v])
		}
	}
	// beta == 0 (either sign) when its bits other than the sign are all zero; NaN is not 0.
	bits := GP32()
	MOVL(paramAddr("beta"), bits)
	ANDL(U32(0x7fffffff), bits)
	JNZ(LabelRef("withbeta"))
	storeRows(c, ldc, acc, width, nil)
	VZEROUPPER()
	RET()

	Label("withbeta")
	VBROADCASTSS(paramAddr("beta"), beta)
	storeRows(c, ldc, acc, width, beta)
	VZEROUPPER()
	RET()
}

// paramAddr is the stack address of a scalar argument.
func paramAddr(name string) Mem {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

// storeRows writes the accumulators to the rows of C, first adding beta·C when beta is set.
func storeRows(c, ldc Register, acc [][]VecVirtual, width int, beta VecVirtual) {
	for i := range acc {
		for v := range acc[i] {
			m := Mem{Base: c, Disp: v * width}
			if beta != nil {
				VFMADD231PS(m, beta, acc[i][v])
			}
			VMOVUPS(acc[i][v], m)
		}
		if i < len(acc)-1 {
			ADDQ(ldc, c)
		}
	}
}

// packCopy writes the packing routine for panels of width w read along their rows. It walks
// the source row by row across all the panels, so that its reads are long sequential runs (a
// row of op(B) is often 4 KiB, one page, which defeats the prefetchers when read a panel at a
// time), and copies each panel's row with w/8 unrolled ymm moves.
func packCopy(w int) {
	name := fmt.Sprintf("packCopy%dAVX", w)
	TEXT(name, NOSPLIT, "func(kc int, src []float32, ld int, dst []float32, panels int)")
	Doc(
		fmt.Sprintf("%s packs panels kc×%d stored row by row side by side:", name, w),
		"",
		"\tfor p := 0; p < kc; p++ {",
		"\t\tfor q := 0; q < panels; q++ {",
		fmt.Sprintf("\t\t\tcopy(dst[q*kc*%d+p*%d:q*kc*%d+p*%d+%d], src[p*ld+q*%d:p*ld+q*%d+%d])", w, w, w, w, w, w, w, w),
		"\t\t}",
		"\t}",
	)
	kc := Load(Param("kc"), GP64())
	src := Load(Param("src").Base(), GP64())
	ld := Load(Param("ld"), GP64())
	dst := Load(Param("dst").Base(), GP64())
	panels := Load(Param("panels"), GP64())
	SHLQ(U8(2), ld)
	panelStride := GP64() // kc*w*4 bytes
	MOVQ(kc, panelStride)
	SHLQ(U8(uint8(bitsOf(w*4))), panelStride)

	TESTQ(kc, kc)
	JZ(LabelRef("done"))
	TESTQ(panels, panels)
	JZ(LabelRef("done"))
	Label("row")
	s, d, q := GP64(), GP64(), GP64()
	MOVQ(src, s)
	MOVQ(dst, d)
	MOVQ(panels, q)
	Label("panel")
	ys := []VecPhysical{Y0, Y1, Y2, Y3}
	for c := 0; c < w/8; c++ {
		VMOVUPS(Mem{Base: s, Disp: 32 * c}, ys[c])
	}
	for c := 0; c < w/8; c++ {
		VMOVUPS(ys[c], Mem{Base: d, Disp: 32 * c})
	}
	ADDQ(U8(uint8(w*4)), s)
	ADDQ(panelStride, d)
	DECQ(q)
	JNZ(LabelRef("panel"))
	ADDQ(ld, src)
	ADDQ(U8(uint8(w*4)), dst)
	DECQ(kc)
	JNZ(LabelRef("row"))
	Label("done")
	VZEROUPPER()
	RET()
}

// bitsOf is log2 of a power of two.
func bitsOf(x int) int {
	n := 0
	for x > 1 {
		x >>= 1
		n++
	}
	return n
}

// packTrans writes the packing routine for panels of width w read across their rows: an 8×8
// transpose per block, the two 128-bit halves of each row gathered by loads so that only 16
// shuffles move the 64 values. w is fixed per routine so that the stores use displacements.
func packTrans(w int) {
	name := fmt.Sprintf("packTrans%dAVX", w)
	TEXT(name, NOSPLIT, "func(kc int, src []float32, ld int, dst []float32)")
	Doc(
		fmt.Sprintf("%s packs the transpose of a %d×kc panel, kc a positive multiple of 8:", name, w),
		"",
		"\tfor p := 0; p < kc; p++ {",
		fmt.Sprintf("\t\tfor j := 0; j < %d; j++ {", w),
		fmt.Sprintf("\t\t\tdst[p*%d+j] = src[j*ld+p]", w),
		"\t\t}",
		"\t}",
	)
	kc := Load(Param("kc"), GP64())
	src := Load(Param("src").Base(), GP64())
	ld := Load(Param("ld"), GP64())
	dst := Load(Param("dst").Base(), GP64())
	SHLQ(U8(2), ld)
	SHRQ(U8(3), kc)
	ld3 := GP64()
	LEAQ(Mem{Base: ld, Index: ld, Scale: 2}, ld3)
	jb := GP64()
	MOVQ(U32(w/8), jb)

	Label("colblock")
	s, s4, d, n, pf, pf4 := GP64(), GP64(), GP64(), GP64(), GP64(), GP64()
	MOVQ(src, s)
	LEAQ(Mem{Base: src, Index: ld, Scale: 4}, s4)
	MOVQ(dst, d)
	MOVQ(kc, n)

	Label("block")
	rowAt := func(base Register, r int, disp int) Mem {
		switch r {
		case 0:
			return Mem{Base: base, Disp: disp}
		case 1:
			return Mem{Base: base, Index: ld, Scale: 1, Disp: disp}
		case 2:
			return Mem{Base: base, Index: ld, Scale: 2, Disp: disp}
		default:
			return Mem{Base: base, Index: ld3, Scale: 1, Disp: disp}
		}
	}
	// Prefetch the same place in the next 8 rows: each row is read only kc values long, too
	// short a run for the hardware prefetchers.
	LEAQ(Mem{Base: s4, Index: ld, Scale: 4}, pf)
	LEAQ(Mem{Base: pf, Index: ld, Scale: 4}, pf4)
	for q := 0; q < 4; q++ {
		PREFETCHT0(rowAt(pf, q, 0))
		PREFETCHT0(rowAt(pf4, q, 0))
	}
	// Physical registers Y0-Y15 only: a virtual one might be given Y16-Y31, which need AVX-512.
	ymm := []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15}
	// r[h*4+q] = [row q, half h | row q+4, half h].
	r := ymm[:8]
	for h := 0; h < 2; h++ {
		for q := 0; q < 4; q++ {
			v := r[h*4+q]
			VMOVUPS(rowAt(s, q, 16*h), v.AsX())
			VINSERTF128(U8(1), rowAt(s4, q, 16*h), v, v)
		}
	}
	t := ymm[8:]
	for h := 0; h < 2; h++ {
		for q := 0; q < 2; q++ {
			x, y := r[h*4+2*q], r[h*4+2*q+1]
			VUNPCKLPS(y, x, t[h*4+2*q])
			VUNPCKHPS(y, x, t[h*4+2*q+1])
		}
	}
	// Column h*4+2u+e of the block (a row of dst) comes from t[h*4+u] and t[h*4+u+2].
	for h := 0; h < 2; h++ {
		for u := 0; u < 2; u++ {
			for e, imm := range []uint8{0x44, 0xEE} {
				col := h*4 + 2*u + e
				o := r[col]
				VSHUFPS(U8(imm), t[h*4+u+2], t[h*4+u], o)
				VMOVUPS(o, Mem{Base: d, Disp: col * w * 4})
			}
		}
	}
	ADDQ(U8(32), s)
	ADDQ(U8(32), s4)
	ADDQ(U32(8*w*4), d)
	DECQ(n)
	JNZ(LabelRef("block"))

	// Next 8 columns: src moves 8 rows down, dst 8 values right.
	LEAQ(Mem{Base: src, Index: ld, Scale: 8}, src)
	ADDQ(U8(32), dst)
	DECQ(jb)
	JNZ(LabelRef("colblock"))
	VZEROUPPER()
	RET()
}

// dot writes the dot product of two vectors whose length is a multiple of 4·lanes, summed
// in four vectors of partial sums (4·lanes sums, each over every 4·lanes-th product),
// which are then added in halves: the first half and the second, down to one.
func dot(name string, lanes int, newVec func() VecVirtual) {
	block := 4 * lanes
	width := 4 * lanes // bytes in a vector
	TEXT(name, NOSPLIT, "func(a, x []float32) float32")
	Doc(
		fmt.Sprintf("%s is Σ a[i]·x[i] for len(a) a multiple of %d, summed in this order:", name, block),
		"",
		fmt.Sprintf("\tvar acc [%d]float32", block),
		fmt.Sprintf("\tfor i := 0; i < len(a); i += %d {", block),
		fmt.Sprintf("\t\tfor l := 0; l < %d; l++ {", block),
		"\t\t\tacc[l] += a[i+l] * x[i+l]",
		"\t\t}",
		"\t}",
		fmt.Sprintf("\tfor w := %d; w >= 1; w /= 2 {", block/2),
		"\t\tfor l := 0; l < w; l++ {",
		"\t\t\tacc[l] += acc[l+w]",
		"\t\t}",
		"\t}",
		"\treturn acc[0]",
		"",
		"(the products are fused multiply-adds).",
	)
	a := Load(Param("a").Base(), GP64())
	n := Load(Param("a").Len(), GP64())
	x := Load(Param("x").Base(), GP64())
	acc := make([]VecVirtual, 4)
	for r := range acc {
		acc[r] = newVec()
		zero(acc[r], lanes)
	}
	t := newVec()
	SHRQ(U8(uint8(bitsOf(block))), n)
	JZ(LabelRef("reduce"))
	Label("loop")
	for r := range acc {
		VMOVUPS(Mem{Base: a, Disp: r * width}, t)
		VFMADD231PS(Mem{Base: x, Disp: r * width}, t, acc[r])
	}
	ADDQ(U32(4*width), a)
	ADDQ(U32(4*width), x)
	DECQ(n)
	JNZ(LabelRef("loop"))

	Label("reduce")
	VADDPS(acc[2], acc[0], acc[0])
	VADDPS(acc[3], acc[1], acc[1])
	VADDPS(acc[1], acc[0], acc[0])
	s := acc[0]
	if lanes == 16 {
		VEXTRACTF64X4(U8(1), s.AsZ(), t.AsY())
		VADDPS(t.AsY(), s.AsY(), s.AsY())
	}
	VEXTRACTF128(U8(1), s.AsY(), t.AsX())
	VADDPS(t.AsX(), s.AsX(), s.AsX())
	VMOVHLPS(s.AsX(), s.AsX(), t.AsX())
	VADDPS(t.AsX(), s.AsX(), s.AsX())
	VMOVSHDUP(s.AsX(), t.AsX())
	VADDSS(t.AsX(), s.AsX(), s.AsX())
	Store(s.AsX(), ReturnIndex(0))
	VZEROUPPER()
	RET()
}

// cols writes the product of a vector and a block of vecs·lanes columns of a matrix whose
// rows are lda apart, summed down the rows: one accumulator a vector of columns, each row
// added to it with one multiply-add.
func cols(name string, vecs, lanes int, newVec func() VecVirtual) {
	w, width := vecs*lanes, 4*lanes
	TEXT(name, NOSPLIT, "func(k int, a []float32, lda int, x []float32, y []float32)")
	Doc(
		fmt.Sprintf("%s is the vector x times the block of the first %d columns of the k rows of a", name, w),
		"(lda apart):",
		"",
		fmt.Sprintf("\tfor j := 0; j < %d; j++ {", w),
		"\t\tvar acc float32",
		"\t\tfor p := 0; p < k; p++ {",
		"\t\t\tacc += a[p*lda+j] * x[p]",
		"\t\t}",
		"\t\ty[j] = acc",
		"\t}",
		"",
		"(the products are fused multiply-adds).",
	)
	k := Load(Param("k"), GP64())
	a := Load(Param("a").Base(), GP64())
	lda := Load(Param("lda"), GP64())
	SHLQ(U8(2), lda)
	x := Load(Param("x").Base(), GP64())
	y := Load(Param("y").Base(), GP64())
	acc := make([]VecVirtual, vecs)
	for v := range acc {
		acc[v] = newVec()
		zero(acc[v], lanes)
	}
	xv := newVec()
	TESTQ(k, k)
	JZ(LabelRef("store"))
	Label("loop")
	VBROADCASTSS(Mem{Base: x}, xv)
	for v := range acc {
		VFMADD231PS(Mem{Base: a, Disp: v * width}, xv, acc[v])
	}
	ADDQ(lda, a)
	ADDQ(U8(4), x)
	DECQ(k)
	JNZ(LabelRef("loop"))
	Label("store")
	for v := range acc {
		VMOVUPS(acc[v], Mem{Base: y, Disp: v * width})
	}
	VZEROUPPER()
	RET()
}

// zero clears a vector of lanes floats (VXORPS on a zmm would need AVX-512DQ).
func zero(v VecVirtual, lanes int) {
	if lanes == 16 {
		VPXORD(v, v, v)
		return
	}
	VXORPS(v, v, v)
}
