package cuda

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConvChoicesFile: a timed choice written by one process is read by the next
// (forgetChoices stands for the new process), merged with what another process
// wrote in between, kept apart per GPU model and cuDNN version; a corrupt file and
// "off" are reported, not used.
func TestConvChoicesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gogan", "conv-choices.json")
	t.Setenv(EnvConvChoices, path)
	t.Cleanup(forgetChoices)
	forgetChoices()
	h200, other := &Device{name: "NVIDIA H200"}, &Device{name: "NVIDIA L4"}
	s := ConvShape{N: 3, H: 8, W: 9, C: 4, KH: 5, KW: 5, SH: 2, SW: 3, PadTop: 1, PadLeft: 2, OH: 4, OW: 3}
	fwd, bwd := h200.ConvKey(ConvForward, s, 8), h200.ConvKey(ConvBackwardData, s, 8)
	if _, ok := savedDecision(h200, "9.14.0", fwd); ok {
		t.Fatal("a choice before any was saved")
	}
	want := convDecision{cudnn: true, algo: 1, mathType: 2}
	if err := saveDecision(h200, "9.14.0", fwd, want); err != nil {
		t.Fatal(err)
	}
	// Another process adds its own choice to the file meanwhile.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), `"NVIDIA H200 / cudnn 9.14.0": {`,
		`"NVIDIA H200 / cudnn 9.14.0": {"`+bwd.String()+`": {"cudnn": false},`, 1)
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := saveDecision(h200, "9.14.0", h200.ConvKey(ConvBackwardFilter, s, 8), convDecision{}); err != nil {
		t.Fatal(err)
	}
	forgetChoices()
	if got, ok := savedDecision(h200, "9.14.0", fwd); !ok || got != want {
		t.Errorf("forward: %+v, %v after a new process, want %+v", got, ok, want)
	}
	if got, ok := savedDecision(h200, "9.14.0", bwd); !ok || got.cudnn {
		t.Errorf("the other process's choice: %+v, %v, want im2col's", got, ok)
	}
	if _, ok := savedDecision(h200, "9.15.0", fwd); ok {
		t.Error("a choice of cuDNN 9.14.0 used with 9.15.0")
	}
	if _, ok := savedDecision(other, "9.14.0", fwd); ok {
		t.Error("a choice of the H200 used on another GPU")
	}

	if err := os.WriteFile(path, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	forgetChoices()
	if _, ok := savedDecision(h200, "9.14.0", fwd); ok {
		t.Error("a choice read from a corrupt file")
	}
	err = saveDecision(h200, "9.14.0", fwd, want)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "delete it") {
		t.Errorf("saving over a corrupt file: %v, want an error naming %s", err, path)
	}

	t.Setenv(EnvConvChoices, "off")
	forgetChoices()
	if err := saveDecision(h200, "9.14.0", fwd, want); err == nil || !strings.Contains(err.Error(), "off") {
		t.Errorf("saving with %s=off: %v", EnvConvChoices, err)
	}
}
