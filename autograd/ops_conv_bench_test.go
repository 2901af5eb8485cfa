package autograd_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/gemm"
)

// dcganConvs are the convolutions of the DCGAN at batch 64, each as the Conv2D
// whose three ops (forward, input gradient, filter gradient) training runs.
// A Conv2DTranspose layer of G is the input gradient of the Conv2D listed; D's
// second convolution has the geometry of G's second transposed one.
var dcganConvs = []struct {
	name string
	c    convCase
}{
	{"G_ct1", convCase{n: 64, h: 7, w: 7, ci: 128, co: 256, kh: 5, kw: 5, sh: 1, sw: 1, pad: autograd.Same}},
	{"G_ct2", convCase{n: 64, h: 14, w: 14, ci: 64, co: 128, kh: 5, kw: 5, sh: 2, sw: 2, pad: autograd.Same}},
	{"D_c2", convCase{n: 128, h: 14, w: 14, ci: 64, co: 128, kh: 5, kw: 5, sh: 2, sw: 2, pad: autograd.Same}},
	{"D_c1_G_ct3", convCase{n: 64, h: 28, w: 28, ci: 1, co: 64, kh: 5, kw: 5, sh: 2, sw: 2, pad: autograd.Same}},
	{"rgb_c1", convCase{n: 64, h: 64, w: 64, ci: 3, co: 64, kh: 4, kw: 4, sh: 2, sw: 2, pad: autograd.Same}},
	{"rgb_c2", convCase{n: 64, h: 32, w: 32, ci: 64, co: 128, kh: 4, kw: 4, sh: 2, sw: 2, pad: autograd.Same}},
	{"rgb_c3", convCase{n: 64, h: 16, w: 16, ci: 128, co: 256, kh: 4, kw: 4, sh: 2, sw: 2, pad: autograd.Same}},
	{"rgb_c4", convCase{n: 64, h: 8, w: 8, ci: 256, co: 512, kh: 4, kw: 4, sh: 2, sw: 2, pad: autograd.Same}},
}

// BenchmarkConv times the three convolution ops on the DCGAN's shapes, in
// GFLOP/s, beside the bare Sgemm of the same product (no im2col, no col2im):
// the gap is what gathering and scattering patches costs.
func BenchmarkConv(b *testing.B) {
	for _, l := range dcganConvs {
		c := l.c
		oh, ow, _, _ := c.geometry()
		rows, k := c.n*oh*ow, c.kh*c.kw*c.ci
		flops := 2 * float64(rows) * float64(k) * float64(c.co)
		rng := rand.New(rand.NewPCG(1, 2))
		x := randomFloats(rng, c.n*c.h*c.w*c.ci)
		w := randomFloats(rng, k*c.co)
		dy := randomFloats(rng, rows*c.co)
		strides := [2]int{c.sh, c.sw}
		g := autograd.NewGraph(nil)
		ops := []struct {
			name string
			run  func()
		}{
			{"conv", func() {
				g.Conv2D(g.Input(x, false, c.n, c.h, c.w, c.ci), g.Input(w, false, c.kh, c.kw, c.ci, c.co), strides, c.pad)
			}},
			{"convT", func() {
				// The transposed convolution from dy's shape back to x's: Keras's layout (kh, kw, ci, co) is the kernel.
				g.Conv2DTranspose(g.Input(dy, false, c.n, oh, ow, c.co), g.Input(w, false, c.kh, c.kw, c.ci, c.co), strides, c.pad)
			}},
			{"convW", func() {
				g.Conv2DFilterGrad(g.Input(x, false, c.n, c.h, c.w, c.ci), g.Input(dy, false, c.n, oh, ow, c.co), [2]int{c.kh, c.kw}, strides, c.pad)
			}},
		}
		col := make([]float32, rows*k)
		out := make([]float32, max(rows*c.co, rows*k, k*c.co))
		bare := []struct {
			name string
			run  func()
		}{
			{"conv", func() { gemm.Sgemm(false, false, rows, c.co, k, 1, col, k, w, c.co, 0, out, c.co) }},
			{"convT", func() { gemm.Sgemm(false, true, rows, k, c.co, 1, dy, c.co, w, c.co, 0, out, k) }},
			{"convW", func() { gemm.Sgemm(true, false, k, c.co, rows, 1, col, k, dy, c.co, 0, out, c.co) }},
		}
		for i, op := range ops {
			for _, v := range []struct {
				path string
				run  func()
			}{{"op", op.run}, {"sgemm", bare[i].run}} {
				b.Run(fmt.Sprintf("%s/%s/%s", l.name, op.name, v.path), func(b *testing.B) {
					v.run()
					g.Reset()
					b.ResetTimer()
					for range b.N {
						v.run()
						g.Reset()
					}
					b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}
