package main

import (
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gogan/gogan/data"
)

// writeImageFolder makes a folder of two class folders, red and blue, of 50
// color PNGs of 32×32 each, and one file in red that is not a PNG: 1 of 101
// image files (under 1%) cannot be decoded. The decoded cache goes to a
// temporary user cache folder.
func writeImageFolder(t *testing.T) string {
	t.Helper()
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	for c, class := range []string{"blue", "red"} {
		if err := os.Mkdir(filepath.Join(dir, class), 0o755); err != nil {
			t.Fatal(err)
		}
		for i := range 50 {
			img := image.NewRGBA(image.Rect(0, 0, 32, 32))
			for y := range 32 {
				for x := range 32 {
					v := uint8((x*8 + y*i) % 256)
					img.Set(x, y, color.RGBA{uint8(255 * c), v, uint8(255 * (1 - c)), 255})
				}
			}
			f, err := os.Create(filepath.Join(dir, class, fmt.Sprintf("%02d.png", i)))
			if err != nil {
				t.Fatal(err)
			}
			if err := png.Encode(f, img); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "red", "bad.png"), []byte("not a png"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// readConfig reads a run's config.json.
func readConfig(t *testing.T, run string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(run, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestTrainImageFolder: --data FOLDER trains the DCGAN at the images' own
// size in color, reports the skipped file, records the sample shape, resumes
// from the cache, and gogan sample writes color PNGs and an IDX4 file.
func TestTrainImageFolder(t *testing.T) {
	dir := writeImageFolder(t)
	run := filepath.Join(t.TempDir(), "run")
	r := gogan(t, "train", "--data", dir, "--model", "dcgan", "--batch", "8", "--steps", "2", "--out", run)
	wantExit(t, r, 0)
	for _, want := range []string{"100 images of 32×32×3, 2 classes", "decoded in"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q\n%s", want, r)
		}
	}
	if !strings.Contains(r.stderr, "skipped 1 of 101 image files") || !strings.Contains(r.stderr, "bad.png") {
		t.Errorf("stderr lacks the skip report naming bad.png\n%s", r)
	}
	cfg := readConfig(t, run)
	if got := fmt.Sprint(cfg["sample_shape"]); got != "[32 32 3]" {
		t.Errorf("config's sample_shape is %s, want [32 32 3]", got)
	}
	f, err := os.Open(filepath.Join(run, "samples", "final.png"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := img.(*image.RGBA); !ok {
		t.Errorf("final grid is %T, want color", img)
	}

	r = gogan(t, "train", "--resume", run, "--steps", "3")
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, "from the cache") {
		t.Errorf("resume did not read the cache\n%s", r)
	}

	idx := filepath.Join(t.TempDir(), "s.idx")
	wantExit(t, gogan(t, "sample", "--run", run, "--n", "5", "--out", idx), 0)
	im, err := data.ReadIDXImages(idx)
	if err != nil {
		t.Fatal(err)
	}
	if im.N != 5 || im.Rows != 32 || im.Cols != 32 || im.NumChannels() != 3 {
		t.Errorf("IDX holds %d images of %d×%d×%d, want 5 of 32×32×3", im.N, im.Rows, im.Cols, im.NumChannels())
	}
}

// TestTrainImageFolderOptions: --image-size, --channels and the class folders
// reach the model; a conditional model takes the folder's class count.
func TestTrainImageFolderOptions(t *testing.T) {
	dir := writeImageFolder(t)
	run := filepath.Join(t.TempDir(), "run")
	r := gogan(t, "train", "--data", dir, "--model", "acgan", "--arch", "dcgan", "--image-size", "64", "--channels", "1",
		"--background", "black", "--batch", "4", "--steps", "1", "--out", run)
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, "100 images of 64×64×1, 2 classes") {
		t.Errorf("stdout lacks the images' shape\n%s", r)
	}
	cfg := readConfig(t, run)
	for key, want := range map[string]string{"sample_shape": "[64 64 1]", "classes": "2", "image_size": "64", "channels": "1", "background": "black"} {
		if got := fmt.Sprint(cfg[key]); got != want {
			t.Errorf("config's %s is %s, want %s", key, got, want)
		}
	}
}

// TestTrainImageFolderErrors: an empty folder, a folder without images and
// --strict with a bad file each fail with one line naming the path; image
// flags on a dataset that is not a folder of images are usage errors.
func TestTrainImageFolderErrors(t *testing.T) {
	empty := t.TempDir()
	noImages := t.TempDir()
	if err := os.WriteFile(filepath.Join(noImages, "notes.txt"), []byte("hi"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "run")
	wantError(t, gogan(t, "train", "--data", empty, "--out", out), 1, empty, "empty folder")
	wantError(t, gogan(t, "train", "--data", noImages, "--out", out), 1, noImages, "no PNG, JPEG")
	dir := writeImageFolder(t)
	wantError(t, gogan(t, "train", "--data", dir, "--strict", "--out", out), 1, "bad.png", "strict")
	wantError(t, gogan(t, "train", "--data", dir, "--channels", "2", "--out", out), 2, "channels must be 1 or 3, got 2")
	wantError(t, gogan(t, "train", "--data", "mnist", "--image-size", "32", "--out", out), 2, "--image-size reads a folder of images; --data mnist is not one")
}

// TestSummaryImageShapes: summary builds the networks for --image-size and
// --channels; the 64×64×3 DCGAN has PyTorch examples/dcgan's parameters.
func TestSummaryImageShapes(t *testing.T) {
	r := gogan(t, split("summary --model dcgan --image-size 64 --channels 3")...)
	wantExit(t, r, 0)
	var trainable []string
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(line, "Trainable params:") {
			trainable = append(trainable, strings.TrimSpace(strings.TrimPrefix(line, "Trainable params:")))
		}
	}
	if want := []string{"3,576,704", "2,765,568"}; !slices.Equal(trainable, want) {
		t.Errorf("trainable params %v, want PyTorch's %v\n%s", trainable, want, r)
	}
	wantError(t, gogan(t, split("summary --model dcgan --image-size 48")...), 2, "dcgan needs square images of 28, 32, 64 or 128 pixels")
}

// TestImageSizeBoundsWeights: a model whose weights grow with its images refuses
// a size that would not fit in memory, with a message saying what it takes,
// instead of running out of memory (which took summary 24 GB at 1024×1024×3);
// the largest size it takes still builds.
func TestImageSizeBoundsWeights(t *testing.T) {
	for _, tc := range []struct{ cmd, want string }{
		{"summary --model mlp --image-size 4096 --channels 3", "mlp needs images of at most 131072 values (height·width·channels), got 4096×4096×3"},
		{"summary --model mlp --image-size 1024", "mlp needs images of at most 131072 values"},
		{"bench --model mlp --image-size 1024 --iters 1", "mlp needs images of at most 131072 values"},
		{"summary --model cae --image-size 4096", "cae needs images of at most 1048576 values"},
		{"summary --model classifier --image-size 4096", "classifier needs images of at most 524288 values"},
	} {
		wantError(t, gogan(t, split(tc.cmd)...), 2, tc.want, "--image-size")
	}
	wantExit(t, gogan(t, split("summary --model mlp --image-size 256")...), 0)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	data := t.TempDir()
	for i := range 2 {
		f, err := os.Create(filepath.Join(data, fmt.Sprintf("%d.png", i)))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	out := filepath.Join(t.TempDir(), "run")
	wantError(t, gogan(t, "train", "--data", data, "--image-size", "512", "--batch", "2", "--out", out), 1, "mlp needs images of at most 131072 values", "512×512×1")
	if _, err := os.Stat(out); err == nil {
		t.Errorf("the refused run left %s behind", out)
	}
}

// TestTrainOutInsideImageFolder: a run folder inside the image folder it trains on,
// given or the default runs/ when working there, is refused before any folder is made,
// as a usage error (exit 2, with the usage), as the flags' other mistakes are.
func TestTrainOutInsideImageFolder(t *testing.T) {
	dir := writeImageFolder(t)
	before, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, gogan(t, "train", "--data", dir, "--steps", "1", "--out", filepath.Join(dir, "run")), 2, "inside the data folder", "choose an --out outside it")
	t.Chdir(dir)
	wantError(t, gogan(t, "train", "--data", ".", "--steps", "1"), 2, "run folder runs is inside the data folder")
	after, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("the image folder went from %d to %d entries", len(before), len(after))
	}
}
