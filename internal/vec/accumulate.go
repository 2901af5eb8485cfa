package vec

// AddTo is: for i, v := range src { dst[i] += v }.
func AddTo(dst, src []float32) {
	if len(src) == 0 {
		return
	}
	_ = dst[len(src)-1]
	addTo(dst[:len(src)], src)
}

// addToGo is AddTo's loop: the portable path, and the tail of the assembly one.
func addToGo(dst, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] += v
	}
}
