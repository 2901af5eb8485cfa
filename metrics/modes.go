package metrics

import (
	"fmt"
	"math"
)

// ModeCoverage is how well 2-D samples cover the modes of a Gaussian mixture,
// the measure of the Unrolled GAN, VEEGAN and PacGAN papers.
type ModeCoverage struct {
	// HighQualityFraction is the share of samples within 3σ of their nearest mode.
	HighQualityFraction float64 `json:"high_quality_fraction"`
	// ModesCovered counts the modes with at least MinModeSamples high-quality samples.
	ModesCovered int `json:"modes_covered"`
	ModesTotal   int `json:"modes_total"`
	// KL is KL(p ‖ uniform) of the high-quality samples' mode histogram p:
	// 0 when every mode gets the same share, log(modes) when one mode gets all.
	KL float64 `json:"kl"`
	// Counts holds the high-quality samples per mode.
	Counts []int `json:"counts"`
}

// MinModeSamples is the number of high-quality samples a mode needs to count
// as covered.
const MinModeSamples = 20

// Modes measures the coverage of the mixture with the given centers and
// per-axis standard deviation sigma by n points (n, 2).
func Modes(points []float32, centers [][2]float64, sigma float64) (ModeCoverage, error) {
	if len(points)%2 != 0 || len(points) == 0 {
		return ModeCoverage{}, fmt.Errorf("metrics: Modes: %d values are not a non-empty list of 2-D points", len(points))
	}
	if len(centers) == 0 || !(sigma > 0) {
		return ModeCoverage{}, fmt.Errorf("metrics: Modes: need modes and a positive σ, got %d modes and σ %g", len(centers), sigma)
	}
	n := len(points) / 2
	counts := make([]int, len(centers))
	hq := 0
	for i := 0; i < n; i++ {
		x, y := float64(points[2*i]), float64(points[2*i+1])
		if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
			return ModeCoverage{}, fmt.Errorf("metrics: Modes: point %d is (%g, %g)", i, x, y)
		}
		best, bestD := 0, math.Inf(1)
		for k, c := range centers {
			if d := math.Hypot(x-c[0], y-c[1]); d < bestD {
				best, bestD = k, d
			}
		}
		if bestD <= 3*sigma {
			counts[best]++
			hq++
		}
	}
	r := ModeCoverage{HighQualityFraction: float64(hq) / float64(n), ModesTotal: len(centers), Counts: counts}
	for _, c := range counts {
		if c >= MinModeSamples {
			r.ModesCovered++
		}
		if c > 0 {
			p := float64(c) / float64(hq)
			r.KL += p * math.Log(p*float64(len(centers)))
		}
	}
	if hq == 0 {
		r.KL = math.Inf(1) // no sample near any mode: as far from uniform as it gets
	}
	return r, nil
}
