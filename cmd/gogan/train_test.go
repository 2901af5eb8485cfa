package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gogan/gogan/data"
)

// train runs gogan train on dataDir into out with trainArg and extra flags.
func train(t *testing.T, dataDir, out string, extra ...string) result {
	t.Helper()
	return gogan(t, args([]string{"train", "--data", dataDir, "--out", out}, split(trainArg), extra)...)
}

// checkpointStep reads the step of a run's latest checkpoint.
func checkpointStep(t *testing.T, runDir string) int {
	t.Helper()
	var state struct {
		Step int `json:"step"`
	}
	b, err := os.ReadFile(filepath.Join(runDir, "checkpoints", "latest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &state); err != nil {
		t.Fatal(err)
	}
	return state.Step
}

// decodePNG fails unless path is a PNG; it returns its size.
func decodePNG(t *testing.T, path string) (w, h int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img.Bounds().Dx(), img.Bounds().Dy()
}

// readMetrics parses every line of a metrics.jsonl.
func readMetrics(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []map[string]any
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		var row map[string]any
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatalf("%s:%d: %v: %q", path, n, err, sc.Text())
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestTrain(t *testing.T) {
	_, run := trainedRun(t)
	for _, name := range []string{
		"config.json", "metrics.jsonl", "losses.png", "samples/final.png", "samples/epoch-001.png",
		"checkpoints/latest.json", "checkpoints/step-00000020.safetensors",
	} {
		if _, err := os.Stat(filepath.Join(run, name)); err != nil {
			t.Error(err)
		}
	}
	if w, h := decodePNG(t, filepath.Join(run, "samples", "final.png")); w != 8*28+7*2 || h != w {
		t.Errorf("final.png is %dx%d, want an 8×8 grid of 28×28 cells", w, h)
	}
	decodePNG(t, filepath.Join(run, "losses.png"))

	var cfg map[string]any
	b, err := os.ReadFile(filepath.Join(run, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatalf("config.json: %v", err)
	}
	if cfg["batch"] != 16.0 || cfg["steps"] != 20.0 || cfg["model"] != "mlp" {
		t.Errorf("config.json is %v", cfg)
	}

	rows := readMetrics(t, filepath.Join(run, "metrics.jsonl"))
	if len(rows) != 4 { // steps 5, 10, 15, 20
		t.Fatalf("metrics.jsonl has %d lines, want 4: %v", len(rows), rows)
	}
	for i, row := range rows {
		for _, key := range []string{"step", "epoch", "d_loss", "g_loss", "d_x", "d_g_z", "img_per_s", "elapsed_s"} {
			v, ok := row[key].(float64)
			if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("metrics line %d: %s is %v, want a finite number", i+1, key, row[key])
			}
		}
		if row["step"] != float64(5*(i+1)) {
			t.Errorf("metrics line %d: step %v, want %d", i+1, row["step"], 5*(i+1))
		}
	}
	if got := checkpointStep(t, run); got != 20 {
		t.Errorf("checkpoint at step %d, want 20", got)
	}
}

func TestTrainOutput(t *testing.T) {
	dataDir, _ := trainedRun(t)
	out := filepath.Join(t.TempDir(), "run")
	r := train(t, dataDir, out, "--steps", "3", "--log-every", "2")
	wantExit(t, r, 0)
	final := filepath.Join(out, "samples", "final.png")
	for _, want := range []string{"trained 3 steps", final, filepath.Join(out, "losses.png"), filepath.Join(out, "checkpoints", "latest.json")} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout does not name %s\n%s", want, r)
		}
	}
	// Step 3 is logged although it is not a multiple of --log-every.
	if rows := readMetrics(t, filepath.Join(out, "metrics.jsonl")); len(rows) != 2 || rows[1]["step"] != 3.0 {
		t.Errorf("metrics.jsonl: %v, want steps 2 and 3", rows)
	}
}

// TestTrainSummaryEpochGrids checks that the closing summary speaks of a grid
// per epoch only when an epoch ended: a run of 3 steps (16 per epoch) wrote
// none, one of 16 wrote epoch-001.png.
func TestTrainSummaryEpochGrids(t *testing.T) {
	dataDir, _ := trainedRun(t)
	const perEpoch = "one grid per epoch"
	for _, tc := range []struct {
		steps string
		want  bool
	}{{"3", false}, {"16", true}} {
		out := filepath.Join(t.TempDir(), "run")
		r := train(t, dataDir, out, "--steps", tc.steps)
		wantExit(t, r, 0)
		_, err := os.Stat(filepath.Join(out, "samples", "epoch-001.png"))
		if exists := err == nil; exists != tc.want {
			t.Fatalf("--steps %s: epoch-001.png exists: %v, want %v", tc.steps, exists, tc.want)
		}
		if got := strings.Contains(r.stdout, perEpoch); got != tc.want {
			t.Errorf("--steps %s: stdout says %q: %v, want %v\n%s", tc.steps, perEpoch, got, tc.want, r)
		}
	}
}

func TestTrainResume(t *testing.T) {
	dataDir, _ := trainedRun(t)
	out := filepath.Join(t.TempDir(), "run")
	wantExit(t, train(t, dataDir, out, "--steps", "10"), 0)
	if got := checkpointStep(t, out); got != 10 {
		t.Fatalf("checkpoint at step %d, want 10", got)
	}

	r := gogan(t, "train", "--resume", out, "--steps", "20")
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, "trained 10 steps") {
		t.Errorf("resume did not train the 10 steps left\n%s", r)
	}
	if got := checkpointStep(t, out); got != 20 {
		t.Errorf("checkpoint at step %d after resuming to 20", got)
	}
	rows := readMetrics(t, filepath.Join(out, "metrics.jsonl"))
	if len(rows) != 4 || rows[3]["step"] != 20.0 {
		t.Errorf("metrics.jsonl after resume: %v, want steps 5, 10, 15, 20", rows)
	}
	if rows[2]["elapsed_s"].(float64) < rows[1]["elapsed_s"].(float64) {
		t.Errorf("elapsed_s went back on resume: %v", rows)
	}

	// Settings other than the length cannot change.
	for _, flag := range []string{"--lr 0.1", "--batch 8", "--data mnist", "--seed 2", "--out x"} {
		r := gogan(t, args(split("train --resume"), []string{out}, split(flag))...)
		wantError(t, r, 2, strings.Fields(flag)[0], "resumed run")
	}

	for _, flag := range []string{"--epochs 0", "--steps -1", "--threads -2"} {
		r := gogan(t, args(split("train --resume"), []string{out}, split(flag))...)
		f := strings.Fields(flag)
		wantError(t, r, 2, f[0], "got "+f[1])
	}

	// A run at its end needs a larger --steps or --epochs.
	before, err := os.ReadFile(filepath.Join(out, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, extra := range [][]string{nil, split("--steps 20"), split("--steps 15")} {
		r := gogan(t, args([]string{"train", "--resume", out}, extra)...)
		wantError(t, r, 1, out, "already at step 20", "--epochs", "--steps")
	}
	after, _ := os.ReadFile(filepath.Join(out, "metrics.jsonl"))
	if string(after) != string(before) || checkpointStep(t, out) != 20 {
		t.Errorf("a refused resume changed the run")
	}

	// --epochs replaces --steps: 2 epochs of 16 steps.
	r = gogan(t, "train", "--resume", out, "--epochs", "2")
	wantExit(t, r, 0)
	if got := checkpointStep(t, out); got != 32 {
		t.Errorf("checkpoint at step %d after resuming to 2 epochs, want 32", got)
	}
}

// corrupt writes a copy of the fixture into a new folder and lets change break it.
func corrupt(t *testing.T, change func(dir string) error) string {
	t.Helper()
	dir := writeFixture(t)
	if err := change(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestTrainBadData(t *testing.T) {
	tmp := t.TempDir()
	missing := filepath.Join(tmp, "nowhere")
	truncated := corrupt(t, func(dir string) error {
		p := filepath.Join(dir, "train-images-idx3-ubyte")
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		return os.Truncate(p, st.Size()-100)
	})
	fewerLabels := corrupt(t, func(dir string) error {
		_, labels := patterns(nTrain - 6)
		return writeLabels(filepath.Join(dir, "train-labels-idx1-ubyte"), labels)
	})
	noTest := corrupt(t, func(dir string) error {
		return os.Remove(filepath.Join(dir, "t10k-images-idx3-ubyte"))
	})
	small := corrupt(t, func(dir string) error {
		im := &data.Images{N: nTrain, Rows: 14, Cols: 14, Pixels: make([]uint8, nTrain*14*14)}
		if err := data.WriteIDXImages(filepath.Join(dir, "train-images-idx3-ubyte"), im); err != nil {
			return err
		}
		im.N = nTest
		im.Pixels = im.Pixels[:nTest*14*14]
		return data.WriteIDXImages(filepath.Join(dir, "t10k-images-idx3-ubyte"), im)
	})
	aFile := filepath.Join(tmp, "file")
	if err := os.WriteFile(aFile, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, data string
		want       []string
		extra      []string
	}{
		{"missing folder", missing, []string{missing, "no such folder"}, nil},
		{"data is a file", aFile, []string{aFile, "not a folder"}, nil},
		{"truncated images", truncated, []string{filepath.Join(truncated, "train-images-idx3-ubyte"), "truncated"}, nil},
		{"labels count", fewerLabels, []string{filepath.Join(fewerLabels, "train-labels-idx1-ubyte"), "250 labels", "256 images"}, nil},
		{"missing file", noTest, []string{noTest, "t10k-images-idx3-ubyte"}, nil},
		{"image size", small, []string{small, "dcgan needs square images of 28, 32, 64 or 128 pixels (any channels), got samples of 14×14×1"}, []string{"--model", "dcgan"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			r := train(t, tc.data, out, tc.extra...)
			wantError(t, r, 1, tc.want...)
		})
	}
}

func TestTrainBatchLargerThanData(t *testing.T) {
	dataDir, _ := trainedRun(t)
	r := gogan(t, "train", "--data", dataDir, "--out", filepath.Join(t.TempDir(), "run"), "--batch", "1000", "--steps", "1")
	wantError(t, r, 1, "1000", "256")
}

func TestTrainOutUnderAFile(t *testing.T) {
	dataDir, _ := trainedRun(t)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{file, filepath.Join(file, "run")} {
		r := train(t, dataDir, out)
		wantError(t, r, 1, out)
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "keep" {
		t.Errorf("the file in the way was changed: %q, %v", b, err)
	}
	// A file where the run keeps its checkpoints or samples folder.
	for _, name := range []string{"checkpoints", "samples"} {
		out := t.TempDir()
		inTheWay := filepath.Join(out, name)
		if err := os.WriteFile(inTheWay, []byte("keep"), 0o644); err != nil {
			t.Fatal(err)
		}
		wantError(t, train(t, dataDir, out), 1, inTheWay+" is a file, where a run keeps a folder of that name")
		if b, err := os.ReadFile(inTheWay); err != nil || string(b) != "keep" {
			t.Errorf("the file %s was changed: %q, %v", name, b, err)
		}
	}
}

func TestTrainResumeBadRun(t *testing.T) {
	empty := t.TempDir()
	r := gogan(t, "train", "--resume", empty)
	wantError(t, r, 1, empty, "no checkpoint")
	missing := filepath.Join(empty, "nope")
	r = gogan(t, "train", "--resume", missing)
	wantError(t, r, 1, missing)
}

func TestTrainOutHoldsRun(t *testing.T) {
	dataDir, _ := trainedRun(t)
	out := filepath.Join(t.TempDir(), "run")
	wantExit(t, train(t, dataDir, out, "--steps", "2"), 0)
	before := readFile(t, filepath.Join(out, "checkpoints", "latest.json"))
	metrics := readFile(t, filepath.Join(out, "metrics.jsonl"))

	r := train(t, dataDir, out, "--steps", "2", "--seed", "9")
	wantError(t, r, 1, out, "already holds a run", "--resume")
	if !bytes.Equal(before, readFile(t, filepath.Join(out, "checkpoints", "latest.json"))) ||
		!bytes.Equal(metrics, readFile(t, filepath.Join(out, "metrics.jsonl"))) {
		t.Error("a refused run changed the run already there")
	}
	var cfg map[string]any
	if err := json.Unmarshal(readFile(t, filepath.Join(out, "config.json")), &cfg); err != nil || cfg["seed"] != 1.0 {
		t.Errorf("config.json was replaced: %v, %v", cfg, err)
	}
}

// A run that failed before its first step leaves a folder that a corrected
// command may use.
func TestTrainOutAfterFailedStart(t *testing.T) {
	dataDir, _ := trainedRun(t)
	out := filepath.Join(t.TempDir(), "run")
	r := train(t, filepath.Join(t.TempDir(), "nowhere"), out)
	wantExit(t, r, 1)
	wantExit(t, train(t, dataDir, out, "--steps", "2"), 0)
}

func TestTrainInterrupt(t *testing.T) {
	dataDir, _ := trainedRun(t)
	out := filepath.Join(t.TempDir(), "run")
	done := make(chan result)
	go func() {
		done <- train(t, dataDir, out, "--steps", "1000000")
	}()
	// metrics.jsonl is opened after gogan train has set up its signal handler
	// and before the first step.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(out, "metrics.jsonl")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("training did not start")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	r := <-done
	wantExit(t, r, exitInterrupted)
	if !strings.Contains(r.stdout, "resume with: gogan train --resume "+out) {
		t.Errorf("stdout does not say how to resume\n%s", r)
	}
	step := checkpointStep(t, out)
	if step <= 0 {
		t.Fatalf("interrupted run saved step %d", step)
	}
	r = gogan(t, "train", "--resume", out, "--steps", fmt.Sprint(step+2))
	wantExit(t, r, 0)
	if got := checkpointStep(t, out); got != step+2 {
		t.Errorf("resumed to step %d, want %d", got, step+2)
	}
}

func TestTrainDefaultOut(t *testing.T) {
	dataDir, _ := trainedRun(t)
	t.Chdir(t.TempDir())
	for range 2 {
		wantExit(t, gogan(t, "train", "--data", dataDir, "--steps", "2", "--batch", "16"), 0)
	}
	runs, err := filepath.Glob(filepath.Join("runs", "mlp-*"))
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs/ holds %v, want two run folders", runs)
	}
	for _, run := range runs {
		if rows := readMetrics(t, filepath.Join(run, "metrics.jsonl")); len(rows) != 1 {
			t.Errorf("%s/metrics.jsonl has %d lines, want 1 (runs mixed?)", run, len(rows))
		}
	}
}

// A new run refused once its data are read (after gogan train made its
// default folder) leaves no runs/<model>-<time>, nor a runs/ it made.
func TestRefusedTrainLeavesNoRunFolder(t *testing.T) {
	t.Chdir(t.TempDir())
	missing := filepath.Join(t.TempDir(), "missing")
	wantError(t, gogan(t, "train", "--data", missing, "--steps", "1"), 1, missing)
	if _, err := os.Stat("runs"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused run left runs/ (%v)", err)
	}
	if err := os.MkdirAll(filepath.Join("runs", "earlier"), 0o755); err != nil {
		t.Fatal(err)
	}
	wantError(t, gogan(t, "train", "--data", missing, "--steps", "1"), 1, missing)
	if entries, err := os.ReadDir("runs"); err != nil || len(entries) != 1 || entries[0].Name() != "earlier" {
		t.Errorf("after a refused run runs/ holds %v (%v), want earlier only", entries, err)
	}
}

func TestTrainProgressBar(t *testing.T) {
	dataDir, _ := trainedRun(t)
	out := filepath.Join(t.TempDir(), "run")
	r := goganTTY(t, args([]string{"train", "--data", dataDir, "--out", out}, split(trainArg))...)
	wantExit(t, r, 0)
	if !strings.Contains(r.stderr, "20/20") {
		t.Errorf("no progress bar on stderr\n%s", r)
	}
}

// TestToyDefaults checks the settings a 2-D run gets without flags: mlp2d's
// default recipe packs D and decays its rate, a flag overrides them, and a
// recipe on mlp2d keeps an unpacked D and its constant rate.
func TestToyDefaults(t *testing.T) {
	for _, tc := range []struct {
		args      []string
		pack      any // config.json's "pack", nil when absent (off)
		decay     any // its "lr_decay"
		recipeLR  float64
		checkRate bool
	}{
		{split("--model mlp2d"), 2.0, "linear", 0, false},
		{split("--model mlp2d --pack 1 --lr-decay none"), nil, nil, 0, false},
		{split("--model wgan-gp --arch mlp2d"), nil, nil, 2e-4, true},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			args := append([]string{"train", "--data", "ring8", "--steps", "1", "--out", out}, tc.args...)
			if r := gogan(t, args...); r.code != 0 {
				t.Fatalf("train: %s", r)
			}
			var cfg map[string]any
			if err := json.Unmarshal(readFile(t, filepath.Join(out, "config.json")), &cfg); err != nil {
				t.Fatal(err)
			}
			if cfg["pack"] != tc.pack || cfg["lr_decay"] != tc.decay {
				t.Errorf("pack %v, lr_decay %v; want %v, %v", cfg["pack"], cfg["lr_decay"], tc.pack, tc.decay)
			}
			if lr, _ := cfg["lr"].(float64); tc.checkRate && math.Abs(lr-tc.recipeLR) > 1e-9 {
				t.Errorf("lr %v, want the recipe's %v", lr, tc.recipeLR)
			}
		})
	}
}
