package generator

import (
	"context"
	"errors"
	"github.com/gogan/gogan/internal/cuda"
	"image"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gogan/gogan/gan"
)

// saved writes a freshly built trainer of model (recipe or architecture) as a
// run folder's checkpoint and returns the run folder.
func saved(t *testing.T, model string) string {
	t.Helper()
	cfg := gan.DefaultConfig()
	cfg.Model = model
	gan.ApplyRecipe(&cfg, map[string]bool{})
	if arch, err := gan.LookupArchitecture(cfg.ArchitectureName()); err == nil && arch.Defaults != nil {
		arch.Defaults(&cfg)
	}
	job, err := gan.NewJob(cfg)
	if err != nil {
		t.Fatal(err)
	}
	run := t.TempDir()
	if _, err := job.SaveCheckpoint(filepath.Join(run, "checkpoints")); err != nil {
		t.Fatal(err)
	}
	return run
}

// The seed's GAN and a cgan, saved once for the tests that only read them.
var (
	mlpOnce, cganOnce sync.Once
	mlpRun, cganRun   string
)

func loadShared(t *testing.T, once *sync.Once, run *string, model string) *Generator {
	t.Helper()
	once.Do(func() {
		dir, err := os.MkdirTemp("", "generator-test-")
		if err != nil {
			t.Fatal(err)
		}
		cfg := gan.DefaultConfig()
		cfg.Model = model
		gan.ApplyRecipe(&cfg, map[string]bool{})
		job, err := gan.NewJob(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := job.SaveCheckpoint(filepath.Join(dir, "checkpoints")); err != nil {
			t.Fatal(err)
		}
		*run = dir
	})
	if *run == "" {
		t.Fatal("the shared run could not be written")
	}
	g, err := Load(*run)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestMain(m *testing.M) {
	removeChoices := cuda.TempChoicesFile() // the GPU tests' timed choices stay out of the user's cache
	code := m.Run()
	removeChoices()
	for _, dir := range []string{mlpRun, cganRun} {
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
	os.Exit(code)
}

func mlp(t *testing.T) *Generator  { return loadShared(t, &mlpOnce, &mlpRun, "mlp") }
func cgan(t *testing.T) *Generator { return loadShared(t, &cganOnce, &cganRun, "cgan") }

// generate fails the test on an error.
func generate(t *testing.T, g *Generator, req Request) *Batch {
	t.Helper()
	b, err := g.Generate(req)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantError fails the test unless err names every one of parts.
func wantError(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one naming %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not say %q", err, p)
		}
	}
}

func TestLoadMakesGrayImages(t *testing.T) {
	g := mlp(t)
	if g.LatentDim() != 100 || !g.SampleShape().Equal([]int{28, 28, 1}) || g.Classes() != 0 || g.Model() != "mlp" || g.Step() != 0 {
		t.Fatalf("generator: latent %d, shape %s, classes %d, model %s, step %d", g.LatentDim(), g.SampleShape(), g.Classes(), g.Model(), g.Step())
	}
	imgs, err := g.Images(Request{Seeds: Seeds(5, 3)})
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs) != 3 {
		t.Fatalf("%d images, want 3", len(imgs))
	}
	gray, ok := imgs[0].(*image.Gray)
	if !ok || gray.Bounds() != image.Rect(0, 0, 28, 28) {
		t.Fatalf("image is %T %v, want a 28×28 *image.Gray", imgs[0], imgs[0].Bounds())
	}
	if slices.Equal(gray.Pix, imgs[1].(*image.Gray).Pix) {
		t.Error("seeds 5 and 6 give the same image")
	}
	if _, err := (&Batch{N: 1, Shape: []int{2}, Data: []float32{0, 0}}).Image(0); err == nil {
		t.Error("a batch of points converted to an image")
	}
}

// The same seed gives the same latent vector and image, bit for bit, alone or
// in any batch; and seed s alone is the first image of gogan sample --seed s.
func TestSeedIsIndependentOfBatch(t *testing.T) {
	g := mlp(t)
	alone := generate(t, g, Request{Seeds: []uint64{7}})
	mixed := generate(t, g, Request{Seeds: []uint64{3, 7, 9, 11, 7}})
	size := g.SampleShape().Size()
	for _, i := range []int{1, 4} {
		if !slices.Equal(alone.Data, mixed.Data[i*size:(i+1)*size]) {
			t.Errorf("seed 7 at position %d of a batch differs from seed 7 alone", i)
		}
	}
	z := make([]float32, 3*g.LatentDim())
	gan.Latents(z, 7)
	given := generate(t, g, Request{Latents: z})
	if !slices.Equal(alone.Data, given.Data[:size]) {
		t.Error("seed 7 differs from the first vector of gan.Latents(·, 7)")
	}
}

// TestGenerateInBatches: samples made BatchSize at a time are those gan.GenerateLabeled
// makes of all at once, bit for bit, for a conditional generator too.
func TestGenerateInBatches(t *testing.T) {
	for _, g := range []*Generator{mlp(t), cgan(t)} {
		n := 2*BatchSize + 3
		z := make([]float32, n*g.LatentDim())
		gan.Latents(z, 5)
		var labels []uint8
		if g.Classes() > 0 {
			labels = make([]uint8, n)
			for i := range labels {
				labels[i] = uint8(i % g.Classes())
			}
		}
		want := make([]float32, n*g.SampleShape().Size())
		gan.GenerateLabeled(g.net, want, z, labels, n)
		if got := generate(t, g, Request{Latents: z}); !slices.Equal(got.Data, want) {
			t.Errorf("%s: %d samples in batches of %d differ from gan.GenerateLabeled's", g.Model(), n, BatchSize)
		}
	}
}

// TestGenerateProgress: Progress is called after each batch, with the samples made
// so far and N, ending at N.
func TestGenerateProgress(t *testing.T) {
	var got []int
	n := BatchSize + 1
	b := generate(t, mlp(t), Request{Seeds: Seeds(1, n), Progress: func(done, total int) {
		if total != n {
			t.Errorf("Progress(%d, %d): total is not %d", done, total, n)
		}
		got = append(got, done)
	}})
	if want := []int{BatchSize, n}; b.N != n || !slices.Equal(got, want) {
		t.Errorf("Progress called with %v, want %v", got, want)
	}
}

// TestGenerateContextStops: a done context stops GenerateContext with its error.
func TestGenerateContextStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b, err := mlp(t).GenerateContext(ctx, Request{Seeds: Seeds(1, 3*BatchSize)})
	if !errors.Is(err, context.Canceled) || b != nil {
		t.Fatalf("GenerateContext of a cancelled context: %v, %v; want context.Canceled", b, err)
	}
	wantError(t, err, "stopped after 0 of 768 samples")
}

func TestLatentsAreValidated(t *testing.T) {
	g := mlp(t)
	nan := make([]float32, 200)
	nan[150] = float32(math.NaN())
	inf := make([]float32, 100)
	inf[3] = float32(math.Inf(-1))
	for _, c := range []struct {
		req  Request
		want []string
	}{
		{Request{}, []string{"Seeds or Latents", "neither"}},
		{Request{Seeds: []uint64{1}, Latents: make([]float32, 100)}, []string{"both"}},
		{Request{Latents: make([]float32, 150)}, []string{"150 values", "latent size 100"}},
		{Request{Latents: nan}, []string{"latents[150]", "vector 1, entry 50", "NaN"}},
		{Request{Latents: inf}, []string{"latents[3]", "-Inf"}},
		{Request{Latents: []float32{}}, []string{"0 latent vectors"}},
		{Request{Seeds: []uint64{}}, []string{"0 seeds"}},
		{Request{Seeds: make([]uint64, MaxSamples+1)}, []string{"100001 seeds"}},
		{Request{Seeds: []uint64{1}, Classes: []int{0}}, []string{"not conditional"}},
	} {
		_, err := g.Generate(c.req)
		wantError(t, err, c.want...)
	}
}

func TestTruncation(t *testing.T) {
	g := mlp(t)
	const thr = 0.5
	z := make([]float32, 4*g.LatentDim())
	drawLatents(z, Seeds(1, 4), thr)
	for i, v := range z {
		if math.Abs(float64(v)) > thr {
			t.Fatalf("truncated z[%d] = %v, outside ±%v", i, v, thr)
		}
	}
	again := make([]float32, g.LatentDim())
	drawLatents(again, []uint64{2}, thr)
	if !slices.Equal(again, z[g.LatentDim():2*g.LatentDim()]) {
		t.Error("seed 2's truncated vector depends on the batch")
	}
	// A threshold above every |z| of the stream changes nothing.
	plain, wide := make([]float32, 400), make([]float32, 400)
	drawLatents(plain, Seeds(1, 4), 0)
	drawLatents(wide, Seeds(1, 4), 100)
	if !slices.Equal(plain, wide) {
		t.Error("truncation at 100 changed the latent vectors")
	}
	// Kept values stay in the stream's order: the in-range values of seed 1's stream.
	stream := make([]float32, 1000)
	gan.Latents(stream, 1)
	var inRange []float32
	for _, v := range stream {
		if math.Abs(float64(v)) <= thr {
			inRange = append(inRange, v)
		}
	}
	if !slices.Equal(z[:g.LatentDim()], inRange[:g.LatentDim()]) {
		t.Error("truncated entries are not the stream's values within the threshold, in order")
	}
	b := generate(t, g, Request{Seeds: []uint64{1}, Truncation: thr})
	if len(b.Data) != 784 {
		t.Fatalf("%d values, want 784", len(b.Data))
	}
	for _, bad := range []float64{-1, 0.001, math.NaN(), math.Inf(1)} {
		_, err := g.Generate(Request{Seeds: []uint64{1}, Truncation: bad})
		wantError(t, err, "truncation")
	}
	_, err := g.Generate(Request{Latents: make([]float32, 100), Truncation: 1})
	wantError(t, err, "truncation 1", "given Latents")
}

func TestConditionalClasses(t *testing.T) {
	g := cgan(t)
	if g.Classes() != gan.Classes {
		t.Fatalf("cgan draws %d classes, want %d", g.Classes(), gan.Classes)
	}
	b := generate(t, g, Request{Seeds: []uint64{4, 4, 4}})
	if !slices.Equal(b.Labels, []int{0, 1, 2}) {
		t.Errorf("default classes %v, want 0, 1, 2 in turn", b.Labels)
	}
	size := g.SampleShape().Size()
	if slices.Equal(b.Data[:size], b.Data[size:2*size]) {
		t.Error("classes 0 and 1 give the same image for one seed")
	}
	one := generate(t, g, Request{Seeds: []uint64{4}, Classes: []int{1}})
	if !slices.Equal(one.Data, b.Data[size:2*size]) || !slices.Equal(one.Labels, []int{1}) {
		t.Error("seed 4 with class 1 differs alone and in a batch")
	}
	all := generate(t, g, Request{Seeds: Seeds(0, 3), Classes: []int{9}})
	if !slices.Equal(all.Labels, []int{9, 9, 9}) {
		t.Errorf("one class for all gave labels %v", all.Labels)
	}
	for _, c := range []struct {
		classes []int
		want    string
	}{
		{[]int{10}, "classes[0] is 10"},
		{[]int{0, -1, 2}, "classes[1] is -1"},
		{[]int{0, 1}, "2 classes for 3 samples"},
	} {
		_, err := g.Generate(Request{Seeds: Seeds(0, 3), Classes: c.classes})
		wantError(t, err, c.want)
	}
}

// Many goroutines generate at once and get what one gets alone (run with -race).
func TestConcurrentCallers(t *testing.T) {
	t.Run("mlp", func(t *testing.T) { concurrentCallers(t, mlp(t)) })
	t.Run("cgan", func(t *testing.T) { concurrentCallers(t, cgan(t)) })
}

func concurrentCallers(t *testing.T, g *Generator) {
	const callers = 8
	want := make([]*Batch, callers)
	for i := range want {
		want[i] = generate(t, g, Request{Seeds: Seeds(uint64(10*i), 3), Truncation: float64(i % 2)})
	}
	var wg sync.WaitGroup
	got := make([]*Batch, callers)
	errs := make([]error, callers)
	for i := range callers {
		wg.Go(func() {
			got[i], errs[i] = g.Generate(Request{Seeds: Seeds(uint64(10*i), 3), Truncation: float64(i % 2)})
		})
	}
	wg.Wait()
	for i := range callers {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !slices.Equal(got[i].Data, want[i].Data) {
			t.Errorf("caller %d got other images concurrently than alone", i)
		}
	}
}

func TestAutoencoderDecodesGivenCodes(t *testing.T) {
	g, err := Load(saved(t, "cae"))
	if err != nil {
		t.Fatal(err)
	}
	codes := make([]float32, 2*g.LatentDim())
	gan.Latents(codes, 3)
	b := generate(t, g, Request{Latents: codes})
	if b.N != 2 || !b.Shape.Equal([]int{28, 28, 1}) {
		t.Fatalf("decoded %d samples of %s, want 2 of (28, 28, 1)", b.N, b.Shape)
	}
	_, err = g.Generate(Request{Seeds: []uint64{1}})
	wantError(t, err, "autoencoder", "Latents")
}

func TestToyModelMakesPoints(t *testing.T) {
	g, err := Load(saved(t, "mlp2d"))
	if err != nil {
		t.Fatal(err)
	}
	b := generate(t, g, Request{Seeds: Seeds(1, 5)})
	if b.N != 5 || len(b.Data) != 10 || !b.Shape.Equal([]int{2}) {
		t.Fatalf("%d samples of %s (%d values), want 5 points", b.N, b.Shape, len(b.Data))
	}
	_, err = b.Image(0)
	wantError(t, err, "points, not images")
	wantError(t, b.WriteGrid(filepath.Join(t.TempDir(), "x.png"), 2), "points, not images")
}

func TestClassifierIsRefused(t *testing.T) {
	_, err := Load(saved(t, "classifier"))
	wantError(t, err, "classifier generates nothing")
}

// A trainer whose weights diverged generates NaN: Generate says so rather than
// handing out the batch (FromJob takes the weights as they are).
func TestGenerateRefusesNonFinite(t *testing.T) {
	cfg := gan.DefaultConfig()
	job, err := gan.NewJob(cfg)
	if err != nil {
		t.Fatal(err)
	}
	g, err := FromJob(job)
	if err != nil {
		t.Fatal(err)
	}
	g.net.Weights()[0].Data[0] = float32(math.NaN())
	b, err := g.Generate(Request{Seeds: Seeds(1, 2)})
	if b != nil {
		t.Error("a batch of NaN samples was returned")
	}
	wantError(t, err, "1568 of the 1568 generated values are NaN or ±Inf", "diverged")
}
