//go:build amd64 && !purego

package vec

import "golang.org/x/sys/cpu"

// kernels is the instruction set whose assembly loops (vec_amd64.s) the wrappers
// run (dispatch_amd64.go, generated with the assembly), chosen once at init;
// cpu.X86 reports a feature only when the OS saves its registers. The tests switch
// between the sets (useISA).
var kernels = bestKernels()

// bestKernels is the widest set this CPU runs.
func bestKernels() *kernelSet { return kernelSets()[0] }

// kernelSets lists the sets this CPU runs, the widest first, and goKernels.
func kernelSets() []*kernelSet {
	var s []*kernelSet
	if cpu.X86.HasAVX512F {
		s = append(s, &avx512Kernels)
	}
	if cpu.X86.HasAVX2 {
		s = append(s, &avx2Kernels)
	}
	return append(s, &goKernels)
}

// isas lists the instruction sets this CPU runs, the widest first, and "go".
func isas() []string {
	var names []string
	for _, k := range kernelSets() {
		names = append(names, k.name)
	}
	return names
}

// useISA makes the wrappers run the named instruction set's kernels (one of isas) and
// returns a function that restores the choice made at init. For tests and benchmarks.
func useISA(name string) (restore func()) {
	was := kernels
	kernels = &goKernels
	for _, k := range kernelSets() {
		if k.name == name {
			kernels = k
		}
	}
	return func() { kernels = was }
}

// The batch-norm kernels have AVX-512 forms only, called directly (not through the
// table) so that the callers' stack buffers stay on the stack.

func normSums(s1, s2 []float64, x0, x []float32, ld, rows int) {
	if kernels.norm && len(s1) == 16 && rows > 0 {
		_, _ = x0[15], x[(rows-1)*ld+15]
		normSumsAVX512(s1, s2[:16], x0, x, ld, rows)
		return
	}
	normSumsGo(s1, s2, x0, x, ld, rows)
}

func normGradSums(s1, s2 []float64, dy, x, mean, invStd []float32, ld, rows int) {
	if kernels.norm && len(s1) == 16 && rows > 0 {
		_, _ = dy[(rows-1)*ld+15], x[(rows-1)*ld+15]
		normGradSumsAVX512(s1, s2[:16], dy, x, mean[:16], invStd[:16], ld, rows)
		return
	}
	normGradSumsGo(s1, s2, dy, x, mean, invStd, ld, rows)
}

func normApply(y, x, mean, invStd, gamma, beta []float32, ld, rows int) {
	w := 0
	if kernels.norm && rows > 0 {
		w = len(mean) &^ 15
		_, _ = y[(rows-1)*ld+len(mean)-1], x[(rows-1)*ld+len(mean)-1]
		normApplyAVX512(y, x, mean[:w], invStd[:w], gamma[:w], beta[:w], ld, rows)
	}
	if w < len(mean) {
		normApplyGo(y[w:], x[w:], mean[w:], invStd[w:], gamma[w:], beta[w:], ld, rows)
	}
}

func normGrad(dx, dy, x, mean, invStd, a, b, c []float32, ld, rows int) {
	if kernels.norm && len(a) == 16 && rows > 0 {
		_, _, _ = dx[(rows-1)*ld+15], dy[(rows-1)*ld+15], x[(rows-1)*ld+15]
		normGradAVX512(dx, dy, x, mean[:16], invStd[:16], a, b[:16], c[:16], ld, rows)
		return
	}
	normGradGo(dx, dy, x, mean, invStd, a, b, c, ld, rows)
}
