package gan

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/internal/gradcheck"
)

// Scores (3, 1) of a real and a generated batch, away from hinge's kinks.
var (
	realScores = []float32{1.5, -0.5, 0.25}
	fakeScores = []float32{-1.3, 0.5, -2}
)

// TestObjectiveValues checks every objective's losses on fixed scores against
// values computed by hand (in float64, from the formulas in the docs).
func TestObjectiveValues(t *testing.T) {
	want := map[string][2]float64{ // name → D's loss, G's loss
		"nonsaturating": {1.0311477, 1.3806711},
		"minimax":       {1.0311477, -0.4473378},
		"lsgan":         {1.5004167, 2.4233333},
		"wgan":          {-1.35, 0.9333333},
		"wgan-gp":       {-1.35, 0.9333333},
		"hinge":         {1.25, 0.9333333},
		"ragan":         {0.6124713, 3.3124713},
		"ralsgan":       {2.0344444, 12.8344444},
	}
	for _, o := range Objectives {
		w, ok := want[o.Name]
		if !ok {
			t.Errorf("%s: no hand-computed values", o.Name)
			continue
		}
		obj := o.New(DefaultConfig())
		g := autograd.NewGraph(nil)
		real, fake := g.Input(realScores, false, 3, 1), g.Input(fakeScores, false, 3, 1)
		d := obj.DiscriminatorLoss(g, real, fake).Item()
		gl := obj.GeneratorLoss(g, real, fake).Item()
		if math.Abs(float64(d)-w[0]) > 1e-5 || math.Abs(float64(gl)-w[1]) > 1e-5 {
			t.Errorf("%s: D loss %.7f, G loss %.7f; want %.7f, %.7f", o.Name, d, gl, w[0], w[1])
		}
	}
}

// TestObjectiveGradients checks both losses' gradients with respect to the
// real and generated scores against finite differences.
func TestObjectiveGradients(t *testing.T) {
	for _, o := range Objectives {
		obj := o.New(DefaultConfig())
		real, fake := scoreParam("real", realScores), scoreParam("fake", fakeScores)
		t.Run(o.Name, func(t *testing.T) {
			gradcheck.Check(t, o.Name+" D loss", []*autograd.Var{real, fake}, func(g *autograd.Graph) *autograd.Var {
				return obj.DiscriminatorLoss(g, real, fake)
			}, 1e-2)
			gradcheck.Check(t, o.Name+" G loss", []*autograd.Var{real, fake}, func(g *autograd.Graph) *autograd.Var {
				if !obj.GeneratorReadsReal() {
					return obj.GeneratorLoss(g, nil, fake)
				}
				return obj.GeneratorLoss(g, real, fake)
			}, 1e-2)
		})
	}
}

// uniformImages returns n values uniform in [−1, 1].
func uniformImages(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 0))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.Float64()*2 - 1)
	}
	return x
}

func scoreParam(name string, v []float32) *autograd.Var {
	p := autograd.NewParam(name, len(v), 1)
	copy(p.Data, v)
	return p
}

// ringDistance is the mean |‖x‖ − 2| of n samples of G: how far they lie from
// ring8's circle, and how many of the 8 modes have at least 10 of them within 0.3.
func ringDistance(tr *Trainer, n int) (dist float64, modes int) {
	z := make([]float32, n*tr.Config.LatentDim)
	Latents(z, 7)
	out := make([]float32, 2*n)
	Generate(tr.G, out, z, n)
	toy, _ := data.NewToy("ring8", 1, 1)
	counts := make([]int, len(toy.Centers))
	for i := range n {
		x, y := float64(out[2*i]), float64(out[2*i+1])
		dist += math.Abs(math.Hypot(x, y) - 2)
		for k, c := range toy.Centers {
			if math.Hypot(x-c[0], y-c[1]) < 0.3 {
				counts[k]++
			}
		}
	}
	for _, c := range counts {
		if c >= 10 {
			modes++
		}
	}
	return dist / float64(n), modes
}

// TestRelativisticTrains: 1,000 steps of the relativistic objectives on ring8
// with the mlp2d networks bring G's samples from near the origin onto the
// circle, spread over several of its modes.
func TestRelativisticTrains(t *testing.T) {
	for _, loss := range []string{"ragan", "ralsgan"} {
		t.Run(loss, func(t *testing.T) {
			cfg := toyConfig("mlp2d")
			cfg.Loss, cfg.Batch, cfg.LR = loss, 64, 1e-3
			tr, err := NewTrainer(cfg)
			if err != nil {
				t.Fatal(err)
			}
			toy, _ := data.NewToy("ring8", cfg.Batch, 1)
			before, _ := ringDistance(tr, 1000)
			x := make([]float32, 2*cfg.Batch)
			for i := range 1000 {
				toy.Batch(x, nil, 0, i)
				st, err := tr.TrainStep(x, nil)
				if err != nil {
					t.Fatal(err)
				}
				if !finite(st.DLoss) || !finite(st.GLoss) {
					t.Fatalf("step %d: %+v", i, st)
				}
			}
			after, modes := ringDistance(tr, 1000)
			t.Logf("%s: %.3f from the ring before, %.3f after, near %d modes", loss, before, after, modes)
			if after > 0.25 || modes < 4 {
				t.Fatalf("G's samples lie %.3f from the ring (%.3f before training), near %d modes; want < 0.25 and ≥ 4", after, before, modes)
			}
		})
	}
}

// TestRelativisticOnImages: the relativistic objectives take steps on
// MNIST-shaped batches with the seed's and the DCGAN's networks, and G's step
// runs D on the real batch (3 calls of D per step), which the other
// objectives skip (2 calls).
func TestRelativisticOnImages(t *testing.T) {
	for _, arch := range []string{"mlp", "dcgan"} {
		for _, loss := range []string{"ragan", "ralsgan", "nonsaturating"} {
			t.Run(arch+"/"+loss, func(t *testing.T) {
				cfg := DefaultConfig()
				cfg.Model, cfg.Loss, cfg.Batch = arch, loss, 4
				tr, err := NewTrainer(cfg)
				if err != nil {
					t.Fatal(err)
				}
				d := &recorder{Network: tr.D}
				tr.D = d
				g0 := slices.Clone(tr.G.TrainableWeights()[0].Data)
				for step := range 2 {
					st, err := tr.TrainStep(uniformImages(4*784, uint64(step)), nil)
					if err != nil {
						t.Fatal(err)
					}
					if !finite(st.DLoss) || !finite(st.GLoss) {
						t.Fatalf("step %d: %+v", step, st)
					}
				}
				calls := 2
				if strings.HasPrefix(loss, "ra") {
					calls = 3
				}
				if len(d.ins) != 2*calls {
					t.Errorf("D called %d times in 2 steps, want %d", len(d.ins), 2*calls)
				}
				if slices.Equal(tr.G.TrainableWeights()[0].Data, g0) {
					t.Error("G did not change")
				}
			})
		}
	}
}

// TestCustomObjective: NewTrainerFor trains with an objective that is not in
// the table, and the G step hands it the real scores only when it asks.
func TestCustomObjective(t *testing.T) {
	for _, reads := range []bool{false, true} {
		cfg := toyConfig("mlp2d")
		o := &countingObjective{readsReal: reads}
		tr, err := NewTrainerFor(ToyGenerator(cfg.LatentDim), ToyDiscriminator(2), cfg,
			WithObjective(NamedObjective{Name: "counting", New: func(Config) Objective { return o }}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tr.TrainStep(toyBatch(cfg.Batch, 1), nil); err != nil {
			t.Fatal(err)
		}
		if o.dCalls != 1 || o.gCalls != 1 || o.sawReal != reads {
			t.Fatalf("reads real %v: D loss called %d times, G loss %d, G saw real scores %v", reads, o.dCalls, o.gCalls, o.sawReal)
		}
	}
}

// countingObjective is Wasserstein's losses, counting the calls.
type countingObjective struct {
	readsReal, sawReal bool
	dCalls, gCalls     int
}

func (o *countingObjective) DiscriminatorLoss(g *autograd.Graph, real, fake *autograd.Var) *autograd.Var {
	o.dCalls++
	return Wasserstein{}.DiscriminatorLoss(g, real, fake)
}

func (o *countingObjective) GeneratorLoss(g *autograd.Graph, real, fake *autograd.Var) *autograd.Var {
	o.gCalls++
	o.sawReal = real != nil
	return Wasserstein{}.GeneratorLoss(g, real, fake)
}

func (o *countingObjective) GeneratorReadsReal() bool { return o.readsReal }

// TestLookupObjective: "" is the default, and an unknown name is rejected
// with the table's names.
func TestLookupObjective(t *testing.T) {
	if o, err := LookupObjective(""); err != nil || o.Name != "nonsaturating" {
		t.Fatalf("default objective %q, %v", o.Name, err)
	}
	_, err := LookupObjective("softmax")
	if err == nil || err.Error() != `unknown loss "softmax" (want nonsaturating, minimax, lsgan, wgan, wgan-gp, hinge, ragan, ralsgan)` {
		t.Fatalf("error %v", err)
	}
	if !strings.Contains(ObjectivesHelp(), "\n  ralsgan        relativistic average LSGAN") {
		t.Fatalf("help %q", ObjectivesHelp())
	}
}
