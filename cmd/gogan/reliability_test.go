package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/internal/runlock"
)

// copyRun copies the shared run folder into a new folder, for tests that change it.
func copyRun(t *testing.T) string {
	t.Helper()
	_, run := trainedRun(t)
	dst := filepath.Join(t.TempDir(), "run")
	err := filepath.WalkDir(run, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(run, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// editState rewrites a run's latest.json through change.
func editState(t *testing.T, run string, change func(state map[string]any)) {
	t.Helper()
	p := filepath.Join(run, "checkpoints", "latest.json")
	var state map[string]any
	if err := json.Unmarshal(readFile(t, p), &state); err != nil {
		t.Fatal(err)
	}
	change(state)
	b, err := json.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestUsageLimits: mistyped sizes and non-finite numbers are usage errors
// (exit 2) that leave nothing on disk.
func TestUsageLimits(t *testing.T) {
	var floatFlags = []string{"beta1", "beta2", "gp", "clip", "ema", "label-smoothing", "instance-noise", "lr-g", "lr-d"}
	cases := []struct {
		args []string
		want string
	}{
		{split("train --latent 1000000000"), "--latent must be in [1, 65536], got 1000000000"},
		{split("train --threads 10000"), "--threads must be at most"},
		{split("train --lr nan"), "--lr must be a finite number, got NaN"},
		{split("train --lr inf"), "--lr must be a finite number, got +Inf"},
		{split("train --gp inf"), `invalid value "inf" for flag -gp: not a finite number`},
		{split("train --batch 65536 --latent 65536"), "batch × latent dimension must be at most 16777216, got 65536 × 65536"},
	}
	for _, f := range floatFlags {
		cases = append(cases, struct {
			args []string
			want string
		}{split("train --" + f + " nan"), `invalid value "nan" for flag -` + f + ": not a finite number"})
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			r := gogan(t, append(tc.args, "--out", out)...)
			wantError(t, r, 2, tc.want)
			if _, err := os.Stat(out); err == nil {
				t.Errorf("a refused command created %s", out)
			}
		})
	}
}

// TestOutOfRangeLabels: the class count of an IDX folder is its training
// labels' largest + 1, so training labels of 200 train 201 classes (no panic,
// as labels beyond the classes once gave), and a test label beyond them is one
// clean error before the run starts, naming no checkpoint.
func TestOutOfRangeLabels(t *testing.T) {
	labelled := func(file string, n int) string {
		return corrupt(t, func(dir string) error {
			labels := make([]uint8, n)
			for i := range labels {
				labels[i] = 200
			}
			return writeLabels(filepath.Join(dir, file), labels)
		})
	}
	badTrain, badTest := labelled("train-labels-idx1-ubyte", nTrain), labelled("t10k-labels-idx1-ubyte", nTest)
	for _, model := range []string{"classifier", "cgan", "acgan"} {
		t.Run(model, func(t *testing.T) {
			r := train(t, badTrain, filepath.Join(t.TempDir(), "run"), "--model", model)
			if r.code != 0 {
				t.Fatalf("training labels of 200: want a run of 201 classes\n%s", r)
			}
		})
	}
	r := train(t, badTest, filepath.Join(t.TempDir(), "run"), "--model", "classifier")
	wantError(t, r, 1, "test set: label 200 of sample 0 is not one of 10 classes")
	if strings.Contains(r.stderr, "latest.json") {
		t.Errorf("the error names a checkpoint that does not exist\n%s", r)
	}
}

// TestCheckpointConfigValidated: a latest.json edited to ask for a latent of
// 10⁹ is refused by sample, eval and resume before the model is built.
func TestCheckpointConfigValidated(t *testing.T) {
	run := copyRun(t)
	editState(t, run, func(s map[string]any) { s["config"].(map[string]any)["latent_dim"] = 1_000_000_000 })
	want := []string{filepath.Join(run, "checkpoints", "latest.json"), "latent dimension must be at most 65536, got 1000000000"}
	wantError(t, gogan(t, "sample", "--run", run, "--out", filepath.Join(t.TempDir(), "x.png")), 1, want...)
	wantError(t, gogan(t, "eval", "--samples", run), 1, want...)
	wantError(t, gogan(t, "train", "--resume", run, "--steps", "40"), 1, want...)
}

// TestEarlierWGANSamples: a run of wgan with clip 0, which earlier versions
// trained (with an unconstrained critic) and a new run is refused, is sampled
// and exported, where its config was refused; resuming it is refused, saying
// why and that it still samples.
func TestEarlierWGANSamples(t *testing.T) {
	run := copyRun(t)
	editState(t, run, func(s map[string]any) { s["config"].(map[string]any)["loss"] = "wgan" }) // and no clip, as they wrote it
	dir := t.TempDir()
	wantExit(t, gogan(t, "sample", "--run", run, "--n", "4", "--out", filepath.Join(dir, "s.png")), 0)
	wantExit(t, gogan(t, "export", "--run", run, "--out", filepath.Join(dir, "g.onnx")), 0)
	wantError(t, gogan(t, "train", "--resume", run, "--steps", "40"), 1, filepath.Join(run, "checkpoints", "latest.json"),
		"cannot train on: config: loss wgan keeps D Lipschitz by clipping its weights: clip must be positive", "the run still loads to sample, evaluate and export")
}

// TestNaNWeightsRefused: sample refuses a checkpoint whose weights hold NaN,
// as eval does, with the same message.
func TestNaNWeightsRefused(t *testing.T) {
	run := copyRun(t)
	tensorPath := filepath.Join(run, "checkpoints", "step-00000020.safetensors")
	tensors, meta, err := checkpoint.LoadSafetensors(tensorPath)
	if err != nil {
		t.Fatal(err)
	}
	tensors["generator/dense/kernel"].F32[7] = float32(math.NaN())
	if err := checkpoint.SaveSafetensors(tensorPath, tensors, meta); err != nil {
		t.Fatal(err)
	}
	sum, err := checkpoint.Checksum(tensorPath)
	if err != nil {
		t.Fatal(err)
	}
	editState(t, run, func(s map[string]any) { s["tensors_checksum"] = sum })
	want := []string{tensorPath, "tensor generator/dense/kernel[7] is NaN", "the weights diverged"}
	out := filepath.Join(t.TempDir(), "x.png")
	wantError(t, gogan(t, "sample", "--run", run, "--out", out), 1, want...)
	wantError(t, gogan(t, "eval", "--samples", run), 1, want...)
	if _, err := os.Stat(out); err == nil {
		t.Error("sample wrote an image from NaN weights")
	}
}

// TestOutputOverCheckpointRefused: sample, export, export-featurenet and bench
// --cpuprofile refuse to write into a run's checkpoint folder, over the run's
// own files or over their input, and the checkpoint still loads after.
func TestOutputOverCheckpointRefused(t *testing.T) {
	run := copyRun(t)
	ckpt := filepath.Join(run, "checkpoints")
	tensors := filepath.Join(ckpt, "step-00000020.safetensors")
	before := readFile(t, tensors)
	// The files a run started again from step 0 keeps of its earlier attempts.
	for _, name := range []string{"config.attempt-1.json", "metrics.attempt-2.jsonl"} {
		if err := os.WriteFile(filepath.Join(run, name), []byte("{}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	runFiles := map[string][]byte{}
	for _, name := range []string{"config.json", "metrics.jsonl", filepath.Join("checkpoints", "latest.json"), "config.attempt-1.json", "metrics.attempt-2.jsonl"} {
		runFiles[name] = readFile(t, filepath.Join(run, name))
	}
	latents := writeLatents(t, map[string]checkpoint.Tensor{"latents": checkpoint.F32([]int{3, 100}, latents3())})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sample", "--run", run, "--format", "idx", "--out", tensors}, "is in the checkpoint folder " + ckpt},
		{[]string{"sample", "--run", run, "--out", filepath.Join(ckpt, "latest.json"), "--format", "grid"}, "is in the checkpoint folder"},
		{[]string{"sample", "--run", run, "--format", "pngs", "--out", ckpt}, "is in the checkpoint folder " + ckpt},
		{[]string{"sample", "--run", run, "--latents", latents, "--format", "idx", "--out", latents}, "is the input " + latents},
		{[]string{"export-featurenet", "--run", run, "--out", tensors}, "is in the checkpoint folder " + ckpt},
		{[]string{"export", "--run", run, "--format", "onnx", "--out", filepath.Join(ckpt, "latest.json")}, "is in the checkpoint folder " + ckpt},
		{[]string{"export", "--run", run, "--format", "safetensors", "--out", tensors}, "is in the checkpoint folder " + ckpt},
		{[]string{"export", "--run", run, "--format", "onnx", "--out", filepath.Join(run, "config.json")}, "is the run " + run + "'s own config.json"},
		{[]string{"sample", "--run", run, "--format", "idx", "--out", filepath.Join(run, "config.json")}, "is the run " + run + "'s own config.json"},
		{[]string{"sample", "--run", run, "--format", "grid", "--out", filepath.Join(run, "metrics.jsonl")}, "is the run " + run + "'s own metrics.jsonl"},
		{[]string{"sample", "--run", run, "--format", "grid", "--out", filepath.Join(run, "config.attempt-1.json")}, "is the run " + run + "'s own config.attempt-1.json"},
		{[]string{"export", "--run", run, "--format", "safetensors", "--out", filepath.Join(run, "metrics.attempt-2.jsonl")}, "is the run " + run + "'s own metrics.attempt-2.jsonl"},
		{[]string{"bench", "--iters", "1", "--batch", "2", "--cpuprofile", filepath.Join(ckpt, "latest.json")}, "is in the checkpoint folder " + ckpt},
		{[]string{"bench", "--iters", "1", "--batch", "2", "--cpuprofile", filepath.Join(run, "metrics.jsonl")}, "is the run " + run + "'s own metrics.jsonl"},
	} {
		t.Run(strings.Join(tc.args[:1], " ")+" "+tc.args[len(tc.args)-1], func(t *testing.T) {
			wantError(t, gogan(t, tc.args...), 1, tc.want)
		})
	}
	if string(before) != string(readFile(t, tensors)) {
		t.Fatal("the checkpoint's tensors changed")
	}
	for name, b := range runFiles {
		if string(b) != string(readFile(t, filepath.Join(run, name))) {
			t.Errorf("the run's %s changed", name)
		}
	}
	wantExit(t, gogan(t, "sample", "--run", run, "--n", "1", "--out", filepath.Join(t.TempDir(), "x.png")), 0)
}

// TestRunFolderLocked: a second writer of a run folder (new run or resume) is
// refused while the lock is held, and goes ahead once it is released; a lock
// file left behind does not block.
func TestRunFolderLocked(t *testing.T) {
	dataDir, _ := trainedRun(t)
	run := copyRun(t)
	lock, err := runlock.Acquire(run)
	if err != nil {
		t.Fatal(err)
	}
	metrics := readFile(t, filepath.Join(run, "metrics.jsonl"))
	wantError(t, gogan(t, "train", "--resume", run, "--steps", "24"), 1, "run folder "+run+" is in use by another gogan process (pid")
	fresh := filepath.Join(t.TempDir(), "fresh")
	if err := os.Mkdir(fresh, 0o755); err != nil {
		t.Fatal(err)
	}
	freshLock, err := runlock.Acquire(fresh)
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, train(t, dataDir, fresh, "--steps", "2"), 1, "run folder "+fresh+" is in use")
	if string(metrics) != string(readFile(t, filepath.Join(run, "metrics.jsonl"))) {
		t.Error("a refused resume changed metrics.jsonl")
	}
	lock.Release()
	freshLock.Release()
	if _, err := os.Stat(filepath.Join(run, runlock.FileName)); err != nil {
		t.Fatalf("no stale lock file to test with: %v", err)
	}
	wantExit(t, gogan(t, "train", "--resume", run, "--steps", "24"), 0)
	wantExit(t, train(t, dataDir, fresh, "--steps", "2"), 0)
}

// TestRestartBeforeFirstCheckpoint: a run killed before its first checkpoint
// (config.json, metrics lines and a temp file of a tensor write, but no
// latest.json) cannot be resumed, says so, and is started again by
// train --out, which removes the temp file and keeps the attempt's config.json
// and metrics lines as config.attempt-1.json and metrics.attempt-1.jsonl.
func TestRestartBeforeFirstCheckpoint(t *testing.T) {
	dataDir, _ := trainedRun(t)
	k := filepath.Join(t.TempDir(), "k")
	for _, d := range []string{"checkpoints", "samples"} {
		if err := os.MkdirAll(filepath.Join(k, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"config.json":   `{"model": "mlp"}`,
		"metrics.jsonl": `{"step": 5, "d_loss": 9}` + "\n" + `{"step": 10, "d_loss": 9}` + "\n",
		filepath.Join("checkpoints", ".step-00000016.safetensors.tmp-123"): "partial",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(k, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := gogan(t, "train", "--resume", k)
	wantError(t, r, 1, k, "stopped before its first checkpoint", "gogan train --out "+k)
	if !strings.Contains(r.stdout, "removed 1 temporary files") {
		t.Errorf("stdout does not say that the temp file was removed\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(k, "checkpoints", ".step-00000016.safetensors.tmp-123")); err == nil {
		t.Error("the stale temp file is still there")
	}
	r = train(t, dataDir, k, "--steps", "8")
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, "starting it again from step 0") {
		t.Errorf("stdout does not say that the run starts again\n%s", r)
	}
	rows := readMetrics(t, filepath.Join(k, "metrics.jsonl"))
	if len(rows) != 2 || rows[0]["d_loss"] == 9.0 {
		t.Errorf("metrics after the restart: %v", rows)
	}
	for name, was := range map[string]string{"config.attempt-1.json": "config.json", "metrics.attempt-1.jsonl": "metrics.jsonl"} {
		if b, err := os.ReadFile(filepath.Join(k, name)); err != nil || string(b) != files[was] {
			t.Errorf("%s holds %q, %v; want the killed attempt's %s", name, b, err, was)
		}
		if !strings.Contains(r.stdout, name) {
			t.Errorf("stdout does not name %s\n%s", name, r)
		}
	}
	if checkpointStep(t, k) != 8 {
		t.Errorf("checkpoint at step %d, want 8", checkpointStep(t, k))
	}
}

// TestRunOfAnotherVersion: a run whose latest.json a newer gogan wrote (a
// format of a higher number, or a config or optimizer setting this one does
// not know) is refused by every command that reads it, exit 1 with one line
// naming the file and what it found, and left as it was; nothing is read
// without the setting.
func TestRunOfAnotherVersion(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(state map[string]any)
		want   string
	}{
		{"newer format", func(s map[string]any) { s["format"] = "gogan-checkpoint/2" },
			`written by a newer gogan, in format "gogan-checkpoint/2"; this gogan reads "gogan-checkpoint/1"`},
		{"newer setting", func(s map[string]any) { s["config"].(map[string]any)["r1_gamma"] = 10 },
			`it has the config setting "r1_gamma", which this gogan does not know`},
		{"newer optimizer setting", func(s map[string]any) {
			s["optimizers"].(map[string]any)["generator"].(map[string]any)["lr_decay"] = 0.5
		}, `it has the setting "lr_decay" of the optimizer "generator", which this gogan does not know`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dataDir, _ := trainedRun(t)
			run := copyRun(t)
			editState(t, run, tc.change)
			state := filepath.Join(run, "checkpoints", "latest.json")
			before := readFile(t, state)
			out := t.TempDir()
			for _, args := range [][]string{
				{"train", "--resume", run, "--steps", "24"},
				{"sample", "--run", run, "--n", "1", "--out", filepath.Join(out, "x.png")},
				{"export", "--run", run, "--out", filepath.Join(out, "g.onnx")},
				{"eval", "--samples", run, "--ref", filepath.Join(dataDir, "t10k-images-idx3-ubyte"), "--n", "64"},
			} {
				wantError(t, gogan(t, args...), 1, state+": ", tc.want)
			}
			if string(before) != string(readFile(t, state)) {
				t.Error("a refused command changed latest.json")
			}
		})
	}
}
