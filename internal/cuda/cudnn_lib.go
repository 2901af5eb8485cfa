package cuda

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/ebitengine/purego"
)

// cuDNN is optional: it is loaded the first time a device plans a convolution,
// and when it is missing (or GOGAN_CUDNN=off) every convolution stays im2col +
// cuBLAS. Only the legacy API that cuDNN 9 still exports from libcudnn.so.9 (the
// shim that loads libcudnn_ops, libcudnn_cnn, … on demand) is bound.

// dnnLib holds the functions bound from libcudnn.so.9; handles and descriptors
// are uintptr, enums uint32, cudnnStatus_t a result (0 is success).
type dnnLib struct {
	getVersion     func() uintptr
	getErrorString func(status result) string
	create         func(h *uintptr) result
	destroy        func(h uintptr) result
	setStream      func(h, stream uintptr) result
	createTensor   func(t *uintptr) result
	setTensor4d    func(t uintptr, format, dtype uint32, n, c, h, w int32) result
	setTensor4dEx  func(t uintptr, dtype uint32, n, c, h, w, ns, cs, hs, ws int32) result
	destroyTensor  func(t uintptr) result
	createFilter   func(f *uintptr) result
	setFilter4d    func(f uintptr, dtype, format uint32, k, c, h, w int32) result
	destroyFilter  func(f uintptr) result
	createConv     func(c *uintptr) result
	setConv2d      func(c uintptr, padH, padW, u, v, dilH, dilW int32, mode, computeType uint32) result
	setMathType    func(c uintptr, math uint32) result
	destroyConv    func(c uintptr) result
	// (handle, xDesc, wDesc, convDesc, yDesc, requested, *returned, *perf) and the
	// two backward ones with their descriptors in the order of their C prototypes.
	findFwd       func(h, x, w, conv, y uintptr, requested int32, returned *int32, perf *byte) result
	findBwdData   func(h, w, dy, conv, dx uintptr, requested int32, returned *int32, perf *byte) result
	findBwdFilter func(h, x, dy, conv, dw uintptr, requested int32, returned *int32, perf *byte) result
	wsFwd         func(h, x, w, conv, y uintptr, algo uint32, bytes *uintptr) result
	wsBwdData     func(h, w, dy, conv, dx uintptr, algo uint32, bytes *uintptr) result
	wsBwdFilter   func(h, x, dy, conv, dw uintptr, algo uint32, bytes *uintptr) result
	// The calls of every step, through purego.SyscallN.
	convFwd       uintptr // (h, *alpha, xDesc, x, wDesc, w, conv, algo, ws, wsBytes, *beta, yDesc, y)
	convBwdData   uintptr // (h, *alpha, wDesc, w, dyDesc, dy, conv, algo, ws, wsBytes, *beta, dxDesc, dx)
	convBwdFilter uintptr // (h, *alpha, xDesc, x, dyDesc, dy, conv, algo, ws, wsBytes, *beta, dwDesc, dw)
	transform     uintptr // cudnnTransformTensor (h, *alpha, xDesc, x, *beta, yDesc, y)
}

// symbols is cuDNN's binding table.
func (l *dnnLib) symbols() []symbol {
	return []symbol{
		{"cudnnGetVersion", &l.getVersion},
		{"cudnnGetErrorString", &l.getErrorString},
		{"cudnnCreate", &l.create},
		{"cudnnDestroy", &l.destroy},
		{"cudnnSetStream", &l.setStream},
		{"cudnnCreateTensorDescriptor", &l.createTensor},
		{"cudnnSetTensor4dDescriptor", &l.setTensor4d},
		{"cudnnSetTensor4dDescriptorEx", &l.setTensor4dEx},
		{"cudnnDestroyTensorDescriptor", &l.destroyTensor},
		{"cudnnCreateFilterDescriptor", &l.createFilter},
		{"cudnnSetFilter4dDescriptor", &l.setFilter4d},
		{"cudnnDestroyFilterDescriptor", &l.destroyFilter},
		{"cudnnCreateConvolutionDescriptor", &l.createConv},
		{"cudnnSetConvolution2dDescriptor", &l.setConv2d},
		{"cudnnSetConvolutionMathType", &l.setMathType},
		{"cudnnDestroyConvolutionDescriptor", &l.destroyConv},
		{"cudnnFindConvolutionForwardAlgorithm", &l.findFwd},
		{"cudnnFindConvolutionBackwardDataAlgorithm", &l.findBwdData},
		{"cudnnFindConvolutionBackwardFilterAlgorithm", &l.findBwdFilter},
		{"cudnnGetConvolutionForwardWorkspaceSize", &l.wsFwd},
		{"cudnnGetConvolutionBackwardDataWorkspaceSize", &l.wsBwdData},
		{"cudnnGetConvolutionBackwardFilterWorkspaceSize", &l.wsBwdFilter},
		{"cudnnConvolutionForward", &l.convFwd},
		{"cudnnConvolutionBackwardData", &l.convBwdData},
		{"cudnnConvolutionBackwardFilter", &l.convBwdFilter},
		{"cudnnTransformTensor", &l.transform},
	}
}

// cuDNN's enums (cudnn_graph.h, cudnn_cnn.h of cuDNN 9).
const (
	dnnTensorNCHW        = 0 // cudnnTensorFormat_t CUDNN_TENSOR_NCHW
	dnnTensorNHWC        = 1 // CUDNN_TENSOR_NHWC
	dnnFloat             = 0 // cudnnDataType_t CUDNN_DATA_FLOAT
	dnnCrossCorrelation  = 1 // cudnnConvolutionMode_t CUDNN_CROSS_CORRELATION
	dnnDefaultMath       = 0 // cudnnMathType_t CUDNN_DEFAULT_MATH
	dnnTensorOpMath      = 1 // CUDNN_TENSOR_OP_MATH
	dnnTensorOpMathConv  = 2 // CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION
	dnnFMAMath           = 3 // CUDNN_FMA_MATH
	dnnDeterministic     = 1 // cudnnDeterminism_t CUDNN_DETERMINISTIC
	dnnMaxAlgos          = 8 // more than CUDNN_CONVOLUTION_*_ALGO_COUNT of any direction
	dnnMaxWorkspaceBytes = 256 << 20
)

// EnvCudnn is the environment variable that points at libcudnn.so.9 when it is
// not on the loader's path (a file, or the folder holding it), or turns cuDNN
// off ("off").
const EnvCudnn = "GOGAN_CUDNN"

// cudnnLibs is the list of libraries to try for the value env of GOGAN_CUDNN:
// libcudnn.so.9 on the loader's path when env is empty, else env's file (or
// libcudnn.so.9 in env's folder) alone, so that a cuDNN named on purpose is the
// one used; off when env is "off".
func cudnnLibs(env string) (names []string, off bool) {
	if strings.EqualFold(env, "off") {
		return nil, true
	}
	if env == "" {
		return []string{"libcudnn.so.9"}, false
	}
	if st, err := os.Stat(env); err == nil && st.IsDir() {
		env = filepath.Join(env, "libcudnn.so.9")
	}
	return []string{env}, false
}

// cudnnParts are the libraries libcudnn.so.9 opens by name; loaded first from
// GOGAN_CUDNN's folder, they are found there although the folder is not on the
// loader's path (the dynamic loader matches already loaded libraries by soname).
// Those that fail to load (the runtime-compiled engines want NVRTC) are skipped.
var cudnnParts = []string{"libcudnn_graph.so.9", "libcudnn_engines_precompiled.so.9", "libcudnn_engines_runtime_compiled.so.9",
	"libcudnn_heuristic.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9", "libcudnn_adv.so.9"}

// dnnLoaded is the process's one binding of cuDNN, made by the first device
// that plans a convolution.
var dnnLoaded struct {
	once    sync.Once
	lib     dnnLib
	version string
	err     error
}

// errCudnnOff is the reason cuDNN is not used when GOGAN_CUDNN=off.
var errCudnnOff = errors.New("cuDNN off (GOGAN_CUDNN=off)")

// loadCudnn binds cuDNN once and returns it with its version ("9.10.2"), or why
// it cannot be used.
func loadCudnn() (*dnnLib, string, error) {
	dnnLoaded.once.Do(func() {
		dnnLoaded.version, dnnLoaded.err = bindCudnn(&dnnLoaded.lib, os.Getenv(EnvCudnn))
	})
	return &dnnLoaded.lib, dnnLoaded.version, dnnLoaded.err
}

// bindCudnn binds l from the libraries env names (see cudnnLibs) and checks that
// it is cuDNN 9 or newer.
func bindCudnn(l *dnnLib, env string) (string, error) {
	names, off := cudnnLibs(env)
	if off {
		return "", errCudnnOff
	}
	if env != "" {
		dir := filepath.Dir(names[0])
		for _, p := range cudnnParts {
			purego.Dlopen(filepath.Join(dir, p), purego.RTLD_NOW|purego.RTLD_GLOBAL) // best effort, see cudnnParts
		}
	}
	if err := bind(names, "set "+EnvCudnn+" to its path, or install cuDNN 9", l.symbols()); err != nil {
		return "", err
	}
	v := uint64(l.getVersion())
	version, ok := cudnnVersion(v)
	if !ok {
		return "", fmt.Errorf("cuda: cuDNN %s is older than 9", version)
	}
	return version, nil
}

// cudnnVersion writes cudnnGetVersion's number as "major.minor.patch" (cuDNN 9
// numbers versions major·10000 + minor·100 + patch, cuDNN 8 major·1000 + minor·100
// + patch) and reports whether it is cuDNN 9 or newer.
func cudnnVersion(v uint64) (string, bool) {
	if v >= 90000 {
		return fmt.Sprintf("%d.%d.%d", v/10000, v/100%100, v%100), true
	}
	return fmt.Sprintf("%d.%d.%d", v/1000, v/100%10, v%100), false
}

// check returns nil for success, else "cuda: what: CUDNN_STATUS_… (cuDNN's message)".
func (l *dnnLib) check(what string, r result) error {
	if r == 0 {
		return nil
	}
	return fmt.Errorf("cuda: %s: %s (status %d)", what, l.getErrorString(r), r)
}

// algoPerf is one entry of a cudnnFind…Algorithm's results: the C struct
// cudnnConvolution{Fwd,BwdData,BwdFilter}AlgoPerf_t, the same layout for the
// three directions:
//
//	offset 0  algo         (enum, 4 bytes)
//	offset 4  status       (cudnnStatus_t)
//	offset 8  time         (float, milliseconds)
//	offset 16 memory       (size_t, workspace bytes; 4 bytes of padding before it)
//	offset 24 determinism  (cudnnDeterminism_t)
//	offset 28 mathType     (cudnnMathType_t)
//	offset 32 reserved[3]  (int), then 4 bytes of padding: 48 bytes in all
type algoPerf struct {
	algo        uint32
	status      result
	ms          float32
	memory      uint64
	determinism uint32
	mathType    uint32
}

const algoPerfSize = 48

// decodePerfs reads n entries of algoPerf from b, little-endian as the GPU's
// hosts are.
func decodePerfs(b []byte, n int) []algoPerf {
	out := make([]algoPerf, 0, n)
	le := binary.LittleEndian
	for i := range n {
		e := b[i*algoPerfSize:][:algoPerfSize]
		out = append(out, algoPerf{
			algo:        le.Uint32(e[0:]),
			status:      result(le.Uint32(e[4:])),
			ms:          math.Float32frombits(le.Uint32(e[8:])),
			memory:      le.Uint64(e[16:]),
			determinism: le.Uint32(e[24:]),
			mathType:    le.Uint32(e[28:]),
		})
	}
	return out
}

// transformAlgos are, per direction, cuDNN's FFT and Winograd algorithms
// (cudnnConvolution{Fwd,BwdData,BwdFilter}Algo_t): they sum in a transformed
// domain, so their results are not the CPU's sums to float32 rounding, and
// only TF32 math, which gives that up anyway, may use them.
var transformAlgos = [...][]uint32{
	ConvForward:        {4, 5, 6, 7}, // FFT, FFT_TILING, WINOGRAD, WINOGRAD_NONFUSED
	ConvBackwardData:   {2, 3, 4, 5}, // FFT, FFT_TILING, WINOGRAD, WINOGRAD_NONFUSED
	ConvBackwardFilter: {2, 4, 5, 6}, // FFT, WINOGRAD, WINOGRAD_NONFUSED, FFT_TILING
}

// pickAlgo is the first (fastest: cuDNN sorts them by time) of perfs for op that
// succeeded, is deterministic and fits in maxBytes of workspace; without tf32,
// one that neither uses tensor cores nor is an FFT or Winograd algorithm.
func pickAlgo(op ConvOp, perfs []algoPerf, tf32 bool, maxBytes uint64) (algoPerf, bool) {
	for _, p := range perfs {
		tensorOps := p.mathType == dnnTensorOpMath || p.mathType == dnnTensorOpMathConv
		plain := tf32 || !tensorOps && !slices.Contains(transformAlgos[op], p.algo)
		if p.status == 0 && p.determinism == dnnDeterministic && p.memory <= maxBytes && plain {
			return p, true
		}
	}
	return algoPerf{}, false
}
