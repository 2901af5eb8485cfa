package vec

import "math"

// DropoutMask is, with the CUDA kernel dropout_mask's formula (internal/cuda), so
// that one seed gives one mask on the CPU and on the GPU:
//
//	for i := range mask {
//		u := SplitMix64(seed + uint64(i+1)*Golden) >> 32 // the i-th 32-bit draw
//		if u < threshold {
//			mask[i] = 0
//		} else {
//			mask[i] = keep
//		}
//	}
//
// threshold is rate·2³² (below 2³²), keep is 1/(1 − rate). Each element is a pure
// function of (seed, i), a counter-based generator: the mask is shared among the
// threads in ranges, and its bits do not depend on their number.
func DropoutMask(mask []float32, seed, threshold uint64, keep float32) {
	j := shareJob{dst: mask, seed: seed, threshold: threshold, alpha: keep}
	if shareElements(j, len(mask), dropoutMaskPart) {
		return
	}
	dropoutMask(mask, 0, seed, threshold, keep)
}

func dropoutMaskPart(j *shareJob, lo, hi int) {
	dropoutMask(j.dst[lo:hi], lo, j.seed, j.threshold, j.alpha)
}

// dropoutMask is DropoutMask's loop for the elements first, first+1, … of the
// mask, written into dst; without a branch, which a random draw would mispredict
// half the time.
func dropoutMask(dst []float32, first int, seed, threshold uint64, keep float32) {
	keepBits := math.Float32bits(keep)
	z := seed + uint64(first)*Golden
	for i := range dst {
		z += Golden
		u := SplitMix64(z) >> 32
		dropped := uint32((u - threshold) >> 32) // all ones when u < threshold (both below 2³²)
		dst[i] = math.Float32frombits(keepBits &^ dropped)
	}
}

// Golden is SplitMix64's increment, 2⁶⁴ divided by the golden ratio.
const Golden = 0x9E3779B97F4A7C15

// SplitMix64 is SplitMix64's finalizer (Steele, Lea and Flood 2014): a
// well-mixed 64-bit hash of z. The generator's n-th draw is SplitMix64(seed +
// n·Golden).
func SplitMix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}
