package autograd_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/cuda"
)

// convSpec is one convolution a cudnnCase runs: Conv2D of x (N,H,W,Ci) by w
// (k,k,Ci,Co), or Conv2DTranspose of x (N,h,w,Cin) by w (k,k,Cout,Cin).
type convSpec struct {
	x, w      []int
	stride    int
	padding   autograd.Padding
	transpose bool
}

// geometry is the convolution's geometry as the device keys it: for a
// transpose, the convolution from its output back to x.
func (c convSpec) geometry() (cuda.ConvShape, int) {
	k, s := c.w[0], c.stride
	n, h, w, ci, co := c.x[0], c.x[1], c.x[2], c.x[3], c.w[3]
	if c.transpose {
		h = autograd.ConvTransposeOutputSize(c.x[1], k, s, c.padding)
		w = autograd.ConvTransposeOutputSize(c.x[2], k, s, c.padding)
		ci, co = c.w[2], c.w[3]
	}
	pt, _ := autograd.ConvPadding(h, k, s, c.padding)
	pl, _ := autograd.ConvPadding(w, k, s, c.padding)
	return cuda.ConvShape{N: n, H: h, W: w, C: ci, KH: k, KW: k, SH: s, SW: s, PadTop: pt, PadLeft: pl,
		OH: autograd.ConvOutputSize(h, k, s, c.padding), OW: autograd.ConvOutputSize(w, k, s, c.padding)}, co
}

// cudnnCase is a deviceCase whose convolutions are all made to run on cuDNN.
type cudnnCase struct {
	deviceCase
	convs []convSpec
}

var cudnnCases = []cudnnCase{
	{deviceCase{"TF DCGAN's D", [][]int{{4, 28, 28, 1}, {5, 5, 1, 64}, {5, 5, 64, 128}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		h := g.LeakyReLU(g.Conv2D(p[0], p[1], [2]int{2, 2}, autograd.Same), 0.2)
		return g.Conv2D(h, p[2], [2]int{2, 2}, autograd.Same)
	}, 1e-3}, []convSpec{{[]int{4, 28, 28, 1}, []int{5, 5, 1, 64}, 2, autograd.Same, false}, {[]int{4, 14, 14, 64}, []int{5, 5, 64, 128}, 2, autograd.Same, false}}},
	{deviceCase{"TF DCGAN's G", [][]int{{4, 7, 7, 128}, {5, 5, 128, 128}, {5, 5, 64, 128}, {5, 5, 1, 64}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		h := g.LeakyReLU(g.Conv2DTranspose(p[0], p[1], [2]int{1, 1}, autograd.Same), 0.2)
		h = g.LeakyReLU(g.Conv2DTranspose(h, p[2], [2]int{2, 2}, autograd.Same), 0.2)
		return g.Conv2DTranspose(h, p[3], [2]int{2, 2}, autograd.Same)
	}, 1e-3}, []convSpec{
		{[]int{4, 7, 7, 128}, []int{5, 5, 128, 128}, 1, autograd.Same, true},
		{[]int{4, 7, 7, 128}, []int{5, 5, 64, 128}, 2, autograd.Same, true},
		{[]int{4, 14, 14, 64}, []int{5, 5, 1, 64}, 2, autograd.Same, true}}},
	{deviceCase{"Radford 64x64x3", [][]int{{2, 64, 64, 3}, {4, 4, 3, 64}, {4, 4, 32, 64}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		h := g.LeakyReLU(g.Conv2D(p[0], p[1], [2]int{2, 2}, autograd.Same), 0.2)
		return g.Conv2DTranspose(h, p[2], [2]int{2, 2}, autograd.Same)
	}, 1e-3}, []convSpec{{[]int{2, 64, 64, 3}, []int{4, 4, 3, 64}, 2, autograd.Same, false}, {[]int{2, 32, 32, 64}, []int{4, 4, 32, 64}, 2, autograd.Same, true}}},
	{deviceCase{"3x3 valid s1", [][]int{{3, 9, 8, 5}, {3, 3, 5, 7}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.Conv2D(p[0], p[1], [2]int{1, 1}, autograd.Valid)
	}, 1e-4}, []convSpec{{[]int{3, 9, 8, 5}, []int{3, 3, 5, 7}, 1, autograd.Valid, false}}},
	{deviceCase{"Conv2DTranspose k4 s2 valid", [][]int{{2, 4, 4, 6}, {4, 4, 3, 6}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.Conv2DTranspose(p[0], p[1], [2]int{2, 2}, autograd.Valid)
	}, 1e-4}, []convSpec{{[]int{2, 4, 4, 6}, []int{4, 4, 3, 6}, 2, autograd.Valid, true}}},
}

// TestDeviceCudnnConv runs networks of convolutions on the GPU with every
// convolution op given to cuDNN (its plans chosen before the first op, so that
// no timing decides), against the CPU: the values and the parameters'
// gradients, within each case's tolerance; twice, for the same bits; and the
// choices must still be cuDNN's after (no fallback).
func TestDeviceCudnnConv(t *testing.T) {
	d := openDevice(t)
	if err := d.CudnnError(); err != nil {
		if env := os.Getenv(cuda.EnvCudnn); env != "" && env != "off" {
			t.Fatalf("GOGAN_CUDNN=%s: %v", env, err)
		}
		t.Skipf("no cuDNN: %v", err)
	}
	for _, c := range cudnnCases {
		t.Run(c.name, func(t *testing.T) {
			plans := map[cuda.ConvKey]*cuda.ConvPlan{}
			for _, spec := range c.convs {
				s, co := spec.geometry()
				for _, op := range []cuda.ConvOp{cuda.ConvForward, cuda.ConvBackwardData, cuda.ConvBackwardFilter} {
					k := d.ConvKey(op, s, co)
					p, err := d.CudnnPlan(k)
					var none *cuda.NoAlgorithmError
					if errors.As(err, &none) {
						t.Logf("im2col+cuBLAS keeps it: %v", err)
						continue
					}
					if err != nil || p == nil {
						t.Fatalf("no cuDNN plan for %v: %v", k, err)
					}
					d.SetConvChoice(k, p)
					plans[k] = p
				}
			}
			rng := rand.New(rand.NewPCG(3, 4))
			cpu, gpu := twinParams(rng, c.shapes)
			defer autograd.FreeDevice(gpu...)
			wantY, wantGrads := runCase(c.deviceCase, autograd.NewGraph(nil), cpu)
			var runs [2][][]float32 // y, then each gradient
			for r := range runs {
				if err := autograd.ToDevice(d, gpu...); err != nil {
					t.Fatal(err)
				}
				g := autograd.NewGraph(nil)
				g.UseDevice(d)
				y, _ := runCaseRecovering(t, c.deviceCase, g, gpu)
				g.UseDevice(nil)
				if err := autograd.ToHost(gpu...); err != nil {
					t.Fatal(err)
				}
				runs[r] = append(runs[r], y)
				for _, p := range gpu {
					runs[r] = append(runs[r], slices.Clone(p.Grad))
				}
			}
			compareToLargest(t, "value", runs[0][0], wantY, c.tol)
			for i := range gpu {
				compareToLargest(t, "gradient", runs[0][i+1], wantGrads[i], c.tol)
			}
			for i := range runs[0] {
				for j, v := range runs[0][i] {
					if math.Float32bits(v) != math.Float32bits(runs[1][i][j]) {
						t.Fatalf("output %d element %d: %g, then %g on a second run", i, j, v, runs[1][i][j])
					}
				}
			}
			for k, p := range plans {
				if got, _, _ := d.ConvChoice(k); got != p {
					t.Errorf("%v fell back to im2col+cuBLAS", k)
				}
			}
		})
	}
	t.Log(d.ConvBackend())
}

// TestDeviceConvChoice lets the device choose by timing for the TF DCGAN's D
// on a batch of 64, checks the values against the CPU, and logs the choice.
func TestDeviceConvChoice(t *testing.T) {
	d := openDevice(t)
	c := cudnnCases[0]
	c.shapes = [][]int{{64, 28, 28, 1}, {5, 5, 1, 64}, {5, 5, 64, 128}}
	rng := rand.New(rand.NewPCG(7, 8))
	cpu, gpu := twinParams(rng, c.shapes)
	if err := autograd.ToDevice(d, gpu...); err != nil {
		t.Fatal(err)
	}
	defer autograd.FreeDevice(gpu...)
	wantY, wantGrads := runCase(c.deviceCase, autograd.NewGraph(nil), cpu)
	g := autograd.NewGraph(nil)
	g.UseDevice(d)
	defer g.UseDevice(nil)
	y, _ := runCaseRecovering(t, c.deviceCase, g, gpu)
	if err := autograd.ToHost(gpu...); err != nil {
		t.Fatal(err)
	}
	compareToLargest(t, "value", y, wantY, c.tol)
	for i, p := range gpu {
		compareToLargest(t, "gradient", p.Grad, wantGrads[i], c.tol)
	}
	t.Log(d.ConvBackend())
}

// compareToLargest fails the test when some |got − want| exceeds tol times the
// largest |want|: the scale of a stack of convolutions' outputs and gradients,
// where an element near zero is a cancellation of terms of that size (a wrong tap
// or padding row is an error of the order of the terms). compare's per-element
// measure fails such elements on float32 rounding alone (2.8e-4 on the H200).
func compareToLargest(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	largest := 0.0
	for _, v := range want {
		largest = max(largest, math.Abs(float64(v)))
	}
	worst, at := 0.0, 0
	for i := range got {
		e := math.Abs(float64(got[i]) - float64(want[i]))
		if math.IsNaN(e) || e > worst {
			worst, at = e, i
		}
	}
	if !(worst <= tol*largest) {
		t.Errorf("%s: element %d is %g, want %g (error %.3g, more than %.2g of the largest |value| %g)", what, at, got[at], want[at], worst, tol, largest)
	}
}
