//go:build !amd64 || purego

package vec

// Without the assembly every kernel is its Go loop.

func addTo(dst, src []float32)                              { addToGo(dst, src) }
func add(dst, a, b []float32)                               { addGo(dst, a, b) }
func mul(dst, a, b []float32)                               { mulGo(dst, a, b) }
func leakyReLU(dst, x []float32, alpha float32)             { leakyReLUGo(dst, x, alpha) }
func leakyReLUBackward(dst, x, dy []float32, alpha float32) { leakyReLUBackwardGo(dst, x, dy, alpha) }
func biasLeakyReLU(dst, x, b []float32, alpha float32)      { biasLeakyReLUGo(dst, x, b, alpha) }
func biasLeakyReLUBackward(dx, db, y, dy []float32, alpha float32) {
	biasLeakyReLUBackwardGo(dx, db, y, dy, alpha)
}
func tanh(dst, x []float32)                    { tanhGo(dst, x) }
func tanhBackward(dst, y, dy []float32)        { tanhBackwardGo(dst, y, dy) }
func biasTanh(dst, x, b []float32)             { biasTanhGo(dst, x, b) }
func biasTanhBackward(dx, db, y, dy []float32) { biasTanhBackwardGo(dx, db, y, dy) }
func sigmoid(dst, x []float32)                 { sigmoidGo(dst, x) }
func sigmoidBackward(dst, y, dy []float32)     { sigmoidBackwardGo(dst, y, dy) }
func adam(p, g, m, v []float32, b1, c1, b2, c2, stepSize, eps float32) {
	adamGo(p, g, m, v, b1, c1, b2, c2, stepSize, eps)
}

func isas() []string { return []string{"go"} }

func useISA(string) (restore func()) { return func() {} }

func normSums(s1, s2 []float64, x0, x []float32, ld, rows int) {
	normSumsGo(s1, s2, x0, x, ld, rows)
}
func normGradSums(s1, s2 []float64, dy, x, mean, invStd []float32, ld, rows int) {
	normGradSumsGo(s1, s2, dy, x, mean, invStd, ld, rows)
}
func normApply(y, x, mean, invStd, gamma, beta []float32, ld, rows int) {
	normApplyGo(y, x, mean, invStd, gamma, beta, ld, rows)
}
func normGrad(dx, dy, x, mean, invStd, a, b, c []float32, ld, rows int) {
	normGradGo(dx, dy, x, mean, invStd, a, b, c, ld, rows)
}
