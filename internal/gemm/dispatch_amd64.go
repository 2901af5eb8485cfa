//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

// The assembly families. cpu.X86 reports a feature only when the OS also saves its registers.
var (
	avx512Kernels = kernelSet{
		name: "avx512 8x32", mr: 8, nr: 32, kernel: kernelAVX512, kernelRowA: kernelRowAAVX512,
		packCopyA: packCopy8AVX, packCopyB: packCopy32AVX,
		packTransA: packTrans8AVX, packTransB: packTrans32AVX,
		gemv: &gemvKernels{lanes: 16, dot: dotAVX512, wide: cols128AVX512, narrow: cols16AVX512},
	}
	avx2Kernels = kernelSet{
		name: "avx2 6x16", mr: 6, nr: 16, kernel: kernelAVX2, kernelRowA: kernelRowAAVX2,
		packCopyB: packCopy16AVX, packTransB: packTrans16AVX,
		gemv: &gemvKernels{lanes: 8, dot: dotAVX2, wide: cols64AVX2, narrow: cols8AVX2},
	}
)

// bestKernels is the fastest family this CPU runs, chosen once at init.
func bestKernels() *kernelSet {
	switch {
	case cpu.X86.HasAVX512F:
		return &avx512Kernels
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return &avx2Kernels
	}
	return &goKernels
}

// families lists every kernel family this CPU runs, the fastest first (the tests check each).
func families() []*kernelSet {
	var fs []*kernelSet
	if cpu.X86.HasAVX512F {
		fs = append(fs, &avx512Kernels)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		fs = append(fs, &avx2Kernels)
	}
	return append(fs, &goKernels)
}
