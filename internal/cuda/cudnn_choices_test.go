package cuda

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConvChoicesFile: a timed choice kept by one process is read by the next; a
// process that timed the same key later takes the kept choice over its own; the
// choices are kept apart per GPU model, cuDNN version and kernels; an entry a
// key may not use is ignored and replaced; a corrupt file and "off" are reported,
// not used.
func TestConvChoicesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gogan", "conv-choices.json")
	t.Setenv(EnvConvChoices, path)
	h200 := &Device{name: "NVIDIA H200", kernelsID: "aaaa"}
	s := ConvShape{N: 3, H: 8, W: 9, C: 4, KH: 5, KW: 5, SH: 2, SW: 3, PadTop: 1, PadLeft: 2, OH: 4, OW: 3}
	fwd, bwd := h200.ConvKey(ConvForward, s, 8), h200.ConvKey(ConvBackwardData, s, 8)
	if _, ok := savedDecision(h200, "9.14.0", fwd); ok {
		t.Fatal("a choice before any was kept")
	}
	first := convDecision{cudnn: true, algo: 1, mathType: 3}
	if kept, err := saveDecision(h200, "9.14.0", fwd, first); err != nil || kept != first {
		t.Fatalf("the first choice: kept %+v, %v", kept, err)
	}
	// Another process timed the same key and found im2col faster: the first choice stays.
	if kept, err := saveDecision(h200, "9.14.0", fwd, convDecision{}); err != nil || kept != first {
		t.Errorf("a second choice for the key: kept %+v, %v, want the first, %+v", kept, err, first)
	}
	if got, ok := savedDecision(h200, "9.14.0", fwd); !ok || got != first {
		t.Errorf("read back: %+v, %v, want %+v", got, ok, first)
	}
	if _, ok := savedDecision(h200, "9.14.0", bwd); ok {
		t.Error("a choice for a key never kept")
	}
	for name, d := range map[string]*Device{
		"another GPU":     {name: "NVIDIA L4", kernelsID: "aaaa"},
		"other kernels":   {name: "NVIDIA H200", kernelsID: "bbbb"},
		"another version": nil,
	} {
		version := "9.14.0"
		if d == nil {
			d, version = h200, "9.15.0"
		}
		if _, ok := savedDecision(d, version, fwd); ok {
			t.Errorf("the H200's choice used with %s", name)
		}
	}

	// An FFT algorithm (4) kept for an FP32 key is not used, and a new choice replaces it.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), `"algo": 1`, `"algo": 4`, 1)
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := savedDecision(h200, "9.14.0", fwd); ok {
		t.Error("an FFT algorithm used for an FP32 key")
	}
	if kept, err := saveDecision(h200, "9.14.0", fwd, convDecision{}); err != nil || kept.cudnn {
		t.Errorf("replacing an invalid entry: kept %+v, %v", kept, err)
	}

	if err := os.WriteFile(path, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := savedDecision(h200, "9.14.0", fwd); ok {
		t.Error("a choice read from a corrupt file")
	}
	_, err = saveDecision(h200, "9.14.0", fwd, first)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "delete it") {
		t.Errorf("saving over a corrupt file: %v, want an error naming %s", err, path)
	}

	for _, off := range []string{"off", "OFF"} {
		t.Setenv(EnvConvChoices, off)
		if _, err := saveDecision(h200, "9.14.0", fwd, first); !ChoicesOff(err) {
			t.Errorf("saving with %s=%s: %v", EnvConvChoices, off, err)
		}
	}
}
