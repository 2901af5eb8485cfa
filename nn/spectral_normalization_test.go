package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/gradcheck"
	"github.com/gogan/gogan/nn"
)

// topSingularValue is the largest singular value of k read as a (rows, cols)
// matrix, by gonum's SVD in float64: the oracle for the power iteration.
func topSingularValue(t *testing.T, k []float32, rows, cols int) float64 {
	t.Helper()
	data := make([]float64, len(k))
	for i, v := range k {
		data[i] = float64(v)
	}
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(rows, cols, data), mat.SVDNone) {
		t.Fatal("SVD did not converge")
	}
	return svd.Values(nil)[0]
}

// snState returns a wrapper's kernel, u and v, checking their names and sizes:
// the kernel is read as (rows, cols) = (−1, last axis).
func snState(t *testing.T, sn *nn.SpectralNormLayer) (k, u, v *autograd.Var, rows, cols int) {
	t.Helper()
	ws := sn.Weights()
	k, u, v = ws[0], ws[len(ws)-2], ws[len(ws)-1]
	cols = k.Shape[len(k.Shape)-1]
	rows = k.Len() / cols
	if u.Name != sn.Name()+"/sn_u" || v.Name != sn.Name()+"/sn_v" || u.Len() != cols || v.Len() != rows || u.Trainable || v.Trainable {
		t.Fatalf("state %s %v, %s %v (trainable %v %v), want %s/sn_u (%d), %s/sn_v (%d), not trainable",
			u.Name, u.Shape, v.Name, v.Shape, u.Trainable, v.Trainable, sn.Name(), cols, sn.Name(), rows)
	}
	return k, u, v, rows, cols
}

// sigmaOf is vᵀ·K·u in float64, the wrapper's estimate of σ(K).
func sigmaOf(k, u, v []float32, rows, cols int) float64 {
	var s float64
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			s += float64(v[i]) * float64(k[i*cols+j]) * float64(u[j])
		}
	}
	return s
}

// snCases are kernel layers on inputs whose kernels read as (5, 7), (18, 4)
// and (12, 5) matrices.
func snCases() []struct {
	in    []int
	layer func() nn.Layer
} {
	return []struct {
		in    []int
		layer func() nn.Layer
	}{
		{[]int{5}, func() nn.Layer { return nn.Dense(7) }},
		{[]int{6, 6, 2}, func() nn.Layer { return nn.Conv2D(4, 3, nn.Strides(2), nn.Padding(nn.Same)) }},
		{[]int{4, 4, 5}, func() nn.Layer { return nn.Conv2DTranspose(3, 2, nn.Strides(2)) }},
	}
}

// TestSpectralNormConverges runs many training calls (one power-iteration step
// each) and checks that σ = vᵀ·K·u matches the largest singular value from an
// SVD, and that the layer computes exactly what the unwrapped layer computes
// with the kernel divided by σ.
func TestSpectralNormConverges(t *testing.T) {
	for _, c := range snCases() {
		sn := nn.SpectralNorm(c.layer())
		t.Run(sn.Layer.Kind(), func(t *testing.T) {
			m := buildModel(t, c.in, sn)
			plain := buildModel(t, c.in, c.layer()) // the same seed: the same kernel, zero bias
			rng := rand.New(rand.NewPCG(5, 6))
			x := gradcheck.RandomParam(rng, "x", append([]int{2}, c.in...)...)
			g := autograd.NewGraph(nil)
			for i := 0; i < 200; i++ {
				g.Reset()
				m.Call(g, x, true)
			}
			k, u, v, rows, cols := snState(t, sn)
			sigma, want := sigmaOf(k.Data, u.Data, v.Data, rows, cols), topSingularValue(t, k.Data, rows, cols)
			if math.Abs(sigma-want) > 1e-4*want {
				t.Fatalf("σ estimate %.7g, SVD's top singular value %.7g", sigma, want)
			}
			g.Reset()
			y := m.Call(g, x, false)
			yPlain := plain.Call(g, x, false)
			for i := range y.Data {
				if d := math.Abs(float64(y.Data[i])*sigma - float64(yPlain.Data[i])); d > 1e-4*(1+math.Abs(float64(yPlain.Data[i]))) {
					t.Fatalf("y[%d]·σ = %g, unwrapped layer's y = %g", i, float64(y.Data[i])*sigma, yPlain.Data[i])
				}
			}
		})
	}
}

// TestSpectralNormKernelHasUnitNorm reads the kernel a wrapped Dense uses
// (its outputs for the identity, without bias) once σ has converged, and checks
// that its largest singular value is 1.
func TestSpectralNormKernelHasUnitNorm(t *testing.T) {
	sn := nn.SpectralNorm(nn.Dense(7, nn.UseBias(false), nn.KernelInitializer(nn.Normal{0, 3})))
	m := buildModel(t, []int{5}, sn)
	g := autograd.NewGraph(nil)
	x := g.Input(make([]float32, 5*5), false, 5, 5)
	for i := 0; i < 5; i++ {
		x.Data[i*5+i] = 1
	}
	for i := 0; i < 200; i++ {
		m.Call(g, x, true)
	}
	w := m.Call(g, x, false) // I·W/σ = W/σ, (5, 7)
	if s := topSingularValue(t, w.Data, 5, 7); math.Abs(s-1) > 1e-4 {
		t.Fatalf("normalized kernel's top singular value %g, want 1", s)
	}
	if s := topSingularValue(t, sn.Weights()[0].Data, 5, 7); s < 2 {
		t.Fatalf("the raw kernel's top singular value is %g: the test does not test", s)
	}
}

// TestSpectralNormUpdatesOnlyWhenTraining checks that inference calls leave
// u and v alone and that a training call moves them.
func TestSpectralNormUpdatesOnlyWhenTraining(t *testing.T) {
	sn := nn.SpectralNorm(nn.Dense(4))
	m := buildModel(t, []int{6}, sn)
	_, u, v, _, _ := snState(t, sn)
	u0, v0 := fmt.Sprint(u.Data), fmt.Sprint(v.Data)
	g := autograd.NewGraph(nil)
	x := g.Input(make([]float32, 6), false, 1, 6)
	m.Call(g, x, false)
	if fmt.Sprint(u.Data) != u0 || fmt.Sprint(v.Data) != v0 {
		t.Fatal("an inference call changed u or v")
	}
	m.Call(g, x, true)
	if fmt.Sprint(u.Data) == u0 || fmt.Sprint(v.Data) == v0 {
		t.Fatal("a training call left u or v as they were")
	}
}

// TestSpectralNormBackwardUsesForwardVectors checks that a call's gradient uses
// the u and v of that call, not the ones a later call (D on fakes after D on
// real images) moved them to.
func TestSpectralNormBackwardUsesForwardVectors(t *testing.T) {
	sn := nn.SpectralNorm(nn.Dense(3))
	m := buildModel(t, []int{4}, sn)
	_, u, v, _, _ := snState(t, sn)
	u0, v0 := append([]float32(nil), u.Data...), append([]float32(nil), v.Data...)
	x := []float32{1, -2, 0.5, 3}
	grads := func(secondCall bool) string {
		copy(u.Data, u0)
		copy(v.Data, v0)
		for _, w := range m.TrainableWeights() {
			w.ZeroGrad()
		}
		g := autograd.NewGraph(nil)
		y := m.Call(g, g.Input(x, false, 1, 4), true)
		if secondCall {
			m.Call(g, g.Input(x, false, 1, 4), true)
		}
		g.Backward(g.Sum(g.Square(y)))
		return fmt.Sprint(m.TrainableWeights()[0].Grad)
	}
	if one, two := grads(false), grads(true); one != two {
		t.Fatalf("kernel gradient %s after a second call, %s without", two, one)
	}
}

// TestSpectralNormGradients checks the wrapped layers' gradients, with respect
// to their input and weights, against finite differences, in inference mode
// (u and v fixed), so the gradient through σ = vᵀ·K·u is checked.
func TestSpectralNormGradients(t *testing.T) {
	checkLayerGradients(t, []int{5}, false, nn.SpectralNorm(nn.Dense(4)))
	checkLayerGradients(t, []int{5}, false, nn.SpectralNorm(nn.Dense(3, nn.UseBias(false), nn.WithActivation("tanh"))))
	checkLayerGradients(t, []int{4, 4, 2}, false, nn.SpectralNorm(nn.Conv2D(3, 3, nn.Strides(2), nn.Padding(nn.Same))))
	checkLayerGradients(t, []int{3, 3, 2}, false, nn.SpectralNorm(nn.Conv2DTranspose(2, 2, nn.Strides(2), nn.Padding(nn.Same))))
}

// TestSpectralNormSecondOrder checks a gradient penalty's gradient through
// spectrally normalized layers (WGAN-GP with SN): P = Σ_i (‖∂D/∂x_i‖ − 1)².
func TestSpectralNormSecondOrder(t *testing.T) {
	m := buildModel(t, []int{3}, nn.SpectralNorm(nn.Dense(6)), nn.Tanh(), nn.SpectralNorm(nn.Dense(1)))
	rng := rand.New(rand.NewPCG(9, 10))
	xData := make([]float32, 4*3)
	for i := range xData {
		xData[i] = float32(rng.NormFloat64())
	}
	penalty := func(g *autograd.Graph) *autograd.Var {
		x := g.Input(xData, true, 4, 3)
		dx := g.Grad(m.Call(g, x, false), []*autograd.Var{x}, true)[0]
		norm := g.Sqrt(g.AddScalar(g.SumCols(g.Square(dx)), 1e-6))
		return g.Sum(g.Square(g.AddScalar(norm, -1)))
	}
	gradcheck.Check(t, "penalty through SpectralNorm", m.TrainableWeights(), penalty, 1e-3)
}

func TestSpectralNormBuildErrors(t *testing.T) {
	const want = "(SpectralNormalization): wraps a layer with a kernel (Dense, Conv2D, Conv2DTranspose), got "
	wantBuildError(t, []int{4}, nn.SpectralNorm(nn.BatchNormalization()), "batch_normalization "+want+"BatchNormalization")
	wantBuildError(t, []int{4}, nn.SpectralNorm(nn.Flatten()), "flatten "+want+"Flatten")
	wantBuildError(t, []int{4}, nn.SpectralNorm(nil), "spectral_normalization "+want+"nil")
	wantBuildError(t, []int{4}, nn.SpectralNorm(nn.SpectralNorm(nn.Dense(3))), "spectral_normalization "+want+"SpectralNormalization")
	wantBuildError(t, []int{4}, nn.SpectralNorm(nn.Dense(-3)), "dense (Dense): units must be positive, got -3")
	wantBuildError(t, []int{4}, nn.SpectralNorm(nn.Dense(3), nn.UseBias(false)), "SpectralNormalization does not take the option use_bias")
	for _, l := range []nn.Layer{nn.Dense(1), nn.Conv2D(1, 1), nn.Conv2DTranspose(1, 1)} {
		if !nn.HasKernel(l) {
			t.Errorf("HasKernel(%s) is false", l.Kind())
		}
	}
	for _, l := range []nn.Layer{nn.BatchNormalization(), nn.Embedding(2, 2), nn.SpectralNorm(nn.Dense(1))} {
		if nn.HasKernel(l) {
			t.Errorf("HasKernel(%s) is true", l.Kind())
		}
	}
}

// TestSpectralNormNamesAndSummary checks that a wrapper takes the name the
// wrapped layer would have, its weights are named under it, and Summary shows
// it as Keras shows a wrapper, with u and v counted as non-trainable.
func TestSpectralNormNamesAndSummary(t *testing.T) {
	d := buildModel(t, []int{4}, nn.Dense(8), nn.SpectralNorm(nn.Dense(8)), nn.SpectralNorm(nn.Dense(1, nn.Name("critic"))))
	var names []string
	for _, w := range d.Weights() {
		names = append(names, w.Name+fmt.Sprint([]int(w.Shape)))
	}
	want := "dense/kernel[4 8] dense/bias[8] dense_1/kernel[8 8] dense_1/bias[8] dense_1/sn_u[8] dense_1/sn_v[8] " +
		"critic/kernel[8 1] critic/bias[1] critic/sn_u[1] critic/sn_v[8]"
	if s := strings.Join(names, " "); s != want {
		t.Fatalf("weights\n%s\nwant\n%s", s, want)
	}
	if c := d.Params(); c.Trainable != 40+72+9 || c.NonTrainable != 16+9 {
		t.Fatalf("params %+v, want 121 trainable, 25 not", c)
	}
	var sb strings.Builder
	if err := d.Summary(&sb); err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{" dense_1 (SpectralNormalization)", "(None, 8)", "88\n", " critic (SpectralNormalization)"} {
		if !strings.Contains(sb.String(), row) {
			t.Errorf("summary lacks %q:\n%s", row, sb.String())
		}
	}
}
