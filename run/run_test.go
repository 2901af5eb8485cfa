package run

import (
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/report"
)

func quickOptions(t *testing.T, steps int) Options {
	cfg := gan.DefaultConfig()
	cfg.Steps = steps
	cfg.Batch = 32
	cfg.LogEvery = 5
	return Options{Config: cfg, Out: filepath.Join(t.TempDir(), "run"), Log: io.Discard, Progress: io.Discard}
}

// TestTrainRealMNIST trains the seed's GAN for a few steps on the real MNIST
// and checks every file a run promises.
func TestTrainRealMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the real MNIST")
	}
	opts := quickOptions(t, 40)
	res, err := Train(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"config.json", "metrics.jsonl", "samples/final.png", "losses.png", "checkpoints/latest.json"} {
		if _, err := os.Stat(filepath.Join(res.Dir, p)); err != nil {
			t.Errorf("run is missing %s: %v", p, err)
		}
	}
	rows, err := report.ReadMetrics(filepath.Join(res.Dir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 8 {
		t.Fatalf("%d metrics lines, want 8 (40 steps, one line per 5)", len(rows))
	}
	for _, r := range rows {
		for _, k := range []string{"step", "epoch", "d_loss", "g_loss", "d_x", "d_g_z", "img_per_s", "elapsed_s"} {
			v, ok := r[k]
			if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("metrics line %v: %s missing or not finite", r, k)
			}
		}
	}
	// The discriminator learns quickly to tell real digits from noise.
	if last := rows[len(rows)-1]; last["d_x"] <= last["d_g_z"] {
		t.Errorf("after 40 steps D(x) = %.3f is not above D(G(z)) = %.3f", last["d_x"], last["d_g_z"])
	}
}

// TestNaNKeepsLastGoodCheckpoint poisons a weight after an epoch's checkpoint:
// the run stops with an error naming the loss and the checkpoint, which still
// loads at the step it was saved.
func TestNaNKeepsLastGoodCheckpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the real MNIST")
	}
	opts := quickOptions(t, 30)
	opts.afterStep = func(job gan.Job, _ func()) {
		tr := job.(*gan.Trainer)
		if tr.Step == 10 {
			if _, err := tr.SaveCheckpoint(filepath.Join(opts.Out, "checkpoints")); err != nil {
				t.Fatal(err)
			}
		}
		if tr.Step == 15 {
			tr.D.Weights()[0].Data[0] = float32(math.NaN())
		}
	}
	_, err := Train(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "loss is NaN at step 16") || !strings.Contains(err.Error(), "latest.json") {
		t.Fatalf("error %v, want the NaN loss at step 16 and the checkpoint's path", err)
	}
	tr, err := gan.LoadCheckpoint(opts.Out)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Step != 10 {
		t.Fatalf("checkpoint at step %d, want the last good one at 10", tr.Step)
	}
}

// TestInterruptSavesCheckpoint: cancelling (Ctrl-C) saves a checkpoint of the
// step reached, and resuming continues from it to the end.
func TestInterruptSavesCheckpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the real MNIST")
	}
	opts := quickOptions(t, 20)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts.cancel = cancel
	opts.afterStep = func(job gan.Job, cancel func()) {
		tr := job.(*gan.Trainer)
		if tr.Step == 7 {
			cancel()
		}
	}
	if _, err := Train(ctx, opts); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("error %v, want ErrInterrupted", err)
	}
	tr, err := gan.LoadCheckpoint(opts.Out)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Step != 7 {
		t.Fatalf("checkpoint at step %d, want 7", tr.Step)
	}
	res, err := Train(context.Background(), Options{Resume: opts.Out, Log: io.Discard, Progress: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 13 {
		t.Fatalf("resume trained %d steps, want 13", res.Steps)
	}
}

// TestInterruptBeforeTraining: a run interrupted while its data loads stops
// there, writing nothing: no run folder is left to block the same --out.
func TestInterruptBeforeTraining(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the real MNIST")
	}
	opts := quickOptions(t, 20)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Train(ctx, opts); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("error %v, want ErrInterrupted", err)
	}
	if _, err := os.Stat(opts.Out); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the interrupted run left %s behind (%v)", opts.Out, err)
	}
}

// TestResumeDropsMetricsAfterCheckpoint: lines logged after the checkpoint a run
// resumes from are dropped, so no step appears twice.
func TestResumeDropsMetricsAfterCheckpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the real MNIST")
	}
	opts := quickOptions(t, 20)
	opts.afterStep = func(job gan.Job, _ func()) {
		tr := job.(*gan.Trainer)
		if tr.Step == 10 {
			if _, err := tr.SaveCheckpoint(filepath.Join(opts.Out, "checkpoints")); err != nil {
				t.Fatal(err)
			}
		}
		if tr.Step == 17 {
			tr.D.Weights()[0].Data[0] = float32(math.NaN()) // a crash after step 17's log line... and after 15's
		}
	}
	if _, err := Train(context.Background(), opts); err == nil {
		t.Fatal("the poisoned run did not fail")
	}
	if _, err := Train(context.Background(), Options{Resume: opts.Out, Log: io.Discard, Progress: io.Discard}); err != nil {
		t.Fatal(err)
	}
	rows, err := report.ReadMetrics(filepath.Join(opts.Out, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var steps []float64
	for _, r := range rows {
		steps = append(steps, r["step"])
	}
	want := []float64{5, 10, 15, 20}
	if len(steps) != len(want) {
		t.Fatalf("logged steps %v, want %v", steps, want)
	}
	for i := range want {
		if steps[i] != want[i] {
			t.Fatalf("logged steps %v, want %v", steps, want)
		}
	}
}

func TestBatchLargerThanData(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the real MNIST")
	}
	opts := quickOptions(t, 5)
	opts.Config.Batch = 65000
	_, err := Train(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "batch 65000 is larger than the 60000 training images of mnist") {
		t.Fatalf("error %v", err)
	}
	if _, statErr := os.Stat(opts.Out); statErr == nil {
		t.Fatal("a failed start left a run folder behind")
	}
}

// TestTrainAutoencoderLogsTestMSE: a CAE run logs the test-set reconstruction
// error at each epoch's end and draws test images beside reconstructions.
func TestTrainAutoencoderLogsTestMSE(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the real MNIST")
	}
	dir := t.TempDir()
	fixture := writeSmallMNIST(t, dir, 128, 40)
	cfg := gan.DefaultConfig()
	cfg.Model, cfg.Data, cfg.Epochs, cfg.Batch, cfg.LatentDim, cfg.LR, cfg.Beta1 = "cae", fixture, 2, 32, 8, 1e-3, 0.9
	res, err := Train(context.Background(), Options{Config: cfg, Out: filepath.Join(dir, "run"), Log: io.Discard, Progress: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := report.ReadMetrics(filepath.Join(res.Dir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var mses []float64
	for _, r := range rows {
		if v, ok := r["test_mse"]; ok {
			mses = append(mses, v)
		}
	}
	if len(mses) != 2 || !(mses[0] > 0) || !(mses[1] > 0) {
		t.Fatalf("test_mse lines %v, want one positive value per epoch", mses)
	}
	for _, p := range []string{"samples/epoch-001.png", "samples/epoch-002.png", "samples/final.png", "losses.png"} {
		if _, err := os.Stat(filepath.Join(res.Dir, p)); err != nil {
			t.Errorf("missing %s", p)
		}
	}
}

// writeSmallMNIST writes the first train and test images of the real MNIST as a
// small dataset folder, for runs that must stay short.
func writeSmallMNIST(t *testing.T, dir string, nTrain, nTest int) string {
	t.Helper()
	ds, err := data.Load("mnist")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "mnist-small")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		name string
		set  data.Set
		n    int
	}{{"train", ds.Train, nTrain}, {"t10k", ds.Test, nTest}} {
		im := s.set.Images
		sub := &data.Images{N: s.n, Rows: im.Rows, Cols: im.Cols, Pixels: im.Pixels[:s.n*im.Rows*im.Cols]}
		if err := data.WriteIDXImages(filepath.Join(out, s.name+"-images-idx3-ubyte"), sub); err != nil {
			t.Fatal(err)
		}
		labels := append([]byte{0, 0, 8, 1, 0, 0, byte(s.n >> 8), byte(s.n)}, s.set.Labels[:s.n]...)
		if err := os.WriteFile(filepath.Join(out, s.name+"-labels-idx1-ubyte"), labels, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestEvalEveryLogsFID: --eval-every logs FID, KID and IS every N steps and at
// the end, plots FID, and leaves training bit for bit as it is without it.
func TestEvalEveryLogsFID(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the real MNIST")
	}
	dir := t.TempDir()
	fixture := writeSmallMNIST(t, dir, 128, 40)
	train := func(name string, every int) string {
		cfg := gan.DefaultConfig()
		cfg.Data, cfg.Steps, cfg.Batch, cfg.LogEvery, cfg.EvalEvery = fixture, 10, 32, 5, every
		res, err := Train(context.Background(), Options{Config: cfg, Out: filepath.Join(dir, name), Log: io.Discard, Progress: io.Discard})
		if err != nil {
			t.Fatal(err)
		}
		return res.Dir
	}
	with, without := train("with", 4), train("without", 0)
	rows, err := report.ReadMetrics(filepath.Join(with, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var steps []float64
	for _, r := range rows {
		if _, ok := r["fid"]; !ok {
			continue
		}
		steps = append(steps, r["step"])
		for _, k := range []string{"fid", "kid", "kid_std", "is", "is_std"} {
			if v, ok := r[k]; !ok || math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("metrics line %v: %s missing or not finite", r, k)
			}
		}
		if r["fid"] <= 0 || r["is"] < 1 {
			t.Errorf("FID %g, IS %g of a GAN after %g steps: want FID > 0 and IS ≥ 1", r["fid"], r["is"], r["step"])
		}
	}
	raw, err := os.ReadFile(filepath.Join(with, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(raw), `"feature_net":"`); n != 3 {
		t.Errorf("%d lines name the feature network, want 3", n)
	}
	if want := []float64{4, 8, 10}; !slices.Equal(steps, want) {
		t.Errorf("evaluations at steps %v, want %v", steps, want)
	}
	sum := func(run string) string {
		ts, _ := filepath.Glob(filepath.Join(run, "checkpoints", "step-*.safetensors"))
		if len(ts) != 1 {
			t.Fatalf("%s: checkpoint tensors %v", run, ts)
		}
		s, err := checkpoint.Checksum(ts[0])
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if a, b := sum(with), sum(without); a != b {
		t.Errorf("checkpoint with evaluations %s differs from the one without %s", a, b)
	}
}

// A run resumed whose checkpoints or samples entry is a file is refused with a fix
// that fits --resume, not "choose another --out".
func TestResumeFolderIsAFile(t *testing.T) {
	for _, name := range []string{gan.CheckpointsDir, gan.SamplesDir} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, gan.ConfigFile), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte("keep"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Train(context.Background(), Options{Resume: dir, Log: io.Discard, Progress: io.Discard})
		if err == nil || !strings.Contains(err.Error(), "is a file, where a run keeps a folder of that name: move it") || strings.Contains(err.Error(), "--out") {
			t.Errorf("%s: %v, want the file named, and no --out", name, err)
		}
	}
}

// TestTrainNilContext: a nil context panics in Train's caller, naming it,
// before any work starts (it was read by a data-loading goroutine, or
// dereferenced in the loop).
func TestTrainNilContext(t *testing.T) {
	opts := quickOptions(t, 1)
	opts.Config.Data, opts.Config.Model = "ring8", "mlp2d"
	var got any
	func() {
		defer func() { got = recover() }()
		//lint:ignore SA1012 a nil context is the misuse under test
		Train(nil, opts)
	}()
	if msg, _ := got.(string); !strings.HasPrefix(msg, "run: Train: nil context") {
		t.Fatalf("Train(nil, ...) panicked with %v, want run: Train: nil context", got)
	}
	if _, err := os.Stat(opts.Out); err == nil {
		t.Fatalf("Train(nil, ...) made the run folder %s", opts.Out)
	}
}

// TestTrainNilWriters: Options without Log and Progress train, saying nothing,
// where the first summary line dereferenced the nil writer.
func TestTrainNilWriters(t *testing.T) {
	opts := quickOptions(t, 2)
	opts.Config.Data, opts.Config.Model, opts.Config.Batch, opts.Config.LatentDim = "ring8", "mlp2d", 16, 4
	opts.Log, opts.Progress = nil, nil
	if _, err := Train(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
}

// TestResumeRefusesDamagedRandomState: a checkpoint whose random-generator
// state is damaged (which gogan sample loads: sampling draws nothing from it)
// cannot be resumed, for the run would not continue as it would have.
func TestResumeRefusesDamagedRandomState(t *testing.T) {
	opts := quickOptions(t, 2)
	opts.Config.Data, opts.Config.Model, opts.Config.Batch, opts.Config.LatentDim = "ring8", "mlp2d", 16, 4
	if _, err := Train(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(opts.Out, gan.CheckpointsDir, gan.LatestFile)
	var s map[string]any
	if err := checkpoint.ReadJSON(state, &s); err != nil {
		t.Fatal(err)
	}
	s["rng"] = "!!!"
	if err := checkpoint.WriteJSONAtomic(state, s); err != nil {
		t.Fatal(err)
	}
	if _, err := gan.LoadJob(opts.Out); err != nil {
		t.Fatalf("LoadJob, to sample: %v", err)
	}
	more := Options{Resume: opts.Out, Config: opts.Config, ResumeOverrides: map[string]bool{"steps": true}, Log: io.Discard, Progress: io.Discard}
	more.Config.Steps = 4
	if _, err := Train(context.Background(), more); err == nil || !strings.Contains(err.Error(), "damaged random-generator state") {
		t.Fatalf("resume: %v, want an error naming the damaged random-generator state", err)
	}
}
