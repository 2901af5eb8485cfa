package generator

import (
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gogan/gogan/gan"
)

// TestGenerateOnDevice checks Request.Device: a bad name and a conditional
// generator on a GPU are refused; without a GPU the error names what is
// missing; with one, concurrent requests on the GPU give the CPU's images
// within 1e-4 (the CPU and the GPU sum in other orders).
func TestGenerateOnDevice(t *testing.T) {
	g := mlp(t)
	req := Request{Seeds: Seeds(1, 40)}
	bad := req
	bad.Device = "gpu:0"
	_, err := g.Generate(bad)
	wantError(t, err, `device "gpu:0"`)
	cond := Request{Seeds: Seeds(1, 4), Device: "cuda"}
	_, err = cgan(t).Generate(cond)
	wantError(t, err, "--device cuda", "conditional")
	want := generate(t, g, req)
	req.Device = "cuda"
	if _, err := g.Generate(req); err != nil && strings.Contains(err.Error(), "libcuda.so.1 not found") {
		t.Skipf("no GPU: %v", err)
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
		worst := 0.0
		for j, v := range got[i].Data {
			worst = max(worst, math.Abs(float64(v)-float64(want.Data[j])))
		}
		if !(worst <= 1e-4) {
			t.Errorf("caller %d: max |gpu − cpu| %.3g > 1e-4", i, worst)
		}
	}
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
