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

func TestSummaryUnknownModel(t *testing.T) {
	r := gogan(t, "summary", "--model", "nope")
	wantError(t, r, 2, `"nope"`, "mlp")
}
