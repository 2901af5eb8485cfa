package run

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/internal/bar"
)

// writeClassFolder writes n color PNGs of side×side into each of the named
// class folders under dir.
func writeClassFolder(t *testing.T, dir string, classes []string, n, side int) {
	t.Helper()
	for c, class := range classes {
		if err := os.MkdirAll(filepath.Join(dir, class), 0o755); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			img := image.NewNRGBA(image.Rect(0, 0, side, side))
			for p := range side * side {
				img.Set(p%side, p/side, color.NRGBA{uint8(80 * c), uint8(p + i), 200, 255})
			}
			var buf bytes.Buffer
			if err := png.Encode(&buf, img); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, class, fmt.Sprintf("%d.png", i)), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestLoadDatasetImageFolder: a folder of class folders loads with its class
// count, a test set spread over every class, progress bars when interactive
// and a line naming the files not read; a second load comes from the cache.
func TestLoadDatasetImageFolder(t *testing.T) {
	dir := t.TempDir()
	writeClassFolder(t, dir, []string{"a", "b", "c"}, 8, 12)
	if err := os.WriteFile(filepath.Join(dir, "b", "notes.txt"), []byte("not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := gan.DefaultConfig()
	cfg.Data, cfg.ImageSize = dir, 16
	var log, progress bytes.Buffer
	opts := DataOptions{ImageCache: t.TempDir(), Log: &log, Progress: &progress, Interactive: true}
	d, err := LoadDataset(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	if d.Classes != 3 || d.Train.Images.N != 24 || d.Train.Images.Rows != 16 || d.Train.Images.NumChannels() != 3 {
		t.Fatalf("%d classes, %d images of %d×%d×%d; want 3 classes, 24 of 16×16×3",
			d.Classes, d.Train.Images.N, d.Train.Images.Rows, d.Train.Images.Cols, d.Train.Images.NumChannels())
	}
	headers, decoding := strings.Index(progress.String(), "reading the headers of "+bar.FolderTitle(dir)), strings.Index(progress.String(), "decoding "+bar.FolderTitle(dir))
	if headers < 0 || decoding < 0 || decoding < headers {
		t.Errorf("want a bar reading the headers, then a decoding bar: %q", progress.String())
	}
	if !strings.Contains(progress.String(), dir+": 1 file not read, not named as PNG, JPEG, GIF, BMP, WebP or TIFF images: 1 .txt\n") {
		t.Errorf("the text file not reported: %q", progress.String())
	}
	small := d.Train.Spread(6)
	if small.Images.N != 6 || string(small.Labels) != "\x00\x00\x01\x01\x02\x02" {
		t.Errorf("spread test set: %d images, labels %v", small.Images.N, small.Labels)
	}
	log.Reset()
	if _, err := LoadDataset(cfg, opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "from the cache") {
		t.Errorf("second load: %q, want it from the cache", log.String())
	}
}

// TestTrainStackedMNIST: stacked-mnist trains a DCGAN of 3 output channels
// without byte labels (its 1,000 classes are wide), and a conditional recipe
// on it is refused in one line.
func TestTrainStackedMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the real MNIST")
	}
	opts := quickOptions(t, 2)
	opts.Config.Model, opts.Config.Data, opts.Config.Batch = "dcgan", "stacked-mnist", 8
	res, err := Train(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	job, err := gan.LoadJob(res.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := job.SampleShape().String(); got != "(28, 28, 3)" {
		t.Errorf("stacked-mnist's DCGAN makes %s, want (28, 28, 3)", got)
	}
	opts = quickOptions(t, 1)
	opts.Config.Model, opts.Config.Conditional, opts.Config.Data = "cgan", "cgan", "stacked-mnist"
	opts.Log = io.Discard
	if _, err := Train(context.Background(), opts); err == nil || err.Error() != "cgan takes at most 256 classes; stacked-mnist has 1000" {
		t.Errorf("cgan on stacked-mnist: %v", err)
	}
}

// TestOutInsideDataFolder: a new run's folder that is, or is inside, its image
// folder is refused before anything is written, since the next run on that folder
// would read the run's sample grids as training images; a folder beside it trains.
func TestOutInsideDataFolder(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "imgs")
	writeClassFolder(t, dir, []string{"a"}, 8, 8)
	link := filepath.Join(root, "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	opts := func(out string) Options {
		cfg := gan.DefaultConfig()
		cfg.Data, cfg.Steps, cfg.Batch, cfg.ImageSize = dir, 1, 4, 28
		return Options{Config: cfg, Out: out, Log: io.Discard, Progress: io.Discard,
			ImageCache: filepath.Join(root, "cache")}
	}
	for _, out := range []string{dir, filepath.Join(dir, "run"), filepath.Join(link, "new", "run"), filepath.Join(dir, "a")} {
		_, err := Train(context.Background(), opts(out))
		if err == nil || !strings.Contains(err.Error(), "inside the data folder") {
			t.Errorf("--out %s: error %v, want one saying it is inside the data folder", out, err)
		}
	}
	t.Chdir(dir)
	if _, err := Train(context.Background(), opts("")); err == nil || !strings.Contains(err.Error(), "inside the data folder") {
		t.Errorf("no --out, working in the data folder: error %v", err)
	}
	after, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("the data folder went from %d to %d entries", len(before), len(after))
	}
	if _, err := Train(context.Background(), opts(filepath.Join(root, "run"))); err != nil {
		t.Errorf("a run beside the data folder: %v", err)
	}
}

// TestResumeClassesChanged: a conditional run resumed on its folder with a class
// folder added or removed since is refused before training, naming both counts,
// where a label beyond the run's classes stopped the training at its first batch
// and a class removed trained on without a word; its own classes resume.
func TestResumeClassesChanged(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "imgs")
	writeClassFolder(t, dir, []string{"a", "b"}, 4, 28)
	cfg := gan.DefaultConfig()
	cfg.Model, cfg.Data, cfg.Steps, cfg.Batch = "cgan", dir, 1, 4
	gan.ApplyRecipe(&cfg, nil)
	out := filepath.Join(root, "run")
	cache := filepath.Join(root, "cache")
	if _, err := Train(context.Background(), Options{Config: cfg, Out: out, Log: io.Discard, Progress: io.Discard, ImageCache: cache}); err != nil {
		t.Fatal(err)
	}
	resume := func(steps int) error {
		_, err := Train(context.Background(), Options{Resume: out, Config: gan.Config{Steps: steps}, ResumeOverrides: map[string]bool{"steps": true}, Log: io.Discard, Progress: io.Discard, ImageCache: cache})
		return err
	}
	writeClassFolder(t, dir, []string{"a", "b", "c"}, 4, 28)
	if err := resume(2); err == nil || err.Error() != "data "+dir+" has 3 classes, the run was made for 2: its networks take that many; give the folder back its classes, or start a new run" {
		t.Errorf("a class added: %v", err)
	}
	if err := os.RemoveAll(filepath.Join(dir, "c")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "b"), filepath.Join(root, "b")); err != nil {
		t.Fatal(err)
	}
	if err := resume(2); err == nil || !strings.Contains(err.Error(), "has 1 class, the run was made for 2") {
		t.Errorf("a class removed: %v", err)
	}
	if err := os.Rename(filepath.Join(root, "b"), filepath.Join(dir, "b")); err != nil {
		t.Fatal(err)
	}
	if err := resume(2); err != nil {
		t.Errorf("its own classes: %v", err)
	}
}

// TestDataPathStored: a new run given its data folder by a relative path stores
// its absolute, cleaned path (config.json and checkpoints alike), and resumed from
// another working directory reads that folder, not one of the same relative name
// there; dataset names are stored as they are. A relative path that an earlier
// gogan stored is read from the working directory: where it names nothing, the
// error names both; found, the resumed run stores it absolute from then on.
func TestDataPathStored(t *testing.T) {
	root := t.TempDir()
	proj, elsewhere := filepath.Join(root, "proj"), filepath.Join(root, "elsewhere")
	writeClassFolder(t, filepath.Join(proj, "imgs"), []string{"a"}, 8, 8)
	writeClassFolder(t, filepath.Join(elsewhere, "imgs"), []string{"a"}, 5, 8) // another folder of the same name
	abs := filepath.Join(proj, "imgs")
	for _, name := range []string{"mnist", "fashion-mnist", "stacked-mnist", "ring8", "grid25", ""} {
		if got := DataPath(name); got != name {
			t.Errorf("DataPath(%q) = %q, want the name as it is", name, got)
		}
	}
	t.Chdir(proj)
	if got := DataPath("./x/../imgs/"); got != abs {
		t.Errorf("DataPath(./x/../imgs/) = %q, want %q", got, abs)
	}
	out := filepath.Join(root, "run")
	cache := filepath.Join(root, "cache")
	cfg := gan.DefaultConfig()
	cfg.Data, cfg.Steps, cfg.Batch, cfg.ImageSize = "./imgs", 1, 4, 28
	if _, err := Train(context.Background(), Options{Config: cfg, Out: out, Log: io.Discard, Progress: io.Discard, ImageCache: cache}); err != nil {
		t.Fatal(err)
	}
	var stored gan.Config
	if err := checkpoint.ReadJSON(filepath.Join(out, gan.ConfigFile), &stored); err != nil {
		t.Fatal(err)
	}
	storedData := func() string {
		t.Helper()
		job, err := gan.LoadJob(out)
		if err != nil {
			t.Fatal(err)
		}
		return job.Settings().Data
	}
	if stored.Data != abs || storedData() != abs {
		t.Errorf("config.json stores data %q, the checkpoint %q; want %q", stored.Data, storedData(), abs)
	}
	resume := func(steps int) (string, error) {
		var log bytes.Buffer
		_, err := Train(context.Background(), Options{Resume: out, Config: gan.Config{Steps: steps}, ResumeOverrides: map[string]bool{"steps": true}, Log: &log, Progress: io.Discard, ImageCache: cache})
		return log.String(), err
	}
	t.Chdir(elsewhere)
	if log, err := resume(2); err != nil || !strings.Contains(log, "data "+abs+": 8 images") {
		t.Errorf("resumed from another working directory: %v, log %q; want the run's 8 images of %s", err, log, abs)
	}

	// A run of an earlier gogan, which stored the path as given.
	state := filepath.Join(out, gan.CheckpointsDir, gan.LatestFile)
	var s map[string]any
	if err := checkpoint.ReadJSON(state, &s); err != nil {
		t.Fatal(err)
	}
	s["config"].(map[string]any)["data"] = "./imgs"
	if err := checkpoint.WriteJSONAtomic(state, s); err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	want := "data ./imgs: no such folder in the working directory " + root + ": "
	if _, err := resume(3); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("an earlier gogan's relative path, resumed where it names nothing: %v, want %q...", err, want)
	}
	if _, err := LoadDataset(gan.Config{Data: "./imgs"}, DataOptions{ImageCache: cache}); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("LoadDataset of a relative path that names nothing: %v, want %q...", err, want)
	}
	t.Chdir(proj)
	if _, err := resume(3); err != nil {
		t.Fatalf("an earlier gogan's relative path, resumed where it was trained: %v", err)
	}
	if got := storedData(); got != abs {
		t.Errorf("the resumed run stores data %q, want %q", got, abs)
	}
}

// TestDataPathShadowedName: a folder in the working directory named like a built-in
// dataset is what the loader reads, so a new run given that name says so and stores
// the folder's absolute path, where it stored the name, which read the built-in
// dataset when the run resumed from anywhere else; a name with no such folder stays.
func TestDataPathShadowedName(t *testing.T) {
	root := t.TempDir()
	writeClassFolder(t, filepath.Join(root, "fashion-mnist"), []string{"a"}, 8, 8)
	t.Chdir(root)
	abs := filepath.Join(root, "fashion-mnist")
	if !NameShadowed("fashion-mnist") || NameShadowed("mnist") || NameShadowed("./fashion-mnist") {
		t.Fatal("NameShadowed: want true for fashion-mnist only")
	}
	if got := DataPath("fashion-mnist"); got != abs {
		t.Errorf("DataPath(fashion-mnist) = %q, want the folder %q", got, abs)
	}
	if got := DataPath("mnist"); got != "mnist" {
		t.Errorf("DataPath(mnist) = %q, want the name", got)
	}
	cfg := gan.DefaultConfig()
	cfg.Data, cfg.Steps, cfg.Batch, cfg.ImageSize = "fashion-mnist", 1, 4, 28
	out := filepath.Join(root, "run")
	var log bytes.Buffer
	if _, err := Train(context.Background(), Options{Config: cfg, Out: out, Log: &log, Progress: io.Discard, ImageCache: filepath.Join(root, "cache")}); err != nil {
		t.Fatal(err)
	}
	job, err := gan.LoadJob(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := job.Settings().Data; got != abs {
		t.Errorf("the run stores data %q, want %q", got, abs)
	}
	if !strings.Contains(log.String(), "data fashion-mnist: a folder of that name is here") || !strings.Contains(log.String(), "reading "+abs) {
		t.Errorf("no note of the folder read in place of the dataset: %q", log.String())
	}
}
