package vec

import (
	"math"
	"math/rand/v2"
	"testing"
)

// sameBits reports whether a and b hold the same values, NaNs alike.
func sameBits(a, b []float32) bool {
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(float64(a[i])) && math.IsNaN(float64(b[i]))) {
			return false
		}
	}
	return true
}

func testValues(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
		switch rng.IntN(20) {
		case 0:
			v[i] = 0
		case 1:
			v[i] = float32(math.Copysign(0, -1))
		case 2:
			v[i] = float32(math.NaN())
		}
	}
	return v
}

// TestKernelsMatchLoops compares the dispatched kernels (assembly where the CPU
// has it) with their Go loops on every length up to 100 and a few large ones,
// at offsets that misalign the slices.
func TestKernelsMatchLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	lengths := []int{1000, 4099}
	for n := 0; n <= 100; n++ {
		lengths = append(lengths, n)
	}
	for _, n := range lengths {
		off := rng.IntN(4)
		x := testValues(rng, n+off)[off:]
		dy := testValues(rng, n)
		base := testValues(rng, n)

		want, got := append([]float32(nil), base...), append([]float32(nil), base...)
		addToGo(want, x)
		AddTo(got, x)
		if !sameBits(got, want) {
			t.Fatalf("AddTo, length %d: %v, want %v", n, got, want)
		}

		want, got = make([]float32, n), make([]float32, n)
		mulGo(want, x, dy)
		Mul(got, x, dy)
		if !sameBits(got, want) {
			t.Fatalf("Mul, length %d: %v, want %v", n, got, want)
		}
		inPlace := append([]float32(nil), x...)
		Mul(inPlace, inPlace, dy)
		if !sameBits(inPlace, want) {
			t.Fatalf("Mul in place, length %d", n)
		}

		leakyReLUGo(want, x, 0.3)
		LeakyReLU(got, x, 0.3)
		if !sameBits(got, want) {
			t.Fatalf("LeakyReLU, length %d: %v, want %v", n, got, want)
		}
		inPlace = append(inPlace[:0], x...)
		LeakyReLU(inPlace, inPlace, 0.3)
		if !sameBits(inPlace, want) {
			t.Fatalf("LeakyReLU in place, length %d", n)
		}

		leakyReLUBackwardGo(want, x, dy, 0.2)
		LeakyReLUBackward(got, x, dy, 0.2)
		if !sameBits(got, want) {
			t.Fatalf("LeakyReLUBackward, length %d: %v, want %v", n, got, want)
		}
	}
}

// BenchmarkKernels times each kernel beside its Go loop on a DCGAN-sized tensor.
func BenchmarkKernels(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	x, dy, dst := testValues(rng, 1<<20), testValues(rng, 1<<20), make([]float32, 1<<20)
	cases := []struct {
		name string
		f    func()
	}{
		{"AddTo", func() { AddTo(dst, x) }},
		{"AddTo/go", func() { addToGo(dst, x) }},
		{"Mul", func() { Mul(dst, x, dy) }},
		{"Mul/go", func() { mulGo(dst, x, dy) }},
		{"LeakyReLU", func() { LeakyReLU(dst, x, 0.3) }},
		{"LeakyReLU/go", func() { leakyReLUGo(dst, x, 0.3) }},
		{"LeakyReLUBackward", func() { LeakyReLUBackward(dst, x, dy, 0.3) }},
		{"LeakyReLUBackward/go", func() { leakyReLUBackwardGo(dst, x, dy, 0.3) }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(4 << 20)
			for range b.N {
				c.f()
			}
		})
	}
}
