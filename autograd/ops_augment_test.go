package autograd_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/gradcheck"
)

// augmentCases are the DiffAugment ops on images (2, 5, 6, 3), with parameters
// that move every part of the image: a shift of each sign, a cutout clipped by
// a border.
func augmentCases() []struct {
	name string
	f    func(g *autograd.Graph, x *autograd.Var) *autograd.Var
} {
	return []struct {
		name string
		f    func(g *autograd.Graph, x *autograd.Var) *autograd.Var
	}{
		{"AddPerSample", func(g *autograd.Graph, x *autograd.Var) *autograd.Var {
			return g.AddPerSample(x, []float32{0.3, -0.4})
		}},
		{"ScaleAboutMean saturation", func(g *autograd.Graph, x *autograd.Var) *autograd.Var {
			return g.ScaleAboutMean(x, []float32{1.7, 0.2}, 3)
		}},
		{"ScaleAboutMean contrast", func(g *autograd.Graph, x *autograd.Var) *autograd.Var {
			return g.ScaleAboutMean(x, []float32{0.6, 1.4}, 5*6*3)
		}},
		{"Translate", func(g *autograd.Graph, x *autograd.Var) *autograd.Var {
			return g.Translate(x, []int{1, -2, -1, 3})
		}},
		{"Cutout", func(g *autograd.Graph, x *autograd.Var) *autograd.Var {
			return g.Cutout(x, []int{-1, 2, 3, 4}, [2]int{3, 3})
		}},
		{"chain", func(g *autograd.Graph, x *autograd.Var) *autograd.Var {
			y := g.ScaleAboutMean(g.AddPerSample(x, []float32{0.3, -0.4}), []float32{1.7, 0.2}, 3)
			return g.Cutout(g.Translate(y, []int{1, -2, -1, 3}), []int{-1, 2, 3, 4}, [2]int{3, 3})
		}},
	}
}

func TestAugmentGradients(t *testing.T) {
	for _, c := range augmentCases() {
		rng := rand.New(rand.NewPCG(9, 10))
		x := gradcheck.RandomParam(rng, "x", 2, 5, 6, 3)
		t.Run(c.name, func(t *testing.T) {
			gradcheck.Check(t, c.name, []*autograd.Var{x}, func(g *autograd.Graph) *autograd.Var {
				return g.Tanh(c.f(g, x)) // a nonlinearity after, so dy varies
			}, 1e-2)
		})
	}
}

// TestAugmentSecondOrder checks a gradient penalty through each op, as when
// the augmentation sits between WGAN-GP's interpolates and the critic:
// P = Σ_n (‖∂D(T(x))/∂x_n‖ − 1)², D a small network, against finite
// differences of P in D's weights.
func TestAugmentSecondOrder(t *testing.T) {
	for _, c := range augmentCases() {
		rng := rand.New(rand.NewPCG(11, 12))
		w1 := gradcheck.RandomParam(rng, "w1", 90, 4)
		w2 := gradcheck.RandomParam(rng, "w2", 4, 1)
		for i := range w1.Data {
			w1.Data[i] *= 0.3
		}
		xData := make([]float32, 2*5*6*3)
		for i := range xData {
			xData[i] = float32(rng.NormFloat64())
		}
		penalty := func(g *autograd.Graph) *autograd.Var {
			x := g.Input(xData, true, 2, 5, 6, 3)
			h := g.Reshape(c.f(g, x), 2, 90)
			y := g.MatMul(g.Tanh(g.MatMul(h, w1, false, false)), w2, false, false)
			dx := g.Reshape(g.Grad(y, []*autograd.Var{x}, true)[0], 2, 90)
			norm := g.Sqrt(g.AddScalar(g.SumCols(g.Square(dx)), 1e-6))
			return g.Sum(g.Square(g.AddScalar(norm, -1)))
		}
		t.Run(c.name, func(t *testing.T) { gradcheck.Check(t, c.name, []*autograd.Var{w1, w2}, penalty, 1e-3) })
	}
}

// TestAugmentForward compares each op with the definition written per value,
// in float64, on images of odd sizes.
func TestAugmentForward(t *testing.T) {
	const n, h, w, c = 3, 7, 5, 3
	rng := rand.New(rand.NewPCG(13, 14))
	x := make([]float32, n*h*w*c)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	at := func(v []float32, i, r, col, ch int) float64 {
		if r < 0 || r >= h || col < 0 || col >= w {
			return 0
		}
		return float64(v[((i*h+r)*w+col)*c+ch])
	}
	b, f := []float32{0.1, -0.2, 0.45}, []float32{0, 1.5, 0.7}
	shift, corner := []int{2, -1, 0, 0, -3, 4}, []int{-2, -2, 3, 1, 5, 4}
	g := autograd.NewGraph(nil)
	in := g.Input(x, false, n, h, w, c)
	bright, sat, con := g.AddPerSample(in, b), g.ScaleAboutMean(in, f, c), g.ScaleAboutMean(in, f, h*w*c)
	moved, cut := g.Translate(in, shift), g.Cutout(in, corner, [2]int{3, 2})
	for i := range n {
		var mean float64
		for j := i * h * w * c; j < (i+1)*h*w*c; j++ {
			mean += float64(x[j]) / (h * w * c)
		}
		for r := range h {
			for col := range w {
				var gray float64
				for ch := range c {
					gray += at(x, i, r, col, ch) / c
				}
				for ch := range c {
					v := at(x, i, r, col, ch)
					inHole := r >= corner[2*i] && r < corner[2*i]+3 && col >= corner[2*i+1] && col < corner[2*i+1]+2
					want := map[string]float64{
						"AddPerSample":         v + float64(b[i]),
						"ScaleAboutMean C":     gray + float64(f[i])*(v-gray),
						"ScaleAboutMean H·W·C": mean + float64(f[i])*(v-mean),
						"Translate":            at(x, i, r-shift[2*i], col-shift[2*i+1], ch),
						"Cutout":               map[bool]float64{true: 0, false: v}[inHole],
					}
					got := map[string]*autograd.Var{"AddPerSample": bright, "ScaleAboutMean C": sat,
						"ScaleAboutMean H·W·C": con, "Translate": moved, "Cutout": cut}
					for name, y := range got {
						if d := math.Abs(at(y.Data, i, r, col, ch) - want[name]); d > 1e-5 {
							t.Fatalf("%s: image %d at (%d, %d, %d) is %g, want %g", name, i, r, col, ch, at(y.Data, i, r, col, ch), want[name])
						}
					}
				}
			}
		}
	}
}

func TestAugmentRejectsBadShapes(t *testing.T) {
	g := autograd.NewGraph(nil)
	x := g.Constant(1, 2, 4, 4, 1)
	for name, f := range map[string]func(){
		"AddPerSample one value": func() { g.AddPerSample(x, []float32{1}) },
		"ScaleAboutMean group 3": func() { g.ScaleAboutMean(x, []float32{1, 1}, 3) },
		"Translate of a matrix":  func() { g.Translate(g.Constant(1, 2, 16), []int{0, 0, 0, 0}) },
		"Cutout with one corner": func() { g.Cutout(x, []int{0, 0}, [2]int{2, 2}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		}()
	}
}
