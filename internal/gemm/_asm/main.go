// Command _asm generates gemm's amd64 assembly (sgemm_amd64.s) and its Go declarations
// (sgemm_amd64_stubs.go) with avo. It lives in its own module so that users of gogan never
// download avo. Regenerate from internal/gemm with `go generate` (see gen.go there).
//
// The functions it writes:
//
//   - kernelAVX512: the 8×32 AVX-512 micro-kernel (16 zmm accumulators, 2 zmm per row of C);
//   - kernelAVX2: the 6×16 AVX2+FMA micro-kernel (12 ymm accumulators, the BLIS Haswell shape);
//   - packCopyAVX, packTrans{8,16,32}AVX: the packing routines for full panels, whose widths
//     are multiples of 8 (a strided copy, and 8×8-block transposes).
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
	kernel512(8, 32)
	kernelAVX2(6, 16)
	packCopy()
	packTrans(8)
	packTrans(16)
	packTrans(32)
	Generate()
}

// kernelDoc is the Go loop that every micro-kernel computes, for an mr×nr tile.
func kernelDoc(name string, mr, nr int) {
	Doc(
		fmt.Sprintf("%s is the %d×%d micro-kernel: with a a packed %d×kc panel of op(A) and b a packed kc×%d panel of op(B),", name, mr, nr, mr, nr),
		"",
		fmt.Sprintf("\tfor i := 0; i < %d; i++ {", mr),
		fmt.Sprintf("\t\tfor j := 0; j < %d; j++ {", nr),
		"\t\t\tvar acc float32",
		"\t\t\tfor p := 0; p < kc; p++ {",
		fmt.Sprintf("\t\t\t\tacc += a[p*%d+i] * b[p*%d+j]", mr, nr),
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

// kernel512 writes the AVX-512 micro-kernel for an mr×nr tile, nr = 32 (two zmm per row).
func kernel512(mr, nr int) {
	const name = "kernelAVX512"
	TEXT(name, NOSPLIT, "func(kc int, a, b, c []float32, ldc int, alpha, beta float32)")
	kernelDoc(name, mr, nr)
	vecs := nr / 16
	kernelBody(mr, nr, vecs, 64, ZMM)
}

// kernelAVX2 writes the AVX2+FMA micro-kernel for an mr×nr tile, nr = 16 (two ymm per row).
func kernelAVX2(mr, nr int) {
	const name = "kernelAVX2"
	TEXT(name, NOSPLIT, "func(kc int, a, b, c []float32, ldc int, alpha, beta float32)")
	kernelDoc(name, mr, nr)
	vecs := nr / 8
	kernelBody(mr, nr, vecs, 32, YMM)
}

// kernelBody emits the accumulate loop (unrolled by 4 along p) and the store of one tile;
// width is the vector size in bytes and newVec allocates a vector register of that size.
func kernelBody(mr, nr, vecs, width int, newVec func() VecVirtual) {
	kc := Load(Param("kc"), GP64())
	a := Mem{Base: Load(Param("a").Base(), GP64())}
	b := Mem{Base: Load(Param("b").Base(), GP64())}
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
	step := func(u int) {
		for v := range bv {
			VMOVUPS(b.Offset(u*nr*4+v*width), bv[v])
		}
		for i := 0; i < mr; i++ {
			r := av[i%len(av)]
			VBROADCASTSS(a.Offset(u*mr*4+i*4), r)
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
	ADDQ(U32(unroll*mr*4), a.Base)
	ADDQ(U32(unroll*nr*4), b.Base)
	SUBQ(U8(unroll), kc)
	JMP(LabelRef("loop4"))

	Label("tail")
	TESTQ(kc, kc)
	JZ(LabelRef("store"))
	step(0)
	ADDQ(U32(mr*4), a.Base)
	ADDQ(U32(nr*4), b.Base)
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

// packCopy writes the packing routine for panels read along their rows. It walks the source
// row by row across all the panels, so that its reads are long sequential runs (a row of
// op(B) is often 4 KiB, one page, which defeats the prefetchers when read a panel at a time).
func packCopy() {
	const name = "packCopyAVX"
	TEXT(name, NOSPLIT, "func(kc int, src []float32, ld int, dst []float32, w, panels int)")
	Doc(
		name+" packs panels kc×w stored row by row side by side, w a positive multiple of 8:",
		"",
		"\tfor p := 0; p < kc; p++ {",
		"\t\tfor q := 0; q < panels; q++ {",
		"\t\t\tcopy(dst[q*kc*w+p*w:q*kc*w+p*w+w], src[p*ld+q*w:p*ld+q*w+w])",
		"\t\t}",
		"\t}",
	)
	kc := Load(Param("kc"), GP64())
	src := Load(Param("src").Base(), GP64())
	ld := Load(Param("ld"), GP64())
	dst := Load(Param("dst").Base(), GP64())
	w := Load(Param("w"), GP64())
	panels := Load(Param("panels"), GP64())
	SHLQ(U8(2), ld)
	chunks := GP64()
	MOVQ(w, chunks)
	SHRQ(U8(3), chunks)
	panelStride := GP64() // kc*w*4 bytes
	MOVQ(kc, panelStride)
	IMULQ(w, panelStride)
	SHLQ(U8(2), panelStride)
	SHLQ(U8(2), w) // w in bytes from here on

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
	n, dd := GP64(), GP64()
	MOVQ(chunks, n)
	MOVQ(d, dd)
	Label("chunk")
	y := YMM()
	VMOVUPS(Mem{Base: s}, y)
	VMOVUPS(y, Mem{Base: dd})
	ADDQ(U8(32), s)
	ADDQ(U8(32), dd)
	DECQ(n)
	JNZ(LabelRef("chunk"))
	ADDQ(panelStride, d)
	DECQ(q)
	JNZ(LabelRef("panel"))
	ADDQ(ld, src)
	ADDQ(w, dst)
	DECQ(kc)
	JNZ(LabelRef("row"))
	Label("done")
	VZEROUPPER()
	RET()
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
