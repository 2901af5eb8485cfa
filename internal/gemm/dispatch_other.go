//go:build !amd64 || purego

package gemm

// bestKernels is the portable family: the plain Go loops of kernel_go.go.
func bestKernels() *kernelSet { return &goKernels }

// families lists every kernel family this build runs (the tests check each).
func families() []*kernelSet { return []*kernelSet{&goKernels} }
