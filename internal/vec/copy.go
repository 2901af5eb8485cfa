package vec

// Copy is copy(dst, src) for the first min(len(dst), len(src)) elements, shared among the
// threads when large: a step's batches are copied whole (D's real and generated batches
// stacked into one), and on many cores one thread's memmove of a few megabytes is a serial
// stretch that the others wait out.
func Copy(dst, src []float32) {
	n := min(len(dst), len(src))
	if !shareElements(shareJob{dst: dst[:n], x: src[:n]}, n, copyRange) {
		copy(dst[:n], src[:n])
	}
}

// copyRange is Copy on [lo, hi).
func copyRange(j *shareJob, lo, hi int) { copy(j.dst[lo:hi], j.x[lo:hi]) }
