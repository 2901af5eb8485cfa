// Command _asm generates gemm's amd64 assembly (sgemm_amd64.s) and its Go declarations
// (sgemm_amd64_stubs.go) with avo. It lives in its own module so that users of gogan never
// download avo. Regenerate from internal/gemm with `go generate` (see gen.go there).
//
// The functions it writes:
//
//   - kernelAVX512: the 8×32 AVX-512 micro-kernel (16 zmm accumulators, 2 zmm per row of C);
//   - kernelAVX2: the 6×16 AVX2+FMA micro-kernel (12 ymm accumulators, the BLIS Haswell shape);
//   - packCopyAVX, packTransAVX: the packing routines for full panels, whose widths are
//     multiples of 8 (a plain strided copy, and an 8×8-block transpose).
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
	packTrans()
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

// packCopy writes the packing routine for a panel read along its rows.
func packCopy() {
	const name = "packCopyAVX"
	TEXT(name, NOSPLIT, "func(kc int, src []float32, ld int, dst []float32, w int)")
	Doc(
		name+" packs a kc×w panel stored row by row, w a positive multiple of 8:",
		"",
		"\tfor p := 0; p < kc; p++ {",
		"\t\tcopy(dst[p*w:p*w+w], src[p*ld:p*ld+w])",
		"\t}",
	)
	kc := Load(Param("kc"), GP64())
	src := Load(Param("src").Base(), GP64())
	ld := Load(Param("ld"), GP64())
	dst := Load(Param("dst").Base(), GP64())
	w := Load(Param("w"), GP64())
	SHLQ(U8(2), ld)
	chunks := GP64()
	MOVQ(w, chunks)
	SHRQ(U8(3), chunks)

	TESTQ(kc, kc)
	JZ(LabelRef("done"))
	Label("row")
	s, n := GP64(), GP64()
	MOVQ(src, s)
	MOVQ(chunks, n)
	Label("chunk")
	y := YMM()
	VMOVUPS(Mem{Base: s}, y)
	VMOVUPS(y, Mem{Base: dst})
	ADDQ(U8(32), s)
	ADDQ(U8(32), dst)
	DECQ(n)
	JNZ(LabelRef("chunk"))
	ADDQ(ld, src)
	DECQ(kc)
	JNZ(LabelRef("row"))
	Label("done")
	VZEROUPPER()
	RET()
}

// packTrans writes the packing routine for a panel read across its rows: an 8×8 transpose
// per block, the two 128-bit halves of each row gathered by loads so that only 16 shuffles
// move the 64 values.
func packTrans() {
	const name = "packTransAVX"
	TEXT(name, NOSPLIT, "func(kc int, src []float32, ld int, dst []float32, w int)")
	Doc(
		name+" packs the transpose of a w×kc panel, kc and w positive multiples of 8:",
		"",
		"\tfor p := 0; p < kc; p++ {",
		"\t\tfor j := 0; j < w; j++ {",
		"\t\t\tdst[p*w+j] = src[j*ld+p]",
		"\t\t}",
		"\t}",
	)
	kc := Load(Param("kc"), GP64())
	src := Load(Param("src").Base(), GP64())
	ld := Load(Param("ld"), GP64())
	dst := Load(Param("dst").Base(), GP64())
	w := Load(Param("w"), GP64())
	SHLQ(U8(2), ld)
	ld3 := GP64()
	LEAQ(Mem{Base: ld, Index: ld, Scale: 2}, ld3)
	w4 := GP64()
	MOVQ(w, w4)
	SHLQ(U8(2), w4)
	w12 := GP64()
	LEAQ(Mem{Base: w4, Index: w4, Scale: 2}, w12)
	jb := GP64()
	MOVQ(w, jb)
	SHRQ(U8(3), jb)

	Label("colblock")
	s, s4, d, d4, n := GP64(), GP64(), GP64(), GP64(), GP64()
	MOVQ(src, s)
	LEAQ(Mem{Base: src, Index: ld, Scale: 4}, s4)
	MOVQ(dst, d)
	LEAQ(Mem{Base: dst, Index: w4, Scale: 4}, d4)
	MOVQ(kc, n)
	SHRQ(U8(3), n)

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
	// r[h*4+q] = [row q, half h | row q+4, half h].
	// Physical registers Y0-Y15 only: a virtual one might be given Y16-Y31, which need AVX-512.
	ymm := []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15}
	r := make([]VecPhysical, 8)
	for h := 0; h < 2; h++ {
		for q := 0; q < 4; q++ {
			v := ymm[h*4+q]
			VMOVUPS(rowAt(s, q, 16*h), v.AsX())
			VINSERTF128(U8(1), rowAt(s4, q, 16*h), v, v)
			r[h*4+q] = v
		}
	}
	t := make([]VecPhysical, 8)
	for h := 0; h < 2; h++ {
		for q := 0; q < 2; q++ {
			lo, hi := ymm[8+h*4+2*q], ymm[8+h*4+2*q+1]
			x, y := r[h*4+2*q], r[h*4+2*q+1]
			VUNPCKLPS(y, x, lo)
			VUNPCKHPS(y, x, hi)
			t[h*4+2*q], t[h*4+2*q+1] = lo, hi
		}
	}
	// Column h*4+2u+e of the block comes from t[h*4+u] and t[h*4+u+2].
	colAt := func(col int) Mem {
		base, q := d, col
		if col >= 4 {
			base, q = d4, col-4
		}
		switch q {
		case 0:
			return Mem{Base: base}
		case 1:
			return Mem{Base: base, Index: w4, Scale: 1}
		case 2:
			return Mem{Base: base, Index: w4, Scale: 2}
		default:
			return Mem{Base: base, Index: w12, Scale: 1}
		}
	}
	for h := 0; h < 2; h++ {
		for u := 0; u < 2; u++ {
			for e, imm := range []uint8{0x44, 0xEE} {
				o := ymm[h*4+2*u+e]
				VSHUFPS(U8(imm), t[h*4+u+2], t[h*4+u], o)
				VMOVUPS(o, colAt(h*4+2*u+e))
			}
		}
	}
	ADDQ(U8(32), s)
	ADDQ(U8(32), s4)
	tmp := GP64()
	LEAQ(Mem{Base: w4, Index: w4, Scale: 1}, tmp) // 8 rows of dst: w4*8
	SHLQ(U8(2), tmp)
	ADDQ(tmp, d)
	ADDQ(tmp, d4)
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
