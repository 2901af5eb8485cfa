// Command _asm generates vec's amd64 assembly (vec_amd64.s) and its Go declarations
// (vec_amd64_stubs.go) with avo, and beside the declarations the Go that picks a kernel
// (dispatch_amd64.go: a kernelSet table per instruction set and the wrappers that run the
// active set's kernel; see dispatch.go). It lives in its own module so that users of gogan
// never download avo. Regenerate from internal/vec with `go generate` (see gen.go there).
//
// Every kernel is an element-wise loop over whole vectors: 16 floats (AVX-512, zmm) or 8
// (AVX2, ymm); the Go wrappers in vec run the kernel's Go loop on the tail. Each function's
// doc comment is the Go loop it computes, and it computes it exactly: one rounding per
// operation, in the loop's order, no fused multiply-adds (the Go loops carry float32(a*b)
// conversions so that the compiler does not fuse them either). vec's tests compare every
// kernel with its loop, bit for bit.
//
// The kernels of tanh and the sigmoid (which need an exponential) are written for AVX-512
// only, where 32 registers hold their constants; without AVX-512 vec runs their Go loops.
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// isa is one vector instruction set: the width of its vectors, in bytes, and how to
// allocate one.
type isa struct {
	name   string // the functions' suffix
	width  int
	newVec func() VecVirtual
}

var (
	avx512 = isa{"AVX512", 64, ZMM}
	avx2   = isa{"AVX2", 32, YMM}
)

func (s isa) lanes() int { return s.width / 4 }

func main() {
	flag.Parse() // avo's flags: -out, -stubs, -pkg
	ConstraintExpr("amd64,!purego")
	sets := []isa{avx512, avx2}
	for _, s := range sets {
		addTo(s)
		add(s)
		mul(s)
		leakyReLU(s)
		leakyReLUBackward(s)
		biasLeakyReLU(s)
		biasLeakyReLUBackward(s)
		tanhBackward(s)
		biasTanhBackward(s)
		sigmoidBackward(s)
		adam(s)
	}
	tanh(avx512)
	biasTanh(avx512)
	sigmoid(avx512)
	normSums()
	normGradSums()
	normApply()
	normGrad()
	Generate()
	// The wrappers that pick a kernel go beside the stubs, so that the command
	// line (in every output's header) stays avo's.
	if stubs := flag.Lookup("stubs").Value.String(); stubs != "" {
		command := "go run main.go " + strings.Join(os.Args[1:], " ")
		if err := writeDispatch(filepath.Join(filepath.Dir(stubs), "dispatch_amd64.go"), command, sets, avx512); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

// Instruction helpers that pick the form of each instruction set.

// zero returns a vector of zeros.
func (s isa) zero() VecVirtual {
	z := s.newVec()
	if s.width == 64 {
		VPXORD(z, z, z)
	} else {
		VXORPS(z, z, z)
	}
	return z
}

// broadcast returns a vector holding the float32 argument name in every lane.
func (s isa) broadcast(name string) VecVirtual {
	v := s.newVec()
	VBROADCASTSS(paramAddr(name), v)
	return v
}

// constant returns a vector holding f in every lane.
func (s isa) constant(f float32) VecVirtual {
	return s.constantBits(math.Float32bits(f))
}

func (s isa) constantBits(bits uint32) VecVirtual {
	r := GP32()
	MOVL(U32(bits), r)
	x := XMM()
	VMOVD(r, x)
	v := s.newVec()
	VBROADCASTSS(x, v)
	return v
}

// cmp returns the lanes where src1 pred src2 holds (Intel's order; src2 may be memory),
// as an opmask (AVX-512) or a vector of all-ones lanes (AVX2).
func (s isa) cmp(pred uint8, src1, src2 Op) Op {
	if s.width == 64 {
		k := K()
		VCMPPS(U8(pred), src2, src1, k)
		return k
	}
	m := s.newVec()
	VCMPPS(U8(pred), src2, src1, m)
	return m
}

// The comparison predicates (ordered: false when either side is NaN, as Go's < and >).
const (
	cmpLT = 0x01 // _CMP_LT_OS
	cmpGT = 0x0e // _CMP_GT_OS
)

// sel sets dst to x in the lanes of mask and to y elsewhere.
func (s isa) sel(mask, x, y, dst Op) {
	if s.width == 64 {
		VBLENDMPS(x, y, mask, dst)
		return
	}
	VBLENDVPS(mask, x, y, dst)
}

// paramAddr is the stack address of a scalar argument.
func paramAddr(name string) Mem {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

// slices loads the base pointers of the named slice arguments and the length of the first.
func slices(names ...string) (n Register, ptrs []Register) {
	n = Load(Param(names[0]).Len(), GP64())
	for _, name := range names {
		ptrs = append(ptrs, Load(Param(name).Base(), GP64()))
	}
	return n, ptrs
}

// loop walks the slices (their base pointers in ptrs) n floats at a time, n a multiple of
// the vector: unroll vectors per step while that many remain, then one. body emits the work
// of one vector at byte offset off from every pointer.
func (s isa) loop(n Register, ptrs []Register, unroll int, body func(off int)) {
	if unroll > 1 {
		Label("loop")
		CMPQ(n, U32(unroll*s.lanes()))
		JL(LabelRef("one"))
		for u := 0; u < unroll; u++ {
			body(u * s.width)
		}
		for _, p := range ptrs {
			ADDQ(U32(unroll*s.width), p)
		}
		SUBQ(U32(unroll*s.lanes()), n)
		JMP(LabelRef("loop"))
	}
	Label("one")
	TESTQ(n, n)
	JZ(LabelRef("done"))
	body(0)
	for _, p := range ptrs {
		ADDQ(U32(s.width), p)
	}
	SUBQ(U32(s.lanes()), n)
	JMP(LabelRef("one"))
	Label("done")
	VZEROUPPER()
	RET()
}

// at is the vector at byte offset off from p.
func at(p Register, off int) Mem { return Mem{Base: p, Disp: off} }

// text starts a function, with its doc: the Go loop it computes over whole vectors.
func (s isa) text(name, sig string, loop ...string) {
	fn := name + s.name
	record(name, sig, s)
	TEXT(fn, NOSPLIT, sig)
	Pragma("noescape")
	doc := []string{fmt.Sprintf("%s is, on whole %d-float vectors (len(%s) a multiple of %d),", fn, s.lanes(), firstParam(sig), s.lanes()), ""}
	for _, l := range loop {
		doc = append(doc, "\t"+l)
	}
	Doc(doc...)
}

// firstParam is the name of a signature's first parameter.
func firstParam(sig string) string {
	for i, c := range sig {
		if c == ',' || c == ' ' {
			return sig[len("func("):i]
		}
	}
	return ""
}

func addTo(s isa) {
	s.text("addTo", "func(dst, src []float32)",
		"for i, v := range src { dst[i] += v }")
	n, p := slices("dst", "src")
	dst, src := p[0], p[1]
	s.loop(n, p, 4, func(off int) {
		v := s.newVec()
		VMOVUPS(at(src, off), v)
		VADDPS(at(dst, off), v, v)
		VMOVUPS(v, at(dst, off))
	})
}

func add(s isa) {
	s.text("add", "func(dst, a, b []float32)",
		"for i := range dst { dst[i] = a[i] + b[i] }")
	n, p := slices("dst", "a", "b")
	dst, a, b := p[0], p[1], p[2]
	s.loop(n, p, 4, func(off int) {
		v := s.newVec()
		VMOVUPS(at(a, off), v)
		VADDPS(at(b, off), v, v)
		VMOVUPS(v, at(dst, off))
	})
}

func mul(s isa) {
	s.text("mul", "func(dst, a, b []float32)",
		"for i := range dst { dst[i] = a[i] * b[i] }")
	n, p := slices("dst", "a", "b")
	dst, a, b := p[0], p[1], p[2]
	s.loop(n, p, 4, func(off int) {
		v := s.newVec()
		VMOVUPS(at(a, off), v)
		VMULPS(at(b, off), v, v)
		VMOVUPS(v, at(dst, off))
	})
}

func leakyReLU(s isa) {
	s.text("leakyReLU", "func(dst, x []float32, alpha float32)",
		"for i, v := range x { if v > 0 { dst[i] = v } else { dst[i] = alpha * v } }")
	n, p := slices("dst", "x")
	dst, x := p[0], p[1]
	alpha, zero := s.broadcast("alpha"), s.zero()
	s.loop(n, p, 4, func(off int) {
		v, y := s.newVec(), s.newVec()
		VMOVUPS(at(x, off), v)
		VMULPS(alpha, v, y)
		s.sel(s.cmp(cmpGT, v, zero), v, y, y)
		VMOVUPS(y, at(dst, off))
	})
}

func leakyReLUBackward(s isa) {
	s.text("leakyReLUBackward", "func(dst, x, dy []float32, alpha float32)",
		"for i, v := range x { if v > 0 { dst[i] = dy[i] } else { dst[i] = alpha * dy[i] } }")
	n, p := slices("dst", "x", "dy")
	dst, x, dy := p[0], p[1], p[2]
	alpha, zero := s.broadcast("alpha"), s.zero()
	s.loop(n, p, 4, func(off int) {
		d, y := s.newVec(), s.newVec()
		VMOVUPS(at(dy, off), d)
		VMULPS(alpha, d, y)
		s.sel(s.cmp(cmpLT, zero, at(x, off)), d, y, y)
		VMOVUPS(y, at(dst, off))
	})
}

func biasLeakyReLU(s isa) {
	s.text("biasLeakyReLU", "func(dst, x, b []float32, alpha float32)",
		"for j, v := range x { h := v + b[j]; if h > 0 { dst[j] = h } else { dst[j] = alpha * h } }")
	n, p := slices("dst", "x", "b")
	dst, x, b := p[0], p[1], p[2]
	alpha, zero := s.broadcast("alpha"), s.zero()
	s.loop(n, p, 4, func(off int) {
		h, y := s.newVec(), s.newVec()
		VMOVUPS(at(x, off), h)
		VADDPS(at(b, off), h, h)
		VMULPS(alpha, h, y)
		s.sel(s.cmp(cmpGT, h, zero), h, y, y)
		VMOVUPS(y, at(dst, off))
	})
}

func biasLeakyReLUBackward(s isa) {
	s.text("biasLeakyReLUBackward", "func(dx, db, y, dy []float32, alpha float32)",
		"for j, v := range y { d := dy[j]; if !(v > 0) { d = float32(alpha * d) }; dx[j] = d; db[j] += d }")
	n, p := slices("dx", "db", "y", "dy")
	dx, db, y, dy := p[0], p[1], p[2], p[3]
	alpha, zero := s.broadcast("alpha"), s.zero()
	s.loop(n, p, 2, func(off int) {
		d, a := s.newVec(), s.newVec()
		VMOVUPS(at(dy, off), d)
		VMULPS(alpha, d, a)
		s.sel(s.cmp(cmpLT, zero, at(y, off)), d, a, a)
		VMOVUPS(a, at(dx, off))
		VADDPS(at(db, off), a, a)
		VMOVUPS(a, at(db, off))
	})
}

// oneMinusSquare sets t = 1 − y·y (y in memory).
func oneMinusSquare(one VecVirtual, y Mem, t VecVirtual) {
	VMOVUPS(y, t)
	VMULPS(t, t, t)
	VSUBPS(t, one, t)
}

func tanhBackward(s isa) {
	s.text("tanhBackward", "func(dst, y, dy []float32)",
		"for i, v := range y { dst[i] = dy[i] * float32(1-float32(v*v)) }")
	n, p := slices("dst", "y", "dy")
	dst, y, dy := p[0], p[1], p[2]
	one := s.constant(1)
	s.loop(n, p, 2, func(off int) {
		t := s.newVec()
		oneMinusSquare(one, at(y, off), t)
		VMULPS(at(dy, off), t, t)
		VMOVUPS(t, at(dst, off))
	})
}

func biasTanhBackward(s isa) {
	s.text("biasTanhBackward", "func(dx, db, y, dy []float32)",
		"for j, v := range y { d := float32(dy[j] * float32(1-float32(v*v))); dx[j] = d; db[j] += d }")
	n, p := slices("dx", "db", "y", "dy")
	dx, db, y, dy := p[0], p[1], p[2], p[3]
	one := s.constant(1)
	s.loop(n, p, 2, func(off int) {
		t := s.newVec()
		oneMinusSquare(one, at(y, off), t)
		VMULPS(at(dy, off), t, t)
		VMOVUPS(t, at(dx, off))
		VADDPS(at(db, off), t, t)
		VMOVUPS(t, at(db, off))
	})
}

func sigmoidBackward(s isa) {
	s.text("sigmoidBackward", "func(dst, y, dy []float32)",
		"for i, v := range y { dst[i] = float32(dy[i]*v) * (1 - v) }")
	n, p := slices("dst", "y", "dy")
	dst, y, dy := p[0], p[1], p[2]
	one := s.constant(1)
	s.loop(n, p, 2, func(off int) {
		v, t := s.newVec(), s.newVec()
		VMOVUPS(at(y, off), v)
		VSUBPS(v, one, t)
		VMULPS(at(dy, off), v, v)
		VMULPS(t, v, v)
		VMOVUPS(v, at(dst, off))
	})
}

func adam(s isa) {
	s.text("adam", "func(p, g, m, v []float32, b1, c1, b2, c2, stepSize, eps float32)",
		"for i, gi := range g {",
		"\tmi := float32(b1*m[i]) + float32(c1*gi)",
		"\tvi := float32(b2*v[i]) + float32(float32(c2*gi)*gi)",
		"\tm[i], v[i], g[i] = mi, vi, 0",
		"\tp[i] -= float32(stepSize*mi) / (float32(math.Sqrt(float64(vi))) + eps)",
		"}")
	n, ptrs := slices("p", "g", "m", "v")
	p, g, m, v := ptrs[0], ptrs[1], ptrs[2], ptrs[3]
	b1, c1, b2, c2 := s.broadcast("b1"), s.broadcast("c1"), s.broadcast("b2"), s.broadcast("c2")
	step, eps, zero := s.broadcast("stepSize"), s.broadcast("eps"), s.zero()
	s.loop(n, ptrs, 1, func(off int) {
		gi, mi, vi, t := s.newVec(), s.newVec(), s.newVec(), s.newVec()
		VMOVUPS(at(g, off), gi)
		VMOVUPS(zero, at(g, off))
		VMULPS(at(m, off), b1, mi)
		VMULPS(gi, c1, t)
		VADDPS(t, mi, mi)
		VMOVUPS(mi, at(m, off))
		VMULPS(at(v, off), b2, vi)
		VMULPS(gi, c2, t)
		VMULPS(gi, t, t)
		VADDPS(t, vi, vi)
		VMOVUPS(vi, at(v, off))
		VSQRTPS(vi, vi)
		VADDPS(eps, vi, vi)
		VMULPS(step, mi, mi)
		VDIVPS(vi, mi, mi)
		VMOVUPS(at(p, off), t)
		VSUBPS(mi, t, t)
		VMOVUPS(t, at(p, off))
	})
}

// Cephes's coefficients, as vec's exp.go has them (the tests compare the results bit for bit).
var (
	expP  = []float32{1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1}
	tanhP = []float32{-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1}
)

const (
	log2e     = 1.44269504088896341
	ln2Hi     = 0.693359375
	ln2Lo     = -2.12194440e-4
	tanhSmall = 0.625
	tanhBig   = 10
	expMin    = -87
	expMax    = 88
)

// consts are the read-only scalars the kernels broadcast from memory ({1to16}), one
// global each, made on first use.
var consts = map[uint32]Mem{}

func constMem(f float32) Mem {
	bits := math.Float32bits(f)
	if m, ok := consts[bits]; ok {
		return m
	}
	m := ConstData(fmt.Sprintf("vecConst%08x", bits), U32(bits))
	consts[bits] = m
	return m
}

// horner sets p = ((c[0]·z + c[1])·z + … ) + c[last], rounding after every operation.
func horner(c []float32, z, p VecVirtual) {
	VMULPS_BCST(constMem(c[0]), z, p)
	for i, ci := range c[1:] {
		VADDPS_BCST(constMem(ci), p, p)
		if i < len(c)-2 {
			VMULPS(z, p, p)
		}
	}
}

// exp512 sets e = exp32(x) (vec's exp.go) for x in [expMin, expMax]:
//
//	n := RoundToEven(float32(x*log2e)); r := float32(x-float32(n*ln2Hi)); r = float32(r-float32(n*ln2Lo))
//	z := float32(r*r); p := horner(expP, r); e := float32(float32(p*z)+r) + 1; e *= 2ⁿ
func exp512(x, e VecVirtual, one VecVirtual) {
	n, r, t, z := ZMM(), ZMM(), ZMM(), ZMM()
	VMULPS_BCST(constMem(log2e), x, n)
	VRNDSCALEPS(U8(0x08), n, n) // to nearest even, no precision exception
	VMULPS_BCST(constMem(ln2Hi), n, t)
	VSUBPS(t, x, r)
	VMULPS_BCST(constMem(ln2Lo), n, t)
	VSUBPS(t, r, r)
	VMULPS(r, r, z)
	horner(expP, r, e)
	VMULPS(z, e, e)
	VADDPS(r, e, e)
	VADDPS(one, e, e)
	VCVTTPS2DQ(n, n)
	VPADDD_BCST(constMemBits(127), n, n)
	VPSLLD(U8(23), n, n)
	VMULPS(n, e, e)
}

func constMemBits(bits uint32) Mem { return constMem(math.Float32frombits(bits)) }

// tanh512 sets t = tanh32(x) (vec's exp.go): the polynomial where |x| < tanhSmall,
// 1 − 2/(e + 1) with e = exp32(2·min(|x|, tanhBig)) elsewhere, both computed and one
// chosen, the sign of x put back last.
func tanh512(x, t VecVirtual, one, two, big VecVirtual) {
	a, z, p, c, e := ZMM(), ZMM(), ZMM(), ZMM(), ZMM()
	VPANDD_BCST(constMemBits(0x7fffffff), x, a)
	// Small: t = float32(float32(p*z)*a) + a, p = horner(tanhP, z), z = a².
	VMULPS(a, a, z)
	horner(tanhP, z, p)
	VMULPS(z, p, p)
	VMULPS(a, p, p)
	VADDPS(a, p, p)
	// Large: c = min(a, tanhBig), NaN staying NaN (a is the second source).
	VMINPS(a, big, c)
	VADDPS(c, c, c)
	exp512(c, e, one)
	VADDPS(one, e, e)
	VDIVPS(e, two, e)
	VSUBPS(e, one, t)
	k := K()
	VCMPPS_BCST(U8(cmpLT), constMem(tanhSmall), a, k)
	VBLENDMPS(p, t, k, t)
	// Put x's sign back: t | (x ^ a).
	VPXORD(a, x, a)
	VPORD(a, t, t)
}

func tanh(s isa) {
	s.text("tanh", "func(dst, x []float32)",
		"for i, v := range x { dst[i] = tanh32(v) }")
	n, p := slices("dst", "x")
	dst, x := p[0], p[1]
	one, two, big := s.constant(1), s.constant(2), s.constant(tanhBig)
	s.loop(n, p, 1, func(off int) {
		v, t := ZMM(), ZMM()
		VMOVUPS(at(x, off), v)
		tanh512(v, t, one, two, big)
		VMOVUPS(t, at(dst, off))
	})
}

func biasTanh(s isa) {
	s.text("biasTanh", "func(dst, x, b []float32)",
		"for j, v := range x { dst[j] = tanh32(v + b[j]) }")
	n, p := slices("dst", "x", "b")
	dst, x, b := p[0], p[1], p[2]
	one, two, big := s.constant(1), s.constant(2), s.constant(tanhBig)
	s.loop(n, p, 1, func(off int) {
		v, t := ZMM(), ZMM()
		VMOVUPS(at(x, off), v)
		VADDPS(at(b, off), v, v)
		tanh512(v, t, one, two, big)
		VMOVUPS(t, at(dst, off))
	})
}

func sigmoid(s isa) {
	s.text("sigmoid", "func(dst, x []float32)",
		"for i, v := range x { dst[i] = sigmoid32(v) } // 1 / (exp32(min(max(-v, expMin), expMax)) + 1)")
	n, p := slices("dst", "x")
	dst, x := p[0], p[1]
	one, lo, hi := s.constant(1), s.constant(expMin), s.constant(expMax)
	s.loop(n, p, 1, func(off int) {
		v, e := ZMM(), ZMM()
		VMOVUPS(at(x, off), v)
		VPXORD_BCST(constMemBits(0x80000000), v, v)
		// Clamp with v as the second source, so that NaN stays NaN, as Go's min and max.
		VMAXPS(v, lo, v)
		VMINPS(v, hi, v)
		exp512(v, e, one)
		VADDPS(one, e, e)
		VDIVPS(e, one, e)
		VMOVUPS(e, at(dst, off))
	})
}

// The batch-norm kernels (AVX-512 only): strips of 16 columns of a matrix whose rows are ld
// floats apart, walked down all rows; the sums over rows in float64 (two zmm of 8 each).

// rowLoop emits a loop over rows: body, then every pointer in ptrs moves ld bytes on.
func rowLoop(rows Register, ld Register, ptrs []Register, body func()) {
	TESTQ(rows, rows)
	JZ(LabelRef("done"))
	Label("row")
	body()
	for _, p := range ptrs {
		ADDQ(ld, p)
	}
	DECQ(rows)
	JNZ(LabelRef("row"))
	Label("done")
}

// intArgs loads ld (scaled to bytes) and rows.
func intArgs() (ld, rows Register) {
	ld = Load(Param("ld"), GP64())
	SHLQ(U8(2), ld)
	rows = Load(Param("rows"), GP64())
	return ld, rows
}

func normSums() {
	TEXT("normSumsAVX512", NOSPLIT, "func(s1, s2 []float64, x0, x []float32, ld, rows int)")
	Pragma("noescape")
	Doc("normSumsAVX512 is normSumsGo on a strip of 16 columns (len(s1) = 16):",
		"",
		"\tfor j := range s1 {",
		"\t\tfor i := 0; i < rows; i++ {",
		"\t\t\td := float64(x[i*ld+j]) - float64(x0[j])",
		"\t\t\ts1[j] += d",
		"\t\t\ts2[j] += float64(d * d)",
		"\t\t}",
		"\t}")
	s1 := Load(Param("s1").Base(), GP64())
	s2 := Load(Param("s2").Base(), GP64())
	shift := Load(Param("x0").Base(), GP64())
	x := Load(Param("x").Base(), GP64())
	ld, rows := intArgs()
	x0 := []VecVirtual{ZMM(), ZMM()}
	a1 := []VecVirtual{ZMM(), ZMM()}
	a2 := []VecVirtual{ZMM(), ZMM()}
	for h := range 2 {
		VCVTPS2PD(at(shift, 32*h), x0[h])
		VMOVUPD(at(s1, 64*h), a1[h])
		VMOVUPD(at(s2, 64*h), a2[h])
	}
	rowLoop(rows, ld, []Register{x}, func() {
		for h := range 2 {
			d, t := ZMM(), ZMM()
			VCVTPS2PD(at(x, 32*h), d)
			VSUBPD(x0[h], d, d)
			VADDPD(d, a1[h], a1[h])
			VMULPD(d, d, t)
			VADDPD(t, a2[h], a2[h])
		}
	})
	for h := range 2 {
		VMOVUPD(a1[h], at(s1, 64*h))
		VMOVUPD(a2[h], at(s2, 64*h))
	}
	VZEROUPPER()
	RET()
}

func normGradSums() {
	TEXT("normGradSumsAVX512", NOSPLIT, "func(s1, s2 []float64, dy, x, mean, invStd []float32, ld, rows int)")
	Pragma("noescape")
	Doc("normGradSumsAVX512 is normGradSumsGo on a strip of 16 columns (len(s1) = 16):",
		"",
		"\tfor j := range s1 {",
		"\t\tfor i := 0; i < rows; i++ {",
		"\t\t\tg := dy[i*ld+j]",
		"\t\t\th := float32((x[i*ld+j] - mean[j]) * invStd[j])",
		"\t\t\ts1[j] += float64(g)",
		"\t\t\ts2[j] += float64(g) * float64(h)",
		"\t\t}",
		"\t}")
	s1 := Load(Param("s1").Base(), GP64())
	s2 := Load(Param("s2").Base(), GP64())
	dy := Load(Param("dy").Base(), GP64())
	x := Load(Param("x").Base(), GP64())
	mp := Load(Param("mean").Base(), GP64())
	ip := Load(Param("invStd").Base(), GP64())
	ld, rows := intArgs()
	m, is := ZMM(), ZMM()
	VMOVUPS(at(mp, 0), m)
	VMOVUPS(at(ip, 0), is)
	a1 := []VecVirtual{ZMM(), ZMM()}
	a2 := []VecVirtual{ZMM(), ZMM()}
	for h := range 2 {
		VMOVUPD(at(s1, 64*h), a1[h])
		VMOVUPD(at(s2, 64*h), a2[h])
	}
	rowLoop(rows, ld, []Register{dy, x}, func() {
		hs := ZMM()
		VMOVUPS(at(x, 0), hs)
		VSUBPS(m, hs, hs)
		VMULPS(is, hs, hs)
		hy := YMM()
		VEXTRACTF64X4(U8(1), hs, hy)
		halves := []Op{hs.AsY(), hy}
		for h := range 2 {
			g, hd := ZMM(), ZMM()
			VCVTPS2PD(at(dy, 32*h), g)
			VCVTPS2PD(halves[h], hd)
			VADDPD(g, a1[h], a1[h])
			VMULPD(hd, g, g)
			VADDPD(g, a2[h], a2[h])
		}
	})
	for h := range 2 {
		VMOVUPD(a1[h], at(s1, 64*h))
		VMOVUPD(a2[h], at(s2, 64*h))
	}
	VZEROUPPER()
	RET()
}

func normApply() {
	TEXT("normApplyAVX512", NOSPLIT, "func(y, x, mean, invStd, gamma, beta []float32, ld, rows int)")
	Pragma("noescape")
	Doc("normApplyAVX512 is normApplyGo, len(mean) a multiple of 16:",
		"",
		"\tfor i := 0; i < rows; i++ {",
		"\t\tfor j := range mean {",
		"\t\t\th := float32((x[i*ld+j] - mean[j]) * invStd[j])",
		"\t\t\ty[i*ld+j] = float32(gamma[j]*h) + beta[j]",
		"\t\t}",
		"\t}")
	y := Load(Param("y").Base(), GP64())
	x := Load(Param("x").Base(), GP64())
	w := Load(Param("mean").Len(), GP64())
	mp := Load(Param("mean").Base(), GP64())
	ip := Load(Param("invStd").Base(), GP64())
	gp := Load(Param("gamma").Base(), GP64())
	bp := Load(Param("beta").Base(), GP64())
	ld, rows := intArgs()
	SHLQ(U8(2), w)
	TESTQ(w, w)
	JZ(LabelRef("done"))
	rowLoop(rows, ld, []Register{y, x}, func() {
		j := GP64()
		XORQ(j, j)
		Label("col")
		h, t := ZMM(), ZMM()
		VMOVUPS(Mem{Base: x, Index: j, Scale: 1}, h)
		VSUBPS(Mem{Base: mp, Index: j, Scale: 1}, h, h)
		VMULPS(Mem{Base: ip, Index: j, Scale: 1}, h, h)
		VMULPS(Mem{Base: gp, Index: j, Scale: 1}, h, t)
		VADDPS(Mem{Base: bp, Index: j, Scale: 1}, t, t)
		VMOVUPS(t, Mem{Base: y, Index: j, Scale: 1})
		ADDQ(U8(64), j)
		CMPQ(j, w)
		JL(LabelRef("col"))
	})
	VZEROUPPER()
	RET()
}

func normGrad() {
	TEXT("normGradAVX512", NOSPLIT, "func(dx, dy, x, mean, invStd, a, b, c []float32, ld, rows int)")
	Pragma("noescape")
	Doc("normGradAVX512 is normGradGo on a strip of 16 columns (len(a) = 16):",
		"",
		"\tfor i := 0; i < rows; i++ {",
		"\t\tfor j := range a {",
		"\t\t\th := float32((x[i*ld+j] - mean[j]) * invStd[j])",
		"\t\t\tdx[i*ld+j] = float32(float32(a[j]*dy[i*ld+j])+float32(b[j]*h)) + c[j]",
		"\t\t}",
		"\t}")
	dx := Load(Param("dx").Base(), GP64())
	dy := Load(Param("dy").Base(), GP64())
	x := Load(Param("x").Base(), GP64())
	vecs := map[string]VecVirtual{}
	for _, name := range []string{"mean", "invStd", "a", "b", "c"} {
		p := Load(Param(name).Base(), GP64())
		vecs[name] = ZMM()
		VMOVUPS(at(p, 0), vecs[name])
	}
	ld, rows := intArgs()
	rowLoop(rows, ld, []Register{dx, dy, x}, func() {
		h, t := ZMM(), ZMM()
		VMOVUPS(at(x, 0), h)
		VSUBPS(vecs["mean"], h, h)
		VMULPS(vecs["invStd"], h, h)
		VMULPS(vecs["b"], h, h)
		VMULPS(at(dy, 0), vecs["a"], t)
		VADDPS(h, t, t)
		VADDPS(vecs["c"], t, t)
		VMOVUPS(t, at(dx, 0))
	})
	VZEROUPPER()
	RET()
}
