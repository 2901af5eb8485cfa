package cuda

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"
)

// The tests below need no GPU.

// cPerf is cudnnConvolutionFwdAlgoPerf_t as C lays it out on a 64-bit host:
// Go aligns these fields as C does.
type cPerf struct {
	algo, status int32
	time         float32
	memory       uintptr
	determinism  int32
	mathType     int32
	reserved     [3]int32
}

func TestCudnnPerfLayout(t *testing.T) {
	var c cPerf
	for _, f := range []struct {
		name      string
		got, want uintptr
	}{
		{"algo", unsafe.Offsetof(c.algo), 0}, {"status", unsafe.Offsetof(c.status), 4}, {"time", unsafe.Offsetof(c.time), 8},
		{"memory", unsafe.Offsetof(c.memory), 16}, {"determinism", unsafe.Offsetof(c.determinism), 24},
		{"mathType", unsafe.Offsetof(c.mathType), 28}, {"reserved", unsafe.Offsetof(c.reserved), 32}, {"size", unsafe.Sizeof(c), algoPerfSize},
	} {
		if f.got != f.want {
			t.Errorf("%s at %d, decodePerfs reads it at %d", f.name, f.got, f.want)
		}
	}
	in := []cPerf{
		{algo: 1, status: 0, time: 0.125, memory: 1 << 33, determinism: 1, mathType: 3, reserved: [3]int32{-1, -1, -1}},
		{algo: 7, status: 9, time: 2.5, memory: 12345, determinism: 0, mathType: 1, reserved: [3]int32{-1, -1, -1}},
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&in[0])), len(in)*algoPerfSize)
	got := decodePerfs(b, len(in))
	want := []algoPerf{{1, 0, 0.125, 1 << 33, 1, 3}, {7, 9, 2.5, 12345, 0, 1}}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestPickAlgo(t *testing.T) {
	perfs := []algoPerf{
		{algo: 5, status: 0, determinism: 1, mathType: dnnFMAMath},        // FFT_TILING: plain FP32 passes it by
		{algo: 0, status: 3, determinism: 1, mathType: dnnFMAMath},        // failed
		{algo: 1, status: 0, determinism: 0, mathType: dnnFMAMath},        // not deterministic
		{algo: 2, status: 0, determinism: 1, mathType: dnnTensorOpMath},   // tensor cores
		{algo: 3, status: 0, determinism: 1, memory: 1 << 40},             // too much workspace
		{algo: 1, status: 0, determinism: 1, mathType: dnnFMAMath, ms: 2}, // the one
	}
	for _, c := range []struct {
		tf32 bool
		want uint32
	}{{false, 1}, {true, 5}} {
		p, ok := pickAlgo(ConvForward, perfs, c.tf32, dnnMaxWorkspaceBytes)
		if !ok || p.algo != c.want {
			t.Errorf("tf32=%v: algorithm %d (found %v), want %d", c.tf32, p.algo, ok, c.want)
		}
	}
	if _, ok := pickAlgo(ConvForward, perfs[:5], false, dnnMaxWorkspaceBytes); ok {
		t.Error("an algorithm picked where none qualifies")
	}
	// Backward filter's algorithm 3 is no transform (ALGO_3); its FFT is 2.
	if p, ok := pickAlgo(ConvBackwardFilter, []algoPerf{{algo: 2, determinism: 1}, {algo: 3, determinism: 1}}, false, 1); !ok || p.algo != 3 {
		t.Errorf("backward filter: algorithm %d, want 3", p.algo)
	}
}

// tfGeometry is TensorFlow's geometry along one axis (autograd's
// ConvOutputSize and ConvPadding): the output length and the padding before.
func tfGeometry(in, k, stride int, same bool) (out, before int) {
	if same {
		out = (in + stride - 1) / stride
		return out, max((out-1)*stride+k-in, 0) / 2
	}
	return (in-k)/stride + 1, 0
}

func TestCudnnPadding(t *testing.T) {
	for in := 1; in <= 20; in++ {
		for k := 1; k <= 6; k++ {
			for stride := 1; stride <= 3; stride++ {
				for _, same := range []bool{false, true} {
					if !same && in < k {
						continue
					}
					out, pad := tfGeometry(in, k, stride, same)
					e, ok := extension(in, k, stride, pad, out)
					after := (out-1)*stride + k - in - pad
					switch {
					case !ok:
						t.Errorf("in %d k %d stride %d same %v: no cuDNN geometry", in, k, stride, same)
					case (in+e+2*pad-k)/stride+1 != out:
						t.Errorf("in %d k %d stride %d same %v: cuDNN gives %d outputs, want %d", in, k, stride, same, (in+e+2*pad-k)/stride+1, out)
					case e != max(after-pad, 0) || e > 1:
						t.Errorf("in %d k %d stride %d same %v: extension %d (padding %d before, %d after)", in, k, stride, same, e, pad, after)
					}
				}
			}
		}
	}
	// The seed DCGAN's 5×5 stride-2 'same' on 14 rows pads 1 before, 2 after.
	s := ConvShape{N: 2, H: 14, W: 14, C: 64, KH: 5, KW: 5, SH: 2, SW: 2, PadTop: 1, PadLeft: 1, OH: 7, OW: 7}
	if eh, ew, ok := s.cudnnPadding(); eh != 1 || ew != 1 || !ok {
		t.Errorf("DCGAN layer: extension %d, %d (%v), want 1, 1", eh, ew, ok)
	}
	for _, bad := range []ConvShape{
		{N: 1, H: 10, W: 10, C: 1, KH: 3, KW: 3, SH: 1, SW: 1, OH: 5, OW: 8},                      // windows stop short of the input's end
		{N: 1, H: 4, W: 4, C: 1, KH: 1, KW: 1, SH: 1, SW: 1, PadTop: 1, PadLeft: 1, OH: 6, OW: 6}, // padding as wide as the window
		{N: 0, H: 4, W: 4, C: 1, KH: 3, KW: 3, SH: 1, SW: 1, PadTop: 1, PadLeft: 1, OH: 4, OW: 4},
	} {
		if _, _, ok := bad.cudnnPadding(); ok {
			t.Errorf("%+v: cuDNN geometry accepted", bad)
		}
	}
}

func TestCudnnLibs(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		env  string
		want []string
		off  bool
	}{
		{"", []string{"libcudnn.so.9"}, false},
		{"off", nil, true},
		{"OFF", nil, true},
		{"/opt/x/libcudnn.so.9.1.0", []string{"/opt/x/libcudnn.so.9.1.0"}, false},
		{dir, []string{filepath.Join(dir, "libcudnn.so.9")}, false},
	} {
		names, off := cudnnLibs(c.env)
		if off != c.off || strings.Join(names, ",") != strings.Join(c.want, ",") {
			t.Errorf("GOGAN_CUDNN=%q: %v off=%v, want %v off=%v", c.env, names, off, c.want, c.off)
		}
	}
}

func TestCudnnMissingOrOff(t *testing.T) {
	var l dnnLib
	if _, err := bindCudnn(&l, "off"); !errors.Is(err, errCudnnOff) {
		t.Errorf("GOGAN_CUDNN=off: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "libcudnn.so.9")
	_, err := bindCudnn(&l, missing)
	want := "cuda: " + missing + " not found (set GOGAN_CUDNN to its path, or install cuDNN 9)"
	if err == nil || err.Error() != want {
		t.Errorf("missing cuDNN: %v, want %q", err, want)
	}
}

func TestCudnnVersion(t *testing.T) {
	for v, want := range map[uint64]string{91002: "9.10.2", 90100: "9.1.0", 8907: "8.9.7"} {
		got, ok := cudnnVersion(v)
		if got != want || ok != (v >= 90000) {
			t.Errorf("cudnnVersion(%d) = %q, %v, want %q", v, got, ok, want)
		}
	}
}

func TestConvKeys(t *testing.T) {
	d := &Device{}
	s := ConvShape{N: 3, H: 8, W: 9, C: 4, KH: 5, KW: 5, SH: 2, SW: 3, PadTop: 1, PadLeft: 2, OH: 4, OW: 3}
	fp32 := d.ConvKey(ConvForward, s, 8)
	d.tf32 = true
	tf32 := d.ConvKey(ConvForward, s, 8)
	keys := map[ConvKey]bool{fp32: true, tf32: true, d.ConvKey(ConvBackwardData, s, 8): true, d.ConvKey(ConvForward, s, 9): true}
	if len(keys) != 4 || fp32.TF32 || !tf32.TF32 {
		t.Errorf("keys not distinct: %v", keys)
	}
	if got := fp32.String(); got != "conv forward of (3,8,9,4) by 5x5/2x3 pad 1,2 to (4,3,8) FP32" {
		t.Errorf("key %q", got)
	}
	if got := d.ConvBackend(); got != "im2col+cublas" {
		t.Errorf("ConvBackend of a device without cuDNN: %q", got)
	}
}

// The tests below need a GPU and cuDNN, and skip naming what is missing.

// openCudnnOrSkip returns device 0 with cuDNN loaded, or skips. With
// GOGAN_CUDNN set to a path, a cuDNN that does not load fails the test.
func openCudnnOrSkip(t *testing.T) *Device {
	t.Helper()
	d := openOrSkip(t)
	if err := d.CudnnError(); err != nil {
		if env := os.Getenv(EnvCudnn); env != "" && env != "off" {
			t.Fatalf("GOGAN_CUDNN=%s: %v", env, err)
		}
		t.Skip(err)
	}
	return d
}

// cudnnShape is a geometry of the cuDNN tests with its output channels.
type cudnnShape struct {
	name string
	s    ConvShape
	co   int
}

// same is TensorFlow's 'same' geometry of a square k×k window with stride st
// on n images (h, h, c).
func same(name string, n, h, c, k, st, co int) cudnnShape {
	out, pad := tfGeometry(h, k, st, true)
	return cudnnShape{name, ConvShape{N: n, H: h, W: h, C: c, KH: k, KW: k, SH: st, SW: st, PadTop: pad, PadLeft: pad, OH: out, OW: out}, co}
}

// cudnnShapes: strides 1 and 2; 5×5, 3×3 and 4×4 windows; uneven 'same'
// padding and 'valid'; C = 1, 3, 64; the convolutions of the TF DCGAN at
// 28×28×1 and of Radford's at 64×64×3 (a Conv2DTranspose is the backward data
// of the convolution from its output to its input), at small batches.
var cudnnShapes = []cudnnShape{
	same("3x3 s1 same C3", 3, 9, 3, 3, 1, 8),
	same("5x5 s2 same C1 (TF D1)", 4, 28, 1, 5, 2, 64),
	same("5x5 s2 same C64 (TF D2)", 4, 14, 64, 5, 2, 128),
	same("5x5 s1 same (TF G ConvT1)", 4, 7, 128, 5, 1, 256),
	same("5x5 s2 same (TF G ConvT2)", 4, 14, 64, 5, 2, 128),
	same("5x5 s2 same (TF G ConvT3)", 4, 28, 1, 5, 2, 64),
	same("4x4 s2 same C3 (Radford D1)", 2, 64, 3, 4, 2, 64),
	same("4x4 s2 same C64 (Radford D2, G ConvT)", 2, 32, 64, 4, 2, 128),
	same("4x4 s2 same (Radford G 8x8)", 2, 8, 256, 4, 2, 512),
	{"3x3 s2 valid C3", ConvShape{N: 3, H: 11, W: 8, C: 3, KH: 3, KW: 3, SH: 2, SW: 2, OH: 5, OW: 3}, 5},
	{"5x5 s1 valid C1", ConvShape{N: 2, H: 9, W: 12, C: 1, KH: 5, KW: 5, SH: 1, SW: 1, OH: 5, OW: 8}, 4},
	{"3x5 s2x1 same uneven", ConvShape{N: 2, H: 8, W: 7, C: 3, KH: 3, KW: 5, SH: 2, SW: 1, PadTop: 0, PadLeft: 2, OH: 4, OW: 7}, 6},
}

// convRef computes op on s in float64 with the plain loops: the reference.
//
//	forward:         y  = im2col(x) · W
//	backward data:   dx = col2im(dy · Wᵀ)
//	backward filter: dW = im2col(x)ᵀ · dy
func convRef(op ConvOp, s ConvShape, co int, a, b []float32) []float32 {
	rows, k := s.N*s.OH*s.OW, s.KH*s.KW*s.C
	switch op {
	case ConvForward:
		col := make([]float32, rows*k)
		im2colLoop(col, a, s)
		return matmul64(col, b, rows, k, co, false, false)
	case ConvBackwardData:
		col := matmul64(a, b, rows, co, k, false, true)
		dx := make([]float32, s.N*s.H*s.W*s.C)
		col2imLoop(dx, col, s)
		return dx
	default:
		col := make([]float32, rows*k)
		im2colLoop(col, a, s)
		return matmul64(col, b, k, rows, co, true, false)
	}
}

// matmul64 is C (m, n) = op(A)·op(B) summed in float64, op(A) (m, kk).
func matmul64(a, b []float32, m, kk, n int, transA, transB bool) []float32 {
	c := make([]float32, m*n)
	for i := range m {
		for j := range n {
			var sum float64
			for l := range kk {
				av, bv := a[i*kk+l], b[l*n+j]
				if transA {
					av = a[l*m+i]
				}
				if transB {
					bv = b[j*kk+l]
				}
				sum += float64(av) * float64(bv)
			}
			c[i*n+j] = float32(sum)
		}
	}
	return c
}

// operands are the lengths of op's inputs a and b and of its output.
func operands(op ConvOp, s ConvShape, co int) (na, nb, nout int) {
	nx, ny, nw := s.N*s.H*s.W*s.C, s.N*s.OH*s.OW*co, s.KH*s.KW*s.C*co
	switch op {
	case ConvForward:
		return nx, nw, ny
	case ConvBackwardData:
		return ny, nw, nx
	}
	return nx, ny, nw
}

// Bounds on |cuDNN − reference| / Σ|terms|, where Σ|terms| is the reference computed
// on |a| and |b| (each output's sum of the absolute values of its products): the error a
// float sum of those products can make in another order than the loops' is a few units
// of rounding of that sum (FP32: 2⁻²⁴ ≈ 6e-8; TF32 operands: 2⁻¹¹ ≈ 5e-4). On the H200
// the worst FP32 ratio was about 2e-7 and the worst TF32 one 1e-4; a wrong tap or
// padding row makes errors of the order of the terms.
const (
	cudnnTolFP32 = 1e-5
	cudnnTolTF32 = 3e-3
)

// absolutes is |x| element by element.
func absolutes(x []float32) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(math.Abs(float64(v)))
	}
	return out
}

// checkScaled fails the test when some |got − want| exceeds tol·scale (scale ≥ 0,
// Σ|terms|, element by element) and returns the largest ratio.
func checkScaled(t *testing.T, name string, got, want, scale []float32, tol float64) float64 {
	t.Helper()
	worst, at := 0.0, 0
	for i := range want {
		e := math.Abs(float64(got[i])-float64(want[i])) / max(float64(scale[i]), 1e-30)
		if math.IsNaN(e) || e > worst {
			worst, at = e, i
		}
	}
	if !(worst <= tol) {
		t.Errorf("%s (n=%d): element %d is %g, want %g: error %.3g of Σ|terms| %g, more than %.3g", name, len(want), at, got[at], want[at], worst, scale[at], tol)
	}
	return worst
}

// TestCudnnConv runs every op of every shape through cuDNN's plan, written
// (β = 0) and accumulated (β = 1), against the float64 loops, and twice for the
// same bits; and once with TF32 math; each within its bound on the error over Σ|terms|.
func TestCudnnConv(t *testing.T) {
	d := openCudnnOrSkip(t)
	t.Logf("cuDNN: %s", d.dnn.version)
	rng := rand.New(rand.NewPCG(19, 20))
	for _, c := range cudnnShapes {
		for _, op := range []ConvOp{ConvForward, ConvBackwardData, ConvBackwardFilter} {
			t.Run(c.name+"/"+op.String(), func(t *testing.T) {
				d.SetTF32(false)
				p := planOrFail(t, d, d.ConvKey(op, c.s, c.co))
				na, nb, nout := operands(op, c.s, c.co)
				a, b := randoms(rng, na), randoms(rng, nb)
				pa, pb := upload(t, d, a), upload(t, d, b)
				want := convRef(op, c.s, c.co, a, b)
				scale := convRef(op, c.s, c.co, absolutes(a), absolutes(b))
				got := runPlan(t, d, p, pa, pb, nil, nout)
				e := checkScaled(t, "β=0 "+p.String(), got, want, scale, cudnnTolFP32)
				again := runPlan(t, d, p, pa, pb, nil, nout)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(again[i]) {
						t.Fatalf("%v: a second run differs at %d: %g, then %g", p, i, got[i], again[i])
					}
				}
				init := randoms(rng, nout)
				acc := runPlan(t, d, p, pa, pb, init, nout)
				for i := range want {
					want[i] += init[i]
					scale[i] += float32(math.Abs(float64(init[i])))
				}
				checkScaled(t, "β=1 "+p.String(), acc, want, scale, cudnnTolFP32)
				d.SetTF32(true)
				defer d.SetTF32(false)
				if pt := planOrFail(t, d, d.ConvKey(op, c.s, c.co)); pt != nil {
					et := checkScaled(t, "TF32 "+pt.String(), runPlan(t, d, pt, pa, pb, nil, nout), convRef(op, c.s, c.co, a, b),
						convRef(op, c.s, c.co, absolutes(a), absolutes(b)), cudnnTolTF32)
					t.Logf("%v: largest error %.2g (TF32 %.2g)", p, e, et)
				}
			})
		}
	}
	t.Log(d.ConvBackend())
}

// planOrFail returns k's plan, failing the test when cuDNN has none, or
// skipping it, with what cuDNN offered, when no algorithm qualifies.
func planOrFail(t *testing.T, d *Device, k ConvKey) *ConvPlan {
	t.Helper()
	p, err := d.CudnnPlan(k)
	var none *NoAlgorithmError
	if errors.As(err, &none) {
		t.Skip(err) // im2col + cuBLAS runs it: not a failure, but the log says what cuDNN offered
	}
	if err != nil {
		t.Fatal(err)
	}
	if p == nil {
		t.Fatalf("no cuDNN plan for %v", k)
	}
	return p
}

// runPlan runs p on a and b into an output holding init (β = 1), or nothing
// (β = 0, the output first filled with NaN), and returns it.
func runPlan(t *testing.T, d *Device, p *ConvPlan, a, b Ptr, init []float32, n int) []float32 {
	t.Helper()
	scratch, err := d.Alloc(p.ScratchFloats())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Free(scratch)
	d.Fill(scratch, p.ScratchFloats(), float32(math.NaN())) // the extension's zeros must be written
	beta := float32(1)
	if init == nil {
		init, beta = make([]float32, n), 0
		for i := range init {
			init[i] = float32(math.NaN())
		}
	}
	out := upload(t, d, init)
	if err := d.CudnnConv(p, out, a, b, scratch, beta); err != nil {
		t.Fatal(err)
	}
	return download(t, d, out, n)
}

// TestCudnnTime checks Device.Time on a plan: a positive duration, and the
// device still sound after.
func TestCudnnTime(t *testing.T) {
	d := openCudnnOrSkip(t)
	c := cudnnShapes[2]
	p := planOrFail(t, d, d.ConvKey(ConvForward, c.s, c.co))
	na, nb, nout := operands(ConvForward, c.s, c.co)
	rng := rand.New(rand.NewPCG(21, 22))
	pa, pb := upload(t, d, randoms(rng, na)), upload(t, d, randoms(rng, nb))
	out, scratch := upload(t, d, make([]float32, nout)), upload(t, d, make([]float32, p.ScratchFloats()))
	var runErr error
	dt, err := d.Time(5, func() { runErr = errors.Join(runErr, d.CudnnConv(p, out, pa, pb, scratch, 0)) })
	if err != nil || runErr != nil || dt <= 0 {
		t.Fatalf("Time: %v, %v, %v", dt, err, runErr)
	}
	t.Logf("%v: %v a run", p, dt)
}

func TestConvDecisionsPerGPU(t *testing.T) {
	var tab decisionTable
	k := ConvKey{Op: ConvBackwardData, Shape: convShapes[2], Co: 128}
	tab.set(0, k, convDecision{cudnn: true, algo: 1, mathType: dnnFMAMath})
	if dec, ok := tab.get(0, k); !ok || dec.algo != 1 || !dec.cudnn {
		t.Errorf("GPU 0: %+v, %v", dec, ok)
	}
	if _, ok := tab.get(1, k); ok {
		t.Error("GPU 1 sees GPU 0's decision")
	}
	k.TF32 = true
	if _, ok := tab.get(0, k); ok {
		t.Error("a TF32 key sees the FP32 key's decision")
	}
}

// TestCudnnChoiceShared checks that a second Device of the GPU takes over the
// first's choice, with the same algorithm.
func TestCudnnChoiceShared(t *testing.T) {
	d := openCudnnOrSkip(t)
	c := cudnnShapes[4]
	k := d.ConvKey(ConvBackwardFilter, c.s, c.co)
	p := planOrFail(t, d, k)
	d.SetConvChoice(k, p)
	other, err := Open(0)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	q, ok, err := other.ConvChoice(k)
	if !ok || q == nil || q.algo != p.algo || q.math != p.math || err != nil {
		t.Fatalf("second device: %v (%v, %v), want %v", q, ok, err, p)
	}
	k2 := d.ConvKey(ConvForward, c.s, c.co)
	d.SetConvChoice(k2, nil)
	if q, ok, err := other.ConvChoice(k2); !ok || q != nil || err != nil {
		t.Fatalf("second device: %v (%v, %v), want im2col", q, ok, err)
	}
}
