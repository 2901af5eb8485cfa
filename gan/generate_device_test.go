package gan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gogan/gogan/internal/cuda"
	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/tensor"
)

// deviceImageTol bounds |GPU − CPU| for a generated pixel (values in [−1, 1]):
// the two sum the products in other orders (cuBLAS against the CPU's gemm, and
// batch norm at inference as gamma·(x − mean)·invStd + beta against x·s +
// (beta − mean·s)), a few float32 ulps a layer.
const deviceImageTol = 1e-4

// inferenceJob is a trainer of model (arch) for images of shape with the given
// EMA decay, trained two steps on the CPU on synthetic images so that G and its
// average differ, with every BatchNormalization's moving statistics set to
// random values (mean in ±0.5, variance in [0.3, 3]) so that inference reads
// them; then saved and loaded again, as gogan sample loads a run. A
// conditional model trains on labels of every class.
func inferenceJob(t *testing.T, model, arch string, shape tensor.Shape, ema float32) *Trainer {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Model, cfg.Arch, cfg.Batch, cfg.EMA = model, arch, 8, ema
	ApplyDefaults(&cfg, map[string]bool{"model": true, "arch": arch != "", "batch": true, "ema": true})
	r, err := cfg.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	if r, err = r.ForData(shape); err != nil {
		t.Fatal(err)
	}
	job, err := NewJobFor(r)
	if err != nil {
		t.Fatal(err)
	}
	tr := job.(*Trainer)
	real := make([]float32, cfg.Batch*shape.Size())
	for i := range real {
		real[i] = float32(i%13)/6 - 1
	}
	var labels []uint8 // a conditional G's: every class
	if tr.Conditional() {
		labels = make([]uint8, cfg.Batch)
		for i := range labels {
			labels[i] = uint8(i % tr.Config.NumClasses())
		}
	}
	for step := range 2 {
		if _, err := tr.TrainStep(real, labels); err != nil {
			t.Fatalf("CPU step %d: %v", step+1, err)
		}
	}
	rng := rand.New(rand.NewPCG(21, 22))
	moved := 0
	for _, w := range tr.Sampler().Weights() {
		switch {
		case strings.HasSuffix(w.Name, "moving_mean"):
			for i := range w.Data {
				w.Data[i] = rng.Float32() - 0.5
			}
			moved++
		case strings.HasSuffix(w.Name, "moving_variance"):
			for i := range w.Data {
				w.Data[i] = 0.3 + 2.7*rng.Float32()
			}
		}
	}
	t.Logf("%d BatchNormalization layers in the sampler", moved)
	return reloaded(t, tr)
}

// TestGenerateOnDeviceMatchesCPU generates images from the same checkpoint and
// latent vectors on the CPU (GenerateLabeled) and on the GPU (GenerateOn): the
// pixels agree within deviceImageTol, for the seed's MLP, the TensorFlow DCGAN
// at 28×28×1 and Radford's at 32×32×3 and 64×64×3, each with and without an
// average of G (EMA). More images than one GPU chunk, and not a multiple of it.
func TestGenerateOnDeviceMatchesCPU(t *testing.T) {
	requireGPU(t)
	cases := []struct {
		model string
		shape tensor.Shape
		n     int
	}{
		{"mlp", tensor.Shape{28, 28, 1}, deviceChunk + 77},
		{"dcgan", tensor.Shape{28, 28, 1}, deviceChunk + 77},
		{"dcgan", tensor.Shape{32, 32, 3}, deviceChunk + 77},
		{"dcgan", tensor.Shape{64, 64, 3}, 300},
	}
	for _, c := range cases {
		for _, ema := range []float32{0, 0.999} {
			t.Run(fmt.Sprintf("%s/%s/ema%g", c.model, c.shape.Dims(), ema), func(t *testing.T) {
				tr := inferenceJob(t, c.model, "", c.shape, ema)
				g := tr.Sampler()
				if (ema > 0) != (g == tr.GEMA) || (ema > 0 && g == tr.G) {
					t.Fatalf("EMA %g: the sampler is not the run's average of G", ema)
				}
				z := make([]float32, c.n*g.InputShapes()[0].Size())
				Latents(z, 5)
				got, want, worst, at := generateBoth(t, g, z, nil, c.n, c.shape.Size())
				if !(worst <= deviceImageTol) {
					t.Errorf("pixel %d (image %d) is %g on the GPU, %g on the CPU: |diff| %.3g > %g", at, at/c.shape.Size(), got[at], want[at], worst, deviceImageTol)
				}
				for _, w := range g.Weights() {
					if w.Device() != nil {
						t.Fatalf("weight %s is still on %s after GenerateOn", w.Name, w.Device().Name())
					}
				}
			})
		}
	}
}

// requireGPU skips the test, saying what is missing, where no GPU opens.
func requireGPU(t *testing.T) {
	t.Helper()
	d, err := cuda.Open(0)
	if err != nil {
		t.Skipf("no GPU: %v", err)
	}
	d.Close()
}

// TestGenerateOnRefuses checks GenerateOn's one-line errors: a bad device
// name, labels for an unconditional G, no GPU here; and on a GPU weights that
// a trainer holds there already. On a GPU it also checks that the ResNet's G,
// whose UpSampling2D had no kernel once, makes the CPU's images to 1e-4.
func TestGenerateOnRefuses(t *testing.T) {
	tr, err := NewTrainer(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	g := tr.Sampler()
	z := make([]float32, 3*100)
	dst := make([]float32, 3*784)
	oneLine := func(what string, err error, want string) {
		t.Helper()
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one line with %q", what, err, want)
		}
	}
	oneLine("device gpu", GenerateOn("gpu", g, dst, z, nil, 3), `device "gpu"`)
	oneLine("labels", GenerateOn("cuda", g, dst, z, []uint8{1, 2, 3}, 3), "no labels")
	if err := GenerateOn("cpu", g, dst, z, nil, 3); err != nil {
		t.Fatalf("on the CPU: %v", err)
	}
	err = GenerateOn("cuda", g, dst, z, nil, 3)
	if err != nil {
		oneLine("no GPU", err, "cuda: ") // libcuda.so.1 or cuBLAS not found, or no device
		t.Skipf("the rest needs a GPU: %v", err)
	}
	res := inferenceJob(t, "resnet", "", tensor.Shape{32, 32, 3}, 0)
	rz := make([]float32, 2*res.Sampler().InputShapes()[0].Size())
	for i := range rz {
		rz[i] = float32(i%13)/6 - 1
	}
	// The ResNet's G (upsampling on the GPU too) makes the CPU's images.
	if got, want, worst, at := generateBoth(t, res.Sampler(), rz, nil, 2, 32*32*3); !(worst <= deviceImageTol) {
		t.Fatalf("the resnet's G: pixel value %d is %g on the GPU, %g on the CPU", at, got[at], want[at])
	}
	if err := tr.UseDevice("cuda"); err != nil {
		t.Fatal(err)
	}
	oneLine("a trainer's G", GenerateOn("cuda", tr.Sampler(), dst, z, nil, 3), "already")
}

// TestGenerateChecksArguments: arguments that do not fit the network are an
// error of GenerateOn, never a panic, and a panic of Generate and
// GenerateLabeled (programmer errors) that names them, never a slice bounds
// or nil-pointer panic from inside.
func TestGenerateChecksArguments(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	g := ToyGenerator(4) // (4) → (2)
	cond := ConditionalSeedGeneratorFor(4, 3, tensor.Shape{2, 2, 1})
	for _, n := range []nn.Network{g, cond} {
		if err := n.Build(rng); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name   string
		g      nn.Network
		dst, z []float32
		labels []uint8
		n      int
		want   string
	}{
		{"short dst", g, make([]float32, 3), make([]float32, 8), nil, 2, "dst holds 3 values, need 2 × 2"},
		{"short z", g, make([]float32, 4), make([]float32, 5), nil, 2, "z holds 5 values, need 2 × 4"},
		{"negative n", g, nil, nil, nil, -1, "n must not be negative, got -1"},
		{"nil network", nil, nil, nil, nil, 1, "no network (nil)"},
		{"unbuilt", ToyGenerator(4), make([]float32, 2), make([]float32, 4), nil, 1, "not built?): nn: model generator used before Build"},
		{"labels missing", cond, make([]float32, 4), make([]float32, 4), nil, 1, "network generator takes 2 inputs (noise and labels): give labels"},
		{"labels short", cond, make([]float32, 8), make([]float32, 8), []uint8{1}, 2, "labels holds 1, need 2"},
		{"labels unwanted", g, make([]float32, 2), make([]float32, 4), []uint8{1}, 1, "network generator takes 1 input, no labels"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := GenerateOn("cpu", c.g, c.dst, c.z, c.labels, c.n)
			if err == nil || !strings.HasPrefix(err.Error(), "gan: GenerateOn: ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("GenerateOn: %v, want gan: GenerateOn: ... %q", err, c.want)
			}
			panics := func(name string, f func()) {
				t.Helper()
				defer func() {
					if r, ok := recover().(string); !ok || !strings.HasPrefix(r, "gan: "+name+": ") || !strings.Contains(r, c.want) {
						t.Errorf("%s panicked with %v, want gan: %s: ... %q", name, r, name, c.want)
					}
				}()
				f()
			}
			panics("GenerateLabeled", func() { GenerateLabeled(c.g, c.dst, c.z, c.labels, c.n) })
			if c.labels == nil {
				panics("Generate", func() { Generate(c.g, c.dst, c.z, c.n) })
			}
		})
	}
	dst := make([]float32, 2*2)
	if err := GenerateOn("cpu", g, dst, make([]float32, 2*4), nil, 2); err != nil {
		t.Fatalf("good arguments: %v", err)
	}
	if err := GenerateOn("", cond, make([]float32, 2*4), make([]float32, 2*4), []uint8{0, 2}, 2); err != nil {
		t.Fatalf("good arguments, conditional: %v", err)
	}
}

// TestGenerateOnDeviceConditional generates images of a conditional G (cgan on
// the seed's MLP, acgan on the TensorFlow DCGAN, with and without EMA) from
// the same checkpoint, latent vectors and labels on the CPU and on the GPU:
// the pixels agree within deviceImageTol. A label that is not one of G's
// classes is a one-line error on the host first, with or without a GPU.
func TestGenerateOnDeviceConditional(t *testing.T) {
	bad := inferenceJob(t, "cgan", "", tensor.Shape{28, 28, 1}, 0).Sampler()
	z := make([]float32, 3*bad.InputShapes()[0].Size())
	err := GenerateOn("cuda", bad, make([]float32, 3*784), z, []uint8{1, Classes, 2}, 3)
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), fmt.Sprintf("want an integer in [0, %d)", Classes)) {
		t.Errorf("label %d: error %v, want one line naming the classes", Classes, err)
	}
	requireGPU(t)
	cases := []struct {
		model, arch string
		n           int
	}{
		{"cgan", "", deviceChunk + 77},
		{"acgan", "dcgan", 300},
	}
	for _, c := range cases {
		for _, ema := range []float32{0, 0.999} {
			t.Run(fmt.Sprintf("%s/%s/ema%g", c.model, c.arch, ema), func(t *testing.T) {
				g := inferenceJob(t, c.model, c.arch, tensor.Shape{28, 28, 1}, ema).Sampler()
				z := make([]float32, c.n*g.InputShapes()[0].Size())
				Latents(z, 6)
				labels := make([]uint8, c.n)
				for i := range labels {
					labels[i] = uint8(i * 7 % Classes)
				}
				got, want, worst, at := generateBoth(t, g, z, labels, c.n, 784)
				if !(worst <= deviceImageTol) {
					t.Errorf("pixel %d (image %d, class %d) is %g on the GPU, %g on the CPU: |diff| %.3g > %g", at, at/784, labels[at/784], got[at], want[at], worst, deviceImageTol)
				}
			})
		}
	}
}

// generateBoth makes n images of size values each from g on z (and labels)
// on the CPU (GenerateLabeled) and on the GPU (GenerateOn, into a buffer of
// NaN, so that every pixel must be written), and returns the GPU's, the
// CPU's, and the largest |GPU − CPU| and where it is (the first NaN, if any).
func generateBoth(t *testing.T, g nn.Network, z []float32, labels []uint8, n, size int) (got, want []float32, worst float64, at int) {
	t.Helper()
	want = make([]float32, n*size)
	GenerateLabeled(g, want, z, labels, n)
	got = make([]float32, len(want))
	for i := range got {
		got[i] = float32(math.NaN())
	}
	if err := GenerateOn("cuda", g, got, z, labels, n); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		e := math.Abs(float64(got[i]) - float64(want[i]))
		if !(e <= worst) {
			worst, at = e, i
			if math.IsNaN(e) {
				break
			}
		}
	}
	t.Logf("max |gpu − cpu| over %d pixels: %.3g", len(want), worst)
	return got, want, worst, at
}
