package cuda

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/ebitengine/purego"
)

// ConvOp is one of the three convolution ops of a geometry (see autograd's
// ops_conv.go): the forward, its adjoint in the input, its adjoint in the kernel.
type ConvOp int8

const (
	// ConvForward is y (N,OH,OW,Co) = x (N,H,W,C) ⋆ w (KH,KW,C,Co).
	ConvForward ConvOp = iota
	// ConvBackwardData is dx (N,H,W,C) = dy (N,OH,OW,Co) ⋆ᵀ w (KH,KW,C,Co).
	ConvBackwardData
	// ConvBackwardFilter is dw (KH,KW,C,Co) = x (N,H,W,C) ⋆ʷ dy (N,OH,OW,Co).
	ConvBackwardFilter
)

var convOpNames = [...]string{ConvForward: "forward", ConvBackwardData: "backward data", ConvBackwardFilter: "backward filter"}

// String names the op: "forward", "backward data" or "backward filter".
func (op ConvOp) String() string { return convOpNames[op] }

// ConvKey names one convolution op on one geometry, with the output channels Co
// and the math (TF32 or FP32) it runs with: a device decides once per key
// whether cuDNN runs it.
type ConvKey struct {
	Op    ConvOp
	Shape ConvShape
	Co    int
	TF32  bool
}

// String is the key as an error message names it.
func (k ConvKey) String() string {
	s := k.Shape
	math := "FP32"
	if k.TF32 {
		math = "TF32"
	}
	return fmt.Sprintf("conv %s of (%d,%d,%d,%d) by %dx%d/%dx%d pad %d,%d to (%d,%d,%d) %s",
		k.Op, s.N, s.H, s.W, s.C, s.KH, s.KW, s.SH, s.SW, s.PadTop, s.PadLeft, s.OH, s.OW, k.Co, math)
}

// ConvKey is the key of op on shape s with co output channels, under the
// device's current math (SetTF32).
func (d *Device) ConvKey(op ConvOp, s ConvShape, co int) ConvKey {
	return ConvKey{Op: op, Shape: s, Co: co, TF32: d.tf32}
}

// cudnnPadding is how a geometry runs on cuDNN, which pads symmetrically: the
// input, with eh rows and ew columns of zeros appended after it, padded by
// PadTop and PadLeft on both sides, gives exactly OH×OW windows. ok is false when
// no such extension exists (windows that stop more than a stride short of the
// input's end) or the geometry is empty.
//
// TensorFlow's 'same' puts the odd row of padding after: a 5×5 stride-2 window
// on 14 rows pads 1 before and 2 after, so eh = 1.
func (s ConvShape) cudnnPadding() (eh, ew int, ok bool) {
	eh, okH := extension(s.H, s.KH, s.SH, s.PadTop, s.OH)
	ew, okW := extension(s.W, s.KW, s.SW, s.PadLeft, s.OW)
	return eh, ew, okH && okW && s.N > 0 && s.C > 0
}

// extension is cudnnPadding along one axis of length in.
func extension(in, k, stride, pad, out int) (int, bool) {
	if in <= 0 || out <= 0 || pad >= k {
		return 0, false
	}
	after := (out-1)*stride + k - in - pad // the padding after that the geometry implies
	e := max(after-pad, 0)
	span := in + e + 2*pad - k
	return e, span >= 0 && span/stride+1 == out
}

// ConvPlan is how cuDNN runs one ConvKey: its descriptors, the algorithm that
// cudnnFind… timed fastest among the deterministic ones, and the layout of the
// scratch memory it needs (ScratchFloats) for the zero-extended input, the
// kernel in cuDNN's layout and the algorithm's workspace.
//
// gogan's kernels are (KH,KW,C,Co) "HWIO"; cuDNN's NHWC filters are
// (Co,KH,KW,C) "KRSC": the transpose of the (KH·KW·C, Co) matrix, which a
// cudnnTransformTensor from NHWC to NCHW makes. Another copies the input into
// its zero-extended buffer (a strided view of it) or, for backward data, the
// extended gradient back out of it.
type ConvPlan struct {
	key    ConvKey
	eh, ew int // the zero rows and columns appended to the input (cudnnPadding)

	x, y     uintptr // the (extended) input and the output, packed NHWC
	xIn      uintptr // the input as given, packed NHWC (extended plans only)
	xView    uintptr // the input's place inside the extended buffer (extended plans only)
	wHWIO    uintptr // the kernel as gogan holds it, as a tensor
	wKRSC    uintptr // the kernel in cuDNN's layout, as the same tensor
	filter   uintptr // the filter descriptor of wKRSC
	conv     uintptr
	algo     uint32
	math     uint32 // the algorithm's cudnnMathType_t
	wsBytes  int
	ms       float32 // cudnnFind's time of the algorithm
	padFloat int     // offsets in the scratch memory, floats: the extended input,
	wFloat   int     // the kernel in cuDNN's layout,
	wsFloat  int     // the workspace,
	total    int     // and the whole
}

// Key returns the op and geometry the plan runs.
func (p *ConvPlan) Key() ConvKey { return p.key }

// ScratchFloats is the device memory CudnnConv needs beside its operands, in floats.
func (p *ConvPlan) ScratchFloats() int { return p.total }

// extended reports whether the input is copied into a zero-extended buffer.
func (p *ConvPlan) extended() bool { return p.eh > 0 || p.ew > 0 }

// String names the plan's algorithm and its workspace.
func (p *ConvPlan) String() string {
	return fmt.Sprintf("cuDNN algorithm %d, math type %d (%.3f ms, %d bytes of workspace) for %v", p.algo, p.math, p.ms, p.wsBytes, p.key)
}

// dnnDevice is a device's cuDNN: its handle on the device's stream, the plans
// made and the choice of every key decided so far.
type dnnDevice struct {
	lib     *dnnLib
	version string
	err     error // why cuDNN is not used on this device, if it is not
	handle  uintptr
	scalars *[4]float32 // α = 1, β = 0, and the β of the call, read by cuDNN at each call
	plans   []*ConvPlan
	choices map[ConvKey]*ConvPlan // nil: im2col + cuBLAS
}

// cudnn returns d's cuDNN, loading the library and making its handle on first
// use, or why there is none.
func (d *Device) cudnn() (*dnnDevice, error) {
	if d.dnn == nil {
		d.dnn = &dnnDevice{choices: map[ConvKey]*ConvPlan{}, scalars: &[4]float32{1, 0, 0, 0}}
		d.dnn.lib, d.dnn.version, d.dnn.err = loadCudnn()
		if d.dnn.err == nil {
			d.dnn.err = d.dnn.open(d)
		}
	}
	return d.dnn, d.dnn.err
}

// open makes the handle and binds it to d's stream.
func (n *dnnDevice) open(d *Device) error {
	d.lock()
	defer d.unlock()
	if err := n.lib.check("cudnnCreate", n.lib.create(&n.handle)); err != nil {
		n.handle = 0
		return err
	}
	return n.lib.check("cudnnSetStream", n.lib.setStream(n.handle, d.stream))
}

// close destroys the plans' descriptors and the handle (d's context current).
func (n *dnnDevice) close() {
	if n == nil || n.handle == 0 {
		return
	}
	for _, p := range n.plans {
		p.destroy(n.lib)
	}
	n.lib.destroy(n.handle)
	n.handle, n.plans = 0, nil
}

// CudnnError returns why d does not use cuDNN (its library missing, too old or
// turned off), or nil when it can; it loads cuDNN if no plan has yet.
func (d *Device) CudnnError() error {
	_, err := d.cudnn()
	return err
}

// ConvChoice returns the plan chosen for k: (plan, true) when cuDNN runs it,
// (nil, true) when im2col + cuBLAS does, (nil, false) when k is not decided yet.
// A choice made on another Device of the same GPU in this process (two trainers,
// a trainer and its sampler), or by an earlier process and kept in the file of
// choices (cudnn_choices.go), is taken over, with the same algorithm, so that
// they compute the same bits. During a capture, where no plan can be made, such
// a key stays undecided. err says why a cuDNN choice so taken over could not be
// planned here; k is then im2col's for this device.
func (d *Device) ConvChoice(k ConvKey) (plan *ConvPlan, decided bool, err error) {
	if d.capturing && d.dnn == nil {
		return nil, false, nil // no handle is made inside a capture
	}
	n, dnnErr := d.cudnn()
	if p, ok := n.choices[k]; ok {
		return p, true, nil
	}
	dec, ok := convDecisions.get(d.ordinal, k)
	if !ok && dnnErr == nil {
		if dec, ok = savedDecision(d, n.version, k); ok {
			convDecisions.set(d.ordinal, k, dec)
		}
	}
	switch {
	case !ok:
		return nil, false, nil
	case !dec.cudnn || dnnErr != nil:
		n.choices[k] = nil
		return nil, true, nil
	case d.capturing:
		return nil, false, nil
	}
	p, err := d.plan(k, &algoPerf{algo: dec.algo, mathType: dec.mathType})
	if err != nil {
		p = nil
		err = fmt.Errorf("cuDNN algorithm %d, chosen for %v, cannot run here: %w", dec.algo, k, err)
	}
	n.choices[k] = p
	return p, true, err
}

// SetConvChoice records the choice for k: p (cuDNN) or nil (im2col + cuBLAS),
// for d and for the other devices of its GPU in the process (see ConvChoice).
func (d *Device) SetConvChoice(k ConvKey, p *ConvPlan) {
	n, _ := d.cudnn()
	n.choices[k] = p
	convDecisions.set(d.ordinal, k, decisionOf(p))
}

// decisionOf is the decision that plan p (nil: im2col) stands for.
func decisionOf(p *ConvPlan) convDecision {
	if p == nil {
		return convDecision{}
	}
	return convDecision{cudnn: true, algo: p.algo, mathType: p.math}
}

// RecordConvChoice is SetConvChoice for a choice that timing made, kept in the
// file of choices (cudnn_choices.go) so that later processes on this machine make
// it too and compute the same bits. When another process has kept a choice for k
// first, that one wins: RecordConvChoice returns the plan it stands for, which
// the caller must run instead of p. The error says why the file could not be
// used; the choice p then holds for this process.
func (d *Device) RecordConvChoice(k ConvKey, p *ConvPlan) (*ConvPlan, error) {
	n, err := d.cudnn()
	if err != nil {
		d.SetConvChoice(k, p)
		return p, nil // no cuDNN: nothing was timed, nothing to keep
	}
	kept, err := saveDecision(d, n.version, k, decisionOf(p))
	if err != nil || kept == decisionOf(p) {
		d.SetConvChoice(k, p)
		return p, err
	}
	var q *ConvPlan
	if kept.cudnn {
		if q, err = d.plan(k, &algoPerf{algo: kept.algo, mathType: kept.mathType}); err != nil {
			q = nil
			err = fmt.Errorf("cuDNN algorithm %d, kept for %v by another process, cannot run here: %w", kept.algo, k, err)
		}
	}
	d.SetConvChoice(k, q)
	return q, err
}

// convDecisions are the choices made in the process, per GPU and key.
var convDecisions decisionTable

// convDecision is one choice: cuDNN's algorithm and math type, or im2col.
type convDecision struct {
	cudnn          bool
	algo, mathType uint32
}

// decisionTable is a map of choices safe for concurrent use (devices of one
// GPU may run on several goroutines).
type decisionTable struct {
	mu sync.Mutex
	m  map[decisionKey]convDecision
}

type decisionKey struct {
	ordinal int
	key     ConvKey
}

func (t *decisionTable) get(ordinal int, k ConvKey) (convDecision, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	dec, ok := t.m[decisionKey{ordinal, k}]
	return dec, ok
}

func (t *decisionTable) set(ordinal int, k ConvKey, dec convDecision) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[decisionKey]convDecision{}
	}
	t.m[decisionKey{ordinal, k}] = dec
}

// ConvBackend says what runs the device's convolutions, for gogan bench:
// "cudnn 9.10.2 (5 of 9 ops)" when cuDNN won some of those decided so far,
// else "im2col+cublas", with cuDNN's version or why it is not used.
func (d *Device) ConvBackend() string {
	n := d.dnn
	if n == nil {
		return "im2col+cublas"
	}
	if n.err != nil {
		return fmt.Sprintf("im2col+cublas (%v)", n.err)
	}
	won := 0
	for _, p := range n.choices {
		if p != nil {
			won++
		}
	}
	if won == 0 {
		return fmt.Sprintf("im2col+cublas (cudnn %s won none of %d ops)", n.version, len(n.choices))
	}
	return fmt.Sprintf("cudnn %s (%d of %d ops)", n.version, won, len(n.choices))
}

// CudnnPlan makes cuDNN's plan for k: its descriptors, and the fastest
// deterministic algorithm that cudnnFind… times (on buffers it allocates
// itself, so it must not run during a capture: that panics). It returns nil and
// no error where cuDNN cannot serve k (no cuDNN, a geometry cuDNN's symmetric
// padding cannot express), a *NoAlgorithmError when no algorithm that cudnnFind…
// timed qualifies (see pickAlgo: deterministic, within 256 MiB of workspace,
// without TF32 GEMM-like), and an error naming k and cuDNN's status when a call
// fails.
func (d *Device) CudnnPlan(k ConvKey) (*ConvPlan, error) {
	return d.plan(k, nil)
}

// plan makes k's plan with the algorithm and math type of algo, or, when algo
// is nil, those that cudnnFind… picks (pickAlgo).
func (d *Device) plan(k ConvKey, algo *algoPerf) (*ConvPlan, error) {
	k.Shape.check()
	if d.capturing {
		panic("cuda: a cuDNN plan made during a CUDA graph capture")
	}
	n, err := d.cudnn()
	if err != nil {
		return nil, nil
	}
	eh, ew, ok := k.Shape.cudnnPadding()
	if !ok || k.Co <= 0 {
		return nil, nil
	}
	d.lock()
	defer d.unlock()
	p := &ConvPlan{key: k, eh: eh, ew: ew}
	err = p.describe(n.lib)
	if err == nil && algo == nil {
		var found bool
		var best algoPerf
		if best, found, err = p.find(n); found {
			algo = &best
		}
	}
	if err == nil && algo != nil {
		err = p.use(n, *algo)
	}
	if err != nil || algo == nil {
		p.destroy(n.lib)
		var none *NoAlgorithmError
		if err != nil && !errors.As(err, &none) {
			err = fmt.Errorf("%w, for %v", err, k)
		}
		return nil, err
	}
	n.plans = append(n.plans, p)
	return p, nil
}

// describe makes p's descriptors: the tensors, then the kernel's and the
// convolution's.
func (p *ConvPlan) describe(l *dnnLib) error {
	if err := p.describeTensors(l); err != nil {
		return err
	}
	return p.describeKernel(l)
}

// describeTensors makes the descriptors of the (extended) input and the
// output, and, for an extended plan, of the input as given and of its place in
// the extended buffer.
func (p *ConvPlan) describeTensors(l *dnnLib) error {
	s, co := p.key.Shape, p.key.Co
	hp, wp := s.H+p.eh, s.W+p.ew
	ext := [4]int{hp * wp * s.C, 1, wp * s.C, s.C} // the extended buffer's strides
	if err := l.packed(&p.x, dnnTensorNHWC, s.N, s.C, hp, wp); err != nil {
		return err
	}
	if err := l.packed(&p.y, dnnTensorNHWC, s.N, co, s.OH, s.OW); err != nil {
		return err
	}
	if !p.extended() {
		return nil
	}
	if err := l.packed(&p.xIn, dnnTensorNHWC, s.N, s.C, s.H, s.W); err != nil {
		return err
	}
	return l.strided(&p.xView, [4]int{s.N, s.C, s.H, s.W}, ext)
}

// describeKernel makes the kernel's descriptors and the convolution's. With P =
// KH·KW·C, gogan's HWIO kernel is the (P, Co) matrix and cuDNN's KRSC the
// (Co, P) one: HWIO is a (1, Co, P, 1) tensor in NHWC and KRSC the same tensor
// in NCHW, and one format conversion transposes between them.
func (p *ConvPlan) describeKernel(l *dnnLib) error {
	s, co := p.key.Shape, p.key.Co
	if err := l.packed(&p.wHWIO, dnnTensorNHWC, 1, co, s.KH*s.KW*s.C, 1); err != nil {
		return err
	}
	if err := l.packed(&p.wKRSC, dnnTensorNCHW, 1, co, s.KH*s.KW*s.C, 1); err != nil {
		return err
	}
	if err := l.check("cudnnCreateFilterDescriptor", l.createFilter(&p.filter)); err != nil {
		return err
	}
	if err := l.check("cudnnSetFilter4dDescriptor NHWC", l.setFilter4d(p.filter, dnnFloat, dnnTensorNHWC,
		int32(co), int32(s.C), int32(s.KH), int32(s.KW))); err != nil {
		return err
	}
	if err := l.check("cudnnCreateConvolutionDescriptor", l.createConv(&p.conv)); err != nil {
		return err
	}
	if err := l.check("cudnnSetConvolution2dDescriptor", l.setConv2d(p.conv, int32(s.PadTop), int32(s.PadLeft),
		int32(s.SH), int32(s.SW), 1, 1, dnnCrossCorrelation, dnnFloat)); err != nil {
		return err
	}
	return l.check("cudnnSetConvolutionMathType", l.setMathType(p.conv, p.mathType()))
}

// packed makes in *dst the descriptor of a tensor of dims (n, c, h, w) stored
// without gaps in format (NHWC or NCHW).
func (l *dnnLib) packed(dst *uintptr, format uint32, n, c, h, w int) error {
	if err := l.check("cudnnCreateTensorDescriptor", l.createTensor(dst)); err != nil {
		return err
	}
	return l.check(fmt.Sprintf("cudnnSetTensor4dDescriptor format %d (n,c,h,w) (%d,%d,%d,%d)", format, n, c, h, w),
		l.setTensor4d(*dst, format, dnnFloat, int32(n), int32(c), int32(h), int32(w)))
}

// strided makes in *dst the descriptor of a tensor of dims (n, c, h, w) with
// the strides (ns, cs, hs, ws), in floats.
func (l *dnnLib) strided(dst *uintptr, dims, strides [4]int) error {
	if err := l.check("cudnnCreateTensorDescriptor", l.createTensor(dst)); err != nil {
		return err
	}
	return l.check(fmt.Sprintf("cudnnSetTensor4dDescriptorEx dims %v strides %v", dims, strides),
		l.setTensor4dEx(*dst, dnnFloat, int32(dims[0]), int32(dims[1]), int32(dims[2]), int32(dims[3]),
			int32(strides[0]), int32(strides[1]), int32(strides[2]), int32(strides[3])))
}

// mathType is the convolution's math: FMA (plain FP32, as cuBLAS's default and
// the CPU) unless the key allows TF32, then cuDNN's default (tensor cores
// allowed).
func (p *ConvPlan) mathType() uint32 {
	if p.key.TF32 {
		return dnnDefaultMath
	}
	return dnnFMAMath
}

// find times the algorithms of p's direction with cudnnFind… and returns the
// best deterministic one (pickAlgo), or a *NoAlgorithmError when none qualifies.
func (p *ConvPlan) find(n *dnnDevice) (best algoPerf, found bool, err error) {
	l, h := n.lib, n.handle
	buf := make([]byte, dnnMaxAlgos*algoPerfSize)
	var count int32
	var r result
	switch p.key.Op {
	case ConvForward:
		r = l.findFwd(h, p.x, p.filter, p.conv, p.y, dnnMaxAlgos, &count, &buf[0])
	case ConvBackwardData:
		r = l.findBwdData(h, p.filter, p.y, p.conv, p.x, dnnMaxAlgos, &count, &buf[0])
	case ConvBackwardFilter:
		r = l.findBwdFilter(h, p.x, p.y, p.conv, p.filter, dnnMaxAlgos, &count, &buf[0])
	}
	if err := l.check("cudnnFindConvolution ("+p.key.Op.String()+") Algorithm", r); err != nil {
		return best, false, err
	}
	perfs := decodePerfs(buf, int(min(max(count, 0), dnnMaxAlgos)))
	if best, found = pickAlgo(p.key.Op, perfs, p.key.TF32, dnnMaxWorkspaceBytes); !found {
		return best, false, &NoAlgorithmError{Key: p.key, Results: describePerfs(l, perfs)}
	}
	return best, true, nil
}

// NoAlgorithmError is CudnnPlan's answer when none of the algorithms cudnnFind…
// timed for Key qualifies: not an error of cuDNN, im2col + cuBLAS runs Key.
type NoAlgorithmError struct {
	Key     ConvKey
	Results string // what cudnnFind… returned, one algorithm after another
}

// Error names the key and what cuDNN offered.
func (e *NoAlgorithmError) Error() string {
	return fmt.Sprintf("cuda: no deterministic, plain-FP32 (or TF32 when allowed) cuDNN algorithm within %d MiB for %v; cudnnFind gave: %s",
		dnnMaxWorkspaceBytes>>20, e.Key, e.Results)
}

// describePerfs writes cudnnFind…'s results for NoAlgorithmError.
func describePerfs(l *dnnLib, perfs []algoPerf) string {
	if len(perfs) == 0 {
		return "nothing"
	}
	parts := make([]string, len(perfs))
	for i, p := range perfs {
		parts[i] = fmt.Sprintf("algo %d %s %.3g ms %d B determinism %d math %d", p.algo, l.getErrorString(p.status), p.ms, p.memory, p.determinism, p.mathType)
	}
	return strings.Join(parts, "; ")
}

// use makes p run algorithm a: it sets a's math type on the descriptor, asks
// its workspace and lays out the scratch memory.
func (p *ConvPlan) use(n *dnnDevice, a algoPerf) error {
	l, h := n.lib, n.handle
	if !p.key.TF32 {
		a.mathType = dnnFMAMath // whatever cudnnFind reported: FP32 plans never use tensor cores
	}
	if err := l.check("cudnnSetConvolutionMathType", l.setMathType(p.conv, a.mathType)); err != nil {
		return err
	}
	var ws uintptr
	var r result
	switch p.key.Op {
	case ConvForward:
		r = l.wsFwd(h, p.x, p.filter, p.conv, p.y, a.algo, &ws)
	case ConvBackwardData:
		r = l.wsBwdData(h, p.filter, p.y, p.conv, p.x, a.algo, &ws)
	case ConvBackwardFilter:
		r = l.wsBwdFilter(h, p.x, p.y, p.conv, p.filter, a.algo, &ws)
	}
	if err := l.check("cudnnGetConvolution ("+p.key.Op.String()+") WorkspaceSize", r); err != nil {
		return err
	}
	p.algo, p.math, p.ms, p.wsBytes = a.algo, a.mathType, a.ms, max(int(ws), int(a.memory))
	p.layout()
	return nil
}

// layout places the extended input, the kernel in cuDNN's layout and the
// workspace in the scratch memory, each 256-byte aligned.
func (p *ConvPlan) layout() {
	s := p.key.Shape
	align := func(n int) int { return (n + 63) / 64 * 64 }
	off := 0
	if p.extended() {
		p.padFloat = off
		off += align(s.N * (s.H + p.eh) * (s.W + p.ew) * s.C)
	}
	p.wFloat = off
	off += align(s.KH * s.KW * s.C * p.key.Co)
	p.wsFloat = off
	off += align((p.wsBytes + 3) / 4)
	p.total = off
}

// destroy releases p's descriptors.
func (p *ConvPlan) destroy(l *dnnLib) {
	for _, t := range []uintptr{p.x, p.y, p.xIn, p.xView, p.wHWIO, p.wKRSC} {
		if t != 0 {
			l.destroyTensor(t)
		}
	}
	if p.filter != 0 {
		l.destroyFilter(p.filter)
	}
	if p.conv != 0 {
		l.destroyConv(p.conv)
	}
}

// CudnnConv runs plan p's op on the stream, with scratch memory of
// p.ScratchFloats() floats:
//
//	ConvForward:        out y  = a x ⋆ b w            (+ beta·y)
//	ConvBackwardData:   out dx = a dy ⋆ᵀ b w          (+ beta·dx)
//	ConvBackwardFilter: out dw = a x ⋆ʷ b dy          (+ beta·dw)
//
// with the shapes of p's key (w and dw (KH,KW,C,Co)). It returns the first
// failing call's error, naming cuDNN's status and the key; the caller may then
// compute out another way (out was not yet written when beta is 0). After an
// asynchronous error of the device (Err) it queues nothing, as every call does.
func (d *Device) CudnnConv(p *ConvPlan, out, a, b, scratch Ptr, beta float32) error {
	if d.err != nil {
		return nil
	}
	n := d.dnn
	d.lock()
	defer d.unlock()
	n.scalars[2] = beta
	c := dnnCall{n: n, p: p}
	ws := scratch.Add(p.wsFloat)
	wt := scratch.Add(p.wFloat)
	switch p.key.Op {
	case ConvForward:
		x := c.extendInput(d, a, scratch.Add(p.padFloat))
		c.transform(p.wHWIO, b, p.wKRSC, wt, false)
		c.call("cudnnConvolutionForward", n.lib.convFwd, c.alpha(), p.x, uintptr(x), p.filter, uintptr(wt), p.conv,
			uintptr(p.algo), uintptr(ws), uintptr(p.wsBytes), c.beta(true), p.y, uintptr(out))
	case ConvBackwardData:
		c.transform(p.wHWIO, b, p.wKRSC, wt, false)
		dx, final := out, true
		if p.extended() {
			dx, final = scratch.Add(p.padFloat), false
		}
		c.call("cudnnConvolutionBackwardData", n.lib.convBwdData, c.alpha(), p.filter, uintptr(wt), p.y, uintptr(a), p.conv,
			uintptr(p.algo), uintptr(ws), uintptr(p.wsBytes), c.beta(final), p.x, uintptr(dx))
		if p.extended() {
			c.transform(p.xView, dx, p.xIn, out, true)
		}
	case ConvBackwardFilter:
		x := c.extendInput(d, a, scratch.Add(p.padFloat))
		c.call("cudnnConvolutionBackwardFilter", n.lib.convBwdFilter, c.alpha(), p.x, uintptr(x), p.y, uintptr(b), p.conv,
			uintptr(p.algo), uintptr(ws), uintptr(p.wsBytes), c.beta(false), p.filter, uintptr(wt))
		c.transform(p.wKRSC, wt, p.wHWIO, out, true)
	}
	return c.err
}

// dnnCall is one CudnnConv: its calls in order, stopping at the first error.
type dnnCall struct {
	n   *dnnDevice
	p   *ConvPlan
	err error
}

// alpha is the address of 1; beta that of the call's β when final (the call
// writes the op's result), else of 0.
func (c *dnnCall) alpha() uintptr { return uintptr(unsafe.Pointer(&c.n.scalars[0])) }
func (c *dnnCall) beta(final bool) uintptr {
	if final {
		return uintptr(unsafe.Pointer(&c.n.scalars[2]))
	}
	return uintptr(unsafe.Pointer(&c.n.scalars[1]))
}

// call makes one cuDNN call through SyscallN unless an earlier one failed.
func (c *dnnCall) call(name string, fn uintptr, args ...uintptr) {
	if c.err != nil {
		return
	}
	r, _, _ := purego.SyscallN(fn, append([]uintptr{c.n.handle}, args...)...)
	if r != 0 {
		c.err = fmt.Errorf("%w, for %v", c.n.lib.check(name, result(r)), c.p.key)
	}
}

// transform is dst = src between the views srcDesc and dstDesc of one shape
// (β the call's when final, else 0).
func (c *dnnCall) transform(srcDesc uintptr, src Ptr, dstDesc uintptr, dst Ptr, final bool) {
	c.call("cudnnTransformTensor", c.n.lib.transform, c.alpha(), srcDesc, uintptr(src), c.beta(final), dstDesc, uintptr(dst))
}

// extendInput returns x itself, or, for an extended plan, buf holding x with
// the plan's zero rows and columns appended: buf zeroed (cuMemsetD32Async),
// then x copied into its place.
func (c *dnnCall) extendInput(d *Device, x, buf Ptr) Ptr {
	p := c.p
	if !p.extended() || c.err != nil {
		return x
	}
	s := p.key.Shape
	n := s.N * (s.H + p.eh) * (s.W + p.ew) * s.C
	d.record(d.drv.check("cuMemsetD32Async", d.drv.memsetD32Async(uintptr(buf), 0, uintptr(n), d.stream)))
	c.transform(p.xIn, x, p.xView, buf, false)
	return buf
}

// Capturing reports whether the stream is being captured into a CUDA graph
// (between BeginCapture and EndCapture): no Sync, no allocation, no cuDNN plan.
func (d *Device) Capturing() bool { return d.capturing }

// Time runs f once, then reps times between two synchronizations of the stream,
// and returns the wall time of one run: what the device's queue takes for f's
// work, launches included. It returns the device's error if one occurred.
func (d *Device) Time(reps int, f func()) (time.Duration, error) {
	f()
	if err := d.Sync(); err != nil {
		return 0, err
	}
	start := time.Now()
	for range reps {
		f()
	}
	if err := d.Sync(); err != nil {
		return 0, err
	}
	return time.Since(start) / time.Duration(max(reps, 1)), nil
}
