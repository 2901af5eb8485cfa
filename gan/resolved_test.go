package gan

import (
	"slices"
	"testing"

	"github.com/gogan/gogan/tensor"
)

// TestApplyDefaults: an architecture's defaults fill what the user did not
// give; a recipe keeps its own optimizer and D settings.
func TestApplyDefaults(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Model, cfg.Batch = "mlp2d", 128
	ApplyDefaults(&cfg, map[string]bool{"batch": true})
	if cfg.Data != "ring8" || cfg.Batch != 128 || cfg.LatentDim != 16 || cfg.Pack != 2 || cfg.LR != 1e-3 || cfg.LRDecay != "linear" {
		t.Fatalf("mlp2d defaults gave %+v", cfg)
	}
	recipe := DefaultConfig()
	recipe.Model, recipe.Arch = "ralsgan", "mlp2d"
	ApplyDefaults(&recipe, nil)
	if recipe.Loss != "ralsgan" || recipe.Data != "ring8" || recipe.LR != 2e-4 || recipe.Pack != 0 || recipe.LRDecay != "" {
		t.Fatalf("ralsgan on mlp2d gave %+v", recipe)
	}
	resnet := DefaultConfig()
	resnet.Model = "resnet"
	ApplyDefaults(&resnet, nil)
	if resnet.LatentDim != 128 || resnet.Beta1 != 0 || resnet.Beta2 != 0.9 {
		t.Fatalf("resnet defaults gave %+v", resnet)
	}
}

// TestResolve: Resolve rejects what Validate rejects, with the same error,
// and keeps the architecture and objective it looked up; NewJobFor refuses
// settings that Resolve did not make.
func TestResolve(t *testing.T) {
	bad := DefaultConfig()
	bad.Loss = "softmax"
	if _, err := bad.Resolve(); err == nil || err.Error() != bad.Validate().Error() {
		t.Fatalf("Resolve: %v; Validate: %v", err, bad.Validate())
	}
	cfg := toyConfig("ragan")
	ApplyRecipe(&cfg, nil)
	r, err := cfg.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	if r.Architecture().Name != "mlp2d" || r.Objective().Name != "ragan" || r.Config().Model != "ragan" {
		t.Fatalf("resolved %s, %s, %s", r.Architecture().Name, r.Objective().Name, r.Config().Model)
	}
	if _, err := NewJobFor(Resolved{}); err == nil {
		t.Fatal("NewJobFor took settings that Resolve did not make")
	}
	rn := DefaultConfig()
	rn.Model, rn.Batch, rn.LatentDim = "resnet", 2, 8
	r, err = rn.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	gray, err := r.ForData(tensor.Shape{32, 32, 1})
	if err != nil || !slices.Equal(gray.Config().SampleShape, []int{32, 32, 1}) {
		t.Fatalf("ForData: %v, %v", gray.Config().SampleShape, err)
	}
	if _, err := r.ForData(tensor.Shape{28, 28, 1}); err == nil {
		t.Fatal("resnet took 28×28 samples")
	}
}
