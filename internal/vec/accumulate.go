package vec

// AddTo is: for i, v := range src { dst[i] += v }.
func AddTo(dst, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] += v
	}
}
