package gan

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/tensor"
)

// newDeviceTrainer is a trainer of cfg on the first GPU, or skips the test.
func newDeviceTrainer(t *testing.T, cfg Config) *Trainer {
	t.Helper()
	tr, err := NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.UseDevice("cuda"); err != nil {
		t.Skipf("no CUDA device: %v", err)
	}
	return tr
}

// TestDeviceTracksCPU trains the seed's GAN for 300 steps on MNIST on the CPU
// and on the GPU from the same weights, batches and noise. Float32 sums in
// another order make the runs drift apart, and a GAN amplifies the drift: the
// CPU's AVX-512 and AVX2 kernels, which sum in different orders, give losses
// within 3.1e-6 of each other over the first 10 steps, 7.4e-4 over 20 and 2.4e-3
// over 30, and unrelated ones after about 60 (seeds 3–12 of DefaultConfig). So
// the bounds are:
//   - the first step's weights agree to 1e-4, and each of the first 10 steps'
//     losses to 1e-3: a wrong kernel, noise or update is off by far more;
//   - the mean losses over steps 101–300 agree to 40%: the two CPU kernel sets'
//     means were up to 31% apart (d_loss, seed 6) over these steps, and up to 48%
//     over steps 201–300, so a closer bound tests only luck. A GPU step that
//     does not learn (d_loss near ln 4 = 1.386 against about 0.45) or diverges is
//     far outside it.
func TestDeviceTracksCPU(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Seed = 3
	const steps, lockstep, from = 300, 10, 100
	var sums [2][2]float64 // [cpu, gpu][d, g]
	trainBothOnMNIST(t, cfg, steps, func(step int, cpu, gpu *Trainer, stats [2]StepStats) {
		if step == 0 {
			checkClose(t, "step 1", cpu, gpu, 1e-4)
		}
		if step < lockstep {
			c, g := stats[0], stats[1]
			t.Logf("step %d: d_loss cpu %.6f gpu %.6f, g_loss cpu %.6f gpu %.6f", step+1, c.DLoss, g.DLoss, c.GLoss, g.GLoss)
			if !lossesClose(c.DLoss, g.DLoss, 1e-3) || !lossesClose(c.GLoss, g.GLoss, 1e-3) {
				t.Errorf("step %d: the GPU's losses are more than 1e-3 from the CPU's", step+1)
			}
		}
		for k, st := range stats {
			if step >= from {
				sums[k][0] += st.DLoss
				sums[k][1] += st.GLoss
			}
		}
	})
	for i, name := range []string{"d_loss", "g_loss"} {
		c, g := sums[0][i]/(steps-from), sums[1][i]/(steps-from)
		t.Logf("mean %s over steps %d–%d: cpu %.4f, gpu %.4f", name, from+1, steps, c, g)
		if !lossesClose(c, g, 0.4) {
			t.Errorf("mean %s over steps %d–%d: gpu %.4f, cpu %.4f: more than 40%% apart", name, from+1, steps, g, c)
		}
	}
}

// lossesClose reports whether b is within tol of a, relative to a.
func lossesClose(a, b float64, tol float64) bool {
	return math.Abs(b-a) <= tol*math.Abs(a)
}

// trainBothOnMNIST trains a CPU trainer and a GPU trainer of cfg (skipping
// the test without a GPU or MNIST) from the same weights on the same MNIST
// batches for steps steps, and hands each step's stats, CPU's first, to check.
func trainBothOnMNIST(t *testing.T, cfg Config, steps int, check func(step int, cpu, gpu *Trainer, stats [2]StepStats)) {
	t.Helper()
	gpu := newDeviceTrainer(t, cfg)
	cpu, err := NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := data.Load("mnist")
	if err != nil {
		t.Skipf("MNIST: %v", err)
	}
	batches, err := data.NewBatcher(ds.Train, cfg.Batch, cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	real := make([]float32, cfg.Batch*784)
	for step := range steps {
		batches.Batch(real, nil, 0, step)
		var stats [2]StepStats
		for k, tr := range []*Trainer{cpu, gpu} {
			if stats[k], err = tr.TrainStep(real, nil); err != nil {
				t.Fatalf("step %d on %s: %v", step, tr.Device(), err)
			}
		}
		check(step, cpu, gpu, stats)
	}
}

// checkClose compares the two trainers' G weights after a step.
func checkClose(t *testing.T, when string, cpu, gpu *Trainer, tol float64) {
	t.Helper()
	for _, tr := range []*Trainer{cpu, gpu} {
		if err := tr.syncHost(); err != nil {
			t.Fatal(err)
		}
	}
	gw := gpu.G.Weights()
	for i, w := range cpu.G.Weights() {
		for j, v := range w.Data {
			if e := math.Abs(float64(gw[i].Data[j]-v)) / (1 + math.Abs(float64(v))); !(e <= tol) {
				t.Fatalf("%s: G weight %s[%d] is %g on the GPU, %g on the CPU", when, w.Name, j, gw[i].Data[j], v)
			}
		}
	}
}

// TestDeviceCheckpointResumesOnCPU saves a checkpoint of a GPU run and loads
// it on the CPU: the weights are the GPU's.
func TestDeviceCheckpointResumesOnCPU(t *testing.T) {
	cfg := DefaultConfig()
	gpu := newDeviceTrainer(t, cfg)
	real := make([]float32, cfg.Batch*784)
	for i := range real {
		real[i] = float32(i%17)/8 - 1
	}
	for range 3 {
		if _, err := gpu.TrainStep(real, nil); err != nil {
			t.Fatal(err)
		}
	}
	cpu := reloaded(t, gpu)
	if cpu.Step != 3 {
		t.Fatalf("resumed at step %d, want 3", cpu.Step)
	}
	checkClose(t, "after loading", cpu, gpu, 0)
	if _, err := cpu.TrainStep(real, nil); err != nil {
		t.Fatalf("a CPU step after a GPU checkpoint: %v", err)
	}
}

// TestDeviceTakesEveryRecipe checks that no recipe is refused on a GPU
// before its first step: every recipe's layers, objective and optimizers have
// CUDA kernels (checked without a GPU; TestDeviceTrainsEveryRecipe runs them).
func TestDeviceTakesEveryRecipe(t *testing.T) {
	for name := range recipes {
		cfg := DefaultConfig()
		cfg.Model = name
		ApplyDefaults(&cfg, nil)
		tr, err := NewTrainer(cfg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := tr.checkDeviceSupport(); err != nil {
			t.Errorf("%s on the GPU: %v", name, err)
		}
	}
}

// TestDeviceWGANGPTracksCPU trains the seed's networks with the wgan-gp recipe
// (5 critic steps, the gradient penalty's second-order gradients) on MNIST on
// the CPU and on the GPU from the same weights and batches: the first step's
// critic loss, penalty included, agrees to 1e-4, G's weights after its first
// update (step 5) to 1e-3, and every loss of 50 steps is finite on the GPU.
func TestDeviceWGANGPTracksCPU(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Model = "wgan-gp"
	ApplyDefaults(&cfg, nil)
	trainBothOnMNIST(t, cfg, 50, func(step int, cpu, gpu *Trainer, stats [2]StepStats) {
		for k, st := range stats {
			if !finite(st.DLoss) || !finite(st.GLoss) {
				t.Fatalf("step %d on %s: d_loss %g, g_loss %g", step, []*Trainer{cpu, gpu}[k].Device(), st.DLoss, st.GLoss)
			}
		}
		switch step {
		case 0:
			c, g := stats[0].DLoss, stats[1].DLoss
			t.Logf("step 1: d_loss cpu %.6f, gpu %.6f", c, g)
			if math.Abs(g-c) > 1e-4*(1+math.Abs(c)) {
				t.Fatalf("step 1: d_loss %g on the GPU, %g on the CPU", g, c)
			}
		case cfg.NCritic - 1:
			checkClose(t, "G's first update", cpu, gpu, 1e-3)
		}
	})
}

// TestDeviceTrainsImageModels trains, on the GPU, three steps of each model the
// GPU runs, at the data shapes they meet, with finite losses: the TensorFlow
// DCGAN on MNIST and on Stacked MNIST, packed by 2, the tuned recipe (EMA on
// the device) and Radford's DCGAN at 32×32×3.
func TestDeviceTrainsImageModels(t *testing.T) {
	cases := []struct {
		model, arch string
		shape       tensor.Shape
		pack        int
	}{
		{"dcgan", "", tensor.Shape{28, 28, 1}, 0},
		{"dcgan", "", tensor.Shape{28, 28, 3}, 0},
		{"dcgan", "", tensor.Shape{28, 28, 3}, 2},
		{"tuned", "", tensor.Shape{28, 28, 1}, 0},
		{"tuned", "dcgan", tensor.Shape{28, 28, 1}, 0},
		{"dcgan", "", tensor.Shape{32, 32, 3}, 0},
		{"lsgan", "dcgan", tensor.Shape{28, 28, 1}, 0},
	}
	for _, c := range cases {
		t.Run(c.model+"/"+c.arch+"/"+c.shape.Dims()+"/pack"+strconv.Itoa(c.pack), func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Model, cfg.Arch, cfg.Batch, cfg.Pack = c.model, c.arch, 8, c.pack
			ApplyDefaults(&cfg, map[string]bool{"model": true, "arch": c.arch != "", "batch": true, "pack": c.pack > 0})
			r, err := cfg.Resolve()
			if err != nil {
				t.Fatal(err)
			}
			if r, err = r.ForData(c.shape); err != nil {
				t.Fatal(err)
			}
			job, err := NewJobFor(r)
			if err != nil {
				t.Fatal(err)
			}
			tr := job.(*Trainer)
			if err := tr.UseDevice("cuda"); err != nil {
				t.Skipf("no CUDA device: %v", err)
			}
			real := make([]float32, cfg.Batch*c.shape.Size())
			for i := range real {
				real[i] = float32(i%13)/6 - 1
			}
			for step := range 3 {
				st, err := tr.TrainStep(real, nil)
				if err != nil {
					t.Fatalf("step %d: %v", step+1, err)
				}
				if !finite(st.DLoss) || !finite(st.GLoss) {
					t.Fatalf("step %d: losses %v, %v", step+1, st.DLoss, st.GLoss)
				}
			}
			if _, err := tr.Progress(TestSet{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestDeviceGraphMatchesEager trains twice on the GPU from the same seed,
// kernel by kernel and by replaying the captured step: the weights and numbers
// agree to the bit. The TensorFlow DCGAN has BatchNorm and Dropout; the
// seed's GAN runs with an average of G and a decaying learning rate, which a
// replay must advance as the step's Go code does; cgan and acgan take labels,
// which a replay stages with the classes it draws for G, as the step does.
func TestDeviceGraphMatchesEager(t *testing.T) {
	dcgan := DefaultConfig()
	dcgan.Model, dcgan.Batch = "dcgan", 16
	ApplyDefaults(&dcgan, map[string]bool{"model": true, "batch": true})
	mlp := DefaultConfig()
	mlp.Batch, mlp.EMA, mlp.LRDecay = 16, 0.999, "linear"
	cfgs := []Config{dcgan, mlp}
	for _, model := range []string{"cgan", "acgan"} {
		cfg := DefaultConfig()
		cfg.Model, cfg.Batch = model, 16
		ApplyDefaults(&cfg, map[string]bool{"model": true, "batch": true})
		cfgs = append(cfgs, cfg)
	}
	for _, cfg := range cfgs {
		t.Run(cfg.Model, func(t *testing.T) { graphMatchesEager(t, cfg) })
	}
}

func graphMatchesEager(t *testing.T, cfg Config) {
	eager := newDeviceTrainer(t, cfg)
	eager.SetCUDAGraph(false)
	graph := newDeviceTrainer(t, cfg)
	eager.Plan(20)
	graph.Plan(20)
	real := make([]float32, cfg.Batch*784)
	var labels []uint8 // the conditional recipes': their labels are staged for each replay too
	if cfg.Conditional != "" {
		labels = make([]uint8, cfg.Batch)
	}
	for step := range 12 {
		for i := range real {
			real[i] = float32((i*7+step*3)%19)/9 - 1
		}
		for i := range labels {
			labels[i] = uint8((i*3 + step) % 10)
		}
		a, err := eager.TrainStep(real, labels)
		if err != nil {
			t.Fatal(err)
		}
		b, err := graph.TrainStep(real, labels)
		if err != nil {
			t.Fatal(err)
		}
		if a != b {
			t.Fatalf("step %d: eager %+v, graph %+v", step+1, a, b)
		}
	}
	if !graph.CUDAGraph() || eager.CUDAGraph() {
		t.Fatalf("graph trainer replays a graph: %v; eager: %v", graph.CUDAGraph(), eager.CUDAGraph())
	}
	checkClose(t, "after 12 steps", eager, graph, 0)
	if cfg.EMA > 0 {
		ew, gw := eager.GEMA.Weights(), graph.GEMA.Weights()
		for i, w := range ew {
			for j, v := range w.Data {
				if gw[i].Data[j] != v {
					t.Fatalf("G's average %s[%d]: eager %g, graph %g", w.Name, j, v, gw[i].Data[j])
				}
			}
		}
	}
}

// TestNaNStepChangesNothing feeds a batch with a NaN after the step was
// captured: the step fails with an error naming the loss, no weight moves, and
// the next step trains on to finite weights, on the CPU as on the GPU, with
// and without an average of G.
func TestNaNStepChangesNothing(t *testing.T) {
	for _, c := range []struct {
		device string
		ema    float32
	}{{"cpu", 0}, {"cuda", 0}, {"cuda", 0.999}} {
		t.Run(fmt.Sprintf("%s/ema%g", c.device, c.ema), func(t *testing.T) {
			device := c.device
			cfg := DefaultConfig()
			cfg.Batch, cfg.EMA = 16, c.ema
			tr, err := NewTrainer(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := tr.UseDevice(device); err != nil {
				t.Skipf("no CUDA device: %v", err)
			}
			real := make([]float32, cfg.Batch*784)
			for step := range 6 {
				for i := range real {
					real[i] = float32((i+step)%11)/5 - 1
				}
				if _, err := tr.TrainStep(real, nil); err != nil {
					t.Fatal(err)
				}
			}
			if err := tr.syncHost(); err != nil {
				t.Fatal(err)
			}
			before := snapshot(tr)
			real[5] = float32(math.NaN())
			_, err = tr.TrainStep(real, nil)
			if err == nil || tr.Step != 6 {
				t.Fatalf("a NaN batch: error %v, step %d (want an error at step 7, 6 steps counted)", err, tr.Step)
			}
			t.Log(err)
			if err := tr.syncHost(); err != nil {
				t.Fatal(err)
			}
			for i, w := range snapshot(tr) {
				if w != before[i] {
					t.Fatalf("weight %d moved from %g to %g", i, before[i], w)
				}
			}
			real[5] = 0
			if _, err := tr.TrainStep(real, nil); err != nil {
				t.Fatalf("the step after the NaN one: %v", err)
			}
			if err := tr.syncHost(); err != nil {
				t.Fatal(err)
			}
			for i, w := range snapshot(tr) {
				if !finite(float64(w)) {
					t.Fatalf("after the NaN step, a finite step left weight %d at %g", i, w)
				}
			}
		})
	}
}

// snapshot copies G's and D's trainable weights.
func snapshot(tr *Trainer) []float32 {
	var out []float32
	for _, w := range append(tr.G.TrainableWeights(), tr.D.TrainableWeights()...) {
		out = append(out, w.Data...)
	}
	return out
}

// TestParseDevice checks the device names --device takes, and that bad ones
// are refused with a message naming them.
func TestParseDevice(t *testing.T) {
	for name, want := range map[string]int{"": -1, "cpu": -1, "cuda": 0, "cuda:0": 0, "cuda:3": 3} {
		if got, err := ParseDevice(name); err != nil || got != want {
			t.Errorf("ParseDevice(%q) = %d, %v; want %d", name, got, err, want)
		}
	}
	for _, name := range []string{"gpu", "cuda:", "cuda:-1", "cuda:x", "CUDA", "cpu:0"} {
		if _, err := ParseDevice(name); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", name)) {
			t.Errorf("ParseDevice(%q): error %v, want one naming it", name, err)
		}
	}
}
