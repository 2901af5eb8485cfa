package cuda

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/gogan/gogan/internal/gemm"
	"github.com/gogan/gogan/internal/vec"
)

// testShapes are the (rows, cols) every kernel runs on; element-wise kernels take
// n = rows·cols.
var testShapes = [][2]int{{1, 1}, {1, 7}, {1, 1000}, {1, 100003}, {3, 5}, {64, 1024}, {256, 784}}

// elemCase is a kernel on (rows, cols) tensors against its plain Go loop. Its
// inputs are full (rows·cols) or, where cols[i], one value a column; out starts
// random, so accumulating kernels are tested too. tol bounds maxError.
type elemCase struct {
	name string
	tol  float64
	cols []bool
	gpu  func(d *Device, out Ptr, in []Ptr, rows, cols int)
	cpu  func(out []float32, in [][]float32, rows, cols int)
}

// loop returns a cpu function applying f to each element with its column.
func loop(f func(out float32, in []float32) float32) func([]float32, [][]float32, int, int) {
	return func(out []float32, in [][]float32, rows, cols int) {
		v := make([]float32, len(in))
		for i := range out {
			for k, x := range in {
				v[k] = x[i%len(x)] // a full input, or one value a column
			}
			out[i] = f(out[i], v)
		}
	}
}

func acc(on bool, out, g float32) float32 {
	if on {
		return out + g
	}
	return g
}

func leaky(v, s float32) float32 {
	if v > 0 {
		return v
	}
	return s * v
}

func relu(v float32) float32 { return max(v, 0) }

var elemCases = []elemCase{
	{"Scale", 0, []bool{false}, func(d *Device, o Ptr, in []Ptr, r, c int) { d.Scale(o, in[0], r*c, -1.7) },
		loop(func(o float32, v []float32) float32 { return -1.7 * v[0] })},
	{"Add", 0, []bool{false, false}, func(d *Device, o Ptr, in []Ptr, r, c int) { d.Add(o, in[0], in[1], r*c) },
		loop(func(o float32, v []float32) float32 { return v[0] + v[1] })},
	{"Sub", 0, []bool{false, false}, func(d *Device, o Ptr, in []Ptr, r, c int) { d.Sub(o, in[0], in[1], r*c) },
		loop(func(o float32, v []float32) float32 { return v[0] - v[1] })},
	{"Mul", 0, []bool{false, false}, func(d *Device, o Ptr, in []Ptr, r, c int) { d.Mul(o, in[0], in[1], r*c) },
		loop(func(o float32, v []float32) float32 { return v[0] * v[1] })},
	{"Accumulate", 0, []bool{false}, func(d *Device, o Ptr, in []Ptr, r, c int) { d.Accumulate(o, in[0], r*c) },
		loop(func(o float32, v []float32) float32 { return o + v[0] })},
	{"AddScaled", 0, []bool{false}, func(d *Device, o Ptr, in []Ptr, r, c int) { d.AddScaled(o, in[0], r*c, 0.3) },
		loop(func(o float32, v []float32) float32 { return o + float32(0.3*v[0]) })},
	{"AddBias", 0, []bool{false, true}, func(d *Device, o Ptr, in []Ptr, r, c int) { d.AddBias(o, in[0], in[1], r, c) },
		loop(func(o float32, v []float32) float32 { return v[0] + v[1] })},
	{"BiasLeakyReLU", 0, []bool{false, true}, func(d *Device, o Ptr, in []Ptr, r, c int) { d.BiasLeakyReLU(o, in[0], in[1], r, c, 0.2) },
		loop(func(o float32, v []float32) float32 { return leaky(v[0]+v[1], 0.2) })},
	{"BiasReLU", 0, []bool{false, true}, func(d *Device, o Ptr, in []Ptr, r, c int) { d.BiasReLU(o, in[0], in[1], r, c) },
		loop(func(o float32, v []float32) float32 { return relu(v[0] + v[1]) })},
	{"BiasTanh", 4e-7, []bool{false, true}, func(d *Device, o Ptr, in []Ptr, r, c int) { d.BiasTanh(o, in[0], in[1], r, c) },
		func(out []float32, in [][]float32, rows, cols int) { vec.BiasTanh(out, in[0], in[1]) }},
	{"LeakyReLU", 0, []bool{false}, func(d *Device, o Ptr, in []Ptr, r, c int) { d.LeakyReLU(o, in[0], r*c, 0.2) },
		loop(func(o float32, v []float32) float32 { return leaky(v[0], 0.2) })},
	{"ReLU", 0, []bool{false}, func(d *Device, o Ptr, in []Ptr, r, c int) { d.ReLU(o, in[0], r*c) },
		loop(func(o float32, v []float32) float32 { return relu(v[0]) })},
	{"Tanh", 4e-7, []bool{false}, func(d *Device, o Ptr, in []Ptr, r, c int) { d.Tanh(o, in[0], r*c) },
		func(out []float32, in [][]float32, rows, cols int) { vec.Tanh(out, in[0]) }},
	{"Sigmoid", 4e-7, []bool{false}, func(d *Device, o Ptr, in []Ptr, r, c int) { d.Sigmoid(o, in[0], r*c) },
		func(out []float32, in [][]float32, rows, cols int) { vec.Sigmoid(out, in[0]) }},
	{"MovingAverage", 0, []bool{false}, func(d *Device, o Ptr, in []Ptr, r, c int) { d.MovingAverage(o, in[0], r*c, 0.99) },
		loop(func(o float32, v []float32) float32 { m := float32(0.99); return m*o + (1-m)*v[0] })},
}

// gradCases adds each activation gradient, dx = g and dx += g.
func gradCases() []elemCase {
	var cs []elemCase
	for _, on := range []bool{false, true} {
		cs = append(cs,
			elemCase{fmt.Sprint("LeakyReLUGrad/acc=", on), 0, []bool{false, false}, func(d *Device, o Ptr, in []Ptr, r, c int) { d.LeakyReLUGrad(o, in[0], in[1], r*c, 0.2, on) },
				loop(func(o float32, v []float32) float32 {
					g := float32(0.2) * v[0]
					if v[1] > 0 {
						g = v[0]
					}
					return acc(on, o, g)
				})},
			elemCase{fmt.Sprint("ReLUGrad/acc=", on), 0, []bool{false, false}, func(d *Device, o Ptr, in []Ptr, r, c int) { d.ReLUGrad(o, in[0], in[1], r*c, on) },
				loop(func(o float32, v []float32) float32 {
					var g float32
					if v[1] > 0 {
						g = v[0]
					}
					return acc(on, o, g)
				})},
			elemCase{fmt.Sprint("TanhGrad/acc=", on), 0, []bool{false, false}, func(d *Device, o Ptr, in []Ptr, r, c int) { d.TanhGrad(o, in[0], in[1], r*c, on) },
				loop(func(o float32, v []float32) float32 { return acc(on, o, v[0]*float32(1-float32(v[1]*v[1]))) })},
			elemCase{fmt.Sprint("SigmoidGrad/acc=", on), 0, []bool{false, false}, func(d *Device, o Ptr, in []Ptr, r, c int) { d.SigmoidGrad(o, in[0], in[1], r*c, on) },
				loop(func(o float32, v []float32) float32 { return acc(on, o, float32(v[0]*v[1])*(1-v[1])) })},
		)
	}
	return cs
}

func TestElementwise(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range append(elemCases, gradCases()...) {
		worst := 0.0
		for _, s := range testShapes {
			rows, cols := s[0], s[1]
			n := rows * cols
			ins := make([][]float32, len(c.cols))
			ptrs := make([]Ptr, len(c.cols))
			for i, perCol := range c.cols {
				ins[i] = randoms(rng, map[bool]int{false: n, true: cols}[perCol])
				ptrs[i] = upload(t, d, ins[i])
			}
			want := randoms(rng, n)
			out := upload(t, d, want)
			c.gpu(d, out, ptrs, rows, cols)
			c.cpu(want, ins, rows, cols)
			got := download(t, d, out, n)
			e := maxError(got, want)
			worst = max(worst, e)
			if e > c.tol {
				t.Errorf("%s %d×%d: max error %.3g > %.3g", c.name, rows, cols, e, c.tol)
			}
		}
		t.Logf("%-22s max error %.3g (tolerance %.3g)", c.name, worst, c.tol)
	}
}

func TestReductions(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(3, 4))
	var worstRows, worstSum, worstLoss float64
	for _, s := range testShapes {
		rows, cols := s[0], s[1]
		n := rows * cols
		x := randoms(rng, n)
		px := upload(t, d, x)
		// SumRows, beta 0 and 0.5.
		for _, beta := range []float32{0, 0.5} {
			out := randoms(rng, cols)
			pout := upload(t, d, out)
			d.SumRows(pout, px, rows, cols, beta)
			for c := range out {
				var s float64
				for r := range rows {
					s += float64(x[r*cols+c])
				}
				if beta == 0 {
					out[c] = float32(s)
				} else {
					out[c] = beta*out[c] + float32(s)
				}
			}
			worstRows = max(worstRows, checkClose(t, "SumRows", download(t, d, pout, cols), out, 1e-6))
		}
		// Sum, twice: the same bits.
		var s float64
		for _, v := range x {
			s += float64(v)
		}
		out := []float32{3}
		pout := upload(t, d, out)
		d.Sum(pout, px, n, 0.5, 2)
		first := download(t, d, pout, 1)
		d.Fill(pout, 1, 3)
		d.Sum(pout, px, n, 0.5, 2)
		second := download(t, d, pout, 1)
		if math.Float32bits(first[0]) != math.Float32bits(second[0]) {
			t.Errorf("Sum n=%d: %v then %v, not the same bits", n, first[0], second[0])
		}
		worstSum = max(worstSum, checkClose(t, "Sum", first, []float32{2*3 + 0.5*float32(s)}, 1e-6))
		// SigmoidCrossEntropy forward and gradient.
		tg := make([]float32, n)
		for i := range tg {
			tg[i] = float32(rng.IntN(2))
		}
		pt := upload(t, d, tg)
		var l float64
		for i, v := range x {
			xv, tv := float64(v), float64(tg[i])
			l += math.Max(xv, 0) - tv*xv + math.Log1p(math.Exp(-math.Abs(xv)))
		}
		d.SigmoidCrossEntropy(pout, px, pt, n)
		worstLoss = max(worstLoss, checkClose(t, "SigmoidCrossEntropy", download(t, d, pout, 1), []float32{float32(l / float64(n))}, 1e-7))
	}
	t.Logf("SumRows max error %.3g; Sum %.3g; SigmoidCrossEntropy %.3g", worstRows, worstSum, worstLoss)
}

func TestSigmoidCrossEntropyGrad(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(5, 6))
	worst := 0.0
	for _, s := range testShapes {
		n := s[0] * s[1]
		x, tg := randoms(rng, n), randoms(rng, n)
		px, pt, pdy := upload(t, d, x), upload(t, d, tg), upload(t, d, []float32{0.7})
		for _, on := range []bool{false, true} {
			dx, dt := randoms(rng, n), randoms(rng, n)
			pdx, pdt := upload(t, d, dx), upload(t, d, dt)
			d.SigmoidCrossEntropyGrad(pdx, pdt, pdy, px, pt, n, on)
			k := float32(0.7) * (1 / float32(n))
			sig := make([]float32, n)
			vec.Sigmoid(sig, x)
			for i := range dx {
				dx[i] = acc(on, dx[i], k*(sig[i]-tg[i]))
				dt[i] = acc(on, dt[i], -k*x[i])
			}
			worst = max(worst, checkClose(t, "SigmoidCrossEntropyGrad dx", download(t, d, pdx, n), dx, 1e-6))
			worst = max(worst, checkClose(t, "SigmoidCrossEntropyGrad dt", download(t, d, pdt, n), dt, 0))
		}
	}
	t.Logf("SigmoidCrossEntropyGrad max error %.3g", worst)
}

// checkClose reports maxError(got, want) above tol and returns it.
func checkClose(t *testing.T, name string, got, want []float32, tol float64) float64 {
	t.Helper()
	e := maxError(got, want)
	if e > tol {
		t.Errorf("%s (n=%d): max error %.3g > %.3g", name, len(want), e, tol)
	}
	return e
}

func TestBatchNorm(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(7, 8))
	const eps = 1e-3
	worst := map[string]float64{}
	for _, s := range testShapes {
		rows, cols := s[0], s[1]
		n := rows * cols
		x := randoms(rng, n)
		for i := range x {
			x[i] = 3*x[i] + 5 // an offset, as activations have
		}
		gamma, beta, dy := randoms(rng, cols), randoms(rng, cols), randoms(rng, n)
		px, pg, pb, pdy := upload(t, d, x), upload(t, d, gamma), upload(t, d, beta), upload(t, d, dy)
		pm, pv, pis := upload(t, d, make([]float32, cols)), upload(t, d, make([]float32, cols)), upload(t, d, make([]float32, cols))
		d.BatchNormMoments(pm, pv, pis, px, rows, cols, eps)
		mean, variance, invStd := make([]float32, cols), make([]float32, cols), make([]float32, cols)
		vec.BatchNormStats(mean, variance, x)
		vec.InvStd(invStd, variance, eps)
		worst["mean"] = max(worst["mean"], checkClose(t, "BatchNormStats mean", download(t, d, pm, cols), mean, 1e-6))
		worst["variance"] = max(worst["variance"], checkClose(t, "BatchNormMoments variance", download(t, d, pv, cols), variance, 1e-6))
		worst["invStd"] = max(worst["invStd"], checkClose(t, "BatchNormStats invStd", download(t, d, pis, cols), invStd, 1e-6))
		// The rest from the CPU's statistics, so each kernel is checked on its own.
		d.CopyToDevice(pm, mean)
		d.CopyToDevice(pis, invStd)
		py := upload(t, d, make([]float32, n))
		d.BatchNormApply(py, px, pm, pis, pg, pb, rows, cols)
		y := make([]float32, n)
		vec.BatchNormApply(y, x, mean, invStd, gamma, beta)
		worst["apply"] = max(worst["apply"], checkClose(t, "BatchNormApply", download(t, d, py, n), y, 0))
		for _, on := range []bool{false, true} {
			dx, dg, db := randoms(rng, n), randoms(rng, cols), randoms(rng, cols)
			pdx, pdg, pdb := upload(t, d, dx), upload(t, d, dg), upload(t, d, db)
			d.BatchNormGrad(pdx, pdg, pdb, pdy, px, pm, pis, pg, rows, cols, on)
			cpuDx := make([]float32, n)
			vec.BatchNormBackward(cpuDx, dg, db, dy, x, mean, invStd, gamma)
			for i := range dx {
				dx[i] = acc(on, dx[i], cpuDx[i])
			}
			worst["dx"] = max(worst["dx"], checkClose(t, "BatchNormGrad dx", download(t, d, pdx, n), dx, 1e-6))
			worst["dgamma"] = max(worst["dgamma"], checkClose(t, "BatchNormGrad dgamma", download(t, d, pdg, cols), dg, 1e-6))
			worst["dbeta"] = max(worst["dbeta"], checkClose(t, "BatchNormGrad dbeta", download(t, d, pdb, cols), db, 1e-6))
		}
		// Null dgamma, dbeta, dx are skipped.
		d.BatchNormGrad(0, 0, 0, pdy, px, pm, pis, pg, rows, cols, false)
		if err := d.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("BatchNorm max errors: %v", worst)
}

// TestInvStd checks InvStd (Adam's kernel read as 1/√(v + eps)) against
// vec.InvStd on variances from 0 to large, eps 1e-3 and 1e-5.
func TestInvStd(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{1, 7, 1000, 100003} {
		variance := make([]float32, n)
		for i := range variance {
			variance[i] = float32(math.Exp(8*rng.Float64() - 6)) // 2.5e-3 to 7.4
		}
		variance[0] = 0
		for _, eps := range []float32{1e-3, 1e-5} {
			want := make([]float32, n)
			vec.InvStd(want, variance, eps)
			pv, pout, scratch := upload(t, d, variance), upload(t, d, randoms(rng, n)), upload(t, d, randoms(rng, 3*n))
			d.InvStd(pout, pv, scratch, n, eps)
			// Relative: invStd reaches 1/√1e-5 ≈ 316.
			got := download(t, d, pout, n)
			for i := range got {
				if e := math.Abs(float64(got[i]-want[i])) / float64(want[i]); !(e <= 4e-7) {
					t.Fatalf("InvStd n=%d eps=%g: [%d] (variance %g) is %g, want %g (relative error %.2g > 4e-7)", n, eps, i, variance[i], got[i], want[i], e)
				}
			}
		}
	}
}

// TestSqrt checks Sqrt (Adam's kernel read as x/√x) against vec.Sqrt, 0 included.
func TestSqrt(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(13, 14))
	for _, n := range []int{1, 7, 1000, 100003} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(math.Exp(40*rng.Float64() - 20)) // 2e-9 to 5e8
		}
		x[0] = 0
		want := make([]float32, n)
		vec.Sqrt(want, x)
		px, py, scratch := upload(t, d, x), upload(t, d, randoms(rng, n)), upload(t, d, randoms(rng, 3*n))
		d.Sqrt(py, px, scratch, n)
		got := download(t, d, py, n)
		if got[0] != 0 {
			t.Fatalf("Sqrt(0) is %g", got[0])
		}
		for i := 1; i < n; i++ {
			if e := math.Abs(float64(got[i]-want[i])) / float64(want[i]); !(e <= 4e-7) {
				t.Fatalf("Sqrt n=%d: [%d] (x %g) is %g, want %g (relative error %.2g > 4e-7)", n, i, x[i], got[i], want[i], e)
			}
		}
		if in := download(t, d, px, n); !slices.Equal(in, x) {
			t.Fatalf("Sqrt n=%d changed its input", n)
		}
	}
}

func TestAdam(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{1, 7, 1000, 100003} {
		p, m, v := randoms(rng, n), make([]float32, n), make([]float32, n)
		pp, pm, pv := upload(t, d, p), upload(t, d, m), upload(t, d, v)
		pg := upload(t, d, make([]float32, n))
		hyper := upload(t, d, make([]float32, 2))
		for step := range 3 {
			g := randoms(rng, n)
			d.CopyToDevice(pg, g)
			s := vec.AdamStep{Beta1: 0.5, Beta2: 0.999, StepSize: 2e-4 * float32(step+1), Epsilon: 1e-7}
			if step == 2 {
				d.CopyToDevice(hyper, []float32{s.StepSize, s.Epsilon})
				d.AdamGuarded(pp, pg, pm, pv, n, s.Beta1, s.Beta2, hyper, 0)
			} else {
				d.Adam(pp, pg, pm, pv, n, s.Beta1, s.Beta2, s.StepSize, s.Epsilon)
			}
			vec.Adam(p, g, m, v, s)
		}
		for _, c := range []struct {
			name string
			ptr  Ptr
			want []float32
		}{{"p", pp, p}, {"m", pm, m}, {"v", pv, v}, {"g", pg, make([]float32, n)}} {
			checkClose(t, "Adam "+c.name, download(t, d, c.ptr, n), c.want, 0)
		}
	}
}

// philox is Philox4x32-10 of the counter (lo, hi, 0, 0) under the key (k0, k1).
func philox(lo, hi, k0, k1 uint32) [4]uint32 {
	c := [4]uint32{lo, hi, 0, 0}
	for r := range 10 {
		if r > 0 {
			k0 += 0x9E3779B9
			k1 += 0xBB67AE85
		}
		p0 := uint64(0xD2511F53) * uint64(c[0])
		p1 := uint64(0xCD9E8D57) * uint64(c[2])
		c = [4]uint32{uint32(p1>>32) ^ c[1] ^ k0, uint32(p1), uint32(p0>>32) ^ c[3] ^ k1, uint32(p0)}
	}
	return c
}

func TestNormal(t *testing.T) {
	d := openOrSkip(t)
	const n = 100003
	var seed, offset uint64 = 0x1234_5678_9abc, 1 << 33
	px := upload(t, d, make([]float32, n))
	d.Normal(px, n, seed, offset)
	got := download(t, d, px, n)
	want := make([]float32, n)
	var s1, s2 float64
	for i := range want {
		ctr := offset + uint64(i)
		w := philox(uint32(ctr), uint32(ctr>>32), uint32(seed), uint32(seed>>32))
		u1 := float64((w[0]>>8)+1) / (1 << 24)
		u2 := float64(w[1]>>8) / (1 << 24)
		want[i] = float32(math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2))
		s1 += float64(got[i])
		s2 += float64(got[i]) * float64(got[i])
	}
	e := checkClose(t, "Normal", got, want, 2e-6)
	mean, variance := s1/n, s2/n-(s1/n)*(s1/n)
	if math.Abs(mean) > 0.02 || math.Abs(variance-1) > 0.02 {
		t.Errorf("Normal: mean %.4f, variance %.4f", mean, variance)
	}
	t.Logf("Normal max error %.3g; mean %.4f, variance %.4f", e, mean, variance)
}

func TestSgemm(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(11, 12))
	worst := 0.0
	for _, sz := range [][3]int{{1, 1, 1}, {3, 5, 7}, {37, 129, 65}, {64, 1024, 100}, {256, 784, 128}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			ra, ca := m, k
			if tr[0] {
				ra, ca = k, m
			}
			rb, cb := k, n
			if tr[1] {
				rb, cb = n, k
			}
			lda, ldb, ldc := ca+3, cb+1, n+2
			a, b, c := randoms(rng, ra*lda), randoms(rng, rb*ldb), randoms(rng, m*ldc)
			pa, pb, pc := upload(t, d, a), upload(t, d, b), upload(t, d, c)
			d.Sgemm(tr[0], tr[1], m, n, k, 0.5, pa, lda, pb, ldb, 0.25, pc, ldc)
			gemm.Reference(tr[0], tr[1], m, n, k, 0.5, a, lda, b, ldb, 0.25, c, ldc)
			e := checkClose(t, fmt.Sprintf("Sgemm %v %d×%d×%d", tr, m, n, k), download(t, d, pc, m*ldc), c, 2e-6*math.Sqrt(float64(k)))
			worst = max(worst, e)
		}
	}
	t.Logf("Sgemm max error %.3g", worst)
}

func TestGraphReplay(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(13, 14))
	const rows, cols, k = 64, 256, 100
	x, w, b := randoms(rng, rows*k), randoms(rng, k*cols), randoms(rng, cols)
	px, pw, pb := upload(t, d, x), upload(t, d, w), upload(t, d, b)
	py, pz, ps := upload(t, d, make([]float32, rows*cols)), upload(t, d, make([]float32, cols)), upload(t, d, make([]float32, 1))
	pacc := upload(t, d, make([]float32, cols))
	step := func() {
		d.Sgemm(false, false, rows, cols, k, 1, px, k, pw, cols, 0, py, cols)
		d.BiasLeakyReLU(py, py, pb, rows, cols, 0.2)
		d.SumRows(pz, py, rows, cols, 0)
		d.Sum(ps, pz, cols, 1, 0)
		d.Accumulate(pacc, pb, cols)
	}
	step()
	eagerY, eagerS := download(t, d, py, rows*cols), download(t, d, ps, 1)
	d.Fill(pacc, cols, 0)
	d.Fill(py, rows*cols, 0)
	if err := d.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := d.BeginCapture(); err != nil {
		t.Fatal(err)
	}
	step()
	g, err := d.EndCapture()
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for range 3 {
		if err := g.Launch(); err != nil {
			t.Fatal(err)
		}
	}
	checkClose(t, "graph y", download(t, d, py, rows*cols), eagerY, 0)
	checkClose(t, "graph sum", download(t, d, ps, 1), eagerS, 0)
	want := make([]float32, cols)
	for range 3 {
		for i := range want {
			want[i] += b[i]
		}
	}
	checkClose(t, "graph accumulate ×3", download(t, d, pacc, cols), want, 0)
}

func TestPinnedRoundTrip(t *testing.T) {
	d := openOrSkip(t)
	const n = 100003
	src, err := d.AllocHost(n)
	if err != nil {
		t.Fatal(err)
	}
	defer d.FreeHost(src)
	dst, err := d.AllocHost(n)
	if err != nil {
		t.Fatal(err)
	}
	defer d.FreeHost(dst)
	for i := range src {
		src[i] = float32(i) * 0.5
	}
	p, q := upload(t, d, make([]float32, n)), upload(t, d, make([]float32, n))
	d.CopyToDevice(p, src)
	d.Copy(q, p, n)
	d.CopyToHost(dst, q)
	if err := d.Sync(); err != nil {
		t.Fatal(err)
	}
	checkClose(t, "pinned round trip", dst, src, 0)
	if d.Name() == "" {
		t.Error("empty device name")
	}
	t.Logf("device %q", d.Name())
}

// TestLaunchOverhead logs what a kernel launch costs through purego, eager and
// replayed in a graph (a figure, not a check).
func TestLaunchOverhead(t *testing.T) {
	d := openOrSkip(t)
	const n, launches = 4096, 2000
	p := upload(t, d, make([]float32, n))
	for range 10 {
		d.Scale(p, p, n, 1)
	}
	if err := d.Sync(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for range launches {
		d.Scale(p, p, n, 1)
	}
	queued := time.Since(start)
	if err := d.Sync(); err != nil {
		t.Fatal(err)
	}
	eager := time.Since(start)
	if err := d.BeginCapture(); err != nil {
		t.Fatal(err)
	}
	for range launches / 10 {
		d.Scale(p, p, n, 1)
	}
	g, err := d.EndCapture()
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	g.Launch()
	d.Sync()
	start = time.Now()
	for range 10 {
		g.Launch()
	}
	if err := d.Sync(); err != nil {
		t.Fatal(err)
	}
	replay := time.Since(start)
	t.Logf("%d launches of a %d-element kernel: %.2f µs each to queue, %.2f µs each eager; in a graph %.2f µs each",
		launches, n, us(queued)/launches, us(eager)/launches, us(replay)/launches)
	const rows, cols, k = 64, 256, 100
	a, b, c := upload(t, d, make([]float32, rows*k)), upload(t, d, make([]float32, k*cols)), upload(t, d, make([]float32, rows*cols))
	d.Sgemm(false, false, rows, cols, k, 1, a, k, b, cols, 0, c, cols)
	d.Sync()
	start = time.Now()
	for range launches {
		d.Sgemm(false, false, rows, cols, k, 1, a, k, b, cols, 0, c, cols)
	}
	queued = time.Since(start)
	if err := d.Sync(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d Sgemm %d×%d×%d: %.2f µs each to queue, %.2f µs each eager", launches, rows, cols, k, us(queued)/launches, us(time.Since(start))/launches)
}

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
