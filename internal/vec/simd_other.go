//go:build !amd64 || purego

package vec

func addTo(dst, src []float32)                              { addToGo(dst, src) }
func mul(dst, a, b []float32)                               { mulGo(dst, a, b) }
func leakyReLU(dst, x []float32, alpha float32)             { leakyReLUGo(dst, x, alpha) }
func leakyReLUBackward(dst, x, dy []float32, alpha float32) { leakyReLUBackwardGo(dst, x, dy, alpha) }
