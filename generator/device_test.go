package generator

import (
	"math"
	"strings"
	"sync"
	"testing"
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
