package vec

import "unsafe"

// Copy is copy(dst, src) for the first min(len(dst), len(src)) elements, shared among the
// threads when large: a step's batches are copied whole (D's real and generated batches
// stacked into one), and on many cores one thread's memmove of a few megabytes is a serial
// stretch that the others wait out.
//
// Unlike copy, the slices must not overlap unless they are the same: overlapping ones are
// copied by copy, on one thread.
func Copy(dst, src []float32) {
	n := min(len(dst), len(src))
	if n == 0 {
		return
	}
	if overlap(dst[:n], src[:n]) {
		copy(dst[:n], src[:n])
		return
	}
	if !shareElements(shareJob{dst: dst[:n], x: src[:n]}, n, copyRange) {
		copy(dst[:n], src[:n])
	}
}

// copyRange is Copy on [lo, hi).
func copyRange(j *shareJob, lo, hi int) { copy(j.dst[lo:hi], j.x[lo:hi]) }

// overlap reports whether a and b (both non-empty) share memory.
func overlap(a, b []float32) bool {
	pa, pb := uintptr(unsafe.Pointer(&a[0])), uintptr(unsafe.Pointer(&b[0]))
	return pa < pb+uintptr(len(b))*4 && pb < pa+uintptr(len(a))*4
}
