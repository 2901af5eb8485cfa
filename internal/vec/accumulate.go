package vec

// AddTo is: for i, v := range src { dst[i] += v }.
func AddTo(dst, src []float32) {
	if len(src) == 0 {
		return
	}
	_ = dst[len(src)-1]
	if shareElements(shareJob{dst: dst[:len(src)], x: src}, len(src), addToPart) {
		return
	}
	addTo(dst[:len(src)], src)
}

func addToPart(j *shareJob, lo, hi int) { addTo(j.dst[lo:hi], j.x[lo:hi]) }

// addToGo is AddTo's loop: the portable path, and the tail of the assembly one.
func addToGo(dst, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] += v
	}
}
