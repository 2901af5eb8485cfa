package gan

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gogan/gogan/internal/runlock"
)

// stateJSON is a latest.json as SaveCheckpoint writes it, for cfg, with change
// applied to the state first.
func stateJSON(t testing.TB, cfg Config, change func(*checkpointState)) []byte {
	t.Helper()
	s := checkpointState{
		Format: CheckpointFormat, Model: cfg.Model, Step: 937, Tensors: "step-00000937.safetensors",
		Checksum: "3f1c0a9e55d2", RNG: "cGNnOgAAAAAAAAABAAAAAAAAAAE=",
		Optimizers: map[string]optimizerState{"generator": {"adam", 937}, "discriminator": {"adam", 937}},
		Config:     cfg,
	}
	if change != nil {
		change(&s)
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParseStateRejects: a latest.json whose config would not pass as flags is
// refused, naming the file and the value, before any model is built.
func TestParseStateRejects(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*checkpointState)
		want   string
	}{
		{"huge latent", func(s *checkpointState) { s.Config.LatentDim = 1_000_000_000 }, "latent dimension must be at most 65536, got 1000000000"},
		{"huge batch", func(s *checkpointState) { s.Config.Batch = 1 << 20 }, "batch must be at most 65536"},
		{"batch × latent", func(s *checkpointState) { s.Config.Batch, s.Config.LatentDim = 65536, 65536 }, "batch × latent dimension must be at most"},
		{"zero lr", func(s *checkpointState) { s.Config.LR = 0 }, "learning rate must be in (0, 1]"},
		{"tensor path", func(s *checkpointState) { s.Tensors = "../../etc/passwd" }, "tensor file name"},
		{"negative step", func(s *checkpointState) { s.Step = -1 }, "negative step"},
		// Networks that could not fit in memory: the channels of an edited
		// sample_shape, and a size whose product overflows to 0.
		{"dcgan channels", func(s *checkpointState) {
			s.Model, s.Config.Model, s.Config.SampleShape = "dcgan", "dcgan", []int{28, 28, 1 << 20}
		}, "sample_shape 28×28×1048576"},
		{"sample overflow", func(s *checkpointState) { s.Config.SampleShape = []int{4096, 4096, 1 << 40} }, "sample_shape 4096×4096×1099511627776"},
		// A model not in the table is a program's own networks (NewTrainerFor): its
		// state is held to the limits above, and LoadJob refuses to build it, naming
		// the model and Restore (TestLoadJobOfOwnNetworks).
		{"own networks, huge latent", func(s *checkpointState) { s.Model, s.Config.Model, s.Config.LatentDim = "nope", "nope", 1<<20 }, "latent dimension must be at most 65536"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseState("run/latest.json", stateJSON(t, DefaultConfig(), tc.change))
			if err == nil || !strings.Contains(err.Error(), "run/latest.json") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one naming run/latest.json and %q", err, tc.want)
			}
		})
	}
	if _, err := parseState("latest.json", stateJSON(t, DefaultConfig(), nil)); err != nil {
		t.Fatalf("a good state: %v", err)
	}
}

// FuzzCheckpointState feeds arbitrary bytes to the latest.json parser: what it
// accepts must be a config that Validate accepts, within the size limits (or,
// for a program's own networks, a named model within them).
func FuzzCheckpointState(f *testing.F) {
	f.Add(stateJSON(f, DefaultConfig(), nil))
	wgan := DefaultConfig()
	wgan.Model, wgan.Loss, wgan.GP, wgan.NCritic, wgan.Conditional = "wgan-gp", "wgan-gp", 10, 5, "cgan"
	f.Add(stateJSON(f, wgan, nil))
	f.Add(stateJSON(f, DefaultConfig(), func(s *checkpointState) { s.Config.LatentDim = 1_000_000_000 }))
	f.Add([]byte(`{"format":"gogan-checkpoint/1","model":"mlp","config":{"model":"mlp","lr":1e39}}`))
	f.Add([]byte(`{"format": 3`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseState("fuzz/latest.json", b)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz/latest.json") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		c := s.Config
		err = c.Validate()
		if _, lookup := LookupArchitecture(c.ArchitectureName()); lookup != nil {
			// A program's own networks: no table entry to validate against, but a
			// name, and the limits and the settings every model has.
			err = nil
			if c.Model == "" {
				err = errors.New("no model name")
			} else if e := c.validateRun(); e != nil {
				err = e
			}
		}
		if err != nil || c.LatentDim > MaxLatentDim || c.Batch > MaxBatch || s.Step < 0 {
			t.Fatalf("accepted %+v (%v)", c, err)
		}
	})
}

// reloaded saves tr's checkpoint into a temporary folder and loads it back.
func reloaded(t *testing.T, tr *Trainer) *Trainer {
	t.Helper()
	dir := t.TempDir()
	if _, err := tr.SaveCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	back, err := LoadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

// TestParseStateOfAnotherVersion: a latest.json of another format, or with a
// field or a config setting this gogan does not know (a newer gogan's), is
// refused, naming the file and what was found, rather than read without it;
// a known key in other case is a match, as encoding/json reads it.
func TestParseStateOfAnotherVersion(t *testing.T) {
	good := string(stateJSON(t, DefaultConfig(), nil))
	for _, tc := range []struct {
		name, old, new string
		want           string // "" for accepted
	}{
		{"newer format", `"format": "gogan-checkpoint/1"`, `"format": "gogan-checkpoint/2"`,
			`run/latest.json: written by a newer gogan, in format "gogan-checkpoint/2"; this gogan reads "gogan-checkpoint/1"`},
		{"another version's format", `"format": "gogan-checkpoint/1"`, `"format": "gogan-checkpoint/1beta"`,
			`run/latest.json: written by another version of gogan, in format "gogan-checkpoint/1beta"`},
		{"not gogan's", `"format": "gogan-checkpoint/1"`, `"format": "other/9"`,
			`run/latest.json: not a gogan checkpoint (format "other/9", want "gogan-checkpoint/1")`},
		{"no format", `"format": "gogan-checkpoint/1",`, ``,
			`run/latest.json: not a gogan checkpoint (format "", want "gogan-checkpoint/1")`},
		{"a newer setting", `"seed": 1,`, `"seed": 1, "r1_gamma": 10,`,
			`run/latest.json: it has the config setting "r1_gamma", which this gogan does not know: the checkpoint was written by a newer gogan`},
		{"a newer field", `"step": 937,`, `"step": 937, "ema_steps": 937,`,
			`run/latest.json: it has the field "ema_steps", which this gogan does not know`},
		{"a known key in capitals", `"latent_dim"`, `"LATENT_DIM"`, ""},
		{"a newer optimizer setting", `"generator": {
      "name": "adam",`, `"generator": {
      "name": "adam", "lr_decay": 0.5,`,
			`run/latest.json: it has the setting "lr_decay" of the optimizer "generator", which this gogan does not know: the checkpoint was written by a newer gogan`},
		{"an optimizer setting misspelt", `"name": "adam",`, `"nmae": "adam",`,
			`run/latest.json: it has the setting "nmae" of the optimizer "discriminator", which this gogan does not know`},
		{"optimizers in capitals", `"optimizers"`, `"Optimizers"`, ""},
		{"a known optimizer key in capitals", `"steps": 937`, `"STEPS": 937`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(good, tc.old) {
				t.Fatalf("the state has no %s", tc.old)
			}
			_, err := parseState("run/latest.json", []byte(strings.Replace(good, tc.old, tc.new, 1)))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestParseStateUnknownUnderCapitals: a config under the key "Config", which
// encoding/json reads as the config, has its settings checked as under
// "config", and the optimizers under "Optimizers" their entries' keys as under
// "optimizers": a newer gogan's setting there is refused, not dropped.
func TestParseStateUnknownUnderCapitals(t *testing.T) {
	good := string(stateJSON(t, DefaultConfig(), nil))
	for _, key := range []string{`"Config"`, `"CONFIG"`} {
		bad := strings.Replace(strings.Replace(good, `"config"`, key, 1), `"seed": 1,`, `"seed": 1, "r1_gamma": 10,`, 1)
		_, err := parseState("run/latest.json", []byte(bad))
		if want := `it has the config setting "r1_gamma"`; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("config under %s: error %v, want one containing %q", key, err, want)
		}
	}
	for _, key := range []string{`"Optimizers"`, `"OPTIMIZERS"`} {
		bad := strings.Replace(strings.Replace(good, `"optimizers"`, key, 1), `"steps": 937`, `"steps": 937, "lr_decay": 0.5`, 1)
		_, err := parseState("run/latest.json", []byte(bad))
		if want := `it has the setting "lr_decay" of the optimizer "discriminator"`; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("optimizers under %s: error %v, want one containing %q", key, err, want)
		}
	}
}

// TestFirstUnknownAsEncodingJSON: firstUnknown knows a key exactly when
// encoding/json decodes it into a field: the fields of an embedded struct
// (exported or not), a field named by a tag of options alone, in any case;
// not a field tagged "-", nor the embedded struct's own name.
func TestFirstUnknownAsEncodingJSON(t *testing.T) {
	type inner struct {
		Size int `json:"size"`
	}
	type Outer struct {
		Width int `json:"width"`
	}
	type state struct {
		inner
		Outer
		Name string `json:",omitempty"`
		Skip int    `json:"-"`
	}
	for _, tc := range []struct {
		key   string
		known bool
	}{
		{"size", true}, {"SIZE", true}, {"width", true}, {"name", true}, {"Name", true},
		{"Skip", false}, {"-", false}, {"inner", false}, {"Outer", false}, {"sizes", false},
	} {
		got := firstUnknown(map[string]json.RawMessage{tc.key: json.RawMessage("1")}, reflect.TypeFor[state]())
		if known := got == ""; known != tc.known {
			t.Errorf("firstUnknown says %q is known: %v; encoding/json: %v", tc.key, known, tc.known)
		}
	}
}

// TestCheckOutputRunGridsAndLock: in a run folder, CheckOutput refuses the
// grids training writes into samples/ (final.png, and every name the run counts
// as an epoch grid) and the run's lock file, naming the file and saying to
// choose another --out; other names in samples/, and the same names outside a
// run, are let through.
func TestCheckOutputRunGridsAndLock(t *testing.T) {
	run := fakeRunFolder(t)
	other := t.TempDir() // not a run: nothing refused
	samples := filepath.Join(run, SamplesDir)
	grid := "is the run " + run + "'s own " + SamplesDir + "/"
	for _, tc := range []struct {
		out  string
		want string // "": let through
	}{
		{filepath.Join(samples, FinalGridFile), grid + FinalGridFile + ", a sample grid that training writes: choose another --out"},
		{filepath.Join(samples, EpochGrid(7)), grid + "epoch-007.png, a sample grid that training writes: choose another --out"},
		{filepath.Join(samples, EpochGrid(1234)), grid + "epoch-1234.png"},
		{filepath.Join(samples, "epoch-best.png"), grid + "epoch-best.png"},
		{filepath.Join(run, runlock.FileName), "is the run " + run + "'s lock file, which a training run holds while it runs: choose another --out"},
		{filepath.Join(samples, "x.png"), ""},
		{filepath.Join(samples, "final.png.bak"), ""},
		{filepath.Join(samples, "epoch-007.jpg"), ""},
		{filepath.Join(samples, runlock.FileName), ""},
		{filepath.Join(other, SamplesDir, FinalGridFile), ""},
		{filepath.Join(other, runlock.FileName), ""},
	} {
		wantCheckOutput(t, tc.out, tc.want)
	}
}

// TestCheckOutputAttemptFiles: in a run folder, CheckOutput refuses the files
// that a run started again from step 0 keeps of its earlier attempts
// (AttemptName of config.json and metrics.jsonl), as it refuses config.json,
// and lets through names that only look like them.
func TestCheckOutputAttemptFiles(t *testing.T) {
	run := fakeRunFolder(t)
	for _, tc := range []struct {
		name    string
		refused bool
	}{
		{AttemptName(ConfigFile, 1), true},
		{AttemptName(MetricsFile, 2), true},
		{"config.attempt-12.json", true},
		{ConfigFile, true},
		{"config.attempt-0.json", false},
		{"config.attempt-01.json", false},
		{"config.attempt-+1.json", false},
		{"config.attempt-1.jsonl", false},
		{"config.attempt-.json", false},
		{"metrics.attempt-1.json", false},
		{"samples.attempt-1.png", false},
	} {
		out := filepath.Join(run, tc.name)
		err := CheckOutput(out)
		want := "is the run " + run + "'s own " + tc.name
		if refused := err != nil && strings.Contains(err.Error(), want); refused != tc.refused {
			t.Errorf("CheckOutput(%s): %v, want refused: %v", tc.name, err, tc.refused)
		}
	}
	if got := AttemptName(ConfigFile, 1); got != "config.attempt-1.json" {
		t.Errorf("AttemptName(config.json, 1) = %s", got)
	}
}

// fakeRunFolder returns a folder that CheckOutput takes for a run's: one with
// checkpoints/latest.json.
func fakeRunFolder(t *testing.T) string {
	t.Helper()
	run := t.TempDir()
	if err := os.MkdirAll(filepath.Join(run, CheckpointsDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(run, CheckpointsDir, LatestFile), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	return run
}

// TestCheckOutputOtherSpellings: an existing out that is the same file as one
// the run keeps under another name is refused, naming the kept file, as
// another spelling of it is on a case-insensitive disk (macOS's FINAL.png for
// final.png, Samples/ for samples/). A hard link stands in for that spelling
// here; a file of its own under an unkept name is let through.
func TestCheckOutputOtherSpellings(t *testing.T) {
	run := fakeRunFolder(t)
	samples := filepath.Join(run, SamplesDir)
	if err := os.MkdirAll(samples, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{filepath.Join(samples, FinalGridFile), filepath.Join(run, ConfigFile), filepath.Join(samples, "mine.png")} {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(from, to string) string {
		if err := os.Link(from, to); err != nil {
			t.Skipf("no hard links here: %v", err)
		}
		return to
	}
	samplesAlias := filepath.Join(run, "Samples")
	if err := os.Symlink(SamplesDir, samplesAlias); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	for _, tc := range []struct {
		out  string
		want string // "": let through
	}{
		{link(filepath.Join(samples, FinalGridFile), filepath.Join(samples, "FINAL.png")), "is the run " + run + "'s own " + SamplesDir + "/" + FinalGridFile + ", a sample grid"},
		{link(filepath.Join(run, ConfigFile), filepath.Join(run, "Config.json")), "is the run " + run + "'s own " + ConfigFile + ", which resuming it reads back"},
		{filepath.Join(samplesAlias, FinalGridFile), "is the run " + run + "'s own " + SamplesDir + "/" + FinalGridFile},
		{filepath.Join(samplesAlias, "new.png"), ""},
		{filepath.Join(samples, "mine.png"), ""},
	} {
		wantCheckOutput(t, tc.out, tc.want)
	}
}

// wantCheckOutput checks CheckOutput(out): let through where want is "", else
// refused with an error holding out + ": " + want.
func wantCheckOutput(t *testing.T, out, want string) {
	t.Helper()
	err := CheckOutput(out)
	switch {
	case want == "" && err != nil:
		t.Errorf("CheckOutput(%s): %v, want it let through", out, err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), out+": "+want)):
		t.Errorf("CheckOutput(%s): %v, want %q", out, err, want)
	}
}
