package main

import (
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/eval"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/internal/bar"
)

// colorPatterns makes n size×size RGB images of three classes: image i is
// mostly red, green or blue (i % 3), with a lighter square whose place varies.
func colorPatterns(n, size int) (*data.Images, []uint8) {
	im := &data.Images{N: n, Rows: size, Cols: size, Channels: 3, Pixels: make([]uint8, n*size*size*3)}
	labels := make([]uint8, n)
	for i := range n {
		labels[i] = uint8(i % 3)
		off := (i / 3) % (size / 2)
		for r := range size {
			for c := range size {
				p := im.Pixels[((i*size+r)*size+c)*3:]
				p[i%3] = 200
				if r >= off && r < off+size/2 && c >= off && c < off+size/2 {
					p[(i+1)%3] = 150
				}
			}
		}
	}
	return im, labels
}

// writeColorDataset writes 32×32×3 images in the four IDX files of a dataset folder.
func writeColorDataset(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "colors")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		prefix string
		n      int
	}{{"train", 96}, {"t10k", 48}} {
		im, labels := colorPatterns(s.n, 32)
		if err := data.WriteIDXImages(filepath.Join(dir, s.prefix+"-images-idx3-ubyte"), im); err != nil {
			t.Fatal(err)
		}
		if err := writeLabels(filepath.Join(dir, s.prefix+"-labels-idx1-ubyte"), labels); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestEvalColorFeatureNet: a classifier trained on 32×32×3 images exports a
// feature network of that shape, which eval uses on color samples and
// references; samples of another shape are refused naming both shapes, and
// without --feature-net eval says in one line what it needs.
func TestEvalColorFeatureNet(t *testing.T) {
	dir := writeColorDataset(t)
	cls := filepath.Join(t.TempDir(), "cls")
	wantExit(t, gogan(t, "train", "--model", "classifier", "--data", dir, "--out", cls, "--batch", "16", "--steps", "4"), 0)
	out := filepath.Join(t.TempDir(), "colors.safetensors")
	wantExit(t, gogan(t, "export-featurenet", "--run", cls, "--out", out), 0)
	net, err := eval.LoadFeatureNet(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := net.Shape(); len(got) != 3 || got[0] != 32 || got[1] != 32 || got[2] != 3 {
		t.Fatalf("exported network takes %v, want 32×32×3", got)
	}
	samples, ref := filepath.Join(dir, "t10k-images-idx3-ubyte"), filepath.Join(dir, "train-images-idx3-ubyte")
	m := jsonScores(t, gogan(t, "eval", "--samples", samples, "--ref", ref, "--feature-net", out, "--n", "48", "--json"))
	if fid, ok := m["fid"].(float64); !ok || fid < 0 || m["feature_net"] != net.Hash {
		t.Errorf("scores %v", m)
	}
	if _, ok := m["precision"]; !ok {
		t.Errorf("no precision in %v", m)
	}

	gray := filepath.Join(writeFixture(t), "t10k-images-idx3-ubyte")
	wantError(t, gogan(t, "eval", "--samples", gray, "--ref", ref, "--feature-net", out), 1, gray, "28×28×1", "takes 32×32×3")
	wantError(t, gogan(t, "eval", "--samples", samples, "--ref", ref), 1, "32×32×3", "train a classifier", "--feature-net")

	// A folder of class folders as the reference needs a feature network too.
	classes := filepath.Join(t.TempDir(), "classes")
	if err := os.MkdirAll(filepath.Join(classes, "red"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := gogan(t, "eval", "--samples", samples, "--ref", classes)
	wantError(t, r, 1, classes, "train a classifier")
	if n := strings.Count(strings.TrimRight(r.stderr, "\n"), "\n"); n != 0 {
		t.Errorf("the message is %d lines:\n%s", n+1, r.stderr)
	}
}

// TestEvalStacked: --ref stacked-mnist scores 28×28×3 samples by the modes
// they cover and their KL, in the --json output; one triple repeated covers 1.
func TestEvalStacked(t *testing.T) {
	im, _ := patterns(40)
	stacked := &data.Images{N: 40, Rows: 28, Cols: 28, Channels: 3, Pixels: make([]uint8, 40*784*3)}
	for i := range 40 * 784 {
		for ch := range 3 {
			stacked.Pixels[3*i+ch] = im.Pixels[i%784] // image 0's digit in every channel
		}
	}
	path := filepath.Join(t.TempDir(), "stacked-idx4-ubyte")
	if err := data.WriteIDXImages(path, stacked); err != nil {
		t.Fatal(err)
	}
	r := gogan(t, "eval", "--samples", path, "--ref", "stacked-mnist", "--json")
	wantExit(t, r, 0)
	var sc eval.StackedScores
	if err := json.Unmarshal([]byte(r.stdout), &sc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r)
	}
	if sc.N != 40 || sc.ModesCovered != 1 || sc.KL < 6.9 || sc.KL > 6.91 {
		t.Errorf("one image repeated: %+v, want 1 mode and KL ln 1000", sc)
	}
	gray := filepath.Join(writeFixture(t), "t10k-images-idx3-ubyte")
	wantError(t, gogan(t, "eval", "--samples", gray, "--ref", "stacked-mnist"), 1, gray, "28×28×1", "28×28×3")
}

// writeRGBA writes img as the PNG file path, making its folder.
func writeRGBA(t *testing.T, path string, img *image.NRGBA) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestEvalStackedReadsAsScored: Stacked MNIST's samples are read with the options of
// the samples scored by FID: --background composes a folder's transparent pixels
// (20 transparent and 20 black 28×28×3 images are one mode over black, two over
// white), and class folders tell stderr the file they leave unread, in the same line,
// and on a terminal draw the bars of reading their headers and decoding them,
// whichever way they are scored; evalStacked read them over white, without the line
// or the bars.
func TestEvalStackedReadsAsScored(t *testing.T) {
	flat := t.TempDir()
	for i := range 40 {
		img := image.NewNRGBA(image.Rect(0, 0, 28, 28))
		for p := 3; p < len(img.Pix); p += 4 {
			img.Pix[p] = uint8(255 * (i % 2)) // even images transparent, odd ones opaque black
		}
		writeRGBA(t, filepath.Join(flat, fmt.Sprintf("s-%02d.png", i)), img)
	}
	for _, tc := range []struct {
		background string
		modes      float64
	}{{"white", 2}, {"black", 1}} {
		m := jsonScores(t, gogan(t, "eval", "--samples", flat, "--ref", "stacked-mnist", "--background", tc.background, "--json"))
		if m["n"] != 40.0 || m["modes_covered"] != tc.modes {
			t.Errorf("--background %s: %v samples cover %v modes, want 40 covering %v", tc.background, m["n"], m["modes_covered"], tc.modes)
		}
	}

	classes := t.TempDir()
	im, _ := patterns(24)
	for i := range 24 {
		img := image.NewNRGBA(image.Rect(0, 0, 28, 28))
		for p := range 784 {
			v := im.Pixels[i*784+p]
			img.Pix[4*p], img.Pix[4*p+1], img.Pix[4*p+2], img.Pix[4*p+3] = v, v, v, 255
		}
		writeRGBA(t, filepath.Join(classes, []string{"ant", "bee"}[i%2], fmt.Sprintf("%02d.png", i)), img)
	}
	if err := os.WriteFile(filepath.Join(classes, "ant", "notes.txt"), []byte("notes"), 0o644); err != nil {
		t.Fatal(err)
	}
	ref := filepath.Join(writeFixture(t), "t10k-images-idx3-ubyte")
	stacked := []string{"eval", "--samples", classes, "--ref", "stacked-mnist", "--json"}
	scored := []string{"eval", "--samples", classes, "--ref", ref, "--n", "24", "--json"}
	var lines []string
	for _, args := range [][]string{scored, stacked} {
		t.Setenv("XDG_CACHE_HOME", t.TempDir())
		r := gogan(t, args...)
		if m := jsonScores(t, r); m["n"] != 24.0 {
			t.Errorf("%v: %v samples, want 24", args, m["n"])
		}
		lines = append(lines, r.stderr)

		t.Setenv("XDG_CACHE_HOME", t.TempDir())
		r = goganTTY(t, args...)
		wantExit(t, r, 0)
		for _, line := range []string{"reading the headers of " + bar.FolderTitle(classes), "decoding " + bar.FolderTitle(classes), "(24/24, "} {
			if !strings.Contains(r.stderr, line) {
				t.Errorf("%v on a terminal: stderr lacks %q\n%s", args, line, r)
			}
		}
	}
	if want := classes + ": 1 file not read"; !strings.Contains(lines[0], want) || lines[1] != lines[0] {
		t.Errorf("stderr scored by FID:\n%s\nby Stacked MNIST's modes:\n%s\nwant the same line, saying %q", lines[0], lines[1], want)
	}
}

// TestTrainAugmentFlags: --augment and --diffaugment are recorded in the run's
// config, and bad values are refused naming them.
func TestTrainAugmentFlags(t *testing.T) {
	dir := writeFixture(t)
	out := filepath.Join(t.TempDir(), "run")
	wantExit(t, gogan(t, "train", "--data", dir, "--out", out, "--batch", "16", "--steps", "2", "--augment", "flip", "--diffaugment", "color,translation,cutout"), 0)
	raw, err := os.ReadFile(filepath.Join(out, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg gan.Config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Augment != "flip" || cfg.DiffAugment != "color,translation,cutout" {
		t.Errorf("config.json records augment %q, diffaugment %q", cfg.Augment, cfg.DiffAugment)
	}
	wantExit(t, gogan(t, "train", "--resume", out, "--steps", "3"), 0)
	wantError(t, gogan(t, "train", "--data", dir, "--diffaugment", "colour"), 2, `unknown transform "colour"`)
	wantError(t, gogan(t, "train", "--data", dir, "--augment", "rotate"), 2, `unknown augmentation "rotate"`)
}

// TestExportFeatureNetImageFolder: a classifier trained on a folder of class
// folders exports its feature network with the accuracy on the folder's test
// set (it used to look for IDX files there and fail), and eval scores the
// folder against itself through it at a FID of about 0.
func TestExportFeatureNetImageFolder(t *testing.T) {
	dir := writeImageFolder(t)
	cls := filepath.Join(t.TempDir(), "cls")
	wantExit(t, gogan(t, "train", "--model", "classifier", "--data", dir, "--out", cls, "--batch", "16", "--steps", "4"), 0)
	out := filepath.Join(t.TempDir(), "folder.safetensors")
	r := gogan(t, "export-featurenet", "--run", cls, "--out", out)
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, "test accuracy") || !strings.Contains(r.stdout, "(32, 32, 3)") {
		t.Errorf("export says %q, want the test accuracy and the (32, 32, 3) shape", r.stdout)
	}
	m := jsonScores(t, gogan(t, "eval", "--samples", dir, "--ref", dir, "--feature-net", out, "--json"))
	if fid, ok := m["fid"].(float64); !ok || fid < 0 || fid > 1e-2 {
		t.Errorf("the folder against itself: fid %v, want about 0 (%v)", m["fid"], m)
	}
	// A GAN trained on the folder, evaluated during training through the exported
	// network: its metrics hold FID lines.
	run := filepath.Join(t.TempDir(), "gan")
	wantExit(t, gogan(t, "train", "--model", "dcgan", "--data", dir, "--out", run, "--batch", "16", "--steps", "2",
		"--eval-every", "2", "--feature-net", out), 0)
	metrics, err := os.ReadFile(filepath.Join(run, "metrics.jsonl"))
	if err != nil || !strings.Contains(string(metrics), `"fid"`) {
		t.Errorf("--eval-every with --feature-net on a folder: metrics %q (%v), want an fid", metrics, err)
	}
	// An autoencoder trained on the folder: eval fits its codes to the folder's
	// test images, read as the run read them (it once looked for IDX files there).
	cae := filepath.Join(t.TempDir(), "cae")
	wantExit(t, gogan(t, "train", "--model", "cae", "--data", dir, "--out", cae, "--batch", "16", "--steps", "2"), 0)
	m = jsonScores(t, gogan(t, "eval", "--samples", cae, "--ref", dir, "--feature-net", out, "--n", "200", "--json"))
	if fid, ok := m["fid"].(float64); !ok || !(fid > 0) {
		t.Errorf("the autoencoder's samples: fid %v, want a positive number (%v)", m["fid"], m)
	}
}
