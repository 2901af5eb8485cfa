// Package cuda is the kernel layer under gogan's GPU backend: the one package with
// foreign calls. It loads the NVIDIA driver API (libcuda.so.1) and cuBLAS
// (libcublas.so.13, else libcublas.so.12) at run time with purego, so gogan builds
// with CGO_ENABLED=0 and the same binary runs on machines with and without a GPU;
// on the latter Open returns a one-line error naming what is missing
// ("cuda: libcuda.so.1 not found (is the NVIDIA driver installed?)"). purego makes
// the binary dynamically linked against the C library (for dlopen), nothing more.
//
// # Kernels
//
// The element-wise, reduction, batch-norm, loss, optimizer (Adam, RMSprop, SGD), weight
// clipping, spectral-normalization, random and im2col kernels, and those of the label
// embedding (gather, scatter-add), log-sum-exp, DiffAugment's transforms, pooling,
// upsampling and padding, are CUDA C
// in kernels.cu, compiled ahead of time to PTX by go generate:
//
//	nvcc -ptx -arch=compute_75 -O3 -fmad=false -o kernels.ptx kernels.cu
//
// and kernels.ptx is committed and embedded. At Open the driver JIT-compiles the
// PTX for whatever GPU it finds (compute_75, CUDA 13's oldest target, runs on Turing
// and everything newer). Ahead of time rather than NVRTC at run time: the user's
// machine needs only the driver and cuBLAS, not the toolkit's NVRTC library, and a
// kernel's compile error shows at go generate, not at a user's first step. PTX made
// by CUDA 13 needs a driver of version 580 or newer. -fmad=false keeps a·b + c as
// two roundings, as Go computes it, so the element-wise kernels match internal/vec's
// bit for bit; tanh, sigmoid and exp differ by a few ulps (CUDA's libdevice against
// gogan's polynomials); reductions sum in float64 by a fixed tree, the same bits
// every run, and within float32 rounding of the CPU's sums.
//
// # Conventions
//
// A Device owns one stream; every copy, kernel and Sgemm is queued on it in order
// and runs asynchronously. Sizes are int, matrices row-major (rows, cols); a Ptr
// addresses float32 values on the device. Negative sizes panic (programmer errors).
// The errors of asynchronous calls are sticky: the first is kept, later calls queue
// nothing, and Err and Sync return it. A Device is used by one goroutine at a time;
// each call makes the device's context current on the calling thread, with the
// goroutine locked to it for the call.
//
// # cuDNN
//
// cuDNN 9 is optional. The first convolution a device plans (CudnnPlan) loads
// libcudnn.so.9 from the loader's path, or, when $GOGAN_CUDNN is set, that
// library (or libcudnn.so.9 in that folder, as pip's nvidia-cudnn-cu13 installs
// it) alone; GOGAN_CUDNN=off turns it off. FP32 plans always run FMA math. The
// choices that timing makes are kept in a file (cudnn_choices.go). Without it, CudnnError says why and autograd keeps im2col + cuBLAS. Only
// the legacy API that cuDNN 9 still exports from libcudnn.so.9 is bound. A
// ConvPlan is one op (forward, backward data, backward filter) on one geometry
// (ConvKey: the shape, Co and TF32 or not): NHWC tensors, the kernel transposed
// from (KH,KW,C,Co) to cuDNN's (Co,KH,KW,C) by cudnnTransformTensor into scratch
// memory, and, where TensorFlow's padding is uneven (one more row after than
// before), the input copied into a zero-extended buffer so that cuDNN's
// symmetric padding gives the same windows. Its algorithm is the fastest
// deterministic one cudnnFind… times; in FP32 (no TF32) it must use FMA math and
// no FFT or Winograd, so that its sums are the CPU's to float32 rounding. A
// device keeps each key's choice (ConvChoice, SetConvChoice); autograd times
// cuDNN against im2col + cuBLAS to make it.
//
// # Graphs
//
// BeginCapture … EndCapture records the stream's work into a CUDA graph that
// Graph.Launch replays with one call: the whole training step at the cost of one
// launch. Arguments are frozen at capture, so values that change between replays
// (a step count, an offset into the noise) must live in device memory.
package cuda
