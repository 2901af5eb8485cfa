package vec

import "math"

// Cephes's single-precision polynomials (expf, tanhf), evaluated in float32 one
// rounding at a time: the conversions float32(a*b) keep the compiler from fusing a
// multiply and an add, so these loops round exactly as the assembly does, lane by
// lane, and the portable build computes the same bits as the fast one.
var (
	// expP: eʳ ≈ 1 + r + r²·P(r) on |r| ≤ ln2/2.
	expP = [...]float32{1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1}
	// tanhP: tanh(a) ≈ a + a·z·P(z), z = a², on |a| < 0.625.
	tanhP = [...]float32{-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1}
)

const (
	log2e = 1.44269504088896341 // rounded to float32 where it is used
	ln2Hi = 0.693359375         // ln 2 = ln2Hi + ln2Lo, ln2Hi exact in a few bits
	ln2Lo = -2.12194440e-4
	// tanhSmall is where tanh32 switches from its polynomial to 1 − 2/(e²ᵃ + 1);
	// tanhBig is where tanh(a) rounds to 1 in float32.
	tanhSmall = 0.625
	tanhBig   = 10
	// Sigmoid clamps −x to [expMin, expMax], where 2ⁿ stays a normal float32.
	expMin  = -87
	expMax  = 88
	signBit = 1 << 31
)

// exp32 is eˣ for x in [expMin, expMax] (the callers clamp): x = n·ln2 + r with n an
// integer and |r| ≤ ln2/2, eʳ from a polynomial, 2ⁿ made from its exponent bits.
// Within 2 ulps of math.Exp.
func exp32(x float32) float32 {
	n := float32(math.RoundToEven(float64(float32(x * log2e))))
	r := float32(x - float32(n*ln2Hi))
	r = float32(r - float32(n*ln2Lo))
	z := float32(r * r)
	p := expP[0]
	for _, c := range expP[1:] {
		p = float32(p*r) + c
	}
	e := float32(float32(p*z)+r) + 1
	return float32(e * math.Float32frombits(uint32(int32(n)+127)<<23))
}

// tanh32 is tanh(v) in float32, within a few ulps of math.Tanh: a polynomial near
// zero, 1 − 2/(e²ᵃ + 1) beyond, the sign put back last (so tanh32(−0) = −0).
func tanh32(v float32) float32 {
	a := math.Float32frombits(math.Float32bits(v) &^ signBit)
	var t float32
	if a < tanhSmall {
		z := float32(a * a)
		p := tanhP[0]
		for _, c := range tanhP[1:] {
			p = float32(p*z) + c
		}
		t = float32(float32(p*z)*a) + a
	} else {
		e := exp32(2 * min(a, tanhBig))
		t = 1 - 2/(e+1)
	}
	return math.Float32frombits(math.Float32bits(t) | math.Float32bits(v)&signBit)
}

// sigmoid32 is 1/(1 + e⁻ᵛ) in float32, within a few ulps.
func sigmoid32(v float32) float32 {
	e := exp32(min(max(-v, expMin), expMax))
	return 1 / (e + 1)
}
