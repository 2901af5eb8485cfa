package gan

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/gogan/gogan/autograd"
)

// diffAugmentTrainers are small trainers with DiffAugment on: the seed's MLP
// (D scores real and generated in one call), the DCGAN (BatchNorm: two calls),
// WGAN-GP (the penalty interpolates between augmented batches), MNIST-shaped,
// and a narrow ResNet on 32×32×3 images.
var diffAugmentTrainers = []struct {
	name string
	make func(policy string) (*Trainer, error)
}{
	{"mlp 28×28×1", func(policy string) (*Trainer, error) {
		cfg := DefaultConfig()
		cfg.Batch, cfg.DiffAugment = 4, policy
		return NewTrainer(cfg)
	}},
	{"dcgan 28×28×1", func(policy string) (*Trainer, error) {
		cfg := DefaultConfig()
		cfg.Model, cfg.Batch, cfg.DiffAugment = "dcgan", 4, policy
		return NewTrainer(cfg)
	}},
	{"wgan-gp 28×28×1", func(policy string) (*Trainer, error) {
		cfg := DefaultConfig()
		cfg.Model, cfg.Arch, cfg.Batch, cfg.NCritic, cfg.DiffAugment = "wgan-gp", "mlp", 4, 1, policy
		return NewTrainer(cfg)
	}},
	{"resnet 32×32×3", func(policy string) (*Trainer, error) {
		cfg := DefaultConfig()
		cfg.Model, cfg.Batch, cfg.LatentDim, cfg.Loss, cfg.DiffAugment = "my-resnet", 4, 16, "hinge", policy
		return NewTrainerFor(ResNetGenerator(16, 3, 8), ResNetDiscriminator(3, 8), cfg)
	}},
}

// TestDiffAugmentTrains: every trainer takes steps with all three transforms,
// finite losses, G and D moving; a second trainer made the same way takes the
// same steps bit for bit; without DiffAugment the first step's D loss differs
// (D saw other images).
func TestDiffAugmentTrains(t *testing.T) {
	const policy = "color,translation,cutout"
	for _, c := range diffAugmentTrainers {
		t.Run(c.name, func(t *testing.T) {
			steps := func(policy string) (*Trainer, []StepStats) {
				tr, err := c.make(policy)
				if err != nil {
					t.Fatal(err)
				}
				var stats []StepStats
				for i := range 2 {
					st, err := tr.TrainStep(uniformImages(tr.Config.Batch*tr.sample.Size(), uint64(i)), nil)
					if err != nil {
						t.Fatal(err)
					}
					if !finite(st.DLoss) || !finite(st.GLoss) {
						t.Fatalf("step %d: %+v", i+1, st)
					}
					stats = append(stats, st)
				}
				return tr, stats
			}
			a, sa := steps(policy)
			b, sb := steps(policy)
			if !slices.Equal(sa, sb) {
				t.Fatalf("two runs with one seed: %+v and %+v", sa, sb)
			}
			wa, wb := append(a.G.Weights(), a.D.Weights()...), append(b.G.Weights(), b.D.Weights()...)
			for i := range wa {
				if !slices.Equal(wa[i].Data, wb[i].Data) {
					t.Fatalf("%s differs between two runs with one seed", wa[i].Name)
				}
			}
			_, plain := steps("")
			if plain[0].DLoss == sa[0].DLoss {
				t.Fatalf("D's loss %g is the same with and without DiffAugment", sa[0].DLoss)
			}
		})
	}
}

// TestDiffAugmentGradientReachesG: with D's input augmented, G's weights get
// the gradient of D(T(G(z))) through T: checked against finite differences
// of the loss in one of G's last weights, the transforms' draws fixed.
func TestDiffAugmentGradientReachesG(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Batch, cfg.DiffAugment = 2, "color,translation,cutout"
	tr, err := NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	w := tr.G.TrainableWeights()[len(tr.G.TrainableWeights())-1] // the output layer's bias
	z := make([]float32, cfg.Batch*cfg.LatentDim)
	Latents(z, 3)
	loss := func(g *autograd.Graph) *autograd.Var {
		tr.rng = rand.New(rand.NewPCG(5, 6)) // the same draws every time
		x := tr.augment(g, tr.G.Call(g, g.Input(z, false, cfg.Batch, cfg.LatentDim), true))
		return g.Sum(g.Square(tr.score(tr.D.Call(g, x, true))))
	}
	w.ZeroGrad()
	g := autograd.NewGraph(nil)
	g.Backward(loss(g))
	for _, i := range []int{0, 300, 783} {
		orig := w.Data[i]
		const h = 1e-2
		w.Data[i] = orig + h
		up := float64(loss(autograd.NewGraph(nil)).Item())
		w.Data[i] = orig - h
		down := float64(loss(autograd.NewGraph(nil)).Item())
		w.Data[i] = orig
		num := (up - down) / (2 * h)
		if d := num - float64(w.Grad[i]); d > 1e-3+2e-2*abs(num) || -d > 1e-3+2e-2*abs(num) {
			t.Fatalf("dL/d%s[%d]: backward %g, finite differences %g", w.Name, i, w.Grad[i], num)
		}
	}
}

func abs(x float64) float64 { return max(x, -x) }

// TestDiffAugmentResumes: N steps, checkpoint, load, N steps give the bits of
// 2N steps straight: the transforms' draws come from the saved generator.
func TestDiffAugmentResumes(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Batch, cfg.DiffAugment, cfg.Augment = 4, "translation,cutout,color", "flip"
	resumed := resumeMatchesStraight(t, cfg, 2, func(step int) []float32 { return uniformImages(cfg.Batch*784, uint64(step)) })
	if resumed.Config.DiffAugment != cfg.DiffAugment || resumed.Config.Augment != "flip" {
		t.Errorf("resumed config has diffaugment %q and augment %q", resumed.Config.DiffAugment, resumed.Config.Augment)
	}
}

// TestDiffAugmentAllocatesNoTensorMemory: the transforms' parameters live in
// the graph's arena and the trainer's scratch, so a warm step with DiffAugment
// allocates bookkeeping only.
func TestDiffAugmentAllocatesNoTensorMemory(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Batch, cfg.DiffAugment = 64, "color,translation,cutout"
	tr, err := NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	x := uniformImages(cfg.Batch*784, 1)
	var before, after runtime.MemStats
	var perStep uint64
	for range 6 {
		runtime.ReadMemStats(&before)
		if _, err := tr.TrainStep(x, nil); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		perStep = after.TotalAlloc - before.TotalAlloc
	}
	if perStep > 4096 {
		t.Errorf("a warm step with DiffAugment allocates %d bytes, want at most 4 KiB of bookkeeping", perStep)
	}
}

func TestDiffAugmentRejected(t *testing.T) {
	for _, c := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.DiffAugment = "color,rotation" }, `unknown transform "rotation"`},
		{func(c *Config) { c.DiffAugment = "cutout,cutout" }, "names cutout twice"},
		{func(c *Config) { c.DiffAugment = "color"; c.Model = "classifier" }, "has none"},
		{func(c *Config) { c.DiffAugment = "color"; c.Model, c.Data = "mlp2d", "ring8" }, "transforms images"},
		{func(c *Config) { c.Augment = "rotate" }, `unknown augmentation "rotate"`},
	} {
		cfg := DefaultConfig()
		c.edit(&cfg)
		_, err := NewJob(cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("diffaugment %q, augment %q, model %s: error %v, want one saying %q", cfg.DiffAugment, cfg.Augment, cfg.Model, err, c.want)
		}
	}
}
