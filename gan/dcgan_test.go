package gan_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/nn"
)

// TestDCGANParamCounts checks the TensorFlow tutorial's totals, as Keras's
// summary prints them.
func TestDCGANParamCounts(t *testing.T) {
	arch, err := gan.LookupArchitecture("dcgan")
	if err != nil {
		t.Fatal(err)
	}
	if !arch.Logits {
		t.Error("dcgan's D ends in Dense(1) without a sigmoid: Logits must be set")
	}
	g, d := arch.New(100, arch.Sample)
	rng := rand.New(rand.NewPCG(1, 1))
	for _, m := range []nn.Network{g, d} {
		if err := m.Build(rng); err != nil {
			t.Fatal(err)
		}
	}
	if c := g.Params(); c.Total != 2330944 || c.Trainable != 2305472 || c.NonTrainable != 25472 {
		t.Errorf("generator params %+v, want 2,330,944 total, 2,305,472 trainable", c)
	}
	if c := d.Params(); c.Total != 212865 || c.Trainable != 212865 {
		t.Errorf("discriminator params %+v, want 212,865, all trainable", c)
	}
	if got := g.OutputShape().String(); got != "(28, 28, 1)" {
		t.Errorf("generator makes %s, want (28, 28, 1)", got)
	}
}

func dcganConfig(batch int) gan.Config {
	cfg := gan.DefaultConfig()
	cfg.Model = "dcgan"
	cfg.Batch = batch
	cfg.Seed = 7
	return cfg
}

// TestDCGANTrains takes a few steps: the losses stay finite and D's
// probabilities stay in (0, 1).
func TestDCGANTrains(t *testing.T) {
	tr, err := gan.NewTrainer(dcganConfig(4))
	if err != nil {
		t.Fatal(err)
	}
	for step := range 3 {
		s, err := tr.TrainStep(fakeImages(4, uint64(step)), nil)
		if err != nil {
			t.Fatal(err)
		}
		if !(s.DReal > 0 && s.DReal < 1 && s.DFake > 0 && s.DFake < 1) || math.IsNaN(s.GLoss) {
			t.Fatalf("step %d: %+v", step, s)
		}
	}
}

// TestDCGANGradientPenalty differentiates a WGAN-GP gradient penalty through
// the DCGAN discriminator, P = Σ_i (‖∂D/∂x_i‖ − 1)², which needs every op of D
// to support second-order gradients. P jumps wherever one of D's ~37,000
// LeakyReLU units changes side, so finite differences in the convolution
// kernels are meaningless at float32 resolution; along the final Dense kernel,
// which moves no unit, P is smooth: its derivative there is checked against
// the central difference (P(W + hV) − P(W − hV)) / 2h, and the kernels of both
// convolutions must get finite, non-zero gradients.
func TestDCGANGradientPenalty(t *testing.T) {
	d := gan.DCGANDiscriminator()
	if err := d.Build(rand.New(rand.NewPCG(3, 3))); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	x := make([]float32, 2*28*28)
	for i := range x {
		x[i] = float32(rng.Float64()*2 - 1)
	}
	penalty := func(g *autograd.Graph) *autograd.Var {
		xv := g.Input(x, true, 2, 28, 28, 1)
		y := d.Call(g, xv, true) // every graph draws the same dropout masks
		dx := g.Grad(y, []*autograd.Var{xv}, true)[0]
		norm := g.Sqrt(g.AddScalar(g.SumCols(g.Square(dx)), 1e-6))
		return g.Sum(g.Square(g.AddScalar(norm, -1)))
	}
	newGraph := func() *autograd.Graph { return autograd.NewGraph(rand.New(rand.NewPCG(9, 9))) }
	weights := d.TrainableWeights() // conv2d/kernel, conv2d/bias, conv2d_1/kernel, conv2d_1/bias, dense/kernel, dense/bias
	for _, w := range weights {
		w.ZeroGrad()
	}
	g := newGraph()
	g.Backward(penalty(g))
	for _, w := range []*autograd.Var{weights[0], weights[2]} {
		var sq float64
		for _, v := range w.Grad {
			sq += float64(v) * float64(v)
		}
		if !(sq > 0) || math.IsInf(sq, 0) {
			t.Errorf("%s: gradient of the penalty has squared norm %g", w.Name, sq)
		}
	}
	dense := weights[4]
	dir := make([]float32, len(dense.Data))
	var analytic float64
	for i := range dir {
		dir[i] = float32(rng.NormFloat64())
		analytic += float64(dir[i]) * float64(dense.Grad[i])
	}
	at := func(h float32) float64 {
		orig := append([]float32(nil), dense.Data...)
		for i := range dense.Data {
			dense.Data[i] += h * dir[i]
		}
		p := float64(penalty(newGraph()).Item())
		copy(dense.Data, orig)
		return p
	}
	const h = 1e-3
	numeric := (at(h) - at(-h)) / (2 * h)
	if math.Abs(numeric-analytic) > 1e-2*math.Abs(numeric)+1e-3 {
		t.Fatalf("derivative of the penalty along the Dense kernel: analytic %g, finite differences %g", analytic, numeric)
	}
	t.Logf("derivative along the Dense kernel %g (finite differences %g)", analytic, numeric)
}

// TestDCGANTrainStepAllocatesNoTensorMemory: once warm, a DCGAN step reuses
// every buffer, im2col scratch included.
func TestDCGANTrainStepAllocatesNoTensorMemory(t *testing.T) {
	tr, err := gan.NewTrainer(dcganConfig(8))
	if err != nil {
		t.Fatal(err)
	}
	x := fakeImages(8, 1)
	perStep, allocs := warmStepBytes(t, func() { tr.TrainStep(x, nil) })
	t.Logf("%d bytes, %d allocations per step", perStep, allocs)
	if perStep > stepBookkeeping {
		t.Errorf("a warm DCGAN step allocates %d bytes, want at most 4 KiB of bookkeeping", perStep)
	}
}
