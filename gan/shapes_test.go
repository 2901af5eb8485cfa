package gan

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/tensor"
)

// randomImages is n images of shape in [−1, 1], seeded.
func randomImages(n int, shape tensor.Shape, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 3))
	x := make([]float32, n*shape.Size())
	for i := range x {
		x[i] = float32(rng.Float64()*2 - 1)
	}
	return x
}

// TestRadfordParamCounts: at 64×64×3 the DCGAN has PyTorch examples/dcgan's
// trainable parameters (torch_dcgan_rgb.py prints G 3,576,704 and D
// 2,765,568), and at every size G makes what D takes.
func TestRadfordParamCounts(t *testing.T) {
	for _, c := range []struct {
		sample tensor.Shape
		g, d   int // trainable parameters, 0: not checked
	}{
		{tensor.Shape{64, 64, 3}, 3576704, 2765568},
		{tensor.Shape{32, 32, 3}, 0, 0},
		{tensor.Shape{32, 32, 1}, 0, 0},
		{tensor.Shape{128, 128, 3}, 0, 0},
	} {
		g, d := newDCGAN(100, c.sample)
		rng := rand.New(rand.NewPCG(1, 1))
		for _, m := range []nn.Network{g, d} {
			if err := m.Build(rng); err != nil {
				t.Fatalf("%s: %v", c.sample, err)
			}
		}
		if got := g.OutputShape(); !got.Equal(c.sample) {
			t.Errorf("%s: G makes %s", c.sample, got)
		}
		if got := d.OutputShape(); !got.Equal(tensor.Shape{1}) {
			t.Errorf("%s: D outputs %s, want (1)", c.sample, got)
		}
		if c.g > 0 && g.Params().Trainable != c.g {
			t.Errorf("%s: G has %d trainable parameters, want PyTorch's %d", c.sample, g.Params().Trainable, c.g)
		}
		if c.d > 0 && d.Params().Trainable != c.d {
			t.Errorf("%s: D has %d trainable parameters, want PyTorch's %d", c.sample, d.Params().Trainable, c.d)
		}
	}
}

// TestRadfordGeometryIsPyTorchs: Conv2D and Conv2DTranspose with kernel 4,
// stride 2 and Same padding compute PyTorch's Conv2d(4, 2, 1) and
// ConvTranspose2d(4, 2, 1), written as PyTorch documents them: y[o] = Σ_k
// x[2o − 1 + k]·w[k], and out[2i − 1 + k] += in[i]·w[k].
func TestRadfordGeometryIsPyTorchs(t *testing.T) {
	const h, w, cin, cout = 6, 4, 2, 3
	rng := rand.New(rand.NewPCG(5, 5))
	for _, transpose := range []bool{false, true} {
		var layer nn.Layer = nn.Conv2D(cout, 4, nn.Strides(2), nn.Padding(nn.Same), nn.UseBias(false))
		oh, ow := h/2, w/2
		if transpose {
			layer = nn.Conv2DTranspose(cout, 4, nn.Strides(2), nn.Padding(nn.Same), nn.UseBias(false))
			oh, ow = 2*h, 2*w
		}
		m := nn.NewSequential("m", nn.Input(h, w, cin), layer)
		if err := m.Build(rng); err != nil {
			t.Fatal(err)
		}
		kernel := m.Weights()[0] // conv (4, 4, cin, cout); transposed (4, 4, cout, cin)
		x := randomImages(1, tensor.Shape{h, w, cin}, 9)
		g := autograd.NewGraph(nil)
		y := m.Call(g, g.Input(x, false, 1, h, w, cin), false)
		want := make([]float32, oh*ow*cout)
		at := func(ky, kx, ci, co int) float32 {
			if transpose {
				return kernel.Data[((ky*4+kx)*cout+co)*cin+ci]
			}
			return kernel.Data[((ky*4+kx)*cin+ci)*cout+co]
		}
		for iy := range h {
			for ix := range w {
				for ky := range 4 {
					for kx := range 4 {
						for ci := range cin {
							for co := range cout {
								if transpose { // out[2i − 1 + k] += in[i]·w[k]
									oy, ox := 2*iy-1+ky, 2*ix-1+kx
									if oy >= 0 && oy < oh && ox >= 0 && ox < ow {
										want[(oy*ow+ox)*cout+co] += x[(iy*w+ix)*cin+ci] * at(ky, kx, ci, co)
									}
								} else if (iy+1-ky)%2 == 0 { // y[o] += x[2o − 1 + k]·w[k]
									oy, ox := (iy+1-ky)/2, (ix+1-kx)/2
									if (ix+1-kx)%2 == 0 && iy+1-ky >= 0 && ix+1-kx >= 0 && oy < oh && ox < ow {
										want[(oy*ow+ox)*cout+co] += x[(iy*w+ix)*cin+ci] * at(ky, kx, ci, co)
									}
								}
							}
						}
					}
				}
			}
		}
		for i, v := range want {
			if math.Abs(float64(y.Data[i]-v)) > 1e-5 {
				t.Fatalf("transpose %v: output %d is %g, PyTorch's formula gives %g", transpose, i, y.Data[i], v)
			}
		}
	}
}

// TestEveryModelAtColorShapes: every architecture and recipe builds for
// 32×32×3 and 64×64×3 images (and Stacked MNIST's 28×28×3) and trains two
// steps (one at 64×64) on random images with labels of 5 classes, with finite
// numbers, and draws its progress picture at that shape.
func TestEveryModelAtColorShapes(t *testing.T) {
	models := []struct{ model, arch string }{
		{"mlp", ""}, {"dcgan", ""}, {"cae", ""}, {"classifier", ""},
		{"cgan", ""}, {"acgan", ""}, {"wgan", ""}, {"wgan-gp", ""}, {"lsgan", ""},
		{"sngan", ""}, {"ragan", ""}, {"ralsgan", ""}, {"tuned", ""},
		{"cgan", "dcgan"}, {"acgan", "dcgan"}, {"lsgan", "dcgan"}, {"sngan", "dcgan"},
	}
	shapes := []tensor.Shape{{32, 32, 3}, {28, 28, 3}, {64, 64, 3}}
	for _, shape := range shapes {
		for _, m := range models {
			name := m.model + "/" + m.arch + "/" + shape.Dims()
			t.Run(name, func(t *testing.T) {
				if shape[0] == 28 && IsRecipe(m.model) {
					t.Skip("28×28×3: the architectures alone")
				}
				if testing.Short() && shape[0] == 64 && (IsRecipe(m.model) || m.model == "classifier") {
					t.Skip("64×64: the architectures alone under -short")
				}
				trainAtShape(t, m.model, m.arch, shape, 0)
			})
		}
	}
}

// trainAtShape builds model (with arch, for a recipe) for samples of shape,
// packed by pack, and trains it two steps (one from 64×64 up).
func trainAtShape(t *testing.T, model, arch string, shape tensor.Shape, pack int) Job {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Model, cfg.Arch, cfg.Batch, cfg.Pack = model, arch, 4, pack
	given := map[string]bool{"model": true, "arch": arch != "", "batch": true, "pack": pack > 0}
	ApplyDefaults(&cfg, given)
	r, err := cfg.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	if r, err = r.ForData(shape); err != nil {
		t.Fatal(err)
	}
	if r, err = r.ForLabels(5); err != nil {
		t.Fatal(err)
	}
	job, err := NewJobFor(r)
	if err != nil {
		t.Fatal(err)
	}
	if got := job.SampleShape(); !got.Equal(shape) {
		t.Fatalf("job takes samples of %s, want %s", got, shape)
	}
	labels := []uint8{0, 4, 2, 1}
	steps := 2
	if shape[0] >= 64 {
		steps = 1 // the largest shapes: one step shows that they train
	}
	for step := range steps {
		values, err := job.Train(randomImages(4, shape, uint64(step)), labels)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range values {
			if math.IsNaN(v.Value) || math.IsInf(v.Value, 0) {
				t.Fatalf("step %d: %s is %v", step, v.Name, v.Value)
			}
		}
	}
	pic, err := job.Progress(TestSet{Images: randomImages(8, shape, 7), Labels: []uint8{0, 1, 2, 3, 4, 0, 1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	if !pic.Shape.Equal(shape) || len(pic.Images) != pic.N*shape.Size() {
		t.Fatalf("progress picture of %d images of %s (%d numbers), want images of %s", pic.N, pic.Shape, len(pic.Images), shape)
	}
	return job
}

// TestClassCountFromData: the conditional models and the classifier take the
// data's class count, and data without labels (or with more than 256
// classes) is refused with one line naming it.
func TestClassCountFromData(t *testing.T) {
	job := trainAtShape(t, "classifier", "", tensor.Shape{32, 32, 3}, 0)
	if got := job.(*ClassifierTrainer).Head.OutputShape().Size(); got != 5 {
		t.Errorf("classifier head has %d outputs, want the data's 5 classes", got)
	}
	if job.Settings().Classes != 5 {
		t.Errorf("config records %d classes, want 5", job.Settings().Classes)
	}
	tr := trainAtShape(t, "acgan", "dcgan", tensor.Shape{32, 32, 3}, 0).(*Trainer)
	if got := tr.D.OutputShape().Size(); got != 6 {
		t.Errorf("acgan's D outputs %d logits, want 1 + 5 classes", got)
	}
	for _, c := range []struct {
		model   string
		classes int
		want    string
	}{
		{"cgan", 0, "cgan needs labelled data (a folder of class folders, or a dataset with labels); faces has no labels"},
		{"classifier", 0, "classifier needs labelled data"},
		{"acgan", 1000, "acgan takes at most 256 classes; faces has 1000"},
	} {
		cfg := DefaultConfig()
		cfg.Model, cfg.Data = c.model, "faces"
		ApplyDefaults(&cfg, map[string]bool{})
		r, err := cfg.Resolve()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.ForLabels(c.classes); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s with %d classes: %v, want %q", c.model, c.classes, err, c.want)
		}
	}
	// Unconditional models train on unlabelled data and record no class count.
	cfg := DefaultConfig()
	r, err := cfg.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	if r, err = r.ForLabels(0); err != nil || r.Config().Classes != 0 {
		t.Errorf("mlp on unlabelled data: %v, classes %d", err, r.Config().Classes)
	}
}

// TestPackImages: with --pack m an image GAN's D takes m images stacked along
// the channels; sample i of the batch lies in pack i%n at channels
// (i/n)·C … (i/n+1)·C, and the real and the generated batch are packed alike.
func TestPackImages(t *testing.T) {
	shape := tensor.Shape{32, 32, 3}
	tr := trainAtShape(t, "dcgan", "", shape, 2).(*Trainer)
	if got := tr.D.InputShapes()[0]; !got.Equal(tensor.Shape{32, 32, 6}) {
		t.Fatalf("packed D takes %s, want (32, 32, 6)", got)
	}
	trainAtShape(t, "mlp", "", tensor.Shape{28, 28, 1}, 4)
	trainAtShape(t, "wgan-gp", "", shape, 2)

	// The order, on a batch of 4 tiny images packed by 2.
	small := tensor.Shape{2, 2, 3}
	cfg := DefaultConfig()
	cfg.Batch, cfg.Pack, cfg.SampleShape = 4, 2, small
	tiny, err := NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	x := randomImages(4, small, 1)
	g := autograd.NewGraph(nil)
	p := tiny.pack(g, g.Input(x, false, 4, 2, 2, 3))
	if !tensor.Shape(p.Shape).Equal(tensor.Shape{2, 2, 2, 6}) {
		t.Fatalf("packs of shape %v, want (2, 2, 2, 6)", p.Shape)
	}
	for i := range 4 {
		for px := range 4 {
			for c := range 3 {
				got := p.Data[((i%2)*4+px)*6+(i/2)*3+c]
				if want := x[(i*4+px)*3+c]; got != want {
					t.Fatalf("sample %d pixel %d channel %d: packed %g, want %g", i, px, c, got, want)
				}
			}
		}
	}
}

// TestRecipesFollowToyData: a recipe given 2-D points and no --arch trains
// the mlp2d networks.
func TestRecipesFollowToyData(t *testing.T) {
	for _, model := range []string{"wgan-gp", "lsgan", "ragan"} {
		cfg := DefaultConfig()
		cfg.Model, cfg.Data = model, "grid25"
		ApplyDefaults(&cfg, map[string]bool{"model": true, "data": true})
		if cfg.ArchitectureName() != "mlp2d" || cfg.Data != "grid25" {
			t.Errorf("%s on grid25 trains %s on %s, want mlp2d on grid25", model, cfg.ArchitectureName(), cfg.Data)
		}
		if _, err := NewJob(cfg); err != nil {
			t.Errorf("%s on grid25: %v", model, err)
		}
	}
	cfg := DefaultConfig()
	cfg.Model, cfg.Arch, cfg.Data = "lsgan", "mlp", "ring8"
	ApplyDefaults(&cfg, map[string]bool{"model": true, "data": true, "arch": true})
	if cfg.ArchitectureName() != "mlp" {
		t.Errorf("--arch mlp on ring8 trains %s", cfg.ArchitectureName())
	}
}
