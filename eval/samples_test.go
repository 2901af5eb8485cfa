package eval

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/report"
	"github.com/gogan/gogan/tensor"
)

// noiseImages is n images (n, 28, 28, 1) of uniform noise in [−1, 1].
func noiseImages(n int, seed uint64) []float32 { return noise(n*ImageShape.Size(), seed) }

// noise is count uniform values in [−1, 1].
func noise(count int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 7))
	x := make([]float32, count)
	for i := range x {
		x[i] = float32(2*rng.Float64() - 1)
	}
	return x
}

// writeFile writes text into a new file and returns its path.
func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// pngFolder writes n noise images of h×w pixels into a new folder.
func pngFolder(t *testing.T, n, h, w int) string {
	t.Helper()
	dir := t.TempDir()
	if n > 0 {
		if err := report.WritePNGs(dir, "s-", noise(n*h*w, 1), n, h, w, 1); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func idxFile(t *testing.T, name string, n, h, w int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	im := &data.Images{N: n, Rows: h, Cols: w, Pixels: make([]uint8, n*h*w)}
	for i := range im.Pixels {
		im.Pixels[i] = uint8(i * 7)
	}
	if err := data.WriteIDXImages(p, im); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadSamplesFiles(t *testing.T) {
	for _, tc := range []struct {
		name, path string
		n, want    int
	}{
		{"PNG folder", pngFolder(t, 12, 28, 28), 0, 12},
		{"PNG folder, first N", pngFolder(t, 12, 28, 28), 10, 10},
		{"IDX", idxFile(t, "s-idx3-ubyte", 15, 28, 28), 0, 15},
		{"IDX gzip, first N", idxFile(t, "s.gz", 15, 28, 28), 11, 11},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := LoadSamples(tc.path, SampleOptions{N: tc.n})
			if err != nil {
				t.Fatal(err)
			}
			if s.N != tc.want || len(s.Images) != tc.want*784 || s.Labels != nil || !strings.Contains(s.Source, tc.path) {
				t.Errorf("%d samples (%d values), source %q: want %d", s.N, len(s.Images), s.Source, tc.want)
			}
		})
	}
}

// TestLoadSamplesStraySubfolder: a folder of PNGs with a subfolder beside them is
// read as its PNGs, as gogan train reads a folder with images at its first level
// without classes; as samples, the subfolder's images (here of another size) are not
// read.
func TestLoadSamplesStraySubfolder(t *testing.T) {
	dir := pngFolder(t, 12, 28, 28)
	if err := report.WritePNGs(filepath.Join(dir, "old"), "o-", noise(3*32*32, 2), 3, 32, 32, 1); err != nil {
		t.Fatal(err)
	}
	if IsClassFolder(dir) {
		t.Error("IsClassFolder: a folder of PNGs with a subfolder is taken for class folders")
	}
	s, err := LoadSamples(dir, SampleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.N != 12 || s.Source != dir+" (12 PNG images)" {
		t.Errorf("%d samples from %q, want the 12 PNGs of the first level", s.N, s.Source)
	}
	// As the reference, real data, the folder is read as gogan train reads it: the
	// subfolder's images too, scaled.
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	r, err := LoadReferenceSamples(dir, SampleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.N != 15 || r.Source != dir+" (15 images)" {
		t.Errorf("reference: %d images from %q, want the 15 of the folder and its subfolder", r.N, r.Source)
	}
}

// TestLoadSamplesRejects: wrong sizes, mixed sizes, an empty folder, a bad IDX file
// and one image file (not read as IDX, whose magic number it lacks) each give a
// one-line error that names the file and the problem.
func TestLoadSamplesRejects(t *testing.T) {
	mixed := pngFolder(t, 11, 28, 28)
	if err := report.Grid(filepath.Join(mixed, "t-00000.png"), noise(32*32, 2), 1, 32, 32, 1, 1); err != nil { // one more PNG in the folder
		t.Fatal(err)
	}
	labels := filepath.Join(t.TempDir(), "labels-idx1-ubyte")
	if err := os.WriteFile(labels, []byte{0, 0, 8, 1, 0, 0, 0, 1, 5}, 0o644); err != nil {
		t.Fatal(err)
	}
	small := pngFolder(t, 3, 28, 28)
	for _, tc := range []struct {
		name, path string
		want       []string
	}{
		{"PNGs of 32×32", pngFolder(t, 12, 32, 32), []string{"32×32", "takes 28×28×1"}},
		{"IDX of 32×32", idxFile(t, "big-idx3-ubyte", 12, 32, 32), []string{"32×32", "takes 28×28×1"}},
		{"mixed sizes", mixed, []string{"t-00000.png", "32x32", "share one size"}},
		{"empty folder", pngFolder(t, 0, 0, 0), []string{"no .png files"}},
		{"bad magic", writeFile(t, "junk-idx3-ubyte", "\x00\x00\x09\x03\x00\x00\x00\x01xxxx"), []string{"junk-idx3-ubyte", "bad magic number 0x00000903"}},
		{"labels file", labels, []string{"bad magic number 0x00000801", "IDX labels file"}},
		{"one PNG", filepath.Join(small, "s-00000.png"), []string{"s-00000.png is one PNG image file", "give the folder"}},
		{"one JPEG", writeFile(t, "photo.jpg", "\xff\xd8\xff\xe0\x00\x10JFIF"), []string{"photo.jpg is one JPG image file", "give the folder"}},
		{"too few", small, []string{"holds 3 images", "at least 10"}},
		{"missing", filepath.Join(t.TempDir(), "none"), []string{"none: no such file or directory"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadSamples(tc.path, SampleOptions{})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error %q is not one line", msg)
			}
		})
	}
	if _, err := LoadSamples(small, SampleOptions{N: 5}); err == nil || !strings.Contains(err.Error(), "at least 10") {
		t.Errorf("N 5: error %v", err)
	}
}

// recipeJob returns a new job of model, a recipe, with the recipe's settings.
func recipeJob(t *testing.T, model string) gan.Job {
	t.Helper()
	cfg := gan.DefaultConfig()
	cfg.Model = model
	gan.ApplyRecipe(&cfg, nil)
	job, err := gan.NewJob(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return job
}

// savedJob returns a new job of model (a recipe) and the checkpoints folder it is
// saved in, a run's as a folder of its own.
func savedJob(t *testing.T, model string) (gan.Job, string) {
	t.Helper()
	job := recipeJob(t, model)
	dir := filepath.Join(t.TempDir(), "checkpoints")
	if _, err := job.SaveCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	return job, dir
}

// TestLoadSamplesFromRun: a GAN checkpoint generates N samples, the same for one seed
// and other ones for another; a classifier's generates none.
func TestLoadSamplesFromRun(t *testing.T) {
	save := func(model string) string {
		_, dir := savedJob(t, model)
		return dir
	}
	run := save("mlp")
	a, err := LoadSamples(run, SampleOptions{N: 20, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := LoadSamples(filepath.Join(run, gan.LatestFile), SampleOptions{N: 20, Seed: 4})
	c, _ := LoadSamples(run, SampleOptions{N: 20, Seed: 5})
	if a.N != 20 || len(a.Images) != 20*784 || !strings.Contains(a.Source, "step 0") {
		t.Fatalf("%d samples, source %q", a.N, a.Source)
	}
	same, differ := true, false
	for i := range a.Images {
		same = same && a.Images[i] == b.Images[i]
		differ = differ || a.Images[i] != c.Images[i]
	}
	if !same || !differ {
		t.Errorf("same seed gives the same images: %v; another seed other images: %v", same, differ)
	}
	if a.Labels != nil {
		t.Errorf("an unconditional GAN's samples have labels %v", a.Labels)
	}
	if _, err := LoadSamples(save("classifier"), SampleOptions{N: 20}); err == nil || !strings.Contains(err.Error(), "generates no images") {
		t.Errorf("classifier: error %v", err)
	}

	// A conditional G draws the classes in turn; the scores then hold the label accuracy.
	cond, err := LoadSamples(save("cgan"), SampleOptions{N: 23, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(cond.Labels) != 23 || cond.Labels[0] != 0 || cond.Labels[9] != 9 || cond.Labels[22] != 2 {
		t.Fatalf("labels of a conditional run %v, want 0, 1, ..., 9, 0, ...", cond.Labels)
	}
	net, err := LoadFeatureNet("mnist")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := NewReference(net, a)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := Score(net, cond, ref, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sc.LabelAccuracy == nil || *sc.LabelAccuracy < 0 || *sc.LabelAccuracy > 1 {
		t.Errorf("label accuracy of a conditional run: %v", sc.LabelAccuracy)
	}
}

// TestGeneratedAutoencoder: an autoencoder's samples decode codes drawn from the test
// codes' Gaussian.
func TestGeneratedAutoencoder(t *testing.T) {
	job := autoencoderJob(t)
	called := false
	s, err := Generated(job, 12, 1, func() ([]float32, error) { called = true; return noiseImages(30, 3), nil })
	if err != nil {
		t.Fatal(err)
	}
	if !called || s.N != 12 || len(s.Images) != 12*784 {
		t.Errorf("test images read: %v; %d samples", called, s.N)
	}
}

// autoencoderJob is a new convolutional autoencoder of 8-dimensional codes, the job
// whose samples decode codes fitted to test images.
func autoencoderJob(t *testing.T) gan.Job {
	t.Helper()
	cfg := gan.DefaultConfig()
	cfg.Model, cfg.LatentDim = "cae", 8
	job, err := gan.NewJob(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return job
}

// TestGeneratedClasses: a conditional G of K classes other than MNIST's 10 draws its
// K classes in turn, as gogan sample does; it panicked for K < 10 (a class its label
// embedding does not have) and never drew the classes from 10 on for K > 10.
func TestGeneratedClasses(t *testing.T) {
	for _, k := range []int{3, 12} {
		cfg := gan.DefaultConfig()
		cfg.Model, cfg.Classes = "cgan", k
		gan.ApplyRecipe(&cfg, nil)
		job, err := gan.NewJob(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var s *Samples
		func() {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("panic: %v", r)
				}
			}()
			s, err = Generated(job, 25, 1, nil)
		}()
		if err != nil {
			t.Fatalf("%d classes: %v", k, err)
		}
		for i, l := range s.Labels {
			if l != i%k {
				t.Fatalf("%d classes: labels %v, want 0, 1, ..., %d, 0, ...", k, s.Labels, k-1)
			}
		}
		if len(s.Labels) != 25 {
			t.Errorf("%d classes: %d labels for 25 samples", k, len(s.Labels))
		}
	}
}

// TestGeneratedRejectsCounts: a count outside [MinSamples, MaxSamples] and no job
// are errors, not a panic.
func TestGeneratedRejectsCounts(t *testing.T) {
	cfg := gan.DefaultConfig()
	cfg.Batch = 2
	job, err := gan.NewJob(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		job  gan.Job
		n    int
		want []string
	}{
		{"n 0", job, 0, []string{"0 samples", "[10, 100000]"}},
		{"n -1", job, -1, []string{"-1 samples"}},
		{"n below MinSamples", job, MinSamples - 1, []string{"9 samples"}},
		{"n above MaxSamples", job, 1 << 40, []string{"1099511627776 samples"}},
		{"nil job", nil, MinSamples, []string{"no job"}},
	} {
		s, err := Generated(c.job, c.n, 1, nil)
		if s != nil || err == nil || !contains(err.Error(), c.want...) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
	}
}

// TestGeneratedAutoencoderNeedsTestImages: an autoencoder's codes are fitted to
// whole test images; none, or part of one, is an error, not NaN samples.
func TestGeneratedAutoencoderNeedsTestImages(t *testing.T) {
	cfg := gan.DefaultConfig()
	cfg.Model, cfg.LatentDim, cfg.Batch = "cae", 8, 2
	job, err := gan.NewJob(cfg)
	if err != nil {
		t.Fatal(err)
	}
	images := func(x []float32) func() ([]float32, error) {
		return func() ([]float32, error) { return x, nil }
	}
	for _, c := range []struct {
		name string
		test func() ([]float32, error)
		want []string
	}{
		{"no test function", nil, []string{"cae", "test images", "none"}},
		{"no test images", images(nil), []string{"cae", "got 0 values", "28×28×1"}},
		{"part of an image", images(make([]float32, 100)), []string{"got 100 values"}},
	} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic %v", c.name, r)
				}
			}()
			s, err := Generated(job, MinSamples, 1, c.test)
			if s != nil || err == nil || !contains(err.Error(), c.want...) {
				t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
			}
		}()
	}
}

// TestLoadSamplesBackground: a folder of PNGs and a folder of class folders holding
// the same half-transparent images read alike, as samples and as a reference,
// composed over white by default (as gogan train composes a folder of images) or
// over black when asked.
func TestLoadSamplesBackground(t *testing.T) {
	flat, classes := t.TempDir(), t.TempDir()
	if err := os.Mkdir(filepath.Join(classes, "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	img := image.NewNRGBA(image.Rect(0, 0, 28, 28))
	for i := range img.Pix {
		img.Pix[i] = [4]uint8{255, 0, 0, 128}[i%4] // red, half transparent
	}
	for i := range 10 {
		for _, dir := range []string{flat, filepath.Join(classes, "a")} {
			f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%02d.png", i)))
			if err != nil {
				t.Fatal(err)
			}
			if err := png.Encode(f, img); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	shape := tensor.Shape{28, 28, 3}
	for _, tc := range []struct {
		bg   data.Background
		want [3]uint8 // red at half alpha over the background
	}{{data.BackgroundWhite, [3]uint8{255, 127, 127}}, {data.BackgroundBlack, [3]uint8{128, 0, 0}}} {
		for _, dir := range []string{flat, classes} {
			for _, load := range []func(string, SampleOptions) (*Samples, error){LoadSamples, LoadReferenceSamples} {
				s, err := load(dir, SampleOptions{N: 10, Shape: shape, Background: tc.bg})
				if err != nil {
					t.Fatal(err)
				}
				for c, want := range tc.want {
					if got := (s.Images[c] + 1) * 127.5; math.Abs(float64(got)-float64(want)) > 1.01 {
						t.Errorf("%s over %s: channel %d is %.1f, want %d", s.Source, tc.bg, c, got, want)
					}
				}
			}
		}
	}
}

// writeImage encodes img into path as a PNG, or as a JPEG when path ends in .jpg.
func writeImage(t *testing.T, path string, img image.Image) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if filepath.Ext(path) == ".jpg" {
		err = jpeg.Encode(f, img, &jpeg.Options{Quality: 90})
	} else {
		err = png.Encode(f, img)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// gradient is a w×h color image whose pixels vary with i, x and y.
func gradient(i, w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8(40 * i), 255})
		}
	}
	return img
}

// mixedFolder writes a flat folder as a user trains on: 6 color PNGs of 40×30, 5 JPEGs
// of 20×50 and, in a subfolder, 2 PNGs of 28×28: 13 images of three sizes.
func mixedFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for i := range 6 {
		writeImage(t, filepath.Join(dir, fmt.Sprintf("a%02d.png", i)), gradient(i, 40, 30))
	}
	for i := range 5 {
		writeImage(t, filepath.Join(dir, fmt.Sprintf("b%02d.jpg", i)), gradient(i, 20, 50))
	}
	for i := range 2 {
		writeImage(t, filepath.Join(dir, "more", fmt.Sprintf("c%02d.png", i)), gradient(i, 28, 28))
	}
	return dir
}

// TestLoadReferenceSamplesMixedFolder: a flat folder of PNGs and JPEGs of mixed sizes,
// the folder a user trains on, is read as the reference as gogan train reads it, every
// image (its subfolder's too) scaled to the shape asked for, and embeds as a Reference
// of that many images; LoadSamples refuses it (the PNGs are not of the network's size).
func TestLoadReferenceSamplesMixedFolder(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := mixedFolder(t)
	for _, shape := range []tensor.Shape{{28, 28, 1}, {16, 16, 3}} {
		cache := t.TempDir()
		s, err := LoadReferenceSamples(dir, SampleOptions{Shape: shape, ImageCache: cache})
		if err != nil {
			t.Fatal(err)
		}
		if files, err := os.ReadDir(cache); err != nil || len(files) != 1 {
			t.Errorf("at %s: the image cache holds %d files (%v), want the folder's one", shape.Dims(), len(files), err)
		}
		if s.N != 13 || !s.Shape.Equal(shape) || len(s.Images) != 13*shape.Size() || s.Source != dir+" (13 images)" {
			t.Errorf("at %s: %d images of %v (%d values) from %q, want 13 images of %s from %q", shape.Dims(), s.N, s.Shape, len(s.Images), s.Source, shape.Dims(), dir+" (13 images)")
		}
		for i, v := range s.Images {
			if v < -1 || v > 1 {
				t.Fatalf("at %s: value %d is %g, outside [−1, 1]", shape.Dims(), i, v)
			}
		}
	}
	net, err := LoadFeatureNet("mnist")
	if err != nil {
		t.Fatal(err)
	}
	s, err := LoadReferenceSamples(dir, SampleOptions{Shape: net.Shape()})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := NewReference(net, s)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Features.N != 13 || ref.Features.D != net.Dim() || ref.Stats.N != 13 || len(ref.Stats.Mean) != net.Dim() || ref.Name != s.Source {
		t.Errorf("reference %q of %d×%d features (stats of %d, mean of %d), want %q of 13×%d", ref.Name, ref.Features.N, ref.Features.D, ref.Stats.N, len(ref.Stats.Mean), s.Source, net.Dim())
	}
	var se *ShapeError
	if _, err := LoadSamples(dir, SampleOptions{}); !errors.As(err, &se) || !se.Have.Equal(tensor.Shape{30, 40, 1}) {
		t.Errorf("LoadSamples of the folder: error %v, want a *ShapeError of 30×40×1", err)
	}
}

// TestLoadReferenceSamplesWrongSize: PNGs of another size than the network's are
// refused as samples with a *ShapeError (scaling generated images would change their
// scores) and scaled as the reference, a folder of real images.
func TestLoadReferenceSamplesWrongSize(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := pngFolder(t, 12, 32, 32)
	var se *ShapeError
	if _, err := LoadSamples(dir, SampleOptions{}); !errors.As(err, &se) || se.Source != dir || !se.Have.Equal(tensor.Shape{32, 32, 1}) || !se.Want.Equal(ImageShape) {
		t.Errorf("samples of 32×32: error %v, want a *ShapeError naming %s, 32×32×1 and 28×28×1", err, dir)
	}
	s, err := LoadReferenceSamples(dir, SampleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.N != 12 || !s.shape().Equal(ImageShape) || len(s.Images) != 12*ImageShape.Size() {
		t.Errorf("reference of 32×32 PNGs: %d images of %v (%d values), want 12 of 28×28×1", s.N, s.Shape, len(s.Images))
	}
}

// TestLoadReferenceSamplesAsSamples: a folder of PNGs of the network's size, as gogan
// sample writes them (gray or color, and half transparent over either background),
// reads as the reference with the same pixels as the samples, in the same order, but
// that color files read as gray round their luma as gogan train does (report.ReadPNGs
// truncates it): at most one level of 255 apart.
func TestLoadReferenceSamplesAsSamples(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	gray, rgb, alpha := t.TempDir(), t.TempDir(), t.TempDir()
	if err := report.WritePNGs(gray, "sample-", noise(12*28*28, 3), 12, 28, 28, 1); err != nil {
		t.Fatal(err)
	}
	if err := report.WritePNGs(rgb, "sample-", noise(12*28*28*3, 4), 12, 28, 28, 3); err != nil {
		t.Fatal(err)
	}
	px := noise(12*28*28*4, 5)
	for i := range 12 {
		img := image.NewNRGBA(image.Rect(0, 0, 28, 28))
		for j := range img.Pix {
			img.Pix[j] = uint8((px[i*len(img.Pix)+j] + 1) * 127.5)
		}
		writeImage(t, filepath.Join(alpha, fmt.Sprintf("%02d.png", i)), img)
	}
	for _, tc := range []struct {
		name     string
		dir      string
		channels int
		bg       data.Background
		exact    bool
	}{
		{"gray as gray", gray, 1, data.BackgroundWhite, true},
		{"gray as color", gray, 3, data.BackgroundWhite, true},
		{"color as color", rgb, 3, data.BackgroundWhite, true},
		{"color as gray", rgb, 1, data.BackgroundWhite, false},
		{"transparent over white", alpha, 3, data.BackgroundWhite, true},
		{"transparent over black", alpha, 3, data.BackgroundBlack, true},
		{"transparent as gray over black", alpha, 1, data.BackgroundBlack, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// All 12: of more than N, the reference keeps N of its own pick, the samples their first N.
			opts := SampleOptions{N: 12, Shape: tensor.Shape{28, 28, tc.channels}, Background: tc.bg}
			old, err := LoadSamples(tc.dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := LoadReferenceSamples(tc.dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			if ref.N != old.N || !ref.Shape.Equal(old.Shape) || len(ref.Images) != len(old.Images) {
				t.Fatalf("reference: %d images of %v (%d values), samples: %d of %v (%d)", ref.N, ref.Shape, len(ref.Images), old.N, old.Shape, len(old.Images))
			}
			tolerance := float32(0)
			if !tc.exact {
				tolerance = 1.0001 / 127.5
			}
			differ := 0
			for i, v := range ref.Images {
				if d := v - old.Images[i]; d != 0 {
					differ++
					if d > tolerance || d < -tolerance {
						t.Fatalf("value %d is %g as the reference, %g as samples", i, v, old.Images[i])
					}
				}
			}
			if tc.exact != (differ == 0) {
				t.Errorf("%d of %d values differ (exact: %v)", differ, len(ref.Images), tc.exact)
			}
		})
	}
}

// TestLoadReferenceSamplesErrors: a reference folder of no image, or of which more
// than 1% of the image files do not decode, is one line naming the folder; a file
// or two that do not decode, among many, are skipped and told to Warn with the
// files not read, as gogan train tells them.
func TestLoadReferenceSamplesErrors(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	empty, texts, broken := t.TempDir(), t.TempDir(), pngFolder(t, 12, 28, 28)
	for i := range 2 {
		if err := os.WriteFile(filepath.Join(broken, fmt.Sprintf("bad%d.png", i)), []byte("not a png"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(texts, "notes.txt"), []byte("notes"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, dir string
		want      []string
	}{
		{"empty", empty, []string{empty, "empty folder"}},
		{"no image", texts, []string{texts, "no PNG, JPEG", "1 other file"}},
		{"too many undecodable", broken, []string{broken, "2 of 14 image files", "more than 1%", "bad0.png"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadReferenceSamples(tc.dir, SampleOptions{})
			if err == nil || !contains(err.Error(), tc.want...) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v, want one line saying %q", err, tc.want)
			}
		})
	}

	many := pngFolder(t, 120, 28, 28)
	if err := os.WriteFile(filepath.Join(many, "bad.png"), []byte("not a png"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(many, "notes.txt"), []byte("notes"), 0o644); err != nil {
		t.Fatal(err)
	}
	var warn strings.Builder
	s, err := LoadReferenceSamples(many, SampleOptions{Warn: &warn})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(warn.String(), "\n"), "\n")
	if s.N != 120 || len(lines) != 2 || !contains(lines[0], many, "1 file not read", "1 .txt") || !contains(lines[1], many, "skipped 1 of 121", "bad.png") {
		t.Errorf("%d images, warnings %q: want 120, the file not read and the one skipped", s.N, lines)
	}
}

// grayFolder writes, for each of the named class folders under a new folder (or into
// the folder itself for one class named ""), per gray PNGs of 28×28 named 00.png,
// 01.png, ...: image j of the folder, counting from the first class, all of gray
// level 8·j, so that a sample's level says which file it was read from.
func grayFolder(t *testing.T, classes []string, per int) string {
	t.Helper()
	sizes := make([]int, len(classes))
	for c := range sizes {
		sizes[c] = per
	}
	return grayClasses(t, classes, sizes)
}

// grayClasses is grayFolder with sizes[c] images in class c (32 in all at most).
func grayClasses(t *testing.T, classes []string, sizes []int) string {
	t.Helper()
	dir := t.TempDir()
	j := 0
	for c, class := range classes {
		for i := range sizes[c] {
			img := image.NewGray(image.Rect(0, 0, 28, 28))
			for p := range img.Pix {
				img.Pix[p] = uint8(8 * j)
			}
			writeImage(t, filepath.Join(dir, class, fmt.Sprintf("%02d.png", i)), img)
			j++
		}
	}
	return dir
}

// files says which files of a grayFolder s's images were read from, by their gray
// level: image j of the folder is level 8·j.
func files(t *testing.T, s *Samples) []int {
	t.Helper()
	size := s.shape().Size()
	var js []int
	for k := range s.N {
		level := math.Round(float64(s.Images[k*size]+1) * 127.5)
		for _, v := range s.Images[k*size : (k+1)*size] {
			if math.Round(float64(v+1)*127.5) != level {
				t.Fatalf("image %d is not of one gray level", k)
			}
		}
		if int(level)%8 != 0 {
			t.Fatalf("image %d is of level %g, not one of the folder's", k, level)
		}
		js = append(js, int(level)/8)
	}
	return js
}

// TestLoadSamplesPick: a folder read as real images keeps N of its M images as
// data.Set.Pick picks them, not its first N: of class folders of 2, 5 and 14 images
// with N = 12, each class its share rounded by largest remainder (1, 3 and 8, where an
// even pick over the folder keeps 2, 2 and 8), evenly spaced within it, as the
// reference and as samples; of a flat folder whose files repeat three kinds in turn,
// 10 drawn with data.PickSeed that hold every kind, where every third file (an even
// pick of 10 of 30) would be one kind alone. A folder of PNGs read as samples, and an
// IDX file, keep their first N (a generator's order). A folder of no more than N
// images is read whole.
func TestLoadSamplesPick(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	shares := []int{0, 2, 3, 5, 7, 8, 10, 12, 14, 15, 17, 19} // ant 0; bee 2, 3, 5 of 2..6; cat 7, 8, ... of 7..20
	unlabelled := data.Set{Images: &data.Images{N: 30, Rows: 1, Cols: 1, Pixels: make([]uint8, 30)}}
	for i := range unlabelled.Images.Pixels {
		unlabelled.Images.Pixels[i] = uint8(i)
	}
	var drawn []int // the files data.Set.Pick keeps of 30 without labels
	for _, b := range unlabelled.Pick(10).Images.Pixels {
		drawn = append(drawn, int(b))
	}
	first := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	uneven, flat := grayClasses(t, []string{"ant", "bee", "cat"}, []int{2, 5, 14}), grayFolder(t, []string{""}, 30)
	classes := grayFolder(t, []string{"ant", "bee", "cat"}, 10)
	for _, tc := range []struct {
		name   string
		load   func(string, SampleOptions) (*Samples, error)
		dir    string
		n      int
		want   []int
		source string
	}{
		{"class folders as the reference", LoadReferenceSamples, uneven, 12, shares, uneven + " (12 of 21 images in 3 classes, each class its share)"},
		{"class folders as samples", LoadSamples, uneven, 12, shares, uneven + " (12 of 21 images in 3 classes, each class its share)"},
		{"flat folder as the reference", LoadReferenceSamples, flat, 10, drawn, flat + " (10 of 30 images, drawn with a fixed seed)"},
		{"flat folder of PNGs as samples", LoadSamples, flat, 10, first, flat + " (the first 10 of 30 images)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.load(tc.dir, SampleOptions{N: tc.n})
			if err != nil {
				t.Fatal(err)
			}
			if got := files(t, s); !slices.Equal(got, tc.want) || s.N != tc.n || len(s.Images) != tc.n*ImageShape.Size() || s.Source != tc.source || s.Labels != nil {
				t.Errorf("files %v (%d images, %d values, labels %v) from %q; want files %v from %q", got, s.N, len(s.Images), s.Labels, s.Source, tc.want, tc.source)
			}
		})
	}
	kinds := map[int]int{}
	for _, j := range drawn {
		kinds[j%3]++
	}
	if len(drawn) != 10 || len(kinds) != 3 {
		t.Errorf("of a flat folder of three kinds in turn, files %v are kept: kinds %v, want all three", drawn, kinds)
	}
	s, err := LoadReferenceSamples(classes, SampleOptions{N: 30})
	if err != nil {
		t.Fatal(err)
	}
	if got := files(t, s); len(got) != 30 || got[29] != 29 || s.Source != classes+" (30 images in 3 classes)" {
		t.Errorf("N = 30 of 30: files %v from %q, want all 30 from %q", got, s.Source, classes+" (30 images in 3 classes)")
	}
	file := idxFile(t, "s.gz", 30, 28, 28)
	idx, err := LoadSamples(file, SampleOptions{N: 12})
	if err != nil {
		t.Fatal(err)
	}
	whole, err := data.ReadIDXImages(file)
	if err != nil {
		t.Fatal(err)
	}
	if want := data.Scale(&data.Images{N: 12, Rows: 28, Cols: 28, Pixels: whole.Pixels[:12*784]}); !slices.Equal(idx.Images, want) {
		t.Errorf("an IDX file of 30 images with N = 12 (%q): not its first 12", idx.Source)
	}
}

// TestLoadSamplesFolderProgress: a folder read with data.LoadImageFolder tells
// HeaderProgress, then DecodeProgress, how many of its image files (the text file
// aside) are read, each ending at that total; a second read, from the image cache,
// tells neither, nor does a folder of PNGs read as samples.
func TestLoadSamplesFolderProgress(t *testing.T) {
	classes, flat := grayFolder(t, []string{"ant", "bee", "cat"}, 10), grayFolder(t, []string{""}, 30)
	if err := os.WriteFile(filepath.Join(flat, "notes.txt"), []byte("notes"), 0o644); err != nil {
		t.Fatal(err)
	}
	type call struct {
		pass        string
		done, total int
	}
	for _, tc := range []struct {
		name string
		load func(string, SampleOptions) (*Samples, error)
		dir  string
	}{
		{"class folders as the reference", LoadReferenceSamples, classes},
		{"class folders as samples", LoadSamples, classes},
		{"flat folder as the reference", LoadReferenceSamples, flat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls []call
			opts := SampleOptions{N: 12, ImageCache: t.TempDir(),
				HeaderProgress: func(done, total int) { calls = append(calls, call{"headers", done, total}) },
				DecodeProgress: func(done, total int) { calls = append(calls, call{"decode", done, total}) },
			}
			if _, err := tc.load(tc.dir, opts); err != nil {
				t.Fatal(err)
			}
			decoding := slices.IndexFunc(calls, func(c call) bool { return c.pass == "decode" })
			if decoding < 1 || calls[decoding-1] != (call{"headers", 30, 30}) || calls[len(calls)-1] != (call{"decode", 30, 30}) {
				t.Fatalf("calls %v, want the headers' pass ending at (30, 30), then the decoding's ending at (30, 30)", calls)
			}
			for i, c := range calls {
				if c.total != 30 || c.done < 0 || c.done > 30 || (i < decoding) != (c.pass == "headers") ||
					i > 0 && c.pass == calls[i-1].pass && c.done < calls[i-1].done {
					t.Fatalf("call %d of %v: want the headers' then the decoding's, of 30 files each, never going back", i, calls)
				}
			}
			calls = nil
			if _, err := tc.load(tc.dir, opts); err != nil || calls != nil {
				t.Errorf("from the cache: calls %v (error %v), want none", calls, err)
			}
		})
	}
	called := false
	count := func(int, int) { called = true }
	if _, err := LoadSamples(flat, SampleOptions{HeaderProgress: count, DecodeProgress: count}); err != nil || called {
		t.Errorf("a folder of PNGs as samples: error %v, progress called %v; want it read without", err, called)
	}
}
