package vec

import "math"

// AdamStep holds the constants of one Adam update (see optim.Adam): the decay
// rates, and the step size and epsilon with the bias corrections folded in.
type AdamStep struct {
	Beta1, Beta2, StepSize, Epsilon float32
}

// Adam updates the parameters p, their moments m and v from the gradient g, and
// clears g, in one pass; with b1, b2 the decay rates, c1 = 1−b1, c2 = 1−b2,
//
//	for i, gi := range g {
//		mi := float32(b1*m[i]) + float32(c1*gi)
//		vi := float32(b2*v[i]) + float32(float32(c2*gi)*gi)
//		m[i], v[i], g[i] = mi, vi, 0
//		p[i] -= float32(stepSize*mi) / (float32(math.Sqrt(float64(vi))) + eps)
//	}
//
// (the square root, rounded to float32, is the correctly rounded float32 one).
func Adam(p, g, m, v []float32, s AdamStep) {
	n := len(p)
	adam(p, g[:n], m[:n], v[:n], s.Beta1, 1-s.Beta1, s.Beta2, 1-s.Beta2, s.StepSize, s.Epsilon)
}

func adamGo(p, g, m, v []float32, b1, c1, b2, c2, stepSize, eps float32) {
	g = g[:len(p)]
	m = m[:len(p)]
	v = v[:len(p)]
	for i, gi := range g {
		mi := float32(b1*m[i]) + float32(c1*gi)
		vi := float32(b2*v[i]) + float32(float32(c2*gi)*gi)
		m[i], v[i], g[i] = mi, vi, 0
		p[i] -= float32(stepSize*mi) / (float32(math.Sqrt(float64(vi))) + eps)
	}
}
