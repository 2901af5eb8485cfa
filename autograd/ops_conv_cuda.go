package autograd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/gogan/gogan/internal/cuda"
)

// The convolutions on a device. Two ways run each of the three ops:
//
//   - im2col + cuBLAS: one im2col matrix for the whole batch (one row per
//     output position, kh·kw·Ci columns, zeros where a tap falls outside the
//     image) and one cuBLAS product, where the CPU cuts the batch into chunks
//     that stay in cache and skips the padding's zeros:
//
//     conv:  y  = col(x) · W                   W viewed as (kh·kw·Ci, Co)
//     convT: dx = col2im(dy · Wᵀ)
//     convW: dW = col(x)ᵀ · dy
//
//   - cuDNN (cuda.CudnnConv), when libcudnn.so.9 loads: its fastest
//     deterministic algorithm, the kernel transposed to its layout and the
//     input zero-extended where TensorFlow's padding is uneven.
//
// The first time an op meets a geometry outside a CUDA graph capture (the
// steps launched one by one before the capture), both run a few times and the
// faster is kept for that geometry, by every device of that GPU in the
// process (Device.ConvChoice: two trainers compute the same bits), and in a
// file of choices that later processes on the machine read, so that a rerun
// with the same seed makes the same choices and computes the same bits
// (Device.RecordConvChoice; $GOGAN_CONV_CHOICES names the file, or "off"). A
// geometry first met during a capture runs im2col + cuBLAS there. A failing
// cuDNN call falls back to im2col + cuBLAS for its geometry, with one line on
// stderr; a 1×1 convolution is always one product.

// convTrials is how many runs of each way time a geometry.
const convTrials = 5

// convWarnings is where a cuDNN failure is reported before falling back.
var convWarnings io.Writer = os.Stderr

// cudaWindow is d's geometry for the device kernels.
func cudaWindow(d *convDims) cuda.ConvShape {
	return cuda.ConvShape{N: d.n, H: d.h, W: d.w, C: d.ci, OH: d.oh, OW: d.ow,
		KH: d.kh, KW: d.kw, SH: d.sh, SW: d.sw, PadTop: d.pt, PadLeft: d.pl}
}

// colBuffer returns a function giving x's im2col buffer (rows, patch) in the
// arena, allocated on its first call and reused by later ones (the timing
// runs of cudaConv).
func (g *Graph) colBuffer(d *convDims) func() cuda.Ptr {
	var col cuda.Ptr
	return func() cuda.Ptr {
		if col == 0 {
			col = g.darena.alloc(d.rows() * d.patch())
		}
		return col
	}
}

// cudaPatches returns x's im2col matrix (rows, patch), gathered into col's
// buffer, or x itself for a pointwise convolution.
func (g *Graph) cudaPatches(x *Var, d *convDims, col func() cuda.Ptr) cuda.Ptr {
	if d.pointwise() {
		return g.ptr(x)
	}
	c := col()
	g.dev.Im2col(c, g.ptr(x), cudaWindow(d))
	return c
}

// cudaConvForward is convForward on the device: y (N,OH,OW,Co) = x ⋆ w.
func (g *Graph) cudaConvForward(y, x, w *Var, d convDims) {
	col := g.colBuffer(&d)
	g.cudaConv(cuda.ConvForward, y.dev, g.ptr(x), g.ptr(w), &d, func() {
		c := g.cudaPatches(x, &d, col)
		g.dev.Sgemm(false, false, d.rows(), d.co, d.patch(), 1, c, d.patch(), g.ptr(w), d.co, 0, y.dev, d.co)
	})
}

// cudaConvBackwardData is convBackwardData on the device: dx (N,H,W,Ci) = dy ⋆ᵀ w.
func (g *Graph) cudaConvBackwardData(dx, dy, w *Var, d convDims) {
	col := g.colBuffer(&d)
	g.cudaConv(cuda.ConvBackwardData, dx.dev, g.ptr(dy), g.ptr(w), &d, func() {
		if d.pointwise() {
			g.dev.Sgemm(false, true, d.rows(), d.patch(), d.co, 1, g.ptr(dy), d.co, g.ptr(w), d.co, 0, dx.dev, d.patch())
			return
		}
		g.dev.Sgemm(false, true, d.rows(), d.patch(), d.co, 1, g.ptr(dy), d.co, g.ptr(w), d.co, 0, col(), d.patch())
		g.dev.Col2im(dx.dev, col(), cudaWindow(&d), false)
	})
}

// cudaConvBackwardFilter is convBackwardFilter on the device: dw (kh,kw,Ci,Co) = x ⋆ʷ dy.
func (g *Graph) cudaConvBackwardFilter(dw, x, dy *Var, d convDims) {
	col := g.colBuffer(&d)
	g.cudaConv(cuda.ConvBackwardFilter, dw.dev, g.ptr(x), g.ptr(dy), &d, func() {
		c := g.cudaPatches(x, &d, col)
		g.dev.Sgemm(true, false, d.patch(), d.co, d.rows(), 1, c, d.patch(), g.ptr(dy), d.co, 0, dw.dev, d.co)
	})
}

// cudaConv runs op on geometry d, writing out from a and b (as cuda.CudnnConv
// names them): with cuDNN when it won for d's key, else with im2col, the
// im2col + cuBLAS way; it counts the op's matrix-product FLOPs either way.
func (g *Graph) cudaConv(op cuda.ConvOp, out, a, b cuda.Ptr, d *convDims, im2col func()) {
	g.countFlops(d.flops())
	if d.pointwise() || d.rows() == 0 || d.patch() == 0 || d.co == 0 {
		im2col()
		return
	}
	key := g.dev.ConvKey(op, cudaWindow(d), d.co)
	plan, decided, err := g.dev.ConvChoice(key)
	if err != nil {
		fmt.Fprintf(convWarnings, "gogan: %v; using im2col+cuBLAS for it\n", err)
	}
	if !decided {
		if g.dev.Capturing() {
			im2col()
			return
		}
		plan = g.chooseConv(key, out, a, b, im2col)
	}
	if plan == nil || !g.runCudnn(plan, out, a, b) {
		im2col()
	}
}

// runCudnn runs plan, with its scratch memory from the arena; on a cuDNN error
// it reports it, makes the plan's key im2col's from now on and returns false.
func (g *Graph) runCudnn(plan *cuda.ConvPlan, out, a, b cuda.Ptr) bool {
	scratch := g.darena.alloc(plan.ScratchFloats())
	if err := g.dev.CudnnConv(plan, out, a, b, scratch, 0); err != nil {
		g.cudnnFallback(plan.Key(), err)
		return false
	}
	return true
}

// cudnnFallback reports a cuDNN failure for key and gives key to im2col + cuBLAS.
func (g *Graph) cudnnFallback(key cuda.ConvKey, err error) {
	fmt.Fprintf(convWarnings, "gogan: %v; using im2col+cuBLAS for it\n", err)
	g.dev.SetConvChoice(key, nil)
}

// chooseConv decides key: cuDNN's plan when there is one and it runs faster
// than im2col (each timed over convTrials runs into out), else nil (im2col).
// A device failure while timing panics with a *DeviceError, as any op's does.
func (g *Graph) chooseConv(key cuda.ConvKey, out, a, b cuda.Ptr, im2col func()) *cuda.ConvPlan {
	plan, err := g.dev.CudnnPlan(key)
	var none *cuda.NoAlgorithmError
	if err != nil && !errors.As(err, &none) {
		g.cudnnFallback(key, err)
		return nil
	}
	if plan == nil {
		g.warnCudnnEnv()
		g.dev.SetConvChoice(key, nil)
		return nil
	}
	scratch := g.darena.alloc(plan.ScratchFloats())
	var runErr error
	tCudnn, err := g.dev.Time(convTrials, func() {
		if runErr == nil {
			runErr = g.dev.CudnnConv(plan, out, a, b, scratch, 0)
		}
	})
	if err != nil {
		panic(&DeviceError{Err: err})
	}
	if runErr != nil {
		g.cudnnFallback(key, runErr)
		return nil
	}
	tIm2col, err := g.dev.Time(convTrials, im2col)
	if err != nil {
		panic(&DeviceError{Err: err})
	}
	if tCudnn >= tIm2col {
		plan = nil
	}
	kept, err := g.dev.RecordConvChoice(key, plan)
	if err != nil && !cuda.ChoicesOff(err) {
		choiceFileWarning.Do(func() {
			fmt.Fprintf(convWarnings, "gogan: the convolution choices are not kept for later runs: %v\n", err)
		})
	}
	return kept
}

// warnCudnnEnv reports, once a process, a cuDNN that GOGAN_CUDNN names and
// that does not load: the user asked for it, and training goes on without it.
func (g *Graph) warnCudnnEnv() {
	env := os.Getenv(cuda.EnvCudnn)
	if env == "" || strings.EqualFold(env, "off") {
		return
	}
	if err := g.dev.CudnnError(); err != nil {
		cudnnEnvWarning.Do(func() {
			fmt.Fprintf(convWarnings, "gogan: %s=%s: %v; convolutions use im2col+cuBLAS\n", cuda.EnvCudnn, env, err)
		})
	}
}

// choiceFileWarning reports once a process that the file of timed choices
// cannot be written; cudnnEnvWarning, that the cuDNN GOGAN_CUDNN names does not
// load.
var choiceFileWarning, cudnnEnvWarning sync.Once
