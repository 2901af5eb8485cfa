package generator

import (
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gogan/gogan/gan"
)

// TestGenerateOnDevice checks Request.Device: a bad name is refused; without
// a GPU the error names what is missing; with one, concurrent requests on the
// GPU give the CPU's images within 1e-4 (the CPU and the GPU sum in other
// orders), and so does a conditional generator's request with its classes.
func TestGenerateOnDevice(t *testing.T) {
	g := mlp(t)
	req := Request{Seeds: Seeds(1, 40)}
	bad := req
	bad.Device = "gpu:0"
	_, err := g.Generate(bad)
	wantError(t, err, `device "gpu:0"`)
	want := generate(t, g, req)
	req.Device = "cuda"
	if _, err := g.Generate(req); err != nil && strings.Contains(err.Error(), " not found") {
		t.Skipf("no GPU: %v", err)
	}
	cond := cgan(t)
	classes := make([]int, 40)
	for i := range classes {
		classes[i] = i * 3 % cond.Classes()
	}
	creq := Request{Seeds: Seeds(1, 40), Classes: classes}
	cwant := generate(t, cond, creq)
	creq.Device = "cuda"
	if worst := maxDiff(generate(t, cond, creq).Data, cwant.Data); !(worst <= 1e-4) {
		t.Errorf("conditional: max |gpu − cpu| %.3g > 1e-4", worst)
	}
	const callers = 4
	var wg sync.WaitGroup
	got := make([]*Batch, callers)
	errs := make([]error, callers)
	for i := range callers {
		wg.Go(func() { got[i], errs[i] = g.Generate(req) })
	}
	wg.Wait()
	for i := range callers {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if worst := maxDiff(got[i].Data, want.Data); !(worst <= 1e-4) {
			t.Errorf("caller %d: max |gpu − cpu| %.3g > 1e-4", i, worst)
		}
	}
}

// maxDiff is max |got − want|, or NaN where a difference is NaN.
func maxDiff(got, want []float32) float64 {
	worst := 0.0
	for j, v := range got {
		e := math.Abs(float64(v) - float64(want[j]))
		if math.IsNaN(e) {
			return e
		}
		worst = max(worst, e)
	}
	return worst
}

// TestFromJobOnDevice: the generator of a trainer on a GPU has the weights the GPU
// trained, not the host's copies of the weights it started from: FromJob syncs them.
func TestFromJobOnDevice(t *testing.T) {
	cfg := gan.DefaultConfig()
	cfg.Batch, cfg.Seed = 8, 3
	tr, err := gan.NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.UseDevice("cuda"); err != nil {
		t.Skipf("no CUDA device: %v", err)
	}
	images := func() []float32 {
		t.Helper()
		g, err := FromJob(tr)
		if err != nil {
			t.Fatal(err)
		}
		return generate(t, g, Request{Seeds: Seeds(1, 4)}).Data
	}
	before := images()
	g, _ := FromJob(tr)
	real := make([]float32, cfg.Batch*g.SampleShape().Size())
	for i := range real {
		real[i] = float32(i%7)/3 - 1
	}
	for range 3 {
		if _, err := tr.TrainStep(real, nil); err != nil {
			t.Fatal(err)
		}
	}
	after := images()
	if slices.Equal(before, after) {
		t.Fatal("after 3 steps on the GPU, FromJob's generator makes the images of the weights it started from")
	}
	if err := tr.SyncHost(); err != nil {
		t.Fatal(err)
	}
	if again := images(); !slices.Equal(after, again) {
		t.Fatal("FromJob's images differ from those made after SyncHost")
	}
}
