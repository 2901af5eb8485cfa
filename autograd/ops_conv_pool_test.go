package autograd_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/gradcheck"
)

// refPool is max or average pooling as the plain loop of its definition, in
// float64, with TensorFlow's rules: window (kh, kw) at (oh·sh − pt, ow·sw − pl),
// positions outside the image ignored (Same average pooling divides by the
// number inside).
func refPool(c convCase, x []float32, isMax bool) []float64 {
	oh, ow, pt, pl := c.geometry()
	y := make([]float64, c.n*oh*ow*c.ci)
	for n := 0; n < c.n; n++ {
		for r := 0; r < oh; r++ {
			for s := 0; s < ow; s++ {
				for ch := 0; ch < c.ci; ch++ {
					best, sum, count := math.Inf(-1), 0.0, 0
					for i := 0; i < c.kh; i++ {
						for j := 0; j < c.kw; j++ {
							ih, iw := r*c.sh-pt+i, s*c.sw-pl+j
							if ih < 0 || ih >= c.h || iw < 0 || iw >= c.w {
								continue
							}
							v := float64(x[((n*c.h+ih)*c.w+iw)*c.ci+ch])
							best, sum, count = math.Max(best, v), sum+v, count+1
						}
					}
					if isMax {
						y[((n*oh+r)*ow+s)*c.ci+ch] = best
					} else {
						y[((n*oh+r)*ow+s)*c.ci+ch] = sum / float64(count)
					}
				}
			}
		}
	}
	return y
}

// distinctParam returns a parameter whose values are a shuffled ladder 0.05
// apart, so that a finite-difference step never changes which one is largest.
func distinctParam(rng *rand.Rand, name string, shape ...int) *autograd.Var {
	p := autograd.NewParam(name, shape...)
	for i, j := range rng.Perm(len(p.Data)) {
		p.Data[i] = 0.05 * float32(j-len(p.Data)/2)
	}
	return p
}

func TestPoolsMatchLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, c := range randomConvCases(rng, 60) {
		x := randomFloats(rng, c.n*c.h*c.w*c.ci)
		oh, ow, _, _ := c.geometry()
		g := autograd.NewGraph(nil)
		xv := g.Input(x, false, c.n, c.h, c.w, c.ci)
		pool, strides := [2]int{c.kh, c.kw}, [2]int{c.sh, c.sw}
		m := g.MaxPool2D(xv, pool, strides, c.pad)
		closeTo(t, "MaxPool2D "+c.String(), m.Data, m.Shape, refPool(c, x, true), toShape(c.n, oh, ow, c.ci))
		a := g.AvgPool2D(xv, pool, strides, c.pad)
		closeTo(t, "AvgPool2D "+c.String(), a.Data, a.Shape, refPool(c, x, false), toShape(c.n, oh, ow, c.ci))
	}
}

func TestResizesMatchLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	n, h, w, c := 2, 3, 4, 3
	x := randomFloats(rng, n*h*w*c)
	at := func(img, i, j, ch int) float64 { return float64(x[((img*h+i)*w+j)*c+ch]) }
	g := autograd.NewGraph(nil)
	xv := g.Input(x, false, n, h, w, c)

	// UpSampling2D((2, 3)): y[i, j] = x[i/2, j/3].
	up := g.UpSample2D(xv, [2]int{2, 3})
	want := make([]float64, 0, n*h*2*w*3*c)
	for img := 0; img < n; img++ {
		for i := 0; i < h*2; i++ {
			for j := 0; j < w*3; j++ {
				for ch := 0; ch < c; ch++ {
					want = append(want, at(img, i/2, j/3, ch))
				}
			}
		}
	}
	closeTo(t, "UpSample2D", up.Data, up.Shape, want, toShape(n, h*2, w*3, c))

	// ZeroPadding2D(((1, 2), (0, 3))): x placed at (1, 0) in zeros of (h+3, w+3).
	pad := g.ZeroPad2D(xv, [2]int{1, 2}, [2]int{0, 3})
	want = want[:0]
	for img := 0; img < n; img++ {
		for i := 0; i < h+3; i++ {
			for j := 0; j < w+3; j++ {
				for ch := 0; ch < c; ch++ {
					v := 0.0
					if i >= 1 && i < 1+h && j < w {
						v = at(img, i-1, j, ch)
					}
					want = append(want, v)
				}
			}
		}
	}
	closeTo(t, "ZeroPad2D", pad.Data, pad.Shape, want, toShape(n, h+3, w+3, c))

	// Cropping2D(((1, 1), (2, 0))): rows 1..h−2, columns 2..w−1.
	crop := g.Crop2D(xv, [2]int{1, 1}, [2]int{2, 0})
	want = want[:0]
	for img := 0; img < n; img++ {
		for i := 1; i < h-1; i++ {
			for j := 2; j < w; j++ {
				for ch := 0; ch < c; ch++ {
					want = append(want, at(img, i, j, ch))
				}
			}
		}
	}
	closeTo(t, "Crop2D", crop.Data, crop.Shape, want, toShape(n, h-2, w-2, c))
}

// TestPoolAndResizeGradients checks the image ops' gradients against finite
// differences on random geometries.
func TestPoolAndResizeGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	for _, c := range randomConvCases(rng, 12) {
		pool, strides := [2]int{c.kh, c.kw}, [2]int{c.sh, c.sw}
		x := distinctParam(rng, "x", c.n, c.h, c.w, c.ci)
		t.Run("MaxPool2D/"+c.String(), func(t *testing.T) {
			gradcheck.Check(t, "MaxPool2D", []*autograd.Var{x}, func(g *autograd.Graph) *autograd.Var {
				return g.MaxPool2D(x, pool, strides, c.pad)
			}, 1e-2)
		})
		t.Run("AvgPool2D/"+c.String(), func(t *testing.T) {
			gradcheck.Check(t, "AvgPool2D", []*autograd.Var{x}, func(g *autograd.Graph) *autograd.Var {
				return g.AvgPool2D(x, pool, strides, c.pad)
			}, 1e-2)
		})
		t.Run("UpSample2D/"+c.String(), func(t *testing.T) {
			gradcheck.Check(t, "UpSample2D", []*autograd.Var{x}, func(g *autograd.Graph) *autograd.Var {
				return g.UpSample2D(x, strides)
			}, 1e-2)
		})
		rows, cols := [2]int{c.kh - 1, c.sh - 1}, [2]int{c.sw, c.kw - 1}
		t.Run("ZeroPad2D/"+c.String(), func(t *testing.T) {
			gradcheck.Check(t, "ZeroPad2D", []*autograd.Var{x}, func(g *autograd.Graph) *autograd.Var {
				return g.ZeroPad2D(x, rows, cols)
			}, 1e-2)
		})
		if c.h > rows[0]+rows[1] && c.w > cols[0]+cols[1] {
			t.Run("Crop2D/"+c.String(), func(t *testing.T) {
				gradcheck.Check(t, "Crop2D", []*autograd.Var{x}, func(g *autograd.Graph) *autograd.Var {
					return g.Crop2D(x, rows, cols)
				}, 1e-2)
			})
		}
	}
}
