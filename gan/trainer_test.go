package gan_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/generator"
	"github.com/gogan/gogan/nn"
)

// smallConfig is the seed's recipe on small batches, for fast tests.
func smallConfig() gan.Config {
	cfg := gan.DefaultConfig()
	cfg.Batch = 8
	cfg.Seed = 42
	return cfg
}

// fakeImages returns n deterministic 28×28×1 images of noise uniform in [−1, 1].
func fakeImages(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 0))
	x := make([]float32, n*784)
	for i := range x {
		x[i] = float32(rng.Float64()*2 - 1)
	}
	return x
}

func train(t *testing.T, tr *gan.Trainer, steps int) {
	t.Helper()
	for range steps {
		batch := fakeImages(tr.Config.Batch, uint64(tr.Step))
		if _, err := tr.TrainStep(batch, nil); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCheckpointKeepsOnlyLatestTensors(t *testing.T) {
	tr, _ := gan.NewTrainer(smallConfig())
	dir := t.TempDir()
	tr.SaveCheckpoint(dir)
	train(t, tr, 1)
	tr.SaveCheckpoint(dir)
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 2 {
		t.Fatalf("checkpoint folder holds %v, want latest.json and one tensor file", files)
	}
}

// TestDamagedCheckpoints: each kind of damage is reported with the file's name.
func TestDamagedCheckpoints(t *testing.T) {
	tr, _ := gan.NewTrainer(smallConfig())
	cases := []struct {
		name   string
		damage func(t *testing.T, dir string)
		want   string
	}{
		{"missing", func(t *testing.T, dir string) { os.RemoveAll(dir) }, "no such file"},
		{"tensors flipped", func(t *testing.T, dir string) {
			p := tensorFile(t, dir)
			b, _ := os.ReadFile(p)
			b[len(b)-5] ^= 0xff
			os.WriteFile(p, b, 0o644)
		}, "damaged: checksum"},
		{"tensors truncated", func(t *testing.T, dir string) {
			p := tensorFile(t, dir)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/2], 0o644)
		}, "damaged: checksum"},
		{"no checksum", func(t *testing.T, dir string) {
			p := filepath.Join(dir, gan.LatestFile)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, regexp.MustCompile(`"tensors_checksum": *"[0-9a-f]*"`).ReplaceAll(b, []byte(`"tensors_checksum": ""`)), 0o644)
		}, "it has no tensors_checksum for step-"},
		{"state not JSON", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, gan.LatestFile), []byte("{not json"), 0o644)
		}, gan.LatestFile},
		{"another format", func(t *testing.T, dir string) {
			rewriteState(t, dir, `"format": "gogan-checkpoint/1"`, `"format": "other/9"`)
		}, "not a gogan checkpoint"},
		{"another model", func(t *testing.T, dir string) {
			rewriteState(t, dir, `"latent_dim": 100`, `"latent_dim": 64`)
		}, "a checkpoint of another model?"},
		// latest.json and the tensors' metadata disagree: an inconsistent
		// checkpoint, which would resume counting from the wrong step.
		{"another step", func(t *testing.T, dir string) {
			editState(t, dir, func(s map[string]any) { s["step"] = 7 })
		}, `damaged: it says step 7, its tensor file step-00000000.safetensors step "0"`},
		{"another model name", func(t *testing.T, dir string) {
			editState(t, dir, func(s map[string]any) { s["model"], s["config"].(map[string]any)["model"] = "lsgan", "lsgan" })
		}, `damaged: it says model "lsgan", its tensor file step-00000000.safetensors model "mlp"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ckpt")
			if _, err := tr.SaveCheckpoint(dir); err != nil {
				t.Fatal(err)
			}
			c.damage(t, dir)
			_, err := gan.LoadCheckpoint(dir)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
		})
	}
}

// TestFailedRestoreLeavesTrainerUntouched: a Restore that fails (a
// checkpoint of another optimizer or of one more, a damaged random state or
// step count)
// changes nothing: the trainer then takes the same step, bit for bit, as one
// that never saw the checkpoint.
func TestFailedRestoreLeavesTrainerUntouched(t *testing.T) {
	toy := func(seed uint64, optimizer string) gan.Config {
		cfg := gan.DefaultConfig()
		cfg.Model, cfg.Batch, cfg.LatentDim, cfg.Seed, cfg.Optimizer = "mlp2d", 8, 4, seed, optimizer
		return cfg
	}
	for _, tc := range []struct {
		name    string
		into    gan.Config
		damage  func(state map[string]any)
		tensors func(map[string]checkpoint.Tensor)
		want    string
	}{
		{"adam into rmsprop", toy(1, "rmsprop"), nil, nil, "optimizer is rmsprop, the checkpoint's is \"adam\""},
		{"rng damaged", toy(1, ""), func(s map[string]any) { s["rng"] = "!!!" }, nil, "damaged random-generator state"},
		{"rng empty", toy(1, ""), func(s map[string]any) { s["rng"] = "" }, nil, "damaged random-generator state"},
		{"an extra optimizer", toy(1, ""), func(s map[string]any) {
			s["optimizers"].(map[string]any)["critic"] = map[string]any{"name": "adam", "steps": 1}
		}, nil, `state of an optimizer "critic", which the model does not have`},
		{"negative optimizer steps", toy(1, ""), func(s map[string]any) {
			s["optimizers"].(map[string]any)["discriminator"].(map[string]any)["steps"] = -5
		}, nil, "taken -5 steps"},
		// A negative second moment is finite, but the next step's √v is NaN.
		{"negative adam v", toy(1, ""), nil, func(ts map[string]checkpoint.Tensor) {
			ts["optimizer/discriminator/v/dense_1/kernel"].F32[3] = -1
		}, "damaged: optimizer/discriminator: adam state: slot v/dense_1/kernel[3] is -1, negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			saver, err := gan.NewTrainer(toy(99, ""))
			if err != nil {
				t.Fatal(err)
			}
			x := make([]float32, 8*2)
			if _, err := saver.TrainStep(x, nil); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if _, err := saver.SaveCheckpoint(dir); err != nil {
				t.Fatal(err)
			}
			if tc.damage != nil {
				editState(t, dir, tc.damage)
			}
			if tc.tensors != nil {
				editTensors(t, dir, tc.tensors)
			}
			tr, err := gan.NewTrainer(tc.into)
			if err != nil {
				t.Fatal(err)
			}
			fresh, _ := gan.NewTrainer(tc.into)
			if err := tr.Restore(dir); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Restore: %v, want an error containing %q", err, tc.want)
			}
			if tr.Step != 0 || !sameWeights(tr, fresh) {
				t.Fatalf("the failed Restore changed the trainer: step %d, same weights %v", tr.Step, sameWeights(tr, fresh))
			}
			for _, u := range []*gan.Trainer{tr, fresh} {
				if _, err := u.TrainStep(x, nil); err != nil {
					t.Fatal(err)
				}
			}
			if !sameWeights(tr, fresh) {
				t.Fatal("after the failed Restore the trainer steps unlike a fresh one (optimizer or random state changed)")
			}
		})
	}
}

// TestDiscriminatorOutputsChecked: NewTrainerFor refuses a D that does not
// output one score per sample (for acgan, the score and a logit per class),
// naming both widths, whatever the objective.
func TestDiscriminatorOutputsChecked(t *testing.T) {
	for _, tc := range []struct {
		loss, conditional string
		units             int
		want              string
	}{
		{"", "", 3, "discriminator outputs (None, 3) where (None, 1) is wanted"},
		{"wgan-gp", "", 3, "discriminator outputs (None, 3) where (None, 1) is wanted"},
		{"ragan", "", 2, "discriminator outputs (None, 2) where (None, 1) is wanted"},
		{"", "acgan", 1, "discriminator outputs (None, 1) where (None, 11) is wanted: a score and 10 class logits"},
	} {
		cfg := gan.DefaultConfig()
		cfg.Batch, cfg.LatentDim, cfg.Loss, cfg.Conditional = 8, 4, tc.loss, tc.conditional
		if tc.loss == "wgan-gp" {
			cfg.GP = 10
		}
		g := nn.NewSequential("g", nn.Input(4), nn.Dense(2))
		d := nn.NewSequential("d", nn.Input(2), nn.Dense(tc.units))
		if _, err := gan.NewTrainerFor(g, d, cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("loss %q %s, D of %d outputs: %v, want an error containing %q", tc.loss, tc.conditional, tc.units, err, tc.want)
		}
	}
}

// editState applies edit to the JSON of the checkpoint's latest.json in dir.
func editState(t *testing.T, dir string, edit func(map[string]any)) {
	t.Helper()
	p := filepath.Join(dir, gan.LatestFile)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var state map[string]any
	if err := json.Unmarshal(b, &state); err != nil {
		t.Fatal(err)
	}
	edit(state)
	if b, err = json.Marshal(state); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// editTensors applies edit to the tensors of the checkpoint in dir, and
// gives its latest.json their new checksum.
func editTensors(t *testing.T, dir string, edit func(map[string]checkpoint.Tensor)) {
	t.Helper()
	p := tensorFile(t, dir)
	tensors, meta, err := checkpoint.LoadSafetensors(p)
	if err != nil {
		t.Fatal(err)
	}
	edit(tensors)
	if err := checkpoint.SaveSafetensors(p, tensors, meta); err != nil {
		t.Fatal(err)
	}
	sum, err := checkpoint.Checksum(p)
	if err != nil {
		t.Fatal(err)
	}
	editState(t, dir, func(s map[string]any) { s["tensors_checksum"] = sum })
}

func tensorFile(t *testing.T, dir string) string {
	files, _ := filepath.Glob(filepath.Join(dir, "step-*.safetensors"))
	if len(files) != 1 {
		t.Fatalf("tensor files %v", files)
	}
	return files[0]
}

func rewriteState(t *testing.T, dir, old, new string) {
	p := filepath.Join(dir, gan.LatestFile)
	b, _ := os.ReadFile(p)
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s does not contain %q:\n%s", p, old, b)
	}
	os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644)
}

// TestNaNStopsBeforeUpdate: a NaN in the data gives an error naming the loss,
// and no weight changes.
func TestNaNStopsBeforeUpdate(t *testing.T) {
	tr, _ := gan.NewTrainer(smallConfig())
	before := append([]float32(nil), tr.D.Weights()[0].Data...)
	batch := fakeImages(tr.Config.Batch, 1)
	batch[3] = float32(nanValue())
	_, err := tr.TrainStep(batch, nil)
	if err == nil || !strings.Contains(err.Error(), "discriminator loss is NaN") {
		t.Fatalf("error %v, want discriminator loss is NaN", err)
	}
	for i, v := range tr.D.Weights()[0].Data {
		if v != before[i] {
			t.Fatal("a weight changed in the step that failed")
		}
	}
	if tr.Step != 0 {
		t.Fatalf("step counted: %d", tr.Step)
	}
}

func nanValue() float64 { var z float64; return z / z }

// TestTrainStepAllocatesNoTensorMemory: once warm, a training step reuses every
// buffer; what it allocates is bookkeeping, whatever the batch size.
func TestTrainStepAllocatesNoTensorMemory(t *testing.T) {
	for _, batch := range []int{8, 64} {
		cfg := smallConfig()
		cfg.Batch = batch
		tr, err := gan.NewTrainer(cfg)
		if err != nil {
			t.Fatal(err)
		}
		x := fakeImages(batch, 1)
		perStep, allocs := warmStepBytes(t, func() { tr.TrainStep(x, nil) })
		t.Logf("batch %d: %d bytes, %d allocations per step", batch, perStep, allocs)
		if perStep > stepBookkeeping {
			t.Errorf("batch %d: a warm training step allocates %d bytes, want at most 4 KiB of bookkeeping", batch, perStep)
		}
	}
}

// stepBookkeeping bounds what a warm training step may allocate: bookkeeping
// (a few small slices), never tensors.
const stepBookkeeping = 4096

// warmStepBytes runs step until it is warm, then returns the bytes and
// allocations per step over five more. Warm means one step allocated at most
// stepBookkeeping: buffers sized on first use (the arena, the matrix kernels'
// per-thread packing space, which a product reaches on whichever thread is
// free) may take a few steps to reach their final sizes on a busy machine.
func warmStepBytes(t *testing.T, step func()) (perStep, allocs uint64) {
	t.Helper()
	var before, after runtime.MemStats
	var history []uint64
	for range 12 {
		runtime.ReadMemStats(&before)
		step()
		runtime.ReadMemStats(&after)
		history = append(history, after.TotalAlloc-before.TotalAlloc)
		if len(history) >= 3 && history[len(history)-1] <= stepBookkeeping {
			break
		}
	}
	if history[len(history)-1] > stepBookkeeping {
		t.Fatalf("steps never stopped allocating: bytes per step %v", history)
	}
	runtime.GC()
	runtime.ReadMemStats(&before)
	const steps = 5
	for range steps {
		step()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / steps, (after.Mallocs - before.Mallocs) / steps
}

// TestLoadCheckpointOfAnotherFile: a file that is not a latest.json (the tensor file,
// a PNG) is named as not a checkpoint, not parsed as JSON.
func TestLoadCheckpointOfAnotherFile(t *testing.T) {
	tr, _ := gan.NewTrainer(smallConfig())
	dir := filepath.Join(t.TempDir(), "ckpt")
	if _, err := tr.SaveCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	p := tensorFile(t, dir)
	if _, err := gan.LoadCheckpoint(p); err == nil || !strings.Contains(err.Error(), p+": not a checkpoint") {
		t.Errorf("LoadCheckpoint(%s): %v", p, err)
	}
	if _, err := gan.LoadCheckpoint(filepath.Join(dir, gan.LatestFile)); err != nil {
		t.Errorf("LoadCheckpoint of latest.json: %v", err)
	}
}

// panicOf runs f and returns what it panicked with, as a string ("" if it did not).
func panicOf(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

// TestUnmadeTrainersPanicNamingIt: the entry points of a trainer not made by
// its constructor (a zero value, a nil pointer) panic naming the method and
// the constructor, not with a nil dereference; so do ApplyDefaults and
// ApplyRecipe given no config.
func TestUnmadeTrainersPanicNamingIt(t *testing.T) {
	var nilTrainer *gan.Trainer
	for name, tr := range map[string]*gan.Trainer{"zero": {}, "nil": nilTrainer} {
		for method, call := range map[string]func(){
			"TrainStep":          func() { tr.TrainStep(nil, nil) },
			"Train":              func() { tr.Train(nil, nil) },
			"Progress":           func() { tr.Progress(gan.TestSet{}) },
			"SaveCheckpoint":     func() { tr.SaveCheckpoint(t.TempDir()) },
			"Restore":            func() { tr.Restore(t.TempDir()) },
			"UseDevice":          func() { tr.UseDevice("cpu") },
			"RecalibrateSampler": func() { tr.RecalibrateSampler(1) },
			"Sampler":            func() { tr.Sampler() },
			"Flops":              func() { tr.Flops() },
			"ProfileOps":         func() { tr.ProfileOps(nil) },
		} {
			want := "gan: Trainer." + method + ": Trainer used without NewTrainer/NewTrainerFor"
			if got := panicOf(call); got != want {
				t.Errorf("%s Trainer: %s panicked with %q, want %q", name, method, got, want)
			}
		}
	}
	var nilClassifier *gan.ClassifierTrainer
	var nilAutoencoder *gan.AutoencoderTrainer
	for name, tr := range map[string]struct {
		c *gan.ClassifierTrainer
		a *gan.AutoencoderTrainer
	}{"zero": {&gan.ClassifierTrainer{}, &gan.AutoencoderTrainer{}}, "nil": {nilClassifier, nilAutoencoder}} {
		c, a := tr.c, tr.a
		for method, call := range map[string]func(){
			"ClassifierTrainer.Train":               func() { c.Train(nil, nil) },
			"ClassifierTrainer.Progress":            func() { c.Progress(gan.TestSet{}) },
			"ClassifierTrainer.Evaluate":            func() { c.Evaluate(gan.TestSet{}) },
			"ClassifierTrainer.Predict":             func() { c.Predict(nil, nil, nil, 0) },
			"ClassifierTrainer.SaveCheckpoint":      func() { c.SaveCheckpoint(t.TempDir()) },
			"ClassifierTrainer.Flops":               func() { c.Flops() },
			"ClassifierTrainer.ProfileOps":          func() { c.ProfileOps(nil) },
			"AutoencoderTrainer.TrainStep":          func() { a.Train(nil, nil) },
			"AutoencoderTrainer.Progress":           func() { a.Progress(gan.TestSet{}) },
			"AutoencoderTrainer.Evaluate":           func() { a.Evaluate(gan.TestSet{}) },
			"AutoencoderTrainer.ReconstructionGrid": func() { a.ReconstructionGrid(nil, 8, 8) },
			"AutoencoderTrainer.Encode":             func() { a.Encode(nil, nil, 0) },
			"AutoencoderTrainer.Decode":             func() { a.Decode(nil, nil, 0) },
			"AutoencoderTrainer.Reconstruct":        func() { a.Reconstruct(nil, nil, 0) },
			"AutoencoderTrainer.DrawCodes":          func() { a.DrawCodes(nil, nil) },
			"AutoencoderTrainer.SaveCheckpoint":     func() { a.SaveCheckpoint(t.TempDir()) },
			"AutoencoderTrainer.Flops":              func() { a.Flops() },
			"AutoencoderTrainer.ProfileOps":         func() { a.ProfileOps(nil) },
		} {
			want := "gan: " + method + ": trainer used without NewAutoencoderTrainer, NewClassifierTrainer or NewJob"
			if got := panicOf(call); got != want {
				t.Errorf("%s trainer: %s panicked with %q, want %q", name, method, got, want)
			}
		}
	}
	for fn, call := range map[string]func(){
		"ApplyDefaults": func() { gan.ApplyDefaults(nil, nil) },
		"ApplyRecipe":   func() { gan.ApplyRecipe(nil, map[string]bool{"lr": true}) },
	} {
		want := "gan: " + fn + ": nil *Config (pass the address of the Config to fill in)"
		if got := panicOf(call); got != want {
			t.Errorf("%s(nil, ...) panicked with %q, want %q", fn, got, want)
		}
	}
}

// TestShortBuffersPanicNamingTheMethod: the inference methods of the
// autoencoder and the classifier panic on buffers too short for n (and on a
// negative n) naming the method called and the buffer as it names it, where
// they panicked naming Generate and its z or dst.
func TestShortBuffersPanicNamingTheMethod(t *testing.T) {
	a, err := gan.NewAutoencoderTrainer(caeConfig()) // codes of 8
	if err != nil {
		t.Fatal(err)
	}
	cfg := gan.DefaultConfig()
	cfg.Model = "classifier"
	c, err := gan.NewClassifierTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	const img = 784
	two := make([]float32, 2*img)
	for _, tc := range []struct {
		call func()
		want string
	}{
		{func() { a.Encode(make([]float32, 16), make([]float32, 100), 2) }, "AutoencoderTrainer.Encode: x holds 100 values, need 2 × 784"},
		{func() { a.Encode(make([]float32, 3), two, 2) }, "AutoencoderTrainer.Encode: codes holds 3 values, need 2 × 8"},
		{func() { a.Decode(make([]float32, 10), make([]float32, 16), 2) }, "AutoencoderTrainer.Decode: x holds 10 values, need 2 × 784"},
		{func() { a.Decode(two, make([]float32, 5), 2) }, "AutoencoderTrainer.Decode: codes holds 5 values, need 2 × 8"},
		{func() { a.Reconstruct(two, make([]float32, 100), 2) }, "AutoencoderTrainer.Reconstruct: x holds 100 values, need 2 × 784"},
		{func() { a.Reconstruct(make([]float32, 10), two, 2) }, "AutoencoderTrainer.Reconstruct: dst holds 10 values, need 2 × 784"},
		{func() { a.Reconstruct(nil, nil, -1) }, "AutoencoderTrainer.Reconstruct: n must not be negative, got -1"},
		{func() { c.Predict(nil, nil, make([]float32, 100), 2) }, "ClassifierTrainer.Predict: x holds 100 values, need 2 × 784"},
		{func() { c.Predict(make([]float32, 10), nil, two, 2) }, "ClassifierTrainer.Predict: features holds 10 values, need 2 × 128"},
		{func() { c.Predict(nil, make([]float32, 3), two, 2) }, "ClassifierTrainer.Predict: logits holds 3 values, need 2 × 10"},
		{func() { c.Predict(nil, nil, nil, -1) }, "ClassifierTrainer.Predict: n must not be negative, got -1"},
	} {
		if got := panicOf(tc.call); got != "gan: "+tc.want {
			t.Errorf("panicked with %q, want %q", got, "gan: "+tc.want)
		}
	}
	rec := make([]float32, 2*img)
	a.Reconstruct(rec, two, 2)
	logits := make([]float32, 2*10)
	c.Predict(nil, logits, two, 2)
}

// TestNilArguments: nil where gan takes a network or an option is an error
// naming it, not a nil dereference.
func TestNilArguments(t *testing.T) {
	if err := gan.StandingStatistics(nil, 1, 8, 0, 1); err == nil || !strings.Contains(err.Error(), "no network (nil)") {
		t.Errorf("StandingStatistics(nil): %v", err)
	}
	unbuilt := gan.SeedGenerator(100)
	if err := gan.StandingStatistics(unbuilt, 1, 8, 0, 1); err == nil || !strings.Contains(err.Error(), "not built") {
		t.Errorf("StandingStatistics(an unbuilt network): %v", err)
	}
	cfg := gan.DefaultConfig()
	cfg.Batch, cfg.LatentDim = 8, 4
	_, err := gan.NewTrainerFor(gan.ToyGenerator(4), gan.ToyDiscriminator(2), cfg, nil)
	if err == nil || !strings.Contains(err.Error(), "option 1 of 1 is nil") {
		t.Errorf("NewTrainerFor with a nil option: %v", err)
	}
}

// TestDamagedRandomStateSamples: a checkpoint whose random-generator state is
// damaged loads to sample (LoadJob, generator.Load: samples draw nothing from
// that generator), the same samples as before the damage; the job it gives
// refuses to train or be saved, and ResumeJob refuses the checkpoint.
func TestDamagedRandomStateSamples(t *testing.T) {
	for _, model := range []string{"mlp2d", "cae"} {
		cfg := gan.DefaultConfig()
		cfg.Model, cfg.Batch, cfg.LatentDim = model, 4, 4
		job, err := gan.NewJob(cfg)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if _, err := job.SaveCheckpoint(dir); err != nil {
			t.Fatal(err)
		}
		want := generated(t, dir)
		editState(t, dir, func(s map[string]any) { s["rng"] = "!!!" })
		if got := generated(t, dir); !slices.Equal(got, want) {
			t.Errorf("%s: the damaged random state changed the samples", model)
		}
		loaded, err := gan.LoadJob(dir)
		if err != nil {
			t.Fatalf("%s: LoadJob: %v", model, err)
		}
		if _, err := loaded.Train(make([]float32, 4*loaded.SampleShape().Size()), nil); err == nil || !strings.Contains(err.Error(), "cannot train: ") || !strings.Contains(err.Error(), "damaged random-generator state") {
			t.Errorf("%s: Train of the loaded job: %v", model, err)
		}
		if _, err := loaded.SaveCheckpoint(t.TempDir()); err == nil || !strings.Contains(err.Error(), "cannot save a checkpoint: ") {
			t.Errorf("%s: SaveCheckpoint of the loaded job: %v", model, err)
		}
		if _, err := gan.ResumeJob(dir); err == nil || !strings.Contains(err.Error(), gan.LatestFile+": damaged random-generator state") {
			t.Errorf("%s: ResumeJob: %v", model, err)
		}
	}
}

// TestEarlierLipschitzSettingsSample: a checkpoint of wgan with clip 0, or of
// wgan-gp with gp 0, as earlier versions wrote it (they accepted 0 and
// trained the critic unconstrained; a new run is refused it) loads to sample
// (LoadJob, generator.Load), the samples it made, where its config was
// refused; the job refuses to train, and ResumeJob refuses the checkpoint,
// saying that it still samples. NewTrainerFor still refuses such a config.
func TestEarlierLipschitzSettingsSample(t *testing.T) {
	for _, tc := range []struct {
		loss, setting string
		set           func(*gan.Config)
		want          string
	}{
		{"wgan", "clip", func(c *gan.Config) { c.Clip = 0.01 }, "loss wgan keeps D Lipschitz by clipping its weights: clip must be positive (the wgan recipe's is 0.01), got 0"},
		{"wgan-gp", "gp", func(c *gan.Config) { c.GP = 10 }, "loss wgan-gp keeps D Lipschitz by a gradient penalty: its weight must be positive (the wgan-gp recipe's is 10), got 0"},
	} {
		cfg := gan.DefaultConfig()
		cfg.Model, cfg.Batch, cfg.LatentDim, cfg.Loss = "mlp2d", 4, 4, tc.loss
		tc.set(&cfg)
		job, err := gan.NewJob(cfg)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if _, err := job.SaveCheckpoint(dir); err != nil {
			t.Fatal(err)
		}
		want := generated(t, dir)
		editState(t, dir, func(s map[string]any) { delete(s["config"].(map[string]any), tc.setting) }) // 0: omitted
		if got := generated(t, dir); !slices.Equal(got, want) {
			t.Errorf("%s with %s 0: other samples", tc.loss, tc.setting)
		}
		loaded, err := gan.LoadJob(dir)
		if err != nil {
			t.Fatalf("%s with %s 0: LoadJob: %v", tc.loss, tc.setting, err)
		}
		if _, err := loaded.Train(make([]float32, 4*2), nil); err == nil || err.Error() != "cannot train: "+tc.want {
			t.Errorf("%s with %s 0: Train of the loaded job: %v, want %q", tc.loss, tc.setting, err, "cannot train: "+tc.want)
		}
		_, err = gan.ResumeJob(dir)
		if want := gan.LatestFile + ": cannot train on: config: " + tc.want + " (an earlier gogan accepted it and trained the critic unconstrained; the run still loads to sample, evaluate and export)"; err == nil || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("%s with %s 0: ResumeJob: %v, want an error ending %q", tc.loss, tc.setting, err, want)
		}
		cfg = *loaded.Settings()
		if _, err := gan.NewTrainerFor(gan.ToyGenerator(4), gan.ToyDiscriminator(2), cfg); err == nil || err.Error() != tc.want {
			t.Errorf("%s with %s 0: NewTrainerFor: %v, want %q", tc.loss, tc.setting, err, tc.want)
		}
	}
}

// generated is what generator.Load of the checkpoint in dir makes of seeds 1 to 4.
func generated(t *testing.T, dir string) []float32 {
	t.Helper()
	g, err := generator.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	latents := make([]float32, 4*g.LatentDim())
	gan.Latents(latents, 1)
	b, err := g.Generate(generator.Request{Latents: latents})
	if err != nil {
		t.Fatal(err)
	}
	return b.Data
}

// TestProfileTimesNoise: an op profile of CPU steps times the noise draw under
// NoiseLap, once a step, and not as part of G's first op.
func TestProfileTimesNoise(t *testing.T) {
	tr, err := gan.NewTrainer(smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	p := autograd.NewOpProfile()
	tr.ProfileOps(p)
	train(t, tr, 3)
	calls := 0
	for _, op := range p.Ops() {
		if op.Name == gan.NoiseLap {
			calls += op.Calls
		}
	}
	if calls != 3 {
		t.Errorf("%q timed %d times in 3 steps, want 3; ops: %+v", gan.NoiseLap, calls, p.Ops())
	}
}
