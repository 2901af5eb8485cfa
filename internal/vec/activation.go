package vec

import "math"

// Tanh is: dst[i] = tanh(x[i]). dst may alias x.
func Tanh(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = float32(math.Tanh(float64(v)))
	}
}

// Sigmoid is: dst[i] = 1/(1+exp(-x[i])). dst may alias x.
func Sigmoid(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = float32(1 / (1 + math.Exp(-float64(v))))
	}
}

// Softplus is: dst[i] = log(1+exp(x[i])), computed as max(x,0) + log1p(exp(-|x|))
// so it never overflows. dst may alias x.
func Softplus(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		f := float64(v)
		dst[i] = float32(math.Max(f, 0) + math.Log1p(math.Exp(-math.Abs(f))))
	}
}

// Sqrt is: dst[i] = sqrt(x[i]). dst may alias x.
func Sqrt(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = float32(math.Sqrt(float64(v)))
	}
}

// Log is: dst[i] = log(x[i]). dst may alias x.
func Log(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = float32(math.Log(float64(v)))
	}
}
