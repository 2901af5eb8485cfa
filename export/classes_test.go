package export_test

import (
	"testing"

	"github.com/gogan/gogan/export"
	"github.com/gogan/gogan/gan"
)

// TestOfConditionalClasses: the generator of a conditional GAN trained on a folder of 3
// class folders takes labels in [0, 3), where Of said MNIST's 10 whatever the run's, and
// the exported model's metadata and gogan export's line promised labels its embedding
// refuses.
func TestOfConditionalClasses(t *testing.T) {
	cfg := gan.DefaultConfig()
	cfg.Model, cfg.Classes = "cgan", 3
	gan.ApplyRecipe(&cfg, nil)
	job, err := gan.NewJob(cfg)
	if err != nil {
		t.Fatal(err)
	}
	g, err := export.Of(job)
	if err != nil {
		t.Fatal(err)
	}
	if g.Classes != 3 {
		t.Fatalf("Classes %d, want the run's 3", g.Classes)
	}
}
