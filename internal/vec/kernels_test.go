package vec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// sameBits reports whether a and b hold the same values, NaNs alike.
func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) && !(isNaN(a[i]) && isNaN(b[i])) {
			return false
		}
	}
	return true
}

func isNaN(v float32) bool { return v != v }

// testValues returns n normal values, with zeros of both signs, NaNs, infinities and
// large values sprinkled in.
func testValues(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
		switch rng.IntN(30) {
		case 0:
			v[i] = 0
		case 1:
			v[i] = float32(math.Copysign(0, -1))
		case 2:
			v[i] = float32(math.NaN())
		case 3:
			v[i] = float32(math.Inf(1 - 2*rng.IntN(2)))
		case 4:
			v[i] *= 40
		}
	}
	return v
}

// testLengths are the lengths every kernel is checked on: all up to 100 (every tail,
// and the vector and unrolled-loop edges), and a few of the GAN's.
func testLengths() []int {
	n := []int{127, 128, 129, 255, 784, 1000, 1024, 4099}
	for i := 0; i <= 100; i++ {
		n = append(n, i)
	}
	return n
}

// elementwise are the kernels on one or more inputs of the same length: run writes the
// kernel's result (fast is the dispatched one, else the Go loop) into out, from the
// inputs, which it must not change unless they are outputs (copies are passed).
var elementwise = []struct {
	name   string
	inputs int
	run    func(fast bool, out [][]float32, in [][]float32)
}{
	{"AddTo", 1, func(fast bool, out, in [][]float32) {
		copy(out[0], in[0])
		pick(fast, func() { AddTo(out[0], in[1]) }, func() { addToGo(out[0], in[1]) })
	}},
	{"Add", 2, func(fast bool, out, in [][]float32) {
		pick(fast, func() { Add(out[0], in[0], in[1]) }, func() { addGo(out[0], in[0], in[1]) })
	}},
	{"Mul", 2, func(fast bool, out, in [][]float32) {
		pick(fast, func() { Mul(out[0], in[0], in[1]) }, func() { mulGo(out[0], in[0], in[1]) })
	}},
	{"LeakyReLU", 1, func(fast bool, out, in [][]float32) {
		pick(fast, func() { LeakyReLU(out[0], in[0], 0.2) }, func() { leakyReLUGo(out[0], in[0], 0.2) })
	}},
	{"LeakyReLUBackward", 2, func(fast bool, out, in [][]float32) {
		pick(fast, func() { LeakyReLUBackward(out[0], in[0], in[1], 0.3) }, func() { leakyReLUBackwardGo(out[0], in[0], in[1], 0.3) })
	}},
	{"Tanh", 1, func(fast bool, out, in [][]float32) {
		pick(fast, func() { Tanh(out[0], in[0]) }, func() { tanhGo(out[0], in[0]) })
	}},
	{"TanhBackward", 2, func(fast bool, out, in [][]float32) {
		pick(fast, func() { TanhBackward(out[0], in[0], in[1]) }, func() { tanhBackwardGo(out[0], in[0], in[1]) })
	}},
	{"Sigmoid", 1, func(fast bool, out, in [][]float32) {
		pick(fast, func() { Sigmoid(out[0], in[0]) }, func() { sigmoidGo(out[0], in[0]) })
	}},
	{"SigmoidBackward", 2, func(fast bool, out, in [][]float32) {
		pick(fast, func() { SigmoidBackward(out[0], in[0], in[1]) }, func() { sigmoidBackwardGo(out[0], in[0], in[1]) })
	}},
	{"Adam", 4, func(fast bool, out, in [][]float32) {
		// out: p, g, m, v, updated in place from in's copies.
		for i := range 4 {
			copy(out[i], in[i])
		}
		for i := range out[3] {
			out[3][i] = float32(math.Abs(float64(out[3][i]))) // v ≥ 0
		}
		b1, b2, step, eps := float32(0.5), float32(0.999), float32(2e-4), float32(1e-7)
		pick(fast, func() { Adam(out[0], out[1], out[2], out[3], AdamStep{b1, b2, step, eps}) },
			func() { adamGo(out[0], out[1], out[2], out[3], b1, 1-b1, b2, 1-b2, step, eps) })
	}},
}

func pick(fast bool, f, loop func()) {
	if fast {
		f()
	} else {
		loop()
	}
}

// TestKernelsMatchLoops compares every kernel, on each instruction set the CPU runs,
// with its Go loop, bit for bit, on every length up to 100 and some larger ones, at
// offsets that misalign the slices.
func TestKernelsMatchLoops(t *testing.T) {
	for _, isa := range isas() {
		t.Run(isa, func(t *testing.T) {
			defer useISA(isa)()
			rng := rand.New(rand.NewPCG(1, 2))
			for _, k := range elementwise {
				for _, n := range testLengths() {
					outs := max(k.inputs, 1)
					in := make([][]float32, k.inputs+1)
					for i := range in {
						off := rng.IntN(4)
						in[i] = testValues(rng, n+off)[off:]
					}
					got, want := make([][]float32, outs), make([][]float32, outs)
					for i := range got {
						got[i], want[i] = make([]float32, n), make([]float32, n)
					}
					k.run(false, want, in)
					k.run(true, got, in)
					for i := range got {
						if !sameBits(got[i], want[i]) {
							t.Fatalf("%s, length %d, output %d:\n got %v\nwant %v", k.name, n, i, got[i], want[i])
						}
					}
				}
			}
		})
	}
}

// TestInPlace checks the kernels whose result may overwrite an input.
func TestInPlace(t *testing.T) {
	for _, isa := range isas() {
		t.Run(isa, func(t *testing.T) {
			defer useISA(isa)()
			rng := rand.New(rand.NewPCG(3, 4))
			x, dy := testValues(rng, 1027), testValues(rng, 1027)
			cases := []struct {
				name       string
				into       []float32 // the input overwritten
				f, inPlace func(dst []float32)
			}{
				{"Mul", x, func(d []float32) { Mul(d, x, dy) }, func(d []float32) { Mul(d, d, dy) }},
				{"Add", x, func(d []float32) { Add(d, x, dy) }, func(d []float32) { Add(d, d, dy) }},
				{"LeakyReLU", x, func(d []float32) { LeakyReLU(d, x, 0.2) }, func(d []float32) { LeakyReLU(d, d, 0.2) }},
				{"LeakyReLUBackward", dy, func(d []float32) { LeakyReLUBackward(d, x, dy, 0.2) }, func(d []float32) { LeakyReLUBackward(d, x, d, 0.2) }},
				{"Tanh", x, func(d []float32) { Tanh(d, x) }, func(d []float32) { Tanh(d, d) }},
				{"TanhBackward", dy, func(d []float32) { TanhBackward(d, x, dy) }, func(d []float32) { TanhBackward(d, x, d) }},
				{"Sigmoid", x, func(d []float32) { Sigmoid(d, x) }, func(d []float32) { Sigmoid(d, d) }},
				{"SigmoidBackward", dy, func(d []float32) { SigmoidBackward(d, x, dy) }, func(d []float32) { SigmoidBackward(d, x, d) }},
			}
			for _, c := range cases {
				want := make([]float32, len(x))
				c.f(want)
				got := append([]float32(nil), c.into...)
				c.inPlace(got)
				if !sameBits(got, want) {
					t.Errorf("%s in place differs", c.name)
				}
			}
		})
	}
}

// TestBiasKernelsMatchLoops checks the row kernels of a dense layer's tail on matrices
// of odd widths against their loops run row by row. At most 9 rows are one block of
// rows, so db is the plain sum down the rows; TestBlockedKernelsMatchLoops checks more
// blocks against the blockwise loop.
func TestBiasKernelsMatchLoops(t *testing.T) {
	for _, isa := range isas() {
		t.Run(isa, func(t *testing.T) {
			defer useISA(isa)()
			rng := rand.New(rand.NewPCG(5, 6))
			for _, cols := range []int{1, 7, 16, 31, 33, 65, 100, 256, 784} {
				rows := 1 + rng.IntN(9)
				x, b, dy := testValues(rng, rows*cols), testValues(rng, cols), testValues(rng, rows*cols)
				db0 := testValues(rng, cols)
				check := func(name string, got, want []float32) {
					t.Helper()
					if !sameBits(got, want) {
						t.Fatalf("%s, %d×%d:\n got %v\nwant %v", name, rows, cols, got, want)
					}
				}
				byRows := func(f func(lo, hi int)) {
					for off := 0; off < rows*cols; off += cols {
						f(off, off+cols)
					}
				}

				got, want := make([]float32, rows*cols), make([]float32, rows*cols)
				BiasLeakyReLU(got, x, b, 0.2)
				byRows(func(lo, hi int) { biasLeakyReLUGo(want[lo:hi], x[lo:hi], b, 0.2) })
				check("BiasLeakyReLU", got, want)

				BiasTanh(got, x, b)
				byRows(func(lo, hi int) { biasTanhGo(want[lo:hi], x[lo:hi], b) })
				check("BiasTanh", got, want)

				y := append([]float32(nil), got...)
				dbGot, dbWant := append([]float32(nil), db0...), append([]float32(nil), db0...)
				BiasTanhBackward(got, dbGot, y, dy)
				byRows(func(lo, hi int) { biasTanhBackwardGo(want[lo:hi], dbWant, y[lo:hi], dy[lo:hi]) })
				check("BiasTanhBackward dx", got, want)
				check("BiasTanhBackward db", dbGot, dbWant)

				dbGot, dbWant = append(dbGot[:0], db0...), append(dbWant[:0], db0...)
				BiasLeakyReLUBackward(got, dbGot, x, dy, 0.2)
				byRows(func(lo, hi int) { biasLeakyReLUBackwardGo(want[lo:hi], dbWant, x[lo:hi], dy[lo:hi], 0.2) })
				check("BiasLeakyReLUBackward dx", got, want)
				check("BiasLeakyReLUBackward db", dbGot, dbWant)
			}
		})
	}
}

// ulps is how many float32 steps apart a and b are.
func ulps(a, b float32) int64 {
	ord := func(v float32) int64 {
		u := int64(math.Float32bits(v))
		if u&(1<<31) != 0 {
			return -(u &^ (1 << 31))
		}
		return u
	}
	d := ord(a) - ord(b)
	if d < 0 {
		d = -d
	}
	return d
}

// TestFloat32Functions bounds the error of the float32 exp, tanh and sigmoid against
// float64's, on a dense sweep of their ranges.
func TestFloat32Functions(t *testing.T) {
	check := func(name string, f func(float32) float32, ref func(float64) float64, lo, hi float64, maxUlps int64, absTol float64) {
		t.Helper()
		for i := 0; i <= 200000; i++ {
			x := float32(lo + (hi-lo)*float64(i)/200000)
			got, want := f(x), float32(ref(float64(x)))
			if ulps(got, want) > maxUlps && math.Abs(float64(got)-float64(want)) > absTol {
				t.Fatalf("%s(%g) = %g, want %g (%d ulps)", name, x, got, want, ulps(got, want))
			}
		}
	}
	check("exp32", exp32, math.Exp, expMin, expMax, 2, 0)
	check("tanh32", tanh32, math.Tanh, -12, 12, 3, 0)
	check("tanh32 near 0", tanh32, math.Tanh, -1e-3, 1e-3, 2, 0)
	sig := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	check("sigmoid32", sigmoid32, sig, -30, 30, 4, 0)
	check("sigmoid32 tails", sigmoid32, sig, -100, 100, 4, 1e-37)
	for _, v := range []float32{float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1))} {
		if got, want := tanh32(v), float32(math.Tanh(float64(v))); math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("tanh32(%g) = %g, want %g", v, got, want)
		}
	}
	if got := sigmoid32(float32(math.Inf(-1))); got != 0 && got > 1e-37 {
		t.Errorf("sigmoid32(-Inf) = %g", got)
	}
	if got := sigmoid32(float32(math.Inf(1))); got != 1 {
		t.Errorf("sigmoid32(+Inf) = %g", got)
	}
	if !isNaN(tanh32(float32(math.NaN()))) || !isNaN(sigmoid32(float32(math.NaN()))) {
		t.Error("NaN in, not NaN out")
	}
}

// TestBatchNormKernels compares the batch-norm kernels with the formulas in float64,
// within a tolerance: (2500, 17) and (3000, 64) sum by blocks of rows, whose grouping
// the formulas ignore (TestBlockedKernelsMatchLoops checks the grouping bit for bit).
func TestBatchNormKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, shape := range [][2]int{{1, 5}, {2, 3}, {64, 1}, {64, 257}, {7, 1024}, {300, 33}, {2500, 17}, {3000, 64}} {
		rows, cols := shape[0], shape[1]
		x, dy := make([]float32, rows*cols), make([]float32, rows*cols)
		for i := range x {
			x[i] = float32(100 + 3*rng.NormFloat64()) // a large mean: the shift keeps the variance's digits
			dy[i] = float32(rng.NormFloat64())
		}
		gamma, beta := testValues(rng, cols), testValues(rng, cols)
		for j := range gamma {
			gamma[j], beta[j] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
		}
		mean, variance, invStd := make([]float32, cols), make([]float32, cols), make([]float32, cols)
		BatchNormStats(mean, variance, x)
		InvStd(invStd, variance, 1e-3)
		y := make([]float32, rows*cols)
		BatchNormApply(y, x, mean, invStd, gamma, beta)
		dx, dgamma, dbeta := make([]float32, rows*cols), make([]float32, cols), make([]float32, cols)
		BatchNormBackward(dx, dgamma, dbeta, dy, x, mean, invStd, gamma)

		near := func(what string, got float32, want, scale float64) {
			t.Helper()
			if math.Abs(float64(got)-want) > 1e-4*scale {
				t.Fatalf("%d×%d %s = %g, want %g", rows, cols, what, got, want)
			}
		}
		n := float64(rows)
		for j := range cols {
			var s, ss float64
			for i := range rows {
				s += float64(x[i*cols+j])
			}
			m := s / n
			for i := range rows {
				d := float64(x[i*cols+j]) - m
				ss += d * d
			}
			v := ss / n
			near(fmt.Sprint("mean ", j), mean[j], m, 100)
			near(fmt.Sprint("variance ", j), variance[j], v, 10)
			is := 1 / math.Sqrt(v+1e-3)
			var sdy, sdyh float64
			for i := range rows {
				h := (float64(x[i*cols+j]) - m) * is
				near("y", y[i*cols+j], float64(gamma[j])*h+float64(beta[j]), 10)
				sdy += float64(dy[i*cols+j])
				sdyh += float64(dy[i*cols+j]) * h
			}
			near("dgamma", dgamma[j], sdyh, n)
			near("dbeta", dbeta[j], sdy, n)
			for i := range rows {
				h := (float64(x[i*cols+j]) - m) * is
				want := float64(gamma[j]) * is / n * (n*float64(dy[i*cols+j]) - sdy - h*sdyh)
				near("dx", dx[i*cols+j], want, 10*math.Max(1, float64(gamma[j])*is))
			}
		}
	}
}

// BenchmarkKernels times each kernel beside its Go loop on a dense layer's activations
// (64×1024, 256 KiB: in L2) and, for Adam, on the largest MLP weight (784×1024, 3 MiB).
func BenchmarkKernels(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, cols = 64 * 1024, 1024
	x, dy, dst := testValues(rng, n), testValues(rng, n), make([]float32, n)
	for i := range x {
		if isNaN(x[i]) || math.IsInf(float64(x[i]), 0) {
			x[i] = 0.5 // keep the slow paths of special values out of the timings
		}
	}
	bias, db := testValues(rng, cols)[:cols], make([]float32, cols)
	const np = 784 * 1024
	p, g, m, v := make([]float32, np), make([]float32, np), make([]float32, np), make([]float32, np)
	cases := []struct {
		name  string
		bytes int
		fast  func()
		loop  func()
	}{
		{"AddTo", 3 * n, func() { AddTo(dst, x) }, func() { addToGo(dst, x) }},
		{"Mul", 3 * n, func() { Mul(dst, x, dy) }, func() { mulGo(dst, x, dy) }},
		{"LeakyReLU", 2 * n, func() { LeakyReLU(dst, x, 0.2) }, func() { leakyReLUGo(dst, x, 0.2) }},
		{"LeakyReLUBackward", 3 * n, func() { LeakyReLUBackward(dst, x, dy, 0.2) }, func() { leakyReLUBackwardGo(dst, x, dy, 0.2) }},
		{"Tanh", 2 * n, func() { Tanh(dst, x) }, func() { tanhGo(dst, x) }},
		{"TanhBackward", 3 * n, func() { TanhBackward(dst, x, dy) }, func() { tanhBackwardGo(dst, x, dy) }},
		{"Sigmoid", 2 * n, func() { Sigmoid(dst, x) }, func() { sigmoidGo(dst, x) }},
		{"BiasLeakyReLU", 2 * n, func() { BiasLeakyReLU(dst, x, bias, 0.2) }, func() {
			for off := 0; off < n; off += cols {
				biasLeakyReLUGo(dst[off:off+cols], x[off:off+cols], bias, 0.2)
			}
		}},
		{"BiasLeakyReLUBackward", 3 * n, func() { BiasLeakyReLUBackward(dst, db, x, dy, 0.2) }, func() {
			for off := 0; off < n; off += cols {
				biasLeakyReLUBackwardGo(dst[off:off+cols], db, x[off:off+cols], dy[off:off+cols], 0.2)
			}
		}},
		{"BiasTanh", 2 * n, func() { BiasTanh(dst, x, bias) }, func() {
			for off := 0; off < n; off += cols {
				biasTanhGo(dst[off:off+cols], x[off:off+cols], bias)
			}
		}},
		{"Adam", 7 * np, func() { Adam(p, g, m, v, AdamStep{0.5, 0.999, 2e-4, 1e-7}) },
			func() { adamGo(p, g, m, v, 0.5, 0.5, 0.999, 0.001, 2e-4, 1e-7) }},
	}
	for _, c := range cases {
		for _, path := range []struct {
			name string
			f    func()
		}{{"fast", c.fast}, {"go", c.loop}} {
			b.Run(c.name+"/"+path.name, func(b *testing.B) {
				b.SetBytes(int64(4 * c.bytes))
				for range b.N {
					path.f()
				}
			})
		}
	}
}

// BenchmarkBatchNorm times the batch-norm kernels on the MLP generator's widest layer.
func BenchmarkBatchNorm(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const rows, cols = 64, 1024
	x, dy, y, dx := testValues(rng, rows*cols), testValues(rng, rows*cols), make([]float32, rows*cols), make([]float32, rows*cols)
	for i := range x {
		x[i], dy[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
	}
	mean, variance, invStd := make([]float32, cols), make([]float32, cols), make([]float32, cols)
	gamma, beta, dg, dbeta := make([]float32, cols), make([]float32, cols), make([]float32, cols), make([]float32, cols)
	for j := range gamma {
		gamma[j] = 1
	}
	b.Run("forward", func(b *testing.B) {
		for range b.N {
			BatchNormStats(mean, variance, x)
			InvStd(invStd, variance, 1e-3)
			BatchNormApply(y, x, mean, invStd, gamma, beta)
		}
	})
	b.Run("backward", func(b *testing.B) {
		for range b.N {
			BatchNormBackward(dx, dg, dbeta, dy, x, mean, invStd, gamma)
		}
	})
}

// BenchmarkColumnSums times the kernels that sum down the columns on the DCGAN's
// shapes: the 28×28 batch norm (12544, 64) and bias gradient (25088, 64), the 64×64×3
// one's largest batch norm (65536, 64).
func BenchmarkColumnSums(b *testing.B) {
	for _, shape := range [][2]int{{12544, 64}, {25088, 64}, {65536, 64}} {
		rows, cols := shape[0], shape[1]
		rng := rand.New(rand.NewPCG(1, 2))
		x, y, dy, dx := make([]float32, rows*cols), make([]float32, rows*cols), make([]float32, rows*cols), make([]float32, rows*cols)
		for i := range x {
			x[i], y[i], dy[i] = float32(rng.NormFloat64()), float32(rng.Float64()*2-1), float32(rng.NormFloat64())
		}
		mean, variance, invStd := make([]float32, cols), make([]float32, cols), make([]float32, cols)
		gamma, dg, db := make([]float32, cols), make([]float32, cols), make([]float32, cols)
		for j := range gamma {
			gamma[j] = 1
		}
		BatchNormStats(mean, variance, x)
		InvStd(invStd, variance, 1e-3)
		for _, k := range []struct {
			name string
			f    func()
		}{
			{"AccumulateColumnSums", func() { AccumulateColumnSums(db, dy) }},
			{"BiasLeakyReLUBackward", func() { BiasLeakyReLUBackward(dx, db, y, dy, 0.2) }},
			{"BatchNormStats", func() { BatchNormStats(mean, variance, x) }},
			{"BatchNormBackward", func() { BatchNormBackward(dx, dg, db, dy, x, mean, invStd, gamma) }},
		} {
			b.Run(fmt.Sprintf("%s/%dx%d", k.name, rows, cols), func(b *testing.B) {
				b.SetBytes(int64(4 * rows * cols))
				for range b.N {
					k.f()
				}
			})
		}
	}
}

// TestBatchNormMatchesLoops runs the batch-norm kernels on each instruction set and
// compares them with their Go loops, bit for bit, on odd widths; 1500 rows are two
// blocks, the second's sums shifted by the first row of the first.
func TestBatchNormMatchesLoops(t *testing.T) {
	type result struct{ mean, variance, y, dx, dgamma, dbeta []float32 }
	run := func(x, dy, gamma, beta []float32, cols int) result {
		r := result{mean: make([]float32, cols), variance: make([]float32, cols), y: make([]float32, len(x)),
			dx: make([]float32, len(x)), dgamma: make([]float32, cols), dbeta: make([]float32, cols)}
		invStd := make([]float32, cols)
		BatchNormStats(r.mean, r.variance, x)
		InvStd(invStd, r.variance, 1e-3)
		BatchNormApply(r.y, x, r.mean, invStd, gamma, beta)
		BatchNormBackward(r.dx, r.dgamma, r.dbeta, dy, x, r.mean, invStd, gamma)
		return r
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for _, cols := range []int{1, 7, 16, 31, 33, 65, 784} {
		for _, rows := range []int{1, 3, 64, 1500} {
			x, dy := make([]float32, rows*cols), make([]float32, rows*cols)
			for i := range x {
				x[i], dy[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
			}
			gamma, beta := make([]float32, cols), make([]float32, cols)
			for j := range gamma {
				gamma[j], beta[j] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
			}
			restore := useISA("go")
			want := run(x, dy, gamma, beta, cols)
			restore()
			for _, isa := range isas() {
				restore := useISA(isa)
				got := run(x, dy, gamma, beta, cols)
				restore()
				for _, c := range []struct {
					name      string
					got, want []float32
				}{{"mean", got.mean, want.mean}, {"variance", got.variance, want.variance}, {"y", got.y, want.y},
					{"dx", got.dx, want.dx}, {"dgamma", got.dgamma, want.dgamma}, {"dbeta", got.dbeta, want.dbeta}} {
					if !sameBits(c.got, c.want) {
						t.Fatalf("%s, %d×%d, %s:\n got %v\nwant %v", isa, rows, cols, c.name, c.got, c.want)
					}
				}
			}
		}
	}
}
