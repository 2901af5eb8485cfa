package vec

// LeakyReLU is: dst[i] = x[i] if x[i] > 0, else alpha*x[i]. dst may alias x.
func LeakyReLU(dst, x []float32, alpha float32) {
	if shareElements(shareJob{dst: dst, x: x[:len(dst)], alpha: alpha}, len(dst), leakyReLUPart) {
		return
	}
	leakyReLU(dst, x[:len(dst)], alpha)
}

func leakyReLUPart(j *shareJob, lo, hi int) { leakyReLU(j.dst[lo:hi], j.x[lo:hi], j.alpha) }

// LeakyReLUBackward is: dst[i] = dy[i] if x[i] > 0, else alpha*dy[i]. dst may alias dy.
func LeakyReLUBackward(dst, x, dy []float32, alpha float32) {
	j := shareJob{dst: dst, x: x[:len(dst)], dy: dy[:len(dst)], alpha: alpha}
	if shareElements(j, len(dst), leakyReLUBackwardPart) {
		return
	}
	leakyReLUBackward(dst, x[:len(dst)], dy[:len(dst)], alpha)
}

func leakyReLUBackwardPart(j *shareJob, lo, hi int) {
	leakyReLUBackward(j.dst[lo:hi], j.x[lo:hi], j.dy[lo:hi], j.alpha)
}

// leakyReLUGo and leakyReLUBackwardGo are the loops of the doc comments: the
// portable path, and the tail of the assembly one.
func leakyReLUGo(dst, x []float32, alpha float32) {
	x = x[:len(dst)]
	for i, v := range x {
		if v > 0 {
			dst[i] = v
		} else {
			dst[i] = alpha * v
		}
	}
}

func leakyReLUBackwardGo(dst, x, dy []float32, alpha float32) {
	x = x[:len(dst)]
	dy = dy[:len(dst)]
	for i, v := range x {
		if v > 0 {
			dst[i] = dy[i]
		} else {
			dst[i] = alpha * dy[i]
		}
	}
}
