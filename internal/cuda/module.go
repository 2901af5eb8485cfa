package cuda

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"unsafe"

	"github.com/ebitengine/purego"
)

//go:generate nvcc -ptx -arch=compute_75 -O3 -fmad=false -o kernels.ptx kernels.cu

// kernelsPTX is kernels.cu compiled by go generate (see doc.go).
//
//go:embed kernels.ptx
var kernelsPTX string

// errEmptyPTX is Open's error when the package was built without its PTX.
var errEmptyPTX = errors.New("cuda: the embedded kernels.ptx is empty (run go generate ./internal/cuda on a machine with nvcc)")

// ptxFile, when set at link time (go build -ldflags "-X
// github.com/gogan/gogan/internal/cuda.ptxFile=PATH"), names a PTX file that
// Open loads in place of the embedded one (the tests' -ptx flag sets it too): kernel development builds a binary
// here and the PTX where nvcc is, and runs the two together.
var ptxFile string

// kernel names one kernel of kernels.cu; kernelNames is the table of their C names.
type kernel int

const (
	kScale kernel = iota
	kAdd
	kSub
	kMul
	kAccumulate
	kAddScaled
	kAddBias
	kBiasLeakyReLU
	kBiasReLU
	kBiasTanh
	kLeakyReLU
	kLeakyReLUGrad
	kReLU
	kReLUGrad
	kTanh
	kTanhGrad
	kSigmoid
	kSigmoidGrad
	kSumRows
	kSumPartial
	kSumFinal
	kSCEGrad
	kBNStats
	kBNApply
	kBNGrad
	kMovingAverage
	kAdam
	kNormal
	kIm2col
	kIm2col4
	kCol2im
	kCol2im4
	kCopyColumns
	kBroadcast
	kDropoutMask
	kColPartials
	kColFinish
	kBNGradDX
	// conditional recipes: embedding gather/scatter, softmax
	kGather
	kScatterAdd
	kExp
	kLogSumExp

	// DiffAugment, pooling, upsampling, padding
	kAddPerSample
	kGroupMeans
	kScaleAboutMean
	kWindowCopy
	kCutout
	kUpsample
	kBlockSum
	kAvgPool
	kAvgPoolGrad
	kMaxPool
	kMaxPoolGrad
	kGatherIndexed

	// spectral normalization, weight clipping, RMSprop, SGD
	kDivide
	kSNMatVec
	kSNMatVecT
	kSNNormalize
	kClipWeights
	kRMSprop
	kSGD
	numKernels
)

var kernelNames = [numKernels]string{
	kScale:         "scale",
	kAdd:           "add",
	kSub:           "sub",
	kMul:           "mul",
	kAccumulate:    "accumulate",
	kAddScaled:     "add_scaled",
	kAddBias:       "add_bias",
	kBiasLeakyReLU: "bias_leaky_relu",
	kBiasReLU:      "bias_relu",
	kBiasTanh:      "bias_tanh",
	kLeakyReLU:     "leaky_relu",
	kLeakyReLUGrad: "leaky_relu_grad",
	kReLU:          "relu",
	kReLUGrad:      "relu_grad",
	kTanh:          "tanh_fwd",
	kTanhGrad:      "tanh_grad",
	kSigmoid:       "sigmoid",
	kSigmoidGrad:   "sigmoid_grad",
	kSumRows:       "sum_rows",
	kSumPartial:    "sum_partial",
	kSumFinal:      "sum_final",
	kSCEGrad:       "sce_grad",
	kBNStats:       "bn_stats",
	kBNApply:       "bn_apply",
	kBNGrad:        "bn_grad",
	kMovingAverage: "moving_average",
	kAdam:          "adam",
	kNormal:        "normal",
	kIm2col:        "im2col",
	kIm2col4:       "im2col4",
	kCol2im:        "col2im",
	kCol2im4:       "col2im4",
	kCopyColumns:   "copy_columns",
	kBroadcast:     "broadcast",
	kDropoutMask:   "dropout_mask",
	kColPartials:   "col_partials",
	kColFinish:     "col_finish",
	kBNGradDX:      "bn_grad_dx",
	// conditional recipes: embedding gather/scatter, softmax
	kGather:     "gather",
	kScatterAdd: "scatter_add",
	kExp:        "exp_fwd",
	kLogSumExp:  "log_sum_exp",

	// DiffAugment, pooling, upsampling, padding
	kAddPerSample:   "add_per_sample",
	kGroupMeans:     "group_means",
	kScaleAboutMean: "scale_about_mean",
	kWindowCopy:     "window_copy",
	kCutout:         "cutout",
	kUpsample:       "upsample",
	kBlockSum:       "block_sum",
	kAvgPool:        "avg_pool",
	kAvgPoolGrad:    "avg_pool_grad",
	kMaxPool:        "max_pool",
	kMaxPoolGrad:    "max_pool_grad",
	kGatherIndexed:  "gather_indexed",

	// spectral normalization, weight clipping, RMSprop, SGD
	kDivide:      "divide",
	kSNMatVec:    "sn_matvec",
	kSNMatVecT:   "sn_matvec_t",
	kSNNormalize: "sn_normalize",
	kClipWeights: "clip_weights",
	kRMSprop:     "rmsprop",
	kSGD:         "sgd",
}

// loadModule loads the PTX (the driver compiles it for the GPU) and finds every
// kernel of the table.
func (d *Device) loadModule() error {
	ptx := kernelsPTX
	if ptxFile != "" {
		b, err := os.ReadFile(ptxFile)
		if err != nil {
			return fmt.Errorf("cuda: the PTX this binary was linked to load: %w", err)
		}
		ptx = string(b)
	}
	if len(ptx) == 0 {
		return errEmptyPTX
	}
	sum := sha256.Sum256([]byte(ptx))
	d.kernelsID = hex.EncodeToString(sum[:6])
	src := cString(ptx)
	if err := d.drv.check("cuModuleLoadData of the kernels' PTX (needs a driver ≥ 580)", d.drv.moduleLoadData(&d.module, &src[0])); err != nil {
		return err
	}
	for k, name := range kernelNames {
		c := cString(name)
		if err := d.drv.check("cuModuleGetFunction "+name, d.drv.moduleGetFunction(&d.fn[k], d.module, &c[0])); err != nil {
			return err
		}
	}
	return nil
}

// Launch shapes: element-wise kernels run blockSize threads a block in a
// grid-stride loop of at most maxBlocks blocks; column kernels 32×8 threads, 32
// columns a block.
const (
	blockSize = 256
	maxBlocks = 4096
)

// elementBlocks is the grid of an element-wise kernel over n elements.
func elementBlocks(n int) int { return min((n+blockSize-1)/blockSize, maxBlocks) }

// arg converts a kernel argument to its 8-byte slot: the value's bytes from the
// slot's start (little-endian), as the kernel reads an int, float, double or pointer.
type arg = uint64

func ptrArg(p Ptr) arg       { return arg(p) }
func intArg(n int) arg       { return arg(uint32(int32(n))) }
func floatArg(v float32) arg { return arg(math.Float32bits(v)) }
func boolArg(b bool) arg {
	if b {
		return 1
	}
	return 0
}

// launch queues kernel k on the stream with grid (gx, 1, 1) and blocks (bx, by, 1);
// an error is kept for Err and Sync. Nothing is queued after an error.
func (d *Device) launch(k kernel, gx, bx, by int, args ...arg) {
	d.launchGrid(k, gx, 1, bx, by, args...)
}

// launchGrid is launch on a grid of gx×gy blocks.
func (d *Device) launchGrid(k kernel, gx, gy, bx, by int, args ...arg) {
	if gx == 0 || d.err != nil {
		return
	}
	if len(args) > maxArgs {
		panic("cuda: too many kernel arguments")
	}
	d.lock()
	defer d.unlock()
	copy(d.args, args)
	r, _, _ := purego.SyscallN(d.drv.launchKernel, d.fn[k], uintptr(gx), uintptr(gy), 1, uintptr(bx), uintptr(by), 1, 0, d.stream,
		uintptr(unsafe.Pointer(&d.args[maxArgs])), 0)
	if r != 0 {
		d.record(d.drv.check("cuLaunchKernel "+kernelNames[k], result(r)))
	}
}

// elementwise launches an element-wise kernel over n elements.
func (d *Device) elementwise(k kernel, n int, args ...arg) {
	checkSize(kernelNames[k], n)
	d.launch(k, elementBlocks(n), blockSize, 1, args...)
}

// columns launches a column kernel over cols columns.
func (d *Device) columns(k kernel, rows, cols int, args ...arg) {
	checkSize(kernelNames[k], rows)
	checkSize(kernelNames[k], cols)
	checkSize(kernelNames[k], rows*cols)
	d.launch(k, (cols+31)/32, 32, 8, args...)
}
