package autograd_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/gradcheck"
	"github.com/gogan/gogan/internal/parallel"
)

// convCase is one convolution geometry: input (n, h, w, ci), kernel (kh, kw),
// co output channels, strides (sh, sw) and padding.
type convCase struct {
	n, h, w, ci, co, kh, kw, sh, sw int
	pad                             autograd.Padding
}

func (c convCase) String() string {
	return fmt.Sprintf("x%dx%dx%dx%d_k%dx%d_co%d_s%dx%d_%v", c.n, c.h, c.w, c.ci, c.kh, c.kw, c.co, c.sh, c.sw, c.pad)
}

// tfOut and tfPadBefore are TensorFlow's padding rules, written out again here
// so that the tests do not trust the code they test: Same gives ⌈in/s⌉ outputs
// and pads max((out−1)·s + k − in, 0) in all, half (rounded down) before;
// Valid gives ⌊(in−k)/s⌋ + 1 and pads nothing.
func tfOut(in, k, s int, pad autograd.Padding) int {
	if pad == autograd.Same {
		return int(math.Ceil(float64(in) / float64(s)))
	}
	return int(math.Floor(float64(in-k)/float64(s))) + 1
}

func tfPadBefore(in, k, s int, pad autograd.Padding) int {
	if pad == autograd.Valid {
		return 0
	}
	return max((tfOut(in, k, s, pad)-1)*s+k-in, 0) / 2
}

// geometry is the output size and the padding before, by TensorFlow's rules.
func (c convCase) geometry() (oh, ow, pt, pl int) {
	return tfOut(c.h, c.kh, c.sh, c.pad), tfOut(c.w, c.kw, c.sw, c.pad),
		tfPadBefore(c.h, c.kh, c.sh, c.pad), tfPadBefore(c.w, c.kw, c.sw, c.pad)
}

// randomConvCases draws geometries with kernels 1–5, strides 1–2, both
// paddings, odd and even sizes and several channel counts; Valid cases are
// kept only where the kernel fits.
func randomConvCases(rng *rand.Rand, count int) []convCase {
	var cases []convCase
	for len(cases) < count {
		c := convCase{
			n: 1 + rng.IntN(2), h: 1 + rng.IntN(8), w: 1 + rng.IntN(8),
			ci: []int{1, 2, 3, 4}[rng.IntN(4)], co: []int{1, 2, 3, 5}[rng.IntN(4)],
			kh: 1 + rng.IntN(5), kw: 1 + rng.IntN(5), sh: 1 + rng.IntN(2), sw: 1 + rng.IntN(2),
			pad: autograd.Padding(rng.IntN(2)),
		}
		if c.pad == autograd.Valid && (c.kh > c.h || c.kw > c.w) {
			continue
		}
		cases = append(cases, c)
	}
	return cases
}

// refConv2D is Conv2D as the plain loop of its definition, in float64:
// y[n,oh,ow,co] = Σ_{i,j,ci} x[n, oh·sh − pt + i, ow·sw − pl + j, ci]·w[i,j,ci,co].
func refConv2D(c convCase, x, w []float32) []float64 {
	oh, ow, pt, pl := c.geometry()
	y := make([]float64, c.n*oh*ow*c.co)
	for n := 0; n < c.n; n++ {
		for r := 0; r < oh; r++ {
			for s := 0; s < ow; s++ {
				for co := 0; co < c.co; co++ {
					var sum float64
					for i := 0; i < c.kh; i++ {
						for j := 0; j < c.kw; j++ {
							ih, iw := r*c.sh-pt+i, s*c.sw-pl+j
							if ih < 0 || ih >= c.h || iw < 0 || iw >= c.w {
								continue
							}
							for ci := 0; ci < c.ci; ci++ {
								sum += float64(x[((n*c.h+ih)*c.w+iw)*c.ci+ci]) * float64(w[((i*c.kw+j)*c.ci+ci)*c.co+co])
							}
						}
					}
					y[((n*oh+r)*ow+s)*c.co+co] = sum
				}
			}
		}
	}
	return y
}

// refConvTranspose is Keras's Conv2DTranspose as a scatter loop: input x
// (n, h, w, ci), kernel (kh, kw, co, ci), output (n, OH, OW, co) with
// OH = h·sh (Same) or h·sh + max(kh − sh, 0) (Valid); every input pixel adds
// its kernel-weighted copy at (h·sh − pt + i, w·sw − pl + j), where pt, pl
// are the padding of the Conv2D from (OH, OW) back to (h, w).
func refConvTranspose(c convCase, x, w []float32) (y []float64, oh, ow int) {
	out := func(in, k, s int) int {
		if c.pad == autograd.Same {
			return in * s
		}
		return in*s + max(k-s, 0)
	}
	oh, ow = out(c.h, c.kh, c.sh), out(c.w, c.kw, c.sw)
	pt, pl := tfPadBefore(oh, c.kh, c.sh, c.pad), tfPadBefore(ow, c.kw, c.sw, c.pad)
	y = make([]float64, c.n*oh*ow*c.co)
	for n := 0; n < c.n; n++ {
		for r := 0; r < c.h; r++ {
			for s := 0; s < c.w; s++ {
				for i := 0; i < c.kh; i++ {
					for j := 0; j < c.kw; j++ {
						yh, yw := r*c.sh-pt+i, s*c.sw-pl+j
						if yh < 0 || yh >= oh || yw < 0 || yw >= ow {
							continue
						}
						for ci := 0; ci < c.ci; ci++ {
							xv := float64(x[((n*c.h+r)*c.w+s)*c.ci+ci])
							for co := 0; co < c.co; co++ {
								y[((n*oh+yh)*ow+yw)*c.co+co] += xv * float64(w[((i*c.kw+j)*c.co+co)*c.ci+ci])
							}
						}
					}
				}
			}
		}
	}
	return y, oh, ow
}

// refFilterGrad is the gradient of Σ dy⊙Conv2D(x, w) in w as a loop:
// dw[i,j,ci,co] = Σ_{n,oh,ow} x[n, oh·sh − pt + i, ow·sw − pl + j, ci]·dy[n,oh,ow,co].
func refFilterGrad(c convCase, x, dy []float32) []float64 {
	oh, ow, pt, pl := c.geometry()
	dw := make([]float64, c.kh*c.kw*c.ci*c.co)
	for n := 0; n < c.n; n++ {
		for r := 0; r < oh; r++ {
			for s := 0; s < ow; s++ {
				for i := 0; i < c.kh; i++ {
					for j := 0; j < c.kw; j++ {
						ih, iw := r*c.sh-pt+i, s*c.sw-pl+j
						if ih < 0 || ih >= c.h || iw < 0 || iw >= c.w {
							continue
						}
						for ci := 0; ci < c.ci; ci++ {
							for co := 0; co < c.co; co++ {
								dw[((i*c.kw+j)*c.ci+ci)*c.co+co] += float64(x[((n*c.h+ih)*c.w+iw)*c.ci+ci]) * float64(dy[((n*oh+r)*ow+s)*c.co+co])
							}
						}
					}
				}
			}
		}
	}
	return dw
}

func randomFloats(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}

// closeTo fails the test when got and want differ by more than a float32
// rounding allowance scaled by the size of the sums.
func closeTo(t *testing.T, what string, got []float32, shape []int, want []float64, wantShape []int) {
	t.Helper()
	if fmt.Sprint(shape) != fmt.Sprint(wantShape) {
		t.Fatalf("%s: shape %v, want %v", what, shape, wantShape)
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(float64(got[i]) - want[i]); d > 1e-4+1e-4*math.Abs(want[i]) {
			t.Fatalf("%s: [%d] = %g, want %g", what, i, got[i], want[i])
		}
	}
}

func toShape(d ...int) []int { return d }

// TestConvOpsMatchLoops compares Conv2D, Conv2DTranspose and Conv2DFilterGrad
// with their nested-loop definitions on random geometries, including large
// batches that the ops cut into several chunks.
func TestConvOpsMatchLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	cases := randomConvCases(rng, 60)
	cases = append(cases,
		convCase{n: 40, h: 14, w: 14, ci: 16, co: 8, kh: 5, kw: 5, sh: 2, sw: 2, pad: autograd.Same},  // several chunks
		convCase{n: 3, h: 7, w: 7, ci: 16, co: 12, kh: 1, kw: 1, sh: 1, sw: 1, pad: autograd.Valid},   // pointwise
		convCase{n: 2, h: 9, w: 5, ci: 3, co: 2, kh: 3, kw: 2, sh: 2, sw: 1, pad: autograd.Valid},     // rectangular
		convCase{n: 300, h: 6, w: 6, ci: 4, co: 3, kh: 5, kw: 5, sh: 1, sw: 1, pad: autograd.Same},    // several chunks, stride 1
		convCase{n: 1, h: 3, w: 3, ci: 2, co: 2, kh: 1, kw: 1, sh: 3, sw: 3, pad: autograd.Valid},     // stride > kernel
		convCase{n: 1, h: 4, w: 4, ci: 1, co: 1, kh: 2, kw: 2, sh: 3, sw: 3, pad: autograd.Same},      // stride > kernel, padded
		convCase{n: 1, h: 1, w: 1, ci: 3, co: 2, kh: 5, kw: 5, sh: 2, sw: 2, pad: autograd.Same},      // kernel larger than image
		convCase{n: 3, h: 14, w: 14, ci: 64, co: 128, kh: 5, kw: 5, sh: 2, sw: 2, pad: autograd.Same}, // the DCGAN critic's second conv
		convCase{n: 2, h: 36, w: 36, ci: 64, co: 4, kh: 5, kw: 5, sh: 1, sw: 1, pad: autograd.Same},   // chunks within an image
		convCase{n: 5, h: 7, w: 7, ci: 8, co: 6, kh: 7, kw: 3, sh: 1, sw: 1, pad: autograd.Same},      // a class per output row
		convCase{n: 21, h: 28, w: 28, ci: 1, co: 64, kh: 5, kw: 5, sh: 2, sw: 2, pad: autograd.Same},  // filter gradient in 16 slices of 1 or 2 images
		convCase{n: 9, h: 32, w: 32, ci: 3, co: 5, kh: 4, kw: 4, sh: 2, sw: 2, pad: autograd.Same},    // filter gradient in 9 slices
	)
	for _, c := range cases {
		t.Run(c.String(), func(t *testing.T) {
			oh, ow, _, _ := c.geometry()
			x := randomFloats(rng, c.n*c.h*c.w*c.ci)
			w := randomFloats(rng, c.kh*c.kw*c.ci*c.co)
			dy := randomFloats(rng, c.n*oh*ow*c.co)
			g := autograd.NewGraph(nil)
			xv := g.Input(x, false, c.n, c.h, c.w, c.ci)
			wv := g.Input(w, false, c.kh, c.kw, c.ci, c.co)
			dyv := g.Input(dy, false, c.n, oh, ow, c.co)
			strides := [2]int{c.sh, c.sw}

			y := g.Conv2D(xv, wv, strides, c.pad)
			closeTo(t, "Conv2D", y.Data, y.Shape, refConv2D(c, x, w), toShape(c.n, oh, ow, c.co))

			dw := g.Conv2DFilterGrad(xv, dyv, [2]int{c.kh, c.kw}, strides, c.pad)
			closeTo(t, "Conv2DFilterGrad", dw.Data, dw.Shape, refFilterGrad(c, x, dy), toShape(c.kh, c.kw, c.ci, c.co))

			// Conv2DTranspose maps (n, h, w, ci) to co channels with a (kh, kw, co, ci) kernel.
			wt := randomFloats(rng, c.kh*c.kw*c.co*c.ci)
			z := g.Conv2DTranspose(xv, g.Input(wt, false, c.kh, c.kw, c.co, c.ci), strides, c.pad)
			want, zh, zw := refConvTranspose(c, x, wt)
			closeTo(t, "Conv2DTranspose", z.Data, z.Shape, want, toShape(c.n, zh, zw, c.co))
		})
	}
}

// TestConvTransposeIsAdjoint checks ⟨Conv2DTranspose(d, w), z⟩ = ⟨d, Conv2D(z, w)⟩:
// the transposed convolution is exactly the adjoint of the Conv2D with the same
// kernel that maps its output shape back to its input shape.
func TestConvTransposeIsAdjoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, c := range randomConvCases(rng, 40) {
		g := autograd.NewGraph(nil)
		strides := [2]int{c.sh, c.sw}
		d := g.Input(randomFloats(rng, c.n*c.h*c.w*c.ci), false, c.n, c.h, c.w, c.ci)
		w := g.Input(randomFloats(rng, c.kh*c.kw*c.co*c.ci), false, c.kh, c.kw, c.co, c.ci)
		zt := g.Conv2DTranspose(d, w, strides, c.pad)
		z := g.Input(randomFloats(rng, len(zt.Data)), false, zt.Shape...)
		cz := g.Conv2D(z, w, strides, c.pad)
		if fmt.Sprint(cz.Shape) != fmt.Sprint(d.Shape) {
			t.Fatalf("%v: Conv2D maps the transposed output %v to %v, want %v", c, zt.Shape, cz.Shape, d.Shape)
		}
		lhs, rhs := dot(zt.Data, z.Data), dot(d.Data, cz.Data)
		if math.Abs(lhs-rhs) > 1e-4*(1+math.Abs(lhs)) {
			t.Fatalf("%v: ⟨convT(d), z⟩ = %g, ⟨d, conv(z)⟩ = %g", c, lhs, rhs)
		}
	}
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// TestConvGradients checks the gradients of the three convolution ops, in
// both arguments, against finite differences on random geometries. As each
// op's backward is the other two, this checks every backward rule twice.
func TestConvGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, c := range randomConvCases(rng, 16) {
		oh, ow, _, _ := c.geometry()
		strides := [2]int{c.sh, c.sw}
		x := gradcheck.RandomParam(rng, "x", c.n, c.h, c.w, c.ci)
		w := gradcheck.RandomParam(rng, "w", c.kh, c.kw, c.ci, c.co)
		dy := gradcheck.RandomParam(rng, "dy", c.n, oh, ow, c.co)
		wt := gradcheck.RandomParam(rng, "wt", c.kh, c.kw, c.co, c.ci)
		t.Run("Conv2D/"+c.String(), func(t *testing.T) {
			gradcheck.Check(t, "Conv2D", []*autograd.Var{x, w}, func(g *autograd.Graph) *autograd.Var {
				return g.Conv2D(x, w, strides, c.pad)
			}, 1e-2)
		})
		t.Run("Conv2DTranspose/"+c.String(), func(t *testing.T) {
			gradcheck.Check(t, "Conv2DTranspose", []*autograd.Var{x, wt}, func(g *autograd.Graph) *autograd.Var {
				return g.Conv2DTranspose(x, wt, strides, c.pad)
			}, 1e-2)
		})
		t.Run("Conv2DFilterGrad/"+c.String(), func(t *testing.T) {
			gradcheck.Check(t, "Conv2DFilterGrad", []*autograd.Var{x, dy}, func(g *autograd.Graph) *autograd.Var {
				return g.Conv2DFilterGrad(x, dy, [2]int{c.kh, c.kw}, strides, c.pad)
			}, 1e-2)
		})
	}
}

func TestConvSizes(t *testing.T) {
	cases := []struct {
		in, k, s     int
		pad          autograd.Padding
		out, before  int
		after, trans int
	}{
		// Keras: Conv2D(k=5, strides=2, 'same') on 28 gives 14, padding 1 and 2;
		// Conv2DTranspose(k=5, strides=2, 'same') on 7 gives 14.
		{28, 5, 2, autograd.Same, 14, 1, 2, 56},
		{14, 5, 2, autograd.Same, 7, 1, 2, 28},
		{7, 5, 1, autograd.Same, 7, 2, 2, 7},
		{7, 3, 2, autograd.Same, 4, 1, 1, 14},
		{8, 3, 2, autograd.Same, 4, 0, 1, 16},
		{28, 5, 2, autograd.Valid, 12, 0, 0, 59},
		{7, 3, 1, autograd.Valid, 5, 0, 0, 9},
		{7, 1, 2, autograd.Valid, 4, 0, 0, 14},
		{3, 5, 1, autograd.Valid, 0, 0, 0, 7},
	}
	for _, c := range cases {
		out := autograd.ConvOutputSize(c.in, c.k, c.s, c.pad)
		before, after := autograd.ConvPadding(c.in, c.k, c.s, c.pad)
		trans := autograd.ConvTransposeOutputSize(c.in, c.k, c.s, c.pad)
		if out != c.out || before != c.before || after != c.after || trans != c.trans {
			t.Errorf("in %d k %d stride %d %v: out %d pad %d+%d transposed %d, want %d %d+%d %d",
				c.in, c.k, c.s, c.pad, out, before, after, trans, c.out, c.before, c.after, c.trans)
		}
	}
}

// TestConvSecondOrderGradient checks a WGAN-GP gradient penalty through a small
// convolutional critic, P = Σ_i (‖∂D/∂x_i‖ − 1)², D = Conv2D → LeakyReLU →
// Conv2D → Dense, and through networks using the other image ops, against
// finite differences of P in the weights.
func TestConvSecondOrderGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	w1 := gradcheck.RandomParam(rng, "w1", 3, 3, 2, 4)
	b1 := gradcheck.RandomParam(rng, "b1", 4)
	w2 := gradcheck.RandomParam(rng, "w2", 3, 3, 4, 3)
	b2 := gradcheck.RandomParam(rng, "b2", 3)
	wt := gradcheck.RandomParam(rng, "wt", 3, 3, 3, 2) // Conv2DTranspose: 2 → 3 channels
	w4 := gradcheck.RandomParam(rng, "w4", 3, 3, 3, 2)
	for _, p := range []*autograd.Var{w1, b1, w2, b2, wt, w4} {
		for i := range p.Data {
			p.Data[i] *= 0.5
		}
	}
	bias := func(g *autograd.Graph, h, b *autograd.Var) *autograd.Var {
		flat := g.Reshape(h, len(h.Data)/len(b.Data), len(b.Data))
		return g.Reshape(g.AddBias(flat, b), h.Shape...)
	}
	s2, s1 := [2]int{2, 2}, [2]int{1, 1}
	nets := []struct {
		name   string
		in     []int
		params []*autograd.Var
		f      func(g *autograd.Graph, x *autograd.Var) *autograd.Var // image → (N, features)
	}{
		{"Conv2D LeakyReLU Conv2D", []int{3, 7, 6, 2}, []*autograd.Var{w1, b1, w2, b2}, func(g *autograd.Graph, x *autograd.Var) *autograd.Var {
			h := g.LeakyReLU(bias(g, g.Conv2D(x, w1, s2, autograd.Same), b1), 0.3)
			return g.Conv2D(h, w2, s1, autograd.Valid)
		}},
		{"Conv2DTranspose Tanh Conv2D", []int{2, 3, 4, 2}, []*autograd.Var{wt, w4}, func(g *autograd.Graph, x *autograd.Var) *autograd.Var {
			h := g.Tanh(g.Conv2DTranspose(x, wt, s2, autograd.Same))
			return g.Conv2D(h, w4, s2, autograd.Valid)
		}},
		{"pools and resizes", []int{2, 6, 5, 2}, []*autograd.Var{w1, w2}, func(g *autograd.Graph, x *autograd.Var) *autograd.Var {
			h := g.Tanh(g.Conv2D(g.ZeroPad2D(x, [2]int{1, 0}, [2]int{0, 2}), w1, s1, autograd.Same))
			h = g.MaxPool2D(g.Tanh(g.UpSample2D(h, [2]int{2, 1})), [2]int{2, 2}, s2, autograd.Same)
			h = g.AvgPool2D(g.Crop2D(h, [2]int{1, 0}, [2]int{0, 1}), [2]int{2, 2}, s1, autograd.Valid)
			return g.Conv2D(g.Square(h), w2, s1, autograd.Same)
		}},
	}
	for _, net := range nets {
		xData := randomFloats(rng, net.in[0]*net.in[1]*net.in[2]*net.in[3])
		g := autograd.NewGraph(nil)
		features := net.f(g, g.Input(xData, false, net.in...)).Cols()
		w3 := gradcheck.RandomParam(rng, "w3", features, 1)
		penalty := func(g *autograd.Graph) *autograd.Var {
			x := g.Input(xData, true, net.in...)
			h := net.f(g, x)
			y := g.MatMul(g.Reshape(h, h.Shape[0], h.Cols()), w3, false, false)
			dx := g.Grad(y, []*autograd.Var{x}, true)[0]
			norm := g.Sqrt(g.AddScalar(g.SumCols(g.Square(dx)), 1e-6))
			return g.Sum(g.Square(g.AddScalar(norm, -1)))
		}
		t.Run(net.name, func(t *testing.T) {
			// h = 3e-3: small enough for the kinks of LeakyReLU and max pooling, large
			// enough for the float32 rounding of P.
			gradcheck.Check(t, net.name, append(net.params, w3), penalty, 3e-3)
		})
	}
}

// TestConvThreadsBitIdentical: the convolutions give the same bits on 1, 2, 3 and 16
// threads, on geometries large enough that im2col, col2im and the products are shared
// (and wake parked workers), or that the threads share whole chunks (the third).
func TestConvThreadsBitIdentical(t *testing.T) {
	defer parallel.SetThreads(0)
	rng := rand.New(rand.NewPCG(21, 22))
	for _, c := range []convCase{
		{n: 16, h: 14, w: 14, ci: 64, co: 128, kh: 5, kw: 5, sh: 2, sw: 2, pad: autograd.Same}, // the DCGAN critic's second conv
		{n: 8, h: 7, w: 7, ci: 128, co: 96, kh: 5, kw: 5, sh: 1, sw: 1, pad: autograd.Same},    // the generator's first, stride 1
		{n: 96, h: 16, w: 16, ci: 64, co: 24, kh: 4, kw: 4, sh: 2, sw: 2, pad: autograd.Same},  // 6 chunks of whole images, shared by chunk
		{n: 37, h: 28, w: 28, ci: 1, co: 64, kh: 5, kw: 5, sh: 2, sw: 2, pad: autograd.Same},   // the critic's first: filter gradient in slices
		{n: 20, h: 32, w: 32, ci: 3, co: 64, kh: 4, kw: 4, sh: 2, sw: 2, pad: autograd.Same},   // the 64×64×3 critic's first, smaller
	} {
		oh, ow, _, _ := c.geometry()
		x := randomFloats(rng, c.n*c.h*c.w*c.ci)
		w := randomFloats(rng, c.kh*c.kw*c.ci*c.co)
		dy := randomFloats(rng, c.n*oh*ow*c.co)
		wt := randomFloats(rng, c.kh*c.kw*c.co*c.ci)
		var runs [][]float32
		for _, threads := range []int{1, 2, 3, 16} {
			parallel.SetThreads(threads)
			g := autograd.NewGraph(nil)
			xv := g.Input(x, false, c.n, c.h, c.w, c.ci)
			strides := [2]int{c.sh, c.sw}
			y := g.Conv2D(xv, g.Input(w, false, c.kh, c.kw, c.ci, c.co), strides, c.pad)
			dw := g.Conv2DFilterGrad(xv, g.Input(dy, false, c.n, oh, ow, c.co), [2]int{c.kh, c.kw}, strides, c.pad)
			z := g.Conv2DTranspose(xv, g.Input(wt, false, c.kh, c.kw, c.co, c.ci), strides, c.pad)
			runs = append(runs, append(append(append([]float32(nil), y.Data...), dw.Data...), z.Data...))
		}
		for i := 1; i < len(runs); i++ {
			for k := range runs[0] {
				if math.Float32bits(runs[i][k]) != math.Float32bits(runs[0][k]) {
					t.Fatalf("%v: value %d differs between 1 thread and run %d", c, k, i)
				}
			}
		}
	}
}
