package cuda

import (
	"fmt"
	"math"
	"runtime"
	"unsafe"

	"github.com/ebitengine/purego"
)

// Ptr is a device address of float32 values (a CUdeviceptr); 0 is null.
type Ptr uintptr

// Add returns the address of element i: p + 4i.
func (p Ptr) Add(i int) Ptr { return p + Ptr(4*i) }

// Device is one GPU opened by Open: its primary context, one non-blocking stream on
// which every copy, kernel and matrix product runs in order, cuBLAS bound to that
// stream, and the kernels' module. A Device is used by one goroutine at a time.
type Device struct {
	drv       *driver
	blas      *blas
	ordinal   int
	kernelsID string // the first hex digits of the loaded PTX's SHA-256
	dev       int32
	ctx       uintptr
	stream    uintptr
	handle    uintptr // cuBLAS
	module    uintptr
	fn        [numKernels]uintptr
	name      string
	err       error    // the first error of an asynchronous call
	args      []uint64 // pinned host memory: kernel arguments, their addresses, Sgemm's alpha and beta
	parts     Ptr      // float64 partial sums of Sum (maxParts)
	work      Ptr      // cuBLAS workspace (workspaceBytes)
	cols      Ptr      // the column reductions' partial sums and coefficients (colScratchBytes)

	tf32      bool       // SetTF32's setting: the math of convolutions planned now
	capturing bool       // between BeginCapture and EndCapture
	dnn       *dnnDevice // cuDNN, made on first use (cudnn.go)
}

const (
	maxArgs           = 16
	maxParts          = 1024
	workspaceBytes    = 32 << 20 // cuBLAS's advice for Hopper
	colScratchBytes   = 16 << 20
	streamNonBlocking = 1
	hostAllocPortable = 1
)

// Open opens GPU number ordinal: it loads the driver and cuBLAS, retains the
// device's primary context, creates a non-blocking stream, a cuBLAS handle on it
// (FP32 math, a fixed workspace so products can be captured) and loads the kernels.
// It returns a one-line error naming what is missing: the driver library, cuBLAS,
// the device, or the memory.
func Open(ordinal int) (*Device, error) {
	drv, bl, err := load()
	if err != nil {
		return nil, err
	}
	if err := drv.check("cuInit", drv.init(0)); err != nil {
		return nil, err
	}
	var count int32
	if err := drv.check("cuDeviceGetCount", drv.deviceGetCount(&count)); err != nil {
		return nil, err
	}
	if ordinal < 0 || ordinal >= int(count) {
		return nil, fmt.Errorf("cuda: no CUDA device %d (%d present)", ordinal, count)
	}
	d := &Device{drv: drv, blas: bl, ordinal: ordinal}
	if err := d.open(); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// open does Open's work on d, leaving what it made for Close to release.
func (d *Device) open() error {
	dr := d.drv
	if err := dr.check("cuDeviceGet", dr.deviceGet(&d.dev, int32(d.ordinal))); err != nil {
		return err
	}
	var name [256]byte
	if err := dr.check("cuDeviceGetName", dr.deviceGetName(&name[0], int32(len(name)), d.dev)); err != nil {
		return err
	}
	d.name = goString(&name[0])
	if err := dr.check("cuDevicePrimaryCtxRetain", dr.primaryCtxRetain(&d.ctx, d.dev)); err != nil {
		return err
	}
	d.lock()
	defer d.unlock()
	if err := dr.check("cuStreamCreate", dr.streamCreate(&d.stream, streamNonBlocking)); err != nil {
		return err
	}
	// args[:maxArgs] are the kernel arguments' values, args[maxArgs:2*maxArgs] their
	// addresses (cuLaunchKernel's void**), then Sgemm's alpha and beta.
	args, err := d.allocHost(2 * (2*maxArgs + 2))
	if err != nil {
		return err
	}
	d.args = unsafe.Slice((*uint64)(unsafe.Pointer(&args[0])), 2*maxArgs+2)
	for i := range maxArgs {
		d.args[maxArgs+i] = uint64(uintptr(unsafe.Pointer(&d.args[i])))
	}
	if d.parts, err = d.allocBytes(8 * maxParts); err != nil {
		return err
	}
	if d.work, err = d.allocBytes(workspaceBytes); err != nil {
		return err
	}
	if d.cols, err = d.allocBytes(colScratchBytes); err != nil {
		return err
	}
	if err := d.loadModule(); err != nil {
		return err
	}
	b := d.blas
	if err := checkBlas("cublasCreate", b.create(&d.handle)); err != nil {
		return err
	}
	if err := checkBlas("cublasSetStream", b.setStream(d.handle, d.stream)); err != nil {
		return err
	}
	if err := checkBlas("cublasSetWorkspace", b.setWorkspace(d.handle, uintptr(d.work), workspaceBytes)); err != nil {
		return err
	}
	return checkBlas("cublasSetMathMode", b.setMathMode(d.handle, mathDefault))
}

// lock pins the calling goroutine to its thread and makes d's context current
// there: the driver's current context is per thread. unlock undoes it.
func (d *Device) lock() {
	runtime.LockOSThread()
	purego.SyscallN(d.drv.ctxSetCurrent, d.ctx)
}

func (d *Device) unlock() { runtime.UnlockOSThread() }

// Close waits for the stream and releases everything Open made. It returns the
// first error of the device's asynchronous calls, if any.
func (d *Device) Close() error {
	if d.ctx == 0 {
		return d.err
	}
	d.lock()
	defer d.unlock()
	dr := d.drv
	if d.stream != 0 {
		d.record(dr.check("cuStreamSynchronize", dr.streamSynchronize(d.stream)))
	}
	d.dnn.close()
	if d.handle != 0 {
		d.blas.destroy(d.handle)
	}
	if d.module != 0 {
		dr.moduleUnload(d.module)
	}
	for _, p := range []Ptr{d.parts, d.work, d.cols} {
		if p != 0 {
			dr.memFree(uintptr(p))
		}
	}
	if d.args != nil {
		dr.memFreeHost(unsafe.Pointer(&d.args[0]))
	}
	if d.stream != 0 {
		dr.streamDestroy(d.stream)
	}
	dr.primaryCtxRelease(d.dev)
	*d = Device{err: d.err}
	return d.err
}

// Name returns the device's name, as "NVIDIA H200".
func (d *Device) Name() string { return d.name }

// Sync waits until the stream's work is done and returns the first error of any
// asynchronous call so far (sticky: later calls return it too).
func (d *Device) Sync() error {
	d.lock()
	defer d.unlock()
	d.record(d.drv.check("cuStreamSynchronize", d.drv.streamSynchronize(d.stream)))
	return d.err
}

// Err returns the first error of any asynchronous call so far (a launch, copy or
// product, as far as it was reported when queued), or nil.
func (d *Device) Err() error { return d.err }

// record keeps err if it is the first.
func (d *Device) record(err error) {
	if err != nil && d.err == nil {
		d.err = err
	}
}

// cuBLAS math modes (cublasMath_t).
const (
	mathDefault = 0
	mathTF32    = 3
)

// SetTF32 turns cuBLAS's TF32 tensor-core math for Sgemm on or off (off after Open:
// FP32 products, which agree with the CPU's), and the math of the cuDNN
// convolutions keyed from now on (ConvKey).
func (d *Device) SetTF32(on bool) {
	d.tf32 = on
	mode := uint32(mathDefault)
	if on {
		mode = mathTF32
	}
	d.lock()
	defer d.unlock()
	d.record(checkBlas("cublasSetMathMode", d.blas.setMathMode(d.handle, mode)))
}

// Alloc returns n float32s of device memory, zeroed (on the stream).
func (d *Device) Alloc(n int) (Ptr, error) {
	checkSize("Alloc", n)
	d.lock()
	defer d.unlock()
	p, err := d.allocBytes(4 * max(n, 1))
	if err != nil {
		return 0, err
	}
	d.record(d.drv.check("cuMemsetD32Async", d.drv.memsetD32Async(uintptr(p), 0, uintptr(n), d.stream)))
	return p, nil
}

// allocBytes returns bytes of device memory (the context current).
func (d *Device) allocBytes(bytes int) (Ptr, error) {
	var p uintptr
	if err := d.drv.check(fmt.Sprintf("cuMemAlloc of %d bytes", bytes), d.drv.memAlloc(&p, uintptr(bytes))); err != nil {
		return 0, err
	}
	return Ptr(p), nil
}

// Free releases memory from Alloc; Free(0) does nothing.
func (d *Device) Free(p Ptr) {
	if p == 0 {
		return
	}
	d.lock()
	defer d.unlock()
	d.record(d.drv.check("cuMemFree", d.drv.memFree(uintptr(p))))
}

// AllocHost returns n float32s of pinned (page-locked) host memory, which copies
// to and from the device read and write asynchronously. Release it with FreeHost.
func (d *Device) AllocHost(n int) ([]float32, error) {
	checkSize("AllocHost", n)
	if n == 0 {
		return nil, nil
	}
	d.lock()
	defer d.unlock()
	return d.allocHost(n)
}

func (d *Device) allocHost(n int) ([]float32, error) {
	var p unsafe.Pointer
	if err := d.drv.check(fmt.Sprintf("cuMemHostAlloc of %d bytes", 4*n), d.drv.memHostAlloc(&p, uintptr(4*n), hostAllocPortable)); err != nil {
		return nil, err
	}
	return unsafe.Slice((*float32)(p), n), nil
}

// FreeHost releases memory from AllocHost.
func (d *Device) FreeHost(s []float32) {
	if cap(s) == 0 {
		return
	}
	d.lock()
	defer d.unlock()
	d.record(d.drv.check("cuMemFreeHost", d.drv.memFreeHost(unsafe.Pointer(unsafe.SliceData(s)))))
}

// CopyToDevice copies src to dst (len(src) float32s) on the stream. From AllocHost
// memory the copy is asynchronous: src must stay unchanged until Sync; from Go
// memory the driver stages src before returning.
func (d *Device) CopyToDevice(dst Ptr, src []float32) {
	if len(src) == 0 || d.err != nil {
		return
	}
	d.lock()
	defer d.unlock()
	d.record(d.drv.check("cuMemcpyHtoDAsync", d.drv.memcpyHtoDAsync(uintptr(dst), unsafe.Pointer(&src[0]), uintptr(4*len(src)), d.stream)))
}

// CopyToHost copies len(dst) float32s from src into dst on the stream; Sync before
// reading dst (into Go memory the copy completes before CopyToHost returns).
func (d *Device) CopyToHost(dst []float32, src Ptr) {
	if len(dst) == 0 || d.err != nil {
		return
	}
	d.lock()
	defer d.unlock()
	d.record(d.drv.check("cuMemcpyDtoHAsync", d.drv.memcpyDtoHAsync(unsafe.Pointer(&dst[0]), uintptr(src), uintptr(4*len(dst)), d.stream)))
}

// Copy copies n float32s from src to dst, device to device, on the stream.
func (d *Device) Copy(dst, src Ptr, n int) {
	checkSize("Copy", n)
	if n == 0 || d.err != nil {
		return
	}
	d.lock()
	defer d.unlock()
	d.record(d.drv.check("cuMemcpyDtoDAsync", d.drv.memcpyDtoDAsync(uintptr(dst), uintptr(src), uintptr(4*n), d.stream)))
}

// Fill sets x[i] = v for i < n (cuMemsetD32Async of v's bits).
func (d *Device) Fill(x Ptr, n int, v float32) {
	checkSize("Fill", n)
	if n == 0 || d.err != nil {
		return
	}
	d.lock()
	defer d.unlock()
	d.record(d.drv.check("cuMemsetD32Async", d.drv.memsetD32Async(uintptr(x), math.Float32bits(v), uintptr(n), d.stream)))
}

// checkSize panics on a negative or too large size: a programmer error.
func checkSize(op string, n int) {
	if n < 0 {
		panic(fmt.Sprintf("cuda: %s of negative size %d", op, n))
	}
	if n > math.MaxInt32 {
		panic(fmt.Sprintf("cuda: %s of %d elements, more than the kernels' int32 sizes", op, n))
	}
}
