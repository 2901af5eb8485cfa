package gan

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/nn"
)

// recorder is a network that keeps a copy of every input and output of Call.
type recorder struct {
	nn.Network
	ins, outs [][]float32
	shapes    [][]int // of the inputs
}

func (r *recorder) Call(g *autograd.Graph, x *autograd.Var, training bool) *autograd.Var {
	y := r.Network.Call(g, x, training)
	r.ins = append(r.ins, slices.Clone(x.Data))
	r.shapes = append(r.shapes, slices.Clone([]int(x.Shape)))
	r.outs = append(r.outs, slices.Clone(y.Data))
	return y
}

// TestPackedDiscriminatorInput: with pack 2, D's input is the real batch and
// G's batch, each viewed as (batch/2, 4): row i is samples 2i and 2i+1 side by
// side. The D step scores both in one call; the G step scores G's packs again.
func TestPackedDiscriminatorInput(t *testing.T) {
	cfg := toyConfig("mlp2d")
	cfg.Pack = 2
	tr, err := NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{4}; !slices.Equal(tr.D.InputShapes()[0], want) {
		t.Fatalf("D takes %v, want %v", tr.D.InputShapes()[0], want)
	}
	if want := []int{2}; !slices.Equal(tr.SampleShape(), want) {
		t.Fatalf("sample shape %v, want %v", tr.SampleShape(), want)
	}
	g, d := &recorder{Network: tr.G}, &recorder{Network: tr.D}
	tr.G, tr.D = g, d
	real := toyBatch(cfg.Batch, 1)
	if _, err := tr.TrainStep(real, nil); err != nil {
		t.Fatal(err)
	}
	if len(g.outs) != 1 || len(d.ins) != 2 {
		t.Fatalf("G called %d times, D %d times; want 1 and 2", len(g.outs), len(d.ins))
	}
	fake := g.outs[0]
	// pack builds pack i of x by hand: samples m·i … m·i+m−1, one after another.
	pack := func(x []float32, i, m int) []float32 {
		var p []float32
		for k := range m {
			s := m*i + k
			p = append(p, x[2*s:2*s+2]...)
		}
		return p
	}
	n := cfg.Batch / 2
	if want := []int{2 * n, 4}; !slices.Equal(d.shapes[0], want) {
		t.Fatalf("D step's input is %v, want %v", d.shapes[0], want)
	}
	if want := []int{n, 4}; !slices.Equal(d.shapes[1], want) {
		t.Fatalf("G step's input to D is %v, want %v", d.shapes[1], want)
	}
	for i := range n {
		if got, want := d.ins[0][4*i:4*i+4], pack(real, i, 2); !slices.Equal(got, want) {
			t.Fatalf("real pack %d: D saw %v, want %v", i, got, want)
		}
		if got, want := d.ins[0][4*(n+i):4*(n+i)+4], pack(fake, i, 2); !slices.Equal(got, want) {
			t.Fatalf("fake pack %d: D saw %v, want %v", i, got, want)
		}
		if got, want := d.ins[1][4*i:4*i+4], pack(fake, i, 2); !slices.Equal(got, want) {
			t.Fatalf("fake pack %d in G's step: D saw %v, want %v", i, got, want)
		}
	}
}

// TestPackTrains: every objective takes packed steps with finite losses, and
// the G step's gradient reaches G through the packing; two critic calls (no
// joint D) give the joint call's first scores.
func TestPackTrains(t *testing.T) {
	for _, loss := range Losses {
		t.Run(loss, func(t *testing.T) {
			cfg := toyConfig("mlp2d")
			cfg.Loss, cfg.GP, cfg.Clip, cfg.Pack = loss, 10, 0.05, 4
			tr, err := NewTrainer(cfg)
			if err != nil {
				t.Fatal(err)
			}
			g0 := slices.Clone(tr.G.Weights()[0].Data)
			for step := range 2 {
				st, err := tr.TrainStep(toyBatch(cfg.Batch, uint64(step)), nil)
				if err != nil {
					t.Fatal(err)
				}
				if !finite(st.DLoss) || !finite(st.GLoss) || !finite(st.DReal) || !finite(st.DFake) {
					t.Fatalf("step %d: %+v", step, st)
				}
			}
			if slices.Equal(tr.G.Weights()[0].Data, g0) {
				t.Fatal("G's first kernel did not change: no gradient through the packing")
			}
		})
	}
	cfg := toyConfig("mlp2d")
	cfg.Pack = 2
	joint, _ := NewTrainer(cfg)
	separate, _ := NewTrainer(cfg)
	separate.jointD = false
	a, err := joint.TrainStep(toyBatch(cfg.Batch, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := separate.TrainStep(toyBatch(cfg.Batch, 1), nil)
	if a != b {
		t.Fatalf("first step's stats %+v in one call, %+v in two", a, b)
	}
}

// TestPackResumeIsBitIdentical: a packed run resumed from its checkpoint
// rebuilds the packed D and takes the steps the straight run takes, bit for bit.
func TestPackResumeIsBitIdentical(t *testing.T) {
	cfg := toyConfig("wgan-gp") // the gradient penalty draws α per pack
	cfg.Loss, cfg.GP, cfg.NCritic, cfg.Pack = "wgan-gp", 10, 2, 2
	resumed := resumeMatchesStraight(t, cfg, 3, func(step int) []float32 { return toyBatch(cfg.Batch, uint64(step)) })
	if resumed.Config.Pack != 2 || !slices.Equal(resumed.D.InputShapes()[0], []int{4}) {
		t.Errorf("resumed pack %d, D takes %v; want 2 and (4,)", resumed.Config.Pack, resumed.D.InputShapes()[0])
	}
}

// TestPackRejected: settings that cannot pack fail with one line naming why.
func TestPackRejected(t *testing.T) {
	for _, c := range []struct {
		name string
		set  func(*Config)
		want string
	}{
		{"batch not divisible", func(c *Config) { c.Pack = 3 }, "batch 16 is not divisible by pack 3"},
		{"cgan", func(c *Config) { c.Model, c.Conditional, c.Pack = "cgan", "cgan", 2 }, "pack does not combine with cgan"},
		{"acgan", func(c *Config) { c.Model, c.Conditional, c.Pack = "acgan", "acgan", 2 }, "pack does not combine with acgan"},
		{"autoencoder", func(c *Config) { c.Model, c.Arch, c.Pack = "cae", "", 2 }, "pack 2 needs a GAN's discriminator; cae is not a GAN"},
		{"too large", func(c *Config) { c.Pack = 17 }, "pack must be in [0, 16], got 17"},
		{"negative", func(c *Config) { c.Pack = -1 }, "pack must be in [0, 16], got -1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := toyConfig("mlp2d")
			c.set(&cfg)
			_, err := NewTrainer(cfg)
			if err == nil || err.Error() != c.want {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if err := cfg.Validate(); err == nil || err.Error() != c.want {
				t.Fatalf("Validate: %v, want %q", err, c.want)
			}
		})
	}
	for _, pack := range []int{0, 1, 16} {
		cfg := toyConfig("mlp2d")
		cfg.Pack = pack
		if err := cfg.Validate(); err != nil {
			t.Errorf("pack %d: %v", pack, err)
		}
		if strings.Contains(mustJSON(t, cfg), "pack") != (pack != 0) {
			t.Errorf("pack %d: config JSON %s", pack, mustJSON(t, cfg))
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
