package cuda

import (
	"fmt"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
)

// result is a CUresult or a cublasStatus_t: 0 is success.
type result uint32

// driver holds the functions bound from libcuda.so.1 (the CUDA driver API); handles
// (contexts, streams, modules, functions, graphs) are uintptr, devices int32.
type driver struct {
	init               func(flags uint32) result
	deviceGetCount     func(n *int32) result
	deviceGet          func(dev *int32, ordinal int32) result
	deviceGetName      func(name *byte, n int32, dev int32) result
	primaryCtxRetain   func(ctx *uintptr, dev int32) result
	primaryCtxRelease  func(dev int32) result
	ctxSetCurrent      uintptr // called through purego.SyscallN, as launchKernel: no reflection
	streamCreate       func(s *uintptr, flags uint32) result
	streamDestroy      func(s uintptr) result
	streamSynchronize  func(s uintptr) result
	memAlloc           func(p *uintptr, bytes uintptr) result
	memFree            func(p uintptr) result
	memHostAlloc       func(p *unsafe.Pointer, bytes uintptr, flags uint32) result
	memFreeHost        func(p unsafe.Pointer) result
	memcpyHtoDAsync    func(dst uintptr, src unsafe.Pointer, bytes uintptr, s uintptr) result
	memcpyDtoHAsync    func(dst unsafe.Pointer, src uintptr, bytes uintptr, s uintptr) result
	memcpyDtoDAsync    func(dst, src uintptr, bytes uintptr, s uintptr) result
	memsetD32Async     func(dst uintptr, v uint32, n uintptr, s uintptr) result
	moduleLoadData     func(m *uintptr, image *byte) result
	moduleUnload       func(m uintptr) result
	moduleGetFunction  func(f *uintptr, m uintptr, name *byte) result
	launchKernel       uintptr // (f, gx, gy, gz, bx, by, bz, shared, stream, params, extra)
	streamBeginCapture func(s uintptr, mode uint32) result
	streamEndCapture   func(s uintptr, g *uintptr) result
	graphInstantiate   func(e *uintptr, g uintptr, flags uint64) result
	graphLaunch        func(e uintptr, s uintptr) result
	graphExecDestroy   func(e uintptr) result
	graphDestroy       func(g uintptr) result
	getErrorName       func(r result, s **byte) result
	getErrorString     func(r result, s **byte) result
}

// symbols is the driver's binding table: each C name and the field it fills.
func (d *driver) symbols() []symbol {
	return []symbol{
		{"cuInit", &d.init},
		{"cuDeviceGetCount", &d.deviceGetCount},
		{"cuDeviceGet", &d.deviceGet},
		{"cuDeviceGetName", &d.deviceGetName},
		{"cuDevicePrimaryCtxRetain", &d.primaryCtxRetain},
		{"cuDevicePrimaryCtxRelease_v2", &d.primaryCtxRelease},
		{"cuCtxSetCurrent", &d.ctxSetCurrent},
		{"cuStreamCreate", &d.streamCreate},
		{"cuStreamDestroy_v2", &d.streamDestroy},
		{"cuStreamSynchronize", &d.streamSynchronize},
		{"cuMemAlloc_v2", &d.memAlloc},
		{"cuMemFree_v2", &d.memFree},
		{"cuMemHostAlloc", &d.memHostAlloc},
		{"cuMemFreeHost", &d.memFreeHost},
		{"cuMemcpyHtoDAsync_v2", &d.memcpyHtoDAsync},
		{"cuMemcpyDtoHAsync_v2", &d.memcpyDtoHAsync},
		{"cuMemcpyDtoDAsync_v2", &d.memcpyDtoDAsync},
		{"cuMemsetD32Async", &d.memsetD32Async},
		{"cuModuleLoadData", &d.moduleLoadData},
		{"cuModuleUnload", &d.moduleUnload},
		{"cuModuleGetFunction", &d.moduleGetFunction},
		{"cuLaunchKernel", &d.launchKernel},
		{"cuStreamBeginCapture_v2", &d.streamBeginCapture},
		{"cuStreamEndCapture", &d.streamEndCapture},
		{"cuGraphInstantiateWithFlags", &d.graphInstantiate},
		{"cuGraphLaunch", &d.graphLaunch},
		{"cuGraphExecDestroy", &d.graphExecDestroy},
		{"cuGraphDestroy", &d.graphDestroy},
		{"cuGetErrorName", &d.getErrorName},
		{"cuGetErrorString", &d.getErrorString},
	}
}

// blas holds the functions bound from cuBLAS; the handle is a uintptr.
type blas struct {
	create       func(h *uintptr) result
	destroy      func(h uintptr) result
	setStream    func(h uintptr, s uintptr) result
	setMathMode  func(h uintptr, mode uint32) result
	setWorkspace func(h uintptr, ws uintptr, bytes uintptr) result
	sgemm        uintptr // (h, transa, transb, m, n, k, *alpha, a, lda, b, ldb, *beta, c, ldc), through SyscallN
}

// symbols is cuBLAS's binding table.
func (b *blas) symbols() []symbol {
	return []symbol{
		{"cublasCreate_v2", &b.create},
		{"cublasDestroy_v2", &b.destroy},
		{"cublasSetStream_v2", &b.setStream},
		{"cublasSetMathMode", &b.setMathMode},
		{"cublasSetWorkspace_v2", &b.setWorkspace},
		{"cublasSgemm_v2", &b.sgemm},
	}
}

// symbol names a C function and the Go function variable that calls it, or the
// *uintptr that keeps its address for purego.SyscallN (the hot calls: a
// RegisterFunc function calls through reflection, some microseconds).
type symbol struct {
	name string
	fn   any
}

// Library names, first found wins.
var (
	driverLibs = []string{"libcuda.so.1"}
	blasLibs   = []string{"libcublas.so.13", "libcublas.so.12", "/usr/local/cuda/lib64/libcublas.so.13", "/usr/local/cuda/lib64/libcublas.so.12"}
)

// libs is the process's one binding of the two libraries, made by the first Open.
var libs struct {
	once sync.Once
	drv  driver
	blas blas
	err  error
}

// load binds the driver and cuBLAS once, and returns the first error met.
func load() (*driver, *blas, error) {
	libs.once.Do(func() {
		libs.err = bind(driverLibs, "is the NVIDIA driver installed?", libs.drv.symbols())
		if libs.err == nil {
			libs.err = bind(blasLibs, "is cuBLAS installed and on the loader's path?", libs.blas.symbols())
		}
	})
	return &libs.drv, &libs.blas, libs.err
}

// bind opens the first of names that loads and binds syms from it.
func bind(names []string, hint string, syms []symbol) error {
	lib, err := open(names)
	if err != nil {
		return fmt.Errorf("cuda: %s not found (%s)", joinOr(names), hint)
	}
	for _, s := range syms {
		addr, err := purego.Dlsym(lib, s.name)
		if err != nil || addr == 0 {
			return fmt.Errorf("cuda: %s not found in %s (the library is too old)", s.name, names[0])
		}
		if p, ok := s.fn.(*uintptr); ok {
			*p = addr
		} else {
			purego.RegisterFunc(s.fn, addr)
		}
	}
	return nil
}

// open returns the handle of the first library of names that dlopen finds.
func open(names []string) (uintptr, error) {
	var err error
	for _, n := range names {
		var h uintptr
		if h, err = purego.Dlopen(n, purego.RTLD_NOW|purego.RTLD_GLOBAL); err == nil {
			return h, nil
		}
	}
	return 0, err
}

// joinOr writes names as "a or b".
func joinOr(names []string) string {
	s := names[0]
	for _, n := range names[1:] {
		s += " or " + n
	}
	return s
}

// check returns nil for success, else "cuda: what: CUDA_ERROR_NAME (its description)".
func (d *driver) check(what string, r result) error {
	if r == 0 {
		return nil
	}
	var name, desc *byte
	d.getErrorName(r, &name)
	d.getErrorString(r, &desc)
	if name == nil {
		return fmt.Errorf("cuda: %s: CUDA error %d", what, r)
	}
	return fmt.Errorf("cuda: %s: %s (%s)", what, goString(name), goString(desc))
}

// blasStatus names cuBLAS's status codes (cublasStatus_t).
var blasStatus = map[result]string{
	1:  "CUBLAS_STATUS_NOT_INITIALIZED",
	3:  "CUBLAS_STATUS_ALLOC_FAILED",
	7:  "CUBLAS_STATUS_INVALID_VALUE",
	8:  "CUBLAS_STATUS_ARCH_MISMATCH",
	11: "CUBLAS_STATUS_MAPPING_ERROR",
	13: "CUBLAS_STATUS_EXECUTION_FAILED",
	14: "CUBLAS_STATUS_INTERNAL_ERROR",
	15: "CUBLAS_STATUS_NOT_SUPPORTED",
	16: "CUBLAS_STATUS_LICENSE_ERROR",
}

// checkBlas returns nil for success, else "cuda: what: CUBLAS_STATUS_NAME".
func checkBlas(what string, r result) error {
	if r == 0 {
		return nil
	}
	if s, ok := blasStatus[r]; ok {
		return fmt.Errorf("cuda: %s: %s", what, s)
	}
	return fmt.Errorf("cuda: %s: cuBLAS status %d", what, r)
}

// goString copies the NUL-terminated C string at p.
func goString(p *byte) string {
	if p == nil {
		return ""
	}
	n := 0
	for *(*byte)(unsafe.Add(unsafe.Pointer(p), n)) != 0 {
		n++
	}
	return string(unsafe.Slice(p, n))
}

// cString returns s as a NUL-terminated byte slice.
func cString(s string) []byte { return append([]byte(s), 0) }
