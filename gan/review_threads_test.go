package gan

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gogan/gogan/internal/parallel"
)

// reviewThreads is the thread counts the review tests compare with 1 thread
// (REVIEW_THREADS="4,5,7,8,16" by default).
func reviewThreads() []int {
	s := os.Getenv("REVIEW_THREADS")
	if s == "" {
		s = "4,5,7,8,16"
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, _ := strconv.Atoi(f)
		out = append(out, n)
	}
	return out
}

type reviewCase struct {
	name  string
	make  func(t *testing.T) *Trainer
	batch func(tr *Trainer, step int) ([]float32, []uint8)
}

func reviewCases() []reviewCase {
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
	return []reviewCase{
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

func reviewRun(t *testing.T, c reviewCase, steps int) []float32 {
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

func reviewCompare(t *testing.T, what string, got, want []float32) {
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

// TestReviewRecipesThreadsBits: every recipe gives 1 thread's bits on 4, 5, 7, 8, 16.
func TestReviewRecipesThreadsBits(t *testing.T) {
	defer parallel.SetThreads(0)
	for _, c := range reviewCases() {
		t.Run(c.name, func(t *testing.T) {
			parallel.SetThreads(1)
			first := reviewRun(t, c, 2)
			for _, n := range reviewThreads() {
				parallel.SetThreads(n)
				reviewCompare(t, fmt.Sprintf("%d threads", n), reviewRun(t, c, 2), first)
			}
		})
	}
}

// TestReviewConcurrentTrainers: two trainers trained at once in two goroutines, on
// 8 threads, end with 1 thread's bits.
func TestReviewConcurrentTrainers(t *testing.T) {
	defer parallel.SetThreads(0)
	cases := reviewCases()
	pick := map[string]bool{"dcgan": true, "wgan-gp/dcgan": true, "mlp": true, "acgan/dcgan": true}
	var sel []reviewCase
	for _, c := range cases {
		if pick[c.name] {
			sel = append(sel, c)
		}
	}
	parallel.SetThreads(1)
	var want [][]float32
	for _, c := range sel {
		want = append(want, reviewRun(t, c, 2))
	}
	for _, n := range []int{8, 16} {
		parallel.SetThreads(n)
		for round := range 2 {
			var wg sync.WaitGroup
			got := make([][]float32, len(sel))
			for i, c := range sel {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got[i] = reviewRun(t, c, 2)
				}()
			}
			wg.Wait()
			for i := range sel {
				reviewCompare(t, fmt.Sprintf("%d threads, round %d, %s", n, round, sel[i].name), got[i], want[i])
			}
		}
	}
}
