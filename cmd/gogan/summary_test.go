package main

import (
	"strings"
	"testing"
)

func TestSummary(t *testing.T) {
	r := gogan(t, "summary", "--model", "mlp")
	wantExit(t, r, 0)
	for _, want := range []string{
		`Model: "generator"`, `Model: "discriminator"`,
		"Total params: 1,493,520", "Trainable params: 1,489,936", "Non-trainable params: 3,584",
		"Total params: 1,460,225",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary lacks %q\n%s", want, r)
		}
	}
	if r.stderr != "" {
		t.Errorf("summary wrote to stderr\n%s", r)
	}
}

// TestSummaryOfRecipe: a recipe's summary shows the networks it trains: the
// DCGAN's for tuned-dcgan, the seed's with the label embeddings for cgan.
func TestSummaryOfRecipe(t *testing.T) {
	for model, want := range map[string]string{"tuned-dcgan": "Total params: 2,330,944", "cgan": "Total params: 1,506,820"} {
		r := gogan(t, "summary", "--model", model)
		wantExit(t, r, 0)
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary --model %s lacks %q\n%s", model, want, r)
		}
	}
}

func TestSummaryUnknownModel(t *testing.T) {
	r := gogan(t, "summary", "--model", "nope")
	wantError(t, r, 2, `"nope"`, "mlp")
}

// TestSummaryPacked: mlp2d's D takes pairs of points by default (4 inputs),
// single points with --pack 1; a D over images takes packs along the channels.
func TestSummaryPacked(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // D's first Dense: (inputs + 1) × 128 parameters
	}{
		{split("summary --model mlp2d"), "Total params: 33,793"},
		{split("summary --model mlp2d --pack 1"), "Total params: 33,537"},
		{split("summary --model mlp2d --pack 3"), "Total params: 34,049"},
	} {
		r := gogan(t, tc.args...)
		wantExit(t, r, 0)
		if !strings.Contains(r.stdout, tc.want) {
			t.Errorf("%v: summary lacks %q\n%s", tc.args, tc.want, r)
		}
	}
	// Images are packed along their channels: mlp's D takes 28×28×2.
	r := gogan(t, split("summary --model mlp --pack 2")...)
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, "1,606,656") { // Dense(1024) over 28·28·2 inputs
		t.Errorf("packed mlp's D lacks its first Dense of 1,606,656 parameters\n%s", r)
	}
	wantError(t, gogan(t, split("summary --model mlp --pack 17")...), 2, "pack must be in [0, 16], got 17")
}
