package cuda

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Tests of spectral.go's kernels against plain Go loops (the CPU code of
// autograd.Div, nn.SpectralNormLayer's power iteration, gan's clipWeights and
// optim's RMSprop and SGD), bit for bit.

// checkBitsEqual reports the first value of got whose bits differ from want's (any
// NaN matches any NaN).
func checkBitsEqual(t *testing.T, name string, got, want []float32) {
	t.Helper()
	for i, w := range want {
		g := got[i]
		if math.Float32bits(g) != math.Float32bits(w) && !(g != g && w != w) {
			t.Errorf("%s (n=%d): [%d] is %g on the GPU, %g in Go", name, len(want), i, g, w)
			return
		}
	}
}

func TestDivide(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(21, 22))
	for _, n := range []int{1, 7, 1000, 100003} {
		x, y := randoms(rng, n), randoms(rng, n)
		y[0] = 0 // x/0: ±Inf or NaN, as in Go
		want := make([]float32, n)
		for i := range want {
			want[i] = x[i] / y[i]
		}
		pz := upload(t, d, make([]float32, n))
		d.Divide(pz, upload(t, d, x), upload(t, d, y), n)
		checkBitsEqual(t, "Divide", download(t, d, pz, n), want)
	}
}

// powerIterationGo is nn.SpectralNormLayer's powerIteration for k (rows, cols).
func powerIterationGo(k, u, v []float32, rows, cols int) {
	normalizeTo := func(dst []float32, x []float64) {
		var ss float64
		for _, a := range x {
			ss += a * a
		}
		n := max(math.Sqrt(ss), 1e-12)
		for i, a := range x {
			dst[i] = float32(a / n)
		}
	}
	ku, ktv := make([]float64, rows), make([]float64, cols)
	for i := range ku {
		var sum float64
		for j, w := range k[i*cols : (i+1)*cols] {
			sum += float64(w) * float64(u[j])
		}
		ku[i] = sum
	}
	normalizeTo(v, ku)
	for i, vi := range v {
		for j, w := range k[i*cols : (i+1)*cols] {
			ktv[j] += float64(w) * float64(vi)
		}
	}
	normalizeTo(u, ktv)
}

func TestPowerIteration(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(23, 24))
	for _, s := range [][2]int{{1, 1}, {3, 5}, {7, 1}, {1, 9}, {75, 64}, {1600, 128}, {8192, 1}, {257, 300}} {
		rows, cols := s[0], s[1]
		k, u, v := randoms(rng, rows*cols), randoms(rng, cols), make([]float32, rows)
		pk, pu, pv := upload(t, d, k), upload(t, d, u), upload(t, d, v)
		scratch := upload(t, d, make([]float32, PowerIterationScratch(rows, cols)))
		for range 3 { // the later steps start from the GPU's u
			d.PowerIteration(pk, pu, pv, rows, cols, scratch)
			powerIterationGo(k, u, v, rows, cols)
		}
		checkBitsEqual(t, "PowerIteration u", download(t, d, pu, cols), u)
		checkBitsEqual(t, "PowerIteration v", download(t, d, pv, rows), v)
	}
	// A zero kernel: the norms are clamped to 1e-12, u and v become 0.
	k, u, v := make([]float32, 12), randoms(rng, 4), randoms(rng, 3)
	pk, pu, pv := upload(t, d, k), upload(t, d, u), upload(t, d, v)
	d.PowerIteration(pk, pu, pv, 3, 4, upload(t, d, make([]float32, PowerIterationScratch(3, 4))))
	powerIterationGo(k, u, v, 3, 4)
	checkBitsEqual(t, "PowerIteration of zeros u", download(t, d, pu, 4), u)
	checkBitsEqual(t, "PowerIteration of zeros v", download(t, d, pv, 3), v)
}

func TestClipWeights(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(25, 26))
	const c = 0.01
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	for _, n := range []int{1, 7, 1000, 100003} {
		p := randoms(rng, n)
		for i := range p {
			p[i] *= 0.01 // half inside ±c
		}
		copy(p, []float32{nan, inf, -inf, c, -c, 0, 2 * c}[:min(n, 7)])
		want := make([]float32, n)
		for i, x := range p {
			want[i] = max(-c, min(c, x))
		}
		for _, g := range []struct {
			name  string
			guard []float32
			want  []float32
		}{{"no guard", nil, want}, {"finite guard", []float32{1.5}, want}, {"NaN guard", []float32{nan}, p}, {"Inf guard", []float32{-inf}, p}} {
			pp := upload(t, d, p)
			var guard Ptr
			if g.guard != nil {
				guard = upload(t, d, g.guard)
			}
			d.ClipWeights(pp, n, c, guard)
			checkBitsEqual(t, "ClipWeights "+g.name, download(t, d, pp, n), g.want)
		}
	}
}

// rmspropGo is optim.RMSprop's Step on one parameter.
func rmspropGo(p, g, s []float32, lr, rho, eps float32) {
	for i, gi := range g {
		si := rho*s[i] + (1-rho)*gi*gi
		s[i] = si
		p[i] -= lr * gi / (float32(math.Sqrt(float64(si))) + eps)
		g[i] = 0
	}
}

// sgdGo is optim.SGD's Step on one parameter.
func sgdGo(p, g, vel []float32, lr, mu float32, nesterov bool) {
	for i, gi := range g {
		v := mu*vel[i] - lr*gi
		vel[i] = v
		if nesterov {
			p[i] += mu*v - lr*gi
		} else {
			p[i] += v
		}
		g[i] = 0
	}
}

// TestOptimizers runs three RMSprop and SGD updates on the GPU and in Go, the
// learning rate changing each step (through hyper), then one whose guard is
// not finite, which changes nothing.
func TestOptimizers(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(27, 28))
	const rho, eps, mu = 0.9, 1e-7, 0.9
	cases := []struct {
		name string
		gpu  func(p, g, slot Ptr, n int, hyper, guard Ptr)
		cpu  func(p, g, slot []float32, lr float32)
	}{
		{"RMSprop", func(p, g, s Ptr, n int, hyper, guard Ptr) { d.RMSprop(p, g, s, n, rho, hyper, guard) },
			func(p, g, s []float32, lr float32) { rmspropGo(p, g, s, lr, rho, eps) }},
		{"SGD", func(p, g, v Ptr, n int, hyper, guard Ptr) { d.SGD(p, g, v, n, 0, false, hyper, guard) },
			func(p, g, v []float32, lr float32) { sgdGo(p, g, v, lr, 0, false) }},
		{"SGD/momentum", func(p, g, v Ptr, n int, hyper, guard Ptr) { d.SGD(p, g, v, n, mu, false, hyper, guard) },
			func(p, g, v []float32, lr float32) { sgdGo(p, g, v, lr, mu, false) }},
		{"SGD/nesterov", func(p, g, v Ptr, n int, hyper, guard Ptr) { d.SGD(p, g, v, n, mu, true, hyper, guard) },
			func(p, g, v []float32, lr float32) { sgdGo(p, g, v, lr, mu, true) }},
	}
	for _, c := range cases {
		for _, n := range []int{1, 7, 1000, 100003} {
			p, slot, g := randoms(rng, n), make([]float32, n), make([]float32, n)
			pp, ps, pg := upload(t, d, p), upload(t, d, slot), upload(t, d, g)
			hyper := upload(t, d, make([]float32, 2))
			guard := upload(t, d, []float32{0.5})
			for step := range 3 {
				lr := 1e-3 * float32(step+1)
				g = randoms(rng, n)
				d.CopyToDevice(pg, g)
				d.CopyToDevice(hyper, []float32{lr, eps})
				guardPtr := guard
				if step == 0 {
					guardPtr = 0
				}
				c.gpu(pp, pg, ps, n, hyper, guardPtr)
				c.cpu(p, g, slot, lr)
			}
			for _, o := range []struct {
				name string
				ptr  Ptr
				want []float32
			}{{"p", pp, p}, {"slot", ps, slot}, {"g", pg, g}} {
				checkBitsEqual(t, c.name+" "+o.name, download(t, d, o.ptr, n), o.want)
			}
			// A guard that is not finite: p, g and the slot stay as they are.
			g = randoms(rng, n)
			d.CopyToDevice(pg, g)
			d.CopyToDevice(guard, []float32{float32(math.NaN())})
			c.gpu(pp, pg, ps, n, hyper, guard)
			for _, o := range []struct {
				name string
				ptr  Ptr
				want []float32
			}{{"p", pp, p}, {"slot", ps, slot}, {"g", pg, g}} {
				checkBitsEqual(t, c.name+" guarded "+o.name, download(t, d, o.ptr, n), o.want)
			}
		}
	}
}
