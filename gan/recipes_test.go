package gan

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/gradcheck"
	"github.com/gogan/gogan/nn"
)

func toyConfig(model string) Config {
	cfg := DefaultConfig()
	cfg.Model, cfg.Arch, cfg.Data, cfg.Batch, cfg.LatentDim, cfg.Seed = model, "mlp2d", "ring8", 16, 4, 3
	return cfg
}

func toyBatch(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, 2*n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// TestEveryLossTrains: each objective takes steps with finite losses, and
// G is updated every NCritic steps only.
func TestEveryLossTrains(t *testing.T) {
	for _, loss := range Losses {
		t.Run(loss, func(t *testing.T) {
			cfg := toyConfig("mlp2d")
			cfg.Loss, cfg.NCritic, cfg.GP, cfg.Clip = loss, 2, 10, 0.05
			tr, err := NewTrainer(cfg)
			if err != nil {
				t.Fatal(err)
			}
			g0 := append([]float32(nil), tr.G.Weights()[0].Data...)
			st, err := tr.TrainStep(toyBatch(16, 1), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !finite(st.DLoss) {
				t.Fatalf("D loss %v", st.DLoss)
			}
			if tr.G.Weights()[0].Data[0] != g0[0] {
				t.Fatal("G was updated on the first of 2 critic steps")
			}
			st, err = tr.TrainStep(toyBatch(16, 2), nil)
			if err != nil {
				t.Fatal(err)
			}
			if tr.G.Weights()[0].Data[0] == g0[0] || !finite(st.GLoss) {
				t.Fatalf("G not updated after 2 critic steps (G loss %v)", st.GLoss)
			}
			if loss == "wgan" {
				for _, w := range tr.D.TrainableWeights() {
					for _, v := range w.Data {
						if v > 0.05 || v < -0.05 {
							t.Fatalf("WGAN weight %g outside ±0.05", v)
						}
					}
				}
			}
		})
	}
}

// TestGradientPenaltyGradient checks the gradient of WGAN-GP's penalty with
// respect to D's weights against finite differences: a second-order gradient
// through the autodiff.
func TestGradientPenaltyGradient(t *testing.T) {
	cfg := toyConfig("wgan-gp")
	cfg.Loss, cfg.GP = "wgan-gp", 10
	tr, err := NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// A smooth critic: with LeakyReLU kinks, finite differences would jump.
	tr.D = nn.NewSequential("critic", nn.Input(2),
		nn.Dense(8, nn.WithActivation("tanh")), nn.Dense(8, nn.WithActivation("tanh")), nn.Dense(1))
	if err := tr.D.Build(rand.New(rand.NewPCG(1, 1))); err != nil {
		t.Fatal(err)
	}
	real, fake := toyBatch(16, 5), toyBatch(16, 6)
	f := func(g *autograd.Graph) *autograd.Var {
		tr.rng = rand.New(rand.NewPCG(9, 9)) // the same α for every evaluation
		return tr.gradientPenalty(g, g.Input(real, false, 16, 2), g.Input(fake, false, 16, 2), []int{16, 2}, nil)
	}
	gradcheck.Check(t, "gradient penalty", tr.D.TrainableWeights(), f, 1e-3)
}

// TestGradientPenaltyFiniteAtZeroGradient: a critic whose gradient vanishes
// (all weights zero) gives a finite penalty of λ and finite weight gradients.
func TestGradientPenaltyFiniteAtZeroGradient(t *testing.T) {
	cfg := toyConfig("wgan-gp")
	cfg.Loss, cfg.GP = "wgan-gp", 10
	tr, _ := NewTrainer(cfg)
	for _, w := range tr.D.TrainableWeights() {
		clear(w.Data)
	}
	g := autograd.NewGraph(nil)
	p := tr.gradientPenalty(g, g.Input(toyBatch(16, 1), false, 16, 2), g.Input(toyBatch(16, 2), false, 16, 2), []int{16, 2}, nil)
	if math.Abs(float64(p.Item())-10) > 1e-4 {
		t.Fatalf("penalty at zero gradient %v, want λ = 10", p.Item())
	}
	g.Backward(p)
	for _, w := range tr.D.TrainableWeights() {
		for _, v := range w.Grad {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("%s has gradient %v", w.Name, v)
			}
		}
	}
}

func TestRecipesKeepGivenSettings(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Model, cfg.NCritic = "wgan-gp", 3
	ApplyRecipe(&cfg, map[string]bool{"n-critic": true})
	if cfg.Loss != "wgan-gp" || cfg.GP != 10 || cfg.NCritic != 3 || cfg.Beta2 != 0.9 {
		t.Fatalf("wgan-gp recipe gave %+v", cfg)
	}
	bad := DefaultConfig()
	bad.Loss = "softmax"
	if err := bad.Validate(); err == nil {
		t.Fatal("unknown loss accepted")
	}
}

// TestTunedRecipe: --model tuned is the seed's networks with exactly the flags
// whose FIDs the README reports (bench/recipes/mlp-round2.txt, pt-ema-smooth-lr,
// scored with standing statistics in bench/recipes/mlp-standing-2026-12-02.txt),
// and a flag the user gives still wins.
func TestTunedRecipe(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Model = "tuned"
	ApplyDefaults(&cfg, nil)
	want := DefaultConfig()
	want.Model, want.Optimizer, want.Init, want.EMA, want.LabelSmoothing, want.LR = "tuned", "adam", "pytorch", 0.999, 0.1, 3e-4
	want.StandingStats = 50
	if !reflect.DeepEqual(cfg, want) {
		t.Fatalf("tuned recipe gave\n%+v\nwant\n%+v", cfg, want)
	}
	if got := cfg.ArchitectureName(); got != "mlp" {
		t.Fatalf("tuned trains %s, want the seed's mlp", got)
	}
	given := DefaultConfig()
	given.Model, given.EMA, given.LR = "tuned", 0.99, 1e-4
	ApplyDefaults(&given, map[string]bool{"ema": true, "lr": true})
	if given.EMA != 0.99 || given.LR != 1e-4 || given.Init != "pytorch" || given.LabelSmoothing != 0.1 {
		t.Fatalf("tuned recipe overrode given flags: %+v", given)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestTunedDCGANRecipe: --model tuned-dcgan is the DCGAN with exactly the
// flags whose FIDs the README reports (bench/gpu/recipes-round3-2026-12-02.txt,
// dcgan-ema-ss-ls-lr4), given --arch still wins, and it trains.
func TestTunedDCGANRecipe(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Model = "tuned-dcgan"
	ApplyDefaults(&cfg, nil)
	want := DefaultConfig()
	want.Model, want.Optimizer, want.LR, want.EMA, want.StandingStats, want.LabelSmoothing = "tuned-dcgan", "adam", 4e-4, 0.999, 50, 0.1
	if !reflect.DeepEqual(cfg, want) {
		t.Fatalf("tuned-dcgan recipe gave\n%+v\nwant\n%+v", cfg, want)
	}
	if got := cfg.ArchitectureName(); got != "dcgan" {
		t.Fatalf("tuned-dcgan trains %s, want dcgan", got)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	mlp := cfg
	mlp.Arch = "mlp"
	if got := mlp.ArchitectureName(); got != "mlp" {
		t.Fatalf("tuned-dcgan with --arch mlp trains %s", got)
	}
	cfg.Batch, cfg.StandingStats = 8, 2
	tr := trainedTrainer(t, cfg, 1, 1)
	if tr.Sampler() != tr.GEMA || tr.standingAt != tr.Step {
		t.Fatal("tuned-dcgan samples without the weight average's standing statistics")
	}
}

// TestEMAFollowsG: the weight average starts at G and moves toward it.
func TestEMAFollowsG(t *testing.T) {
	cfg := toyConfig("mlp2d")
	cfg.EMA = 0.5
	tr, err := NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	before := tr.GEMA.Weights()[0].Data[0]
	if before != tr.G.Weights()[0].Data[0] {
		t.Fatal("EMA does not start at G's weights")
	}
	tr.TrainStep(toyBatch(16, 1), nil)
	want := 0.5*before + 0.5*tr.G.Weights()[0].Data[0]
	if got := tr.GEMA.Weights()[0].Data[0]; math.Abs(float64(got-want)) > 1e-7 {
		t.Fatalf("EMA weight %g, want %g", got, want)
	}
}
