package vec

import "math"

// Tanh is: for i, v := range x { dst[i] = tanh32(v) }, tanh in float32 (see tanh32).
// dst may alias x.
func Tanh(dst, x []float32) {
	if shareElements(shareJob{dst: dst, x: x[:len(dst)]}, len(dst), tanhPart) {
		return
	}
	tanh(dst, x[:len(dst)])
}

func tanhPart(j *shareJob, lo, hi int) { tanh(j.dst[lo:hi], j.x[lo:hi]) }

func tanhGo(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = tanh32(v)
	}
}

// TanhBackward is: for i, v := range y { dst[i] = dy[i] * float32(1-float32(v*v)) },
// the gradient of y = tanh(x). dst may alias dy.
func TanhBackward(dst, y, dy []float32) {
	if shareElements(shareJob{dst: dst, y: y[:len(dst)], dy: dy[:len(dst)]}, len(dst), tanhBackwardPart) {
		return
	}
	tanhBackward(dst, y[:len(dst)], dy[:len(dst)])
}

func tanhBackwardPart(j *shareJob, lo, hi int) { tanhBackward(j.dst[lo:hi], j.y[lo:hi], j.dy[lo:hi]) }

func tanhBackwardGo(dst, y, dy []float32) {
	y = y[:len(dst)]
	dy = dy[:len(dst)]
	for i, v := range y {
		dst[i] = dy[i] * float32(1-float32(v*v))
	}
}

// Sigmoid is: for i, v := range x { dst[i] = sigmoid32(v) }, 1/(1+e⁻ᵛ) in float32
// (see sigmoid32). dst may alias x.
func Sigmoid(dst, x []float32) {
	if shareElements(shareJob{dst: dst, x: x[:len(dst)]}, len(dst), sigmoidPart) {
		return
	}
	sigmoid(dst, x[:len(dst)])
}

func sigmoidPart(j *shareJob, lo, hi int) { sigmoid(j.dst[lo:hi], j.x[lo:hi]) }

func sigmoidGo(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = sigmoid32(v)
	}
}

// SigmoidBackward is: for i, v := range y { dst[i] = float32(dy[i]*v) * (1 - v) },
// the gradient of y = σ(x). dst may alias dy.
func SigmoidBackward(dst, y, dy []float32) {
	sigmoidBackward(dst, y[:len(dst)], dy[:len(dst)])
}

func sigmoidBackwardGo(dst, y, dy []float32) {
	y = y[:len(dst)]
	dy = dy[:len(dst)]
	for i, v := range y {
		dst[i] = float32(dy[i]*v) * (1 - v)
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
