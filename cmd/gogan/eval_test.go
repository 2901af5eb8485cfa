package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/eval"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/internal/bar"
	"github.com/gogan/gogan/report"
)

// goganCached runs gogan in-process with its reference cache in dir.
func goganCached(t *testing.T, dir string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runMain(&environment{stdout: &stdout, stderr: &stderr, refCache: dir}, args)
	return result{args: args, code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// jsonScores parses the output of eval --json: exactly one JSON object.
func jsonScores(t *testing.T, r result) map[string]any {
	t.Helper()
	wantExit(t, r, 0)
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r)
	}
	if dec.More() {
		t.Fatalf("more than one JSON value\n%s", r)
	}
	return m
}

var scoreKeys = []string{"fid", "kid", "kid_std", "is", "is_std", "precision", "recall", "classes_over_2pct", "n", "feature_net", "class_histogram"}

func mnistHash(t *testing.T) string {
	t.Helper()
	net, err := eval.LoadFeatureNet("mnist")
	if err != nil {
		t.Fatal(err)
	}
	return net.Hash
}

// TestEvalRun scores the shared run against the fixture's test images: the table, then
// --json with and without the labels of a conditional generator.
func TestEvalRun(t *testing.T) {
	dataDir, run := trainedRun(t)
	ref := filepath.Join(dataDir, "t10k-images-idx3-ubyte")
	common := []string{"eval", "--samples", run, "--ref", ref, "--n", "64"}

	r := gogan(t, common...)
	wantExit(t, r, 0)
	for _, want := range []string{"feature net", "mnist " + mnistHash(t), "FID", "KID", "Inception Score", "precision (k=3)", "recall (k=3)",
		"classes over 2%", "class histogram", "step 20, 64 generated with seed 1", ref + " (64 images)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q\n%s", want, r)
		}
	}
	if strings.Contains(r.stdout, "label accuracy") || r.stderr != "" {
		t.Errorf("label accuracy without labels, or stderr\n%s", r)
	}

	m := jsonScores(t, gogan(t, append(common, "--json")...))
	for _, k := range scoreKeys {
		if _, ok := m[k]; !ok {
			t.Errorf("--json lacks %q: %v", k, m)
		}
	}
	if m["n"] != 64.0 || m["feature_net"] != mnistHash(t) || m["feature_net_name"] != "mnist" {
		t.Errorf("n %v, feature_net %v %v", m["n"], m["feature_net_name"], m["feature_net"])
	}
	if _, ok := m["label_accuracy"]; ok {
		t.Errorf("label_accuracy without labels: %v", m)
	}
	// The same samples as a folder of PNGs and as an IDX file score as the run does,
	// up to the 8-bit rounding of the files.
	pngs := filepath.Join(t.TempDir(), "pngs")
	wantExit(t, gogan(t, "sample", "--run", run, "--n", "64", "--out", pngs), 0)
	// The fixture's test labels stand for the labels a conditional generator was given.
	m = jsonScores(t, gogan(t, "eval", "--samples", pngs, "--ref", ref, "--json", "--labels", filepath.Join(dataDir, "t10k-labels-idx1-ubyte")))
	if acc, ok := m["label_accuracy"].(float64); !ok || acc < 0 || acc > 1 {
		t.Errorf("label_accuracy %v", m["label_accuracy"])
	}
	idx := filepath.Join(t.TempDir(), "s.gz")
	wantExit(t, gogan(t, "sample", "--run", run, "--n", "64", "--out", idx), 0)
	fromRun := jsonScores(t, gogan(t, append(common, "--json")...))["fid"].(float64)
	for _, p := range []string{pngs, idx} {
		fid := jsonScores(t, gogan(t, "eval", "--samples", p, "--ref", ref, "--json"))["fid"].(float64)
		if d := fid - fromRun; d > 0.05*fromRun+1 || d < -0.05*fromRun-1 {
			t.Errorf("%s: FID %g, the run's own samples %g", p, fid, fromRun)
		}
	}
}

func TestEvalErrors(t *testing.T) {
	dataDir, run := trainedRun(t)
	ref := filepath.Join(dataDir, "t10k-images-idx3-ubyte")
	empty := t.TempDir()
	mixed := t.TempDir()
	wrong := t.TempDir()
	im, _ := patterns(12)
	imgs := data.Scale(im)
	for _, err := range []error{
		report.WritePNGs(mixed, "a-", imgs, 12, 28, 28, 1),
		report.Grid(filepath.Join(mixed, "b-00000.png"), make([]float32, 30*30), 1, 30, 30, 1, 1), // one more PNG in the folder
		report.WritePNGs(wrong, "a-", make([]float32, 12*32*32), 12, 32, 32, 1),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	badMagic := filepath.Join(t.TempDir(), "x-idx3-ubyte")
	if err := os.WriteFile(badMagic, []byte{0, 0, 8, 5, 0, 0, 0, 0}, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(empty, "nope")
	onePNG := filepath.Join(mixed, "b-00000.png")
	oneJPEG := filepath.Join(t.TempDir(), "photo.JPG") // refused by its name, before it is read
	if err := os.WriteFile(oneJPEG, []byte("\xff\xd8\xff"), 0o644); err != nil {
		t.Fatal(err)
	}
	oneImage := "is one image file, where a reference is many images: want mnist, fashion-mnist, stacked-mnist, a run or checkpoint, an IDX image file or a folder of images"
	oneSample := "is one image file, where samples are many images: want a run or checkpoint, a folder of PNGs or an IDX image file"
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"no samples", split("eval"), 2, []string{"--samples is required"}},
		{"n too small", []string{"eval", "--samples", run, "--n", "5"}, 2, []string{"--n must be in [10, 100000], got 5"}},
		{"n too large", []string{"eval", "--samples", run, "--n", "1000000"}, 2, []string{"got 1000000"}},
		{"empty ref", []string{"eval", "--samples", run, "--ref", ""}, 2, []string{"--ref must not be empty"}},
		{"missing samples", []string{"eval", "--samples", missing, "--ref", ref}, 1, []string{missing, "no such file"}},
		{"missing ref", []string{"eval", "--samples", run, "--ref", missing}, 1, []string{"--ref " + missing, "want mnist, fashion-mnist or a path"}},
		{"one PNG as ref", []string{"eval", "--samples", run, "--ref", onePNG}, 1, []string{"--ref " + onePNG + " " + oneImage}},
		{"one JPEG as ref", []string{"eval", "--samples", run, "--ref", oneJPEG}, 1, []string{"--ref " + oneJPEG + " " + oneImage}},
		{"one PNG as samples", []string{"eval", "--samples", onePNG, "--ref", ref}, 1, []string{"--samples " + onePNG + " " + oneSample}},
		{"one JPEG as samples", []string{"eval", "--samples", oneJPEG, "--ref", ref}, 1, []string{"--samples " + oneJPEG + " " + oneSample}},
		{"one JPEG as stacked samples", []string{"eval", "--samples", oneJPEG, "--ref", "stacked-mnist"}, 1, []string{"--samples " + oneJPEG + " " + oneSample}},
		{"empty folder", []string{"eval", "--samples", empty, "--ref", ref}, 1, []string{"no .png files in " + empty}},
		{"mixed sizes", []string{"eval", "--samples", mixed, "--ref", ref}, 1, []string{"b-00000.png is 30x30", "share one size"}},
		{"wrong size", []string{"eval", "--samples", wrong, "--ref", ref, "--feature-net", "mnist"}, 1, []string{wrong, "32×32×1", "takes 28×28×1"}},
		{"wrong size, no feature net", []string{"eval", "--samples", wrong, "--ref", ref}, 1, []string{wrong, "32×32×1", "train a classifier", "--feature-net"}},
		{"bad magic", []string{"eval", "--samples", badMagic, "--ref", ref}, 1, []string{badMagic, "bad magic number 0x00000805"}},
		{"standing statistics of a file", []string{"eval", "--samples", ref, "--ref", ref, "--standing-stats", "5"}, 2, []string{"--standing-stats: ", ref + " is not a run or checkpoint"}},
		{"standing statistics too many", []string{"eval", "--samples", run, "--standing-stats", "10001"}, 2, []string{"--standing-stats must be in [0, 10000]"}},
		{"labels as samples", []string{"eval", "--samples", filepath.Join(dataDir, "t10k-labels-idx1-ubyte"), "--ref", ref}, 1, []string{"IDX labels file"}},
		{"unknown feature net", []string{"eval", "--samples", run, "--ref", ref, "--feature-net", "cifar"}, 1, []string{"cifar", "want mnist, fashion-mnist or a .safetensors file"}},
		{"too few labels", []string{"eval", "--samples", filepath.Join(dataDir, "train-images-idx3-ubyte"), "--ref", ref, "--n", "100", "--labels", filepath.Join(dataDir, "t10k-labels-idx1-ubyte")}, 1, []string{"64 labels for 100 samples"}},
		{"labels of an unconditional run", []string{"eval", "--samples", run, "--ref", ref, "--n", "64", "--labels", filepath.Join(dataDir, "t10k-labels-idx1-ubyte")}, 2, []string{"--labels: " + run + " is an unconditional run (mlp)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := gogan(t, tc.args...)
			wantError(t, r, tc.code, tc.want...)
			if r.stdout != "" {
				t.Errorf("error wrote to stdout\n%s", r)
			}
		})
	}
}

// TestEvalConditionalRun: a conditional run's samples are drawn class by class and
// scored with the label accuracy.
func TestEvalConditionalRun(t *testing.T) {
	dataDir, _ := trainedRun(t)
	run := filepath.Join(t.TempDir(), "cgan")
	wantExit(t, gogan(t, "train", "--model", "cgan", "--data", dataDir, "--out", run, "--batch", "16", "--steps", "3"), 0)
	ref := filepath.Join(dataDir, "t10k-images-idx3-ubyte")
	m := jsonScores(t, gogan(t, "eval", "--samples", run, "--ref", ref, "--n", "50", "--json"))
	if acc, ok := m["label_accuracy"].(float64); !ok || acc < 0 || acc > 1 {
		t.Errorf("label_accuracy %v of a conditional run", m["label_accuracy"])
	}
	r := gogan(t, "eval", "--samples", run, "--ref", ref, "--n", "50", "--labels", filepath.Join(dataDir, "t10k-labels-idx1-ubyte"))
	wantError(t, r, 2, "--labels is for files and folders")
}

// TestExportFeatureNet: a classifier trained by gogan exports as a feature network
// that eval uses and names by its hash; a GAN run does not export.
func TestExportFeatureNet(t *testing.T) {
	dataDir, run := trainedRun(t)
	cls := filepath.Join(t.TempDir(), "cls")
	wantExit(t, gogan(t, "train", "--model", "classifier", "--data", dataDir, "--out", cls, "--batch", "16", "--steps", "4"), 0)
	out := filepath.Join(t.TempDir(), "net.safetensors")
	r := gogan(t, "export-featurenet", "--run", cls, "--out", out)
	wantExit(t, r, 0)
	net, err := eval.LoadFeatureNet(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.stdout, net.Hash) || !strings.Contains(r.stdout, "test accuracy") || net.Meta["step"] != "4" {
		t.Errorf("export output or metadata %v\n%s", net.Meta, r)
	}
	m := jsonScores(t, gogan(t, "eval", "--samples", run, "--ref", filepath.Join(dataDir, "t10k-images-idx3-ubyte"), "--feature-net", out, "--json"))
	if m["feature_net"] != net.Hash || m["feature_net_name"] != out {
		t.Errorf("scored by %v %v, want %s %s", m["feature_net_name"], m["feature_net"], out, net.Hash)
	}
	wantError(t, gogan(t, "export-featurenet", "--run", run, "--out", out), 1, "not a classifier")
	wantError(t, gogan(t, "export-featurenet", "--run", run), 2, "--run and --out are required")
}

// TestTrainEvalEvery: --eval-every logs FID and IS to metrics.jsonl and prints them.
func TestTrainEvalEvery(t *testing.T) {
	dataDir := writeFixture(t)
	out := filepath.Join(t.TempDir(), "run")
	r := train(t, dataDir, out, "--eval-every", "8")
	wantExit(t, r, 0)
	var steps []float64
	for _, m := range readMetrics(t, filepath.Join(out, "metrics.jsonl")) {
		if _, ok := m["fid"]; ok {
			steps = append(steps, m["step"].(float64))
			if _, ok := m["is"]; !ok {
				t.Errorf("a line with fid and no is: %v", m)
			}
		}
	}
	if len(steps) != 3 || steps[0] != 8 || steps[1] != 16 || steps[2] != 20 {
		t.Errorf("evaluations at steps %v, want 8, 16, 20", steps)
	}
	if !strings.Contains(r.stderr, "step 8: FID ") || !strings.Contains(r.stderr, mnistHash(t)) {
		t.Errorf("no evaluation line in stderr\n%s", r)
	}
	wantError(t, gogan(t, "train", "--eval-every", "-1"), 2, "must not be negative, got -1")
	wantError(t, gogan(t, "train", "--model", "classifier", "--eval-every", "5"), 2, "generates no images")
	wantError(t, gogan(t, "train", "--resume", out, "--eval-every", "-2"), 2, "--eval-every must not be negative, got -2")
}

// TestEvalRealMNIST scores a 30-step run on the real MNIST against the cached test
// set: the first eval writes the cache, the second reads it, a damaged one is rebuilt.
func TestEvalRealMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the real MNIST")
	}
	run := filepath.Join(t.TempDir(), "run")
	wantExit(t, gogan(t, "train", "--steps", "30", "--out", run), 0)
	cache := t.TempDir()
	cached := filepath.Join(cache, "mnist-"+mnistHash(t)+".safetensors")
	evalArgs := []string{"eval", "--samples", run, "--n", "2000", "--json"}

	m := jsonScores(t, goganCached(t, cache, evalArgs...))
	st, err := os.Stat(cached)
	if err != nil {
		t.Fatalf("no cache file after the first eval: %v", err)
	}
	if m["ref_n"] != 10000.0 || m["n"] != 2000.0 || m["fid"].(float64) < 10 {
		t.Errorf("scores of a 30-step GAN: %v", m)
	}
	again := goganCached(t, cache, evalArgs...)
	if m2 := jsonScores(t, again); m2["fid"] != m["fid"] || m2["kid"] != m["kid"] || again.stderr != "" {
		t.Errorf("from the cache: FID %v KID %v, computed %v %v; stderr %q", m2["fid"], m2["kid"], m["fid"], m["kid"], again.stderr)
	}
	if st2, _ := os.Stat(cached); !st2.ModTime().Equal(st.ModTime()) {
		t.Errorf("a cache hit rewrote %s", cached)
	}
	if err := os.WriteFile(cached, []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := goganCached(t, cache, evalArgs...)
	if m3 := jsonScores(t, r); m3["fid"] != m["fid"] || !strings.HasPrefix(r.stderr, "warning: reference cache "+cached) {
		t.Errorf("damaged cache: FID %v (want %v), stderr %q", m3["fid"], m["fid"], r.stderr)
	}
}

// TestEvalModeCoverage trains a 2-D GAN briefly and scores its mode coverage.
func TestEvalModeCoverage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ring")
	res := gogan(t, "train", "--model", "mlp2d", "--data", "ring8", "--epochs", "1", "--batch", "256", "--out", dir)
	if res.code != 0 {
		t.Fatalf("train: %d\n%s", res.code, res.stderr)
	}
	res = gogan(t, "eval", "--samples", dir, "--json")
	if res.code != 0 {
		t.Fatalf("eval: %d\n%s", res.code, res.stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(res.stdout), &got); err != nil {
		t.Fatalf("eval --json printed %q: %v", res.stdout, err)
	}
	for _, k := range []string{"high_quality_fraction", "modes_covered", "modes_total", "kl", "n"} {
		if _, ok := got[k]; !ok {
			t.Errorf("eval --json lacks %q: %s", k, res.stdout)
		}
	}
	if got["modes_total"] != float64(8) || got["n"] != float64(2500) {
		t.Errorf("modes_total %v, n %v", got["modes_total"], got["n"])
	}
}

// TestEvalModeCoverageOverflow: a 2-D run whose finite weights overflow float32 makes
// its points as gogan sample and eval's images are made (package generator), whose
// error, naming the run, says that the weights diverged, where eval said
// "metrics: Modes: point 0 is (+Inf, +Inf)".
func TestEvalModeCoverageOverflow(t *testing.T) {
	cfg := gan.DefaultConfig()
	cfg.Model, cfg.Data = "mlp2d", "ring8"
	gan.ApplyRecipe(&cfg, nil)
	job, err := gan.NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range job.Sampler().Weights() {
		for i := range w.Data {
			w.Data[i] = 1e30
		}
	}
	dir := t.TempDir()
	if _, err := job.SaveCheckpoint(filepath.Join(dir, "checkpoints")); err != nil {
		t.Fatal(err)
	}
	wantError(t, gogan(t, "eval", "--samples", dir), 1, dir+": generator:", "generated values are NaN or ±Inf", "the weights diverged")
}

// TestEvalModeCoverageWithoutHits scores a generator that has not yet put a
// sample near any mode: its KL is undefined, printed as JSON null.
func TestEvalModeCoverageWithoutHits(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ring")
	if res := gogan(t, "train", "--model", "mlp2d", "--data", "ring8", "--steps", "1", "--batch", "64", "--out", dir); res.code != 0 {
		t.Fatalf("train: %d\n%s", res.code, res.stderr)
	}
	res := gogan(t, "eval", "--samples", dir, "--json")
	if res.code != 0 {
		t.Fatalf("eval: %d\n%s", res.code, res.stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(res.stdout), &got); err != nil {
		t.Fatalf("eval --json printed %q: %v", res.stdout, err)
	}
	if got["high_quality_fraction"] != float64(0) {
		t.Fatalf("after 1 step, %v of the samples are near a mode; this test needs none: %s", got["high_quality_fraction"], res.stdout)
	}
	if kl, ok := got["kl"]; !ok || kl != nil {
		t.Errorf("kl = %v (present %v), want null", kl, ok)
	}
	if res = gogan(t, "eval", "--samples", dir); res.code != 0 || !strings.Contains(res.stdout, "undefined (no high-quality samples)") {
		t.Errorf("eval: %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}

// TestEvalRunAsReference: a run's folder as --ref is a generator (its folders are not
// classes of images), which draws other latent vectors than the samples'.
func TestEvalRunAsReference(t *testing.T) {
	_, run := trainedRun(t)
	r := gogan(t, "eval", "--samples", run, "--ref", run, "--n", "10")
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, "10 generated with seed 2") {
		t.Errorf("the reference is not the run's generator with the next seed\n%s", r)
	}
}

// TestEvalStraySubfolder: a folder of PNGs with a subfolder beside them is a folder
// of PNGs, as --samples and as --ref (scored through the default network), not a
// folder of class folders that needs --feature-net: as --samples its PNGs alone, as
// --ref, real data, the subfolder's images too, as gogan train reads the folder.
func TestEvalStraySubfolder(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	im, _ := patterns(20)
	if err := report.WritePNGs(dir, "s-", data.Scale(im), 20, 28, 28, 1); err != nil {
		t.Fatal(err)
	}
	if err := report.WritePNGs(filepath.Join(dir, "old"), "o-", make([]float32, 2*32*32), 2, 32, 32, 1); err != nil {
		t.Fatal(err)
	}
	m := jsonScores(t, goganCached(t, t.TempDir(), "eval", "--samples", dir, "--ref", dir, "--json"))
	samples, ref := dir+" (20 PNG images)", dir+" (22 images)"
	if m["samples"] != samples || m["ref"] != ref || m["ref_n"] != 22.0 || m["feature_net_name"] != "mnist" {
		t.Errorf("samples %v, ref %v (%v images), feature net %v: want %q and %q, through mnist", m["samples"], m["ref"], m["ref_n"], m["feature_net_name"], samples, ref)
	}
}

// writeMixedFolder writes a flat folder of images as a user has them: 12 color PNGs
// of 40×30 and 12 JPEGs of 20×50 of bars (patterns), and a file that is not an image.
func writeMixedFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	im, _ := patterns(24)
	for i := range 24 {
		w, h, ext := 40, 30, ".png"
		if i%2 == 1 {
			w, h, ext = 20, 50, ".jpg"
		}
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				v := im.Pixels[i*784+(y*28/h)*28+x*28/w]
				img.Set(x, y, color.RGBA{v, v / 2, 255 - v, 255})
			}
		}
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("img-%02d%s", i, ext)))
		if err != nil {
			t.Fatal(err)
		}
		if ext == ".png" {
			err = png.Encode(f, img)
		} else {
			err = jpeg.Encode(f, img, nil)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("where the photos came from"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestEvalRefImageFolder: the flat folder of mixed sizes and formats a run trained
// on is its reference, read as training read it (from the same cache file), the file
// that is not an image named on stderr; the folder as --samples is refused, its
// images not being of the feature network's size.
func TestEvalRefImageFolder(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", home)
	dir := writeMixedFolder(t)
	run := filepath.Join(t.TempDir(), "run")
	wantExit(t, gogan(t, "train", "--data", dir, "--image-size", "28", "--channels", "1", "--batch", "8", "--steps", "2", "--out", run), 0)
	caches, err := filepath.Glob(filepath.Join(home, "gogan", "images", "*"))
	if err != nil || len(caches) != 1 {
		t.Fatalf("after training, the image cache holds %q (%v), want one file", caches, err)
	}
	before, err := os.Stat(caches[0])
	if err != nil {
		t.Fatal(err)
	}

	r := goganCached(t, t.TempDir(), "eval", "--samples", run, "--ref", dir, "--n", "24", "--json")
	m := jsonScores(t, r)
	if m["ref"] != dir+" (24 images)" || m["ref_n"] != 24.0 || m["feature_net_name"] != "mnist" {
		t.Errorf("ref %v of %v images through %v, want %s (24 images) through mnist", m["ref"], m["ref_n"], m["feature_net_name"], dir)
	}
	if fid, ok := m["fid"].(float64); !ok || !(fid >= 0) {
		t.Errorf("fid %v", m["fid"])
	}
	if !strings.Contains(r.stderr, dir+": 1 file not read") || !strings.Contains(r.stderr, "1 .txt") {
		t.Errorf("stderr does not name the file not read\n%s", r)
	}
	after, err := filepath.Glob(filepath.Join(home, "gogan", "images", "*"))
	if st, serr := os.Stat(caches[0]); err != nil || len(after) != 1 || serr != nil || !st.ModTime().Equal(before.ModTime()) {
		t.Errorf("eval wrote the image cache (%q, was %q): it should read the file training wrote", after, caches)
	}

	wantError(t, gogan(t, "eval", "--samples", dir, "--ref", dir), 1, dir, "30×40×1")
}

// TestEvalStandingStatsUsage: --standing-stats for samples that are not a GAN's run (a
// folder of PNGs, Stacked MNIST's PNGs, an autoencoder's run) is a usage error naming
// the flag and the samples, as --labels for a conditional run's samples is one.
func TestEvalStandingStatsUsage(t *testing.T) {
	dataDir, _ := trainedRun(t)
	pngs := t.TempDir()
	im, _ := patterns(12)
	if err := report.WritePNGs(pngs, "s-", data.Scale(im), 12, 28, 28, 1); err != nil {
		t.Fatal(err)
	}
	ae := filepath.Join(t.TempDir(), "ae")
	wantExit(t, gogan(t, "train", "--model", "cae", "--data", dataDir, "--steps", "2", "--batch", "8", "--out", ae), 0)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"folder", []string{"--samples", pngs}, pngs + " is not a run or checkpoint"},
		{"stacked folder", []string{"--samples", pngs, "--ref", "stacked-mnist", "--n", "12"}, pngs + " is not a run or checkpoint"},
		{"autoencoder", []string{"--samples", ae, "--n", "10"}, ae + " trains a cae"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := goganCached(t, t.TempDir(), append(append([]string{"eval"}, tc.args...), "--standing-stats", "2")...)
			wantError(t, r, 2, "--standing-stats: standing statistics recompute a GAN's generator; "+tc.want)
		})
	}
}

// TestEvalProgress: on a terminal, eval draws the progress of a run's generator making
// the samples (and a reference that is a run), of the feature network through the
// reference and the samples, of KID and of precision and recall on stderr; elsewhere
// (TestEvalRun) stderr stays empty.
func TestEvalProgress(t *testing.T) {
	dataDir, run := trainedRun(t)
	ref := filepath.Join(dataDir, "t10k-images-idx3-ubyte")
	r := goganTTY(t, "eval", "--samples", run, "--ref", ref, "--n", "300")
	wantExit(t, r, 0)
	for _, want := range []string{"generating the samples", "(300/300, ", "features of the reference", "features of the samples", " img/s)",
		"KID", "(100/100, ", " subset/s)", // KID's 100 subsets
		"precision and recall", "(15/15, ", " tile/s)"} { // tiles of 96: 300 samples 4·5/2, 64 reference images 1, the pairs 4·1
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q\n%s", want, r)
		}
	}
	if strings.Contains(r.stderr, "generating the reference") {
		t.Errorf("a bar of generating for a reference read from a file\n%s", r)
	}
	if !strings.Contains(r.stdout, "FID") || strings.Contains(r.stdout, "features of") || strings.Contains(r.stdout, "generating") {
		t.Errorf("the scores are not on stdout alone\n%s", r)
	}
	r = goganTTY(t, "eval", "--samples", run, "--ref", run, "--n", "64")
	wantExit(t, r, 0)
	if !strings.Contains(r.stderr, "generating the reference") || !strings.Contains(r.stderr, "(64/64, ") {
		t.Errorf("no bar of generating the reference, a run\n%s", r)
	}
}

// TestEvalFolderProgress: on a terminal, eval draws the bars of reading a folder's
// headers, then of decoding it, as gogan train draws them, for class folders given as
// --samples and a folder given as --ref, and reads --n images of each as data.Set.Pick
// picks them (their sources say so); into a pipe it draws none, and a folder read from the image
// cache has none.
func TestEvalFolderProgress(t *testing.T) {
	im, _ := patterns(30)
	px := data.Scale(im)
	classes, ref := t.TempDir(), t.TempDir()
	for c, class := range []string{"ant", "bee", "cat"} {
		if err := report.WritePNGs(filepath.Join(classes, class), "s-", px[c*10*784:(c+1)*10*784], 10, 28, 28, 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := report.WritePNGs(ref, "r-", px, 30, 28, 28, 1); err != nil {
		t.Fatal(err)
	}
	args := []string{"eval", "--samples", classes, "--ref", ref, "--n", "12", "--json"}
	bars := []string{"reading the headers of " + bar.FolderTitle(classes), "decoding " + bar.FolderTitle(classes), "reading the headers of " + bar.FolderTitle(ref), "decoding " + bar.FolderTitle(ref)}

	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	r := gogan(t, args...)
	wantExit(t, r, 0)
	if r.stderr != "" {
		t.Errorf("bars drawn into a pipe\n%s", r)
	}

	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	r = goganTTY(t, args...)
	m := jsonScores(t, r)
	if want := classes + " (12 of 30 images in 3 classes, each class its share)"; m["samples"] != want || m["n"] != 12.0 {
		t.Errorf("samples %v (%v images), want %q", m["samples"], m["n"], want)
	}
	if want := ref + " (12 of 30 images, drawn with a fixed seed)"; m["ref"] != want || m["ref_n"] != 12.0 {
		t.Errorf("reference %v (%v images), want %q", m["ref"], m["ref_n"], want)
	}
	at := -1
	for _, bar := range bars {
		i := strings.Index(r.stderr, bar)
		if i <= at {
			t.Fatalf("stderr lacks %q after the bars before it (%q)\n%s", bar, bars, r)
		}
		at = i
		if line, _, _ := strings.Cut(r.stderr[i:], "\n"); !strings.Contains(line, "(30/30, ") {
			t.Errorf("bar %q does not end at 30 of 30 on its line: %q", bar, line)
		}
	}
	for _, unit := range []string{" file/s)", " img/s)"} {
		if !strings.Contains(r.stderr, unit) {
			t.Errorf("stderr lacks %q\n%s", unit, r)
		}
	}

	r = goganTTY(t, args...)
	wantExit(t, r, 0)
	if strings.Contains(r.stderr, "reading the headers") || strings.Contains(r.stderr, "decoding") {
		t.Errorf("bars of folders read from the image cache\n%s", r)
	}
}

// TestFolderProgressWarningOwnLine: a folder's warning, written to SampleOptions.Warn
// while the listing's count is the line drawn (a large folder read from the image
// cache: no later stage ends it), goes on a line of its own, the count's line ended
// before it, where it was written at the end of the count's line.
func TestFolderProgressWarningOwnLine(t *testing.T) {
	var stderr bytes.Buffer
	env := &environment{stderr: &stderr, stderrIsTTY: true}
	opts := eval.SampleOptions{Warn: env.stderr}
	finish := folderProgress(env, &opts, "photos")
	opts.ListProgress(100000)
	const warning = "data: photos: 1 file not read"
	fmt.Fprintln(opts.Warn, warning)
	finish()
	lines := strings.Split(stderr.String(), "\n")
	found := false
	for _, line := range lines {
		shown := line[strings.LastIndex(line, "\r")+1:] // what a terminal shows of it
		if strings.Contains(shown, warning) {
			found = true
			if shown != warning {
				t.Errorf("the warning is drawn as %q, want a line of its own", shown)
			}
		}
	}
	if !found || !strings.Contains(stderr.String(), "listing photos (100000/-") {
		t.Errorf("stderr %q, want the count and the warning", stderr.String())
	}
}
