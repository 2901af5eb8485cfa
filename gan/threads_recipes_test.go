package gan

import (
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/gogan/gogan/internal/parallel"
)

// recipeThreads is the thread counts the recipes' bits are compared at with 1 thread's:
// an even and an odd split of the team into pairs' halves, and 16.
var recipeThreads = []int{4, 7, 16}

type recipeCase struct {
	name  string
	make  func(t *testing.T) *Trainer
	batch func(tr *Trainer, step int) ([]float32, []uint8)
}

func recipeCases() []recipeCase {
	recipe := func(model, arch string, change func(*Config)) func(t *testing.T) *Trainer {
		return func(t *testing.T) *Trainer {
			cfg := DefaultConfig()
			cfg.Model, cfg.Batch, cfg.LatentDim, cfg.Seed = model, 8, 16, 5
			if arch != "" {
				cfg.Arch = arch
			}
			ApplyRecipe(&cfg, nil)
			if change != nil {
				change(&cfg)
			}
			tr, err := NewTrainer(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return tr
		}
	}
	mnist := func(tr *Trainer, step int) ([]float32, []uint8) {
		return uniformImages(tr.Config.Batch*784, uint64(step)), nil
	}
	labelled := func(tr *Trainer, step int) ([]float32, []uint8) {
		l := make([]uint8, tr.Config.Batch)
		for i := range l {
			l[i] = uint8((i*7 + step) % 10)
		}
		return uniformImages(tr.Config.Batch*784, uint64(step)), l
	}
	return []recipeCase{
		{"mlp", recipe("mlp", "", nil), mnist},
		{"dcgan", recipe("dcgan", "", nil), mnist},
		{"wgan-gp/dcgan", recipe("wgan-gp", "dcgan", func(c *Config) { c.NCritic = 2 }), mnist},
		{"wgan-gp/mlp", recipe("wgan-gp", "mlp", func(c *Config) { c.NCritic = 2 }), mnist},
		{"lsgan/dcgan", recipe("lsgan", "dcgan", nil), mnist},
		{"sngan/dcgan", recipe("sngan", "dcgan", nil), mnist},
		{"hinge/dcgan", recipe("dcgan", "", func(c *Config) { c.Loss = "hinge" }), mnist},
		{"cgan/dcgan", recipe("cgan", "dcgan", nil), labelled},
		{"acgan/dcgan", recipe("acgan", "dcgan", nil), labelled},
		{"acgan/mlp", recipe("acgan", "mlp", nil), labelled},
		{"narrow-resnet/ralsgan", func(t *testing.T) *Trainer { return narrowResNet(t, "ralsgan") },
			func(tr *Trainer, step int) ([]float32, []uint8) {
				return uniformImages(4*32*32, uint64(step)), nil
			}},
	}
}

func recipeRun(t *testing.T, c recipeCase, steps int) []float32 {
	tr := c.make(t)
	for s := range steps {
		x, l := c.batch(tr, s)
		if _, err := tr.TrainStep(x, l); err != nil {
			t.Fatal(err)
		}
	}
	var bits []float32
	for _, w := range append(tr.G.Weights(), tr.D.Weights()...) {
		bits = append(bits, w.Data...)
	}
	return bits
}

func recipeCompare(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d weights, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: weight value %d is %v, on 1 thread %v", what, i, got[i], want[i])
		}
	}
}

// TestRecipesThreadsBits: two training steps of every recipe give 1 thread's bits on 4, 7
// and 16 threads, where the products are shared, the convolutions cut by images and the
// backward rules compute their input and weight gradients as pairs on halves of the team.
func TestRecipesThreadsBits(t *testing.T) {
	defer parallel.SetThreads(0)
	for _, c := range recipeCases() {
		t.Run(c.name, func(t *testing.T) {
			parallel.SetThreads(1)
			first := recipeRun(t, c, 2)
			for _, n := range recipeThreads {
				parallel.SetThreads(n)
				recipeCompare(t, fmt.Sprintf("%d threads", n), recipeRun(t, c, 2), first)
			}
		})
	}
}

// TestConcurrentTrainers: four trainers trained at once, each in its own goroutine, on 8
// and 16 threads (the team's pairs and crews taken by whichever asks first), end with 1
// thread's bits.
func TestConcurrentTrainers(t *testing.T) {
	defer parallel.SetThreads(0)
	cases := recipeCases()
	pick := map[string]bool{"dcgan": true, "wgan-gp/dcgan": true, "mlp": true, "acgan/dcgan": true}
	var sel []recipeCase
	for _, c := range cases {
		if pick[c.name] {
			sel = append(sel, c)
		}
	}
	parallel.SetThreads(1)
	var want [][]float32
	for _, c := range sel {
		want = append(want, recipeRun(t, c, 2))
	}
	for _, n := range []int{8, 16} {
		parallel.SetThreads(n)
		for round := range 1 {
			var wg sync.WaitGroup
			got := make([][]float32, len(sel))
			for i, c := range sel {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got[i] = recipeRun(t, c, 2)
				}()
			}
			wg.Wait()
			for i := range sel {
				recipeCompare(t, fmt.Sprintf("%d threads, round %d, %s", n, round, sel[i].name), got[i], want[i])
			}
		}
	}
}
