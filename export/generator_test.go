package export_test

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/export"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/internal/onnxtest"
)

// trained trains the configured GAN for 3 steps on synthetic images (and
// labels), saves its checkpoint into a temporary folder and returns that
// folder, as a run leaves it.
func trained(t *testing.T, model string, edit func(*gan.Config)) string {
	t.Helper()
	cfg := gan.DefaultConfig()
	cfg.Model, cfg.Batch, cfg.LatentDim, cfg.Seed = model, 4, 16, 3
	gan.ApplyRecipe(&cfg, map[string]bool{})
	if edit != nil {
		edit(&cfg)
	}
	job, err := gan.NewJob(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	images := make([]float32, cfg.Batch*28*28)
	labels := make([]uint8, cfg.Batch)
	for range 3 {
		for i := range images {
			images[i] = 2*rng.Float32() - 1
		}
		for i := range labels {
			labels[i] = uint8(rng.IntN(gan.Classes))
		}
		if _, err := job.Train(images, labels); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(t.TempDir(), "checkpoints")
	if _, err := job.SaveCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// latents are n latent vectors and labels cycling through the classes.
func latents(n, latent int) ([]float32, []uint8, []int64) {
	z := make([]float32, n*latent)
	gan.Latents(z, 11)
	labels, ids := make([]uint8, n), make([]int64, n)
	for i := range labels {
		labels[i], ids[i] = uint8(i%gan.Classes), int64(i%gan.Classes)
	}
	return z, labels, ids
}

// TestONNXMatchesSample exports trained runs and checks that onnxruntime
// draws what gogan sample draws (the generator's inference pass, the EMA
// weights where the run keeps them) from the same latents, within 1e-4.
func TestONNXMatchesSample(t *testing.T) {
	const n = 10
	var (
		jobs         []onnxtest.Job
		paths, names []string
		wants        [][]float32
	)
	for _, tc := range []struct {
		name, model string
		edit        func(*gan.Config)
	}{
		{"seed GAN", "mlp", nil},
		{"DCGAN", "dcgan", nil},
		{"cGAN", "cgan", nil},
		{"EMA", "mlp", func(c *gan.Config) { c.EMA = 0.5 }},
	} {
		names = append(names, tc.name)
		g, err := export.Load(trained(t, tc.model, tc.edit))
		if err != nil {
			t.Fatal(err)
		}
		if tc.edit != nil && !g.EMA {
			t.Fatal("the run keeps an EMA of G's weights but the export does not use it")
		}
		path := filepath.Join(t.TempDir(), "generator.onnx")
		if err := export.WriteONNX(path, g); err != nil {
			t.Fatal(err)
		}
		z, labels, ids := latents(n, g.LatentDim())
		inputs := map[string]onnxtest.Input{"z": {Dims: []int{n, g.LatentDim()}, Float32: z}}
		if g.Classes > 0 {
			inputs["label"] = onnxtest.Input{Dims: []int{n}, Int64: ids}
		} else {
			labels = nil
		}
		want := make([]float32, n*28*28)
		gan.GenerateLabeled(g.Net, want, z, labels, n)
		jobs = append(jobs, onnxtest.Job{Model: path, Inputs: inputs})
		paths = append(paths, path)
		wants = append(wants, want)
	}
	t.Log(onnxtest.Check(t, paths...))
	for i, out := range onnxtest.RunAll(t, jobs) {
		t.Run(names[i], func(t *testing.T) {
			got := out["image"]
			if len(got.Dims) != 4 || got.Dims[0] != n || got.Dims[1] != 28 || got.Dims[2] != 28 || got.Dims[3] != 1 {
				t.Fatalf("onnxruntime's image is %v, want (%d, 28, 28, 1)", got.Dims, n)
			}
			worst := 0.0
			for j, w := range wants[i] {
				worst = max(worst, math.Abs(float64(got.Data[j]-w)))
			}
			if worst > 1e-4 || math.IsNaN(worst) {
				t.Fatalf("onnxruntime's images differ from gogan's by up to %g", worst)
			}
			t.Logf("%d pixels agree within %.2g", len(wants[i]), worst)
		})
	}
}

// TestSafetensorsLayout writes a cGAN's generator and reads it back: every
// weight under its gogan name and shape, the metadata describing the
// generator, and a configuration that rebuilds the network.
func TestSafetensorsLayout(t *testing.T) {
	g, err := export.Load(trained(t, "cgan", nil))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "generator.safetensors")
	if err := export.WriteSafetensors(path, g); err != nil {
		t.Fatal(err)
	}
	tensors, md, err := checkpoint.LoadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"format": "gogan-generator/1", "model": "cgan", "step": "3", "latent_dim": "16", "classes": "10",
		"sample_shape": "28,28,1", "layout": "NHWC", "inputs": "z,label", "output": "image", "ema": "false",
	} {
		if md[k] != want {
			t.Errorf("metadata %s = %q, want %q", k, md[k], want)
		}
	}
	if !strings.Contains(md["config"], `"conditional":"cgan"`) {
		t.Errorf("metadata config %s does not say the run is a cgan", md["config"])
	}
	ws := g.Net.Weights()
	if len(tensors) != len(ws) {
		t.Errorf("%d tensors for %d weights", len(tensors), len(ws))
	}
	for _, w := range ws {
		got, ok := tensors[w.Name]
		if !ok {
			t.Errorf("no tensor %s", w.Name)
			continue
		}
		if got.DType != "F32" || len(got.F32) != len(w.Data) || got.F32[0] != w.Data[0] {
			t.Errorf("tensor %s is %s %v, the weight %v", w.Name, got.DType, got.Shape, w.Shape)
		}
	}
	for _, name := range []string{"embedding/embeddings", "dense/kernel", "batch_normalization/moving_variance"} {
		if _, ok := tensors[name]; !ok {
			t.Errorf("no tensor %s: the names are not gogan's", name)
		}
	}
}

func TestErrors(t *testing.T) {
	if _, err := export.Load(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("a missing run gave %v", err)
	}
	g, err := export.Load(trained(t, "mlp", nil))
	if err != nil {
		t.Fatal(err)
	}
	g.Net.Weights()[2].Data[7] = float32(math.Inf(1))
	for name, f := range export.Formats {
		path := filepath.Join(t.TempDir(), "g."+name)
		err := f.Write(path, g)
		if err == nil || !strings.Contains(err.Error(), "weight "+g.Net.Weights()[2].Name+" holds +Inf at index 7") {
			t.Errorf("%s: a weight of +Inf gave %v", name, err)
		}
	}
}
