//go:build amd64 && !purego

package vec

import "golang.org/x/sys/cpu"

// hasAVX2 selects the assembly loops (simd_amd64.s), once at init; cpu.X86
// reports AVX2 only when the OS saves its registers.
var hasAVX2 = cpu.X86.HasAVX2

// The assembly loops take whole blocks of 8 floats; len(dst) is a multiple of 8.
//
//go:noescape
func addToAVX2(dst, src []float32)

//go:noescape
func mulAVX2(dst, a, b []float32)

//go:noescape
func leakyReLUAVX2(dst, x []float32, alpha float32)

//go:noescape
func leakyReLUBackwardAVX2(dst, x, dy []float32, alpha float32)

func addTo(dst, src []float32) {
	n := 0
	if hasAVX2 {
		n = len(dst) &^ 7
		addToAVX2(dst[:n], src[:n])
	}
	addToGo(dst[n:], src[n:])
}

func leakyReLU(dst, x []float32, alpha float32) {
	n := 0
	if hasAVX2 {
		n = len(dst) &^ 7
		leakyReLUAVX2(dst[:n], x[:n], alpha)
	}
	leakyReLUGo(dst[n:], x[n:], alpha)
}

func leakyReLUBackward(dst, x, dy []float32, alpha float32) {
	n := 0
	if hasAVX2 {
		n = len(dst) &^ 7
		leakyReLUBackwardAVX2(dst[:n], x[:n], dy[:n], alpha)
	}
	leakyReLUBackwardGo(dst[n:], x[n:], dy[n:], alpha)
}

func mul(dst, a, b []float32) {
	n := 0
	if hasAVX2 {
		n = len(dst) &^ 7
		mulAVX2(dst[:n], a[:n], b[:n])
	}
	mulGo(dst[n:], a[n:], b[n:])
}
