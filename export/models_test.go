package export_test

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogan/gogan/export"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/internal/onnxtest"
)

// TestEveryModelExports exports the generator of every architecture and
// recipe, as freshly built, and runs them all through onnxruntime: a new
// architecture with a layer the exporter does not know fails here.
func TestEveryModelExports(t *testing.T) {
	models := strings.Split(gan.ArchitectureNames()+", "+gan.RecipeNames(), ", ")
	models = append(models, "cgan/dcgan", "acgan/dcgan")
	const n = 3
	var (
		jobs  []onnxtest.Job
		names []string
		wants [][]float32
		gens  []*export.Generator
	)
	for _, name := range models {
		cfg := gan.DefaultConfig()
		cfg.Model, cfg.Arch, _ = strings.Cut(name, "/")
		if a, err := gan.LookupArchitecture(cfg.ArchitectureName()); err == nil && a.Defaults != nil {
			a.Defaults(&cfg)
		}
		gan.ApplyRecipe(&cfg, map[string]bool{})
		job, err := gan.NewJob(cfg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		g, err := export.Of(job)
		if name == "classifier" {
			if err == nil || !strings.Contains(err.Error(), "model classifier generates nothing") {
				t.Errorf("a classifier gave %v, want an error", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		path := filepath.Join(t.TempDir(), "g.onnx")
		if err := export.WriteONNX(path, g); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		z, labels, ids := latents(n, g.LatentDim())
		inputs := map[string]onnxtest.Input{"z": {Dims: []int{n, g.LatentDim()}, Float32: z}}
		if g.Classes > 0 {
			inputs["label"] = onnxtest.Input{Dims: []int{n}, Int64: ids}
		} else {
			labels = nil
		}
		want := make([]float32, n*g.SampleShape().Size())
		gan.GenerateLabeled(g.Net, want, z, labels, n)
		jobs = append(jobs, onnxtest.Job{Model: path, Inputs: inputs})
		names, wants, gens = append(names, name), append(wants, want), append(gens, g)
	}
	for i, out := range onnxtest.RunAll(t, jobs) {
		got := out[gens[i].OutputName()]
		if len(got.Data) != len(wants[i]) {
			t.Errorf("%s: onnxruntime made %v, want %d values", names[i], got.Dims, len(wants[i]))
			continue
		}
		worst := 0.0
		for j, w := range wants[i] {
			worst = max(worst, math.Abs(float64(got.Data[j]-w)))
		}
		if worst > 1e-4 || math.IsNaN(worst) {
			t.Errorf("%s: onnxruntime differs from gogan by up to %g", names[i], worst)
		}
	}
	t.Logf("exported and ran %s", strings.Join(names, ", "))
}
