//go:build amd64 && !purego

package vec

import "golang.org/x/sys/cpu"

// The instruction set of the assembly loops (vec_amd64.s), chosen once at init;
// cpu.X86 reports a feature only when the OS saves its registers. The tests switch
// between them (useISA).
var (
	hasAVX512 = cpu.X86.HasAVX512F
	hasAVX2   = cpu.X86.HasAVX2
)

// The wrappers run the widest kernel on whole vectors and the Go loop on the tail.

func addTo(dst, src []float32) {
	n := 0
	switch {
	case hasAVX512:
		n = len(dst) &^ 15
		addToAVX512(dst[:n], src[:n])
	case hasAVX2:
		n = len(dst) &^ 7
		addToAVX2(dst[:n], src[:n])
	}
	addToGo(dst[n:], src[n:])
}

func add(dst, a, b []float32) {
	n := 0
	switch {
	case hasAVX512:
		n = len(dst) &^ 15
		addAVX512(dst[:n], a[:n], b[:n])
	case hasAVX2:
		n = len(dst) &^ 7
		addAVX2(dst[:n], a[:n], b[:n])
	}
	addGo(dst[n:], a[n:], b[n:])
}

func mul(dst, a, b []float32) {
	n := 0
	switch {
	case hasAVX512:
		n = len(dst) &^ 15
		mulAVX512(dst[:n], a[:n], b[:n])
	case hasAVX2:
		n = len(dst) &^ 7
		mulAVX2(dst[:n], a[:n], b[:n])
	}
	mulGo(dst[n:], a[n:], b[n:])
}

func leakyReLU(dst, x []float32, alpha float32) {
	n := 0
	switch {
	case hasAVX512:
		n = len(dst) &^ 15
		leakyReLUAVX512(dst[:n], x[:n], alpha)
	case hasAVX2:
		n = len(dst) &^ 7
		leakyReLUAVX2(dst[:n], x[:n], alpha)
	}
	leakyReLUGo(dst[n:], x[n:], alpha)
}

func leakyReLUBackward(dst, x, dy []float32, alpha float32) {
	n := 0
	switch {
	case hasAVX512:
		n = len(dst) &^ 15
		leakyReLUBackwardAVX512(dst[:n], x[:n], dy[:n], alpha)
	case hasAVX2:
		n = len(dst) &^ 7
		leakyReLUBackwardAVX2(dst[:n], x[:n], dy[:n], alpha)
	}
	leakyReLUBackwardGo(dst[n:], x[n:], dy[n:], alpha)
}

func biasLeakyReLU(dst, x, b []float32, alpha float32) {
	n := 0
	switch {
	case hasAVX512:
		n = len(dst) &^ 15
		biasLeakyReLUAVX512(dst[:n], x[:n], b[:n], alpha)
	case hasAVX2:
		n = len(dst) &^ 7
		biasLeakyReLUAVX2(dst[:n], x[:n], b[:n], alpha)
	}
	biasLeakyReLUGo(dst[n:], x[n:], b[n:], alpha)
}

func biasLeakyReLUBackward(dx, db, y, dy []float32, alpha float32) {
	n := 0
	switch {
	case hasAVX512:
		n = len(dx) &^ 15
		biasLeakyReLUBackwardAVX512(dx[:n], db[:n], y[:n], dy[:n], alpha)
	case hasAVX2:
		n = len(dx) &^ 7
		biasLeakyReLUBackwardAVX2(dx[:n], db[:n], y[:n], dy[:n], alpha)
	}
	biasLeakyReLUBackwardGo(dx[n:], db[n:], y[n:], dy[n:], alpha)
}

func tanh(dst, x []float32) {
	n := 0
	if hasAVX512 {
		n = len(dst) &^ 15
		tanhAVX512(dst[:n], x[:n])
	}
	tanhGo(dst[n:], x[n:])
}

func tanhBackward(dst, y, dy []float32) {
	n := 0
	switch {
	case hasAVX512:
		n = len(dst) &^ 15
		tanhBackwardAVX512(dst[:n], y[:n], dy[:n])
	case hasAVX2:
		n = len(dst) &^ 7
		tanhBackwardAVX2(dst[:n], y[:n], dy[:n])
	}
	tanhBackwardGo(dst[n:], y[n:], dy[n:])
}

func biasTanh(dst, x, b []float32) {
	n := 0
	if hasAVX512 {
		n = len(dst) &^ 15
		biasTanhAVX512(dst[:n], x[:n], b[:n])
	}
	biasTanhGo(dst[n:], x[n:], b[n:])
}

func biasTanhBackward(dx, db, y, dy []float32) {
	n := 0
	switch {
	case hasAVX512:
		n = len(dx) &^ 15
		biasTanhBackwardAVX512(dx[:n], db[:n], y[:n], dy[:n])
	case hasAVX2:
		n = len(dx) &^ 7
		biasTanhBackwardAVX2(dx[:n], db[:n], y[:n], dy[:n])
	}
	biasTanhBackwardGo(dx[n:], db[n:], y[n:], dy[n:])
}

func sigmoid(dst, x []float32) {
	n := 0
	if hasAVX512 {
		n = len(dst) &^ 15
		sigmoidAVX512(dst[:n], x[:n])
	}
	sigmoidGo(dst[n:], x[n:])
}

func sigmoidBackward(dst, y, dy []float32) {
	n := 0
	switch {
	case hasAVX512:
		n = len(dst) &^ 15
		sigmoidBackwardAVX512(dst[:n], y[:n], dy[:n])
	case hasAVX2:
		n = len(dst) &^ 7
		sigmoidBackwardAVX2(dst[:n], y[:n], dy[:n])
	}
	sigmoidBackwardGo(dst[n:], y[n:], dy[n:])
}

func adam(p, g, m, v []float32, b1, c1, b2, c2, stepSize, eps float32) {
	n := 0
	switch {
	case hasAVX512:
		n = len(p) &^ 15
		adamAVX512(p[:n], g[:n], m[:n], v[:n], b1, c1, b2, c2, stepSize, eps)
	case hasAVX2:
		n = len(p) &^ 7
		adamAVX2(p[:n], g[:n], m[:n], v[:n], b1, c1, b2, c2, stepSize, eps)
	}
	adamGo(p[n:], g[n:], m[n:], v[n:], b1, c1, b2, c2, stepSize, eps)
}

// isas lists the instruction sets this CPU runs, the widest first, and "go".
func isas() []string {
	var s []string
	if cpu.X86.HasAVX512F {
		s = append(s, "avx512")
	}
	if cpu.X86.HasAVX2 {
		s = append(s, "avx2")
	}
	return append(s, "go")
}

// useISA makes the wrappers run the named instruction set's kernels (one of isas) and
// returns a function that restores the choice made at init. For tests and benchmarks.
func useISA(name string) (restore func()) {
	was512, was2 := hasAVX512, hasAVX2
	hasAVX512 = name == "avx512"
	hasAVX2 = name == "avx2"
	return func() { hasAVX512, hasAVX2 = was512, was2 }
}

// The batch-norm kernels have AVX-512 forms only.

func normSums(s1, s2 []float64, x []float32, ld, rows int) {
	if hasAVX512 && len(s1) == 16 && rows > 0 {
		_ = x[(rows-1)*ld+15]
		normSumsAVX512(s1, s2[:16], x, ld, rows)
		return
	}
	normSumsGo(s1, s2, x, ld, rows)
}

func normGradSums(s1, s2 []float64, dy, x, mean, invStd []float32, ld, rows int) {
	if hasAVX512 && len(s1) == 16 && rows > 0 {
		_, _ = dy[(rows-1)*ld+15], x[(rows-1)*ld+15]
		normGradSumsAVX512(s1, s2[:16], dy, x, mean[:16], invStd[:16], ld, rows)
		return
	}
	normGradSumsGo(s1, s2, dy, x, mean, invStd, ld, rows)
}

func normApply(y, x, mean, invStd, gamma, beta []float32, ld, rows int) {
	w := 0
	if hasAVX512 && rows > 0 {
		w = len(mean) &^ 15
		_, _ = y[(rows-1)*ld+len(mean)-1], x[(rows-1)*ld+len(mean)-1]
		normApplyAVX512(y, x, mean[:w], invStd[:w], gamma[:w], beta[:w], ld, rows)
	}
	if w < len(mean) {
		normApplyGo(y[w:], x[w:], mean[w:], invStd[w:], gamma[w:], beta[w:], ld, rows)
	}
}

func normGrad(dx, dy, x, mean, invStd, a, b, c []float32, ld, rows int) {
	if hasAVX512 && len(a) == 16 && rows > 0 {
		_, _, _ = dx[(rows-1)*ld+15], dy[(rows-1)*ld+15], x[(rows-1)*ld+15]
		normGradAVX512(dx, dy, x, mean[:16], invStd[:16], a, b[:16], c[:16], ld, rows)
		return
	}
	normGradGo(dx, dy, x, mean, invStd, a, b, c, ld, rows)
}
