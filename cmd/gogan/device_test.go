package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogan/gogan/data"
)

// TestSampleEvalDevice runs gogan sample and gogan eval with --device: a bad
// name is a usage error; without a GPU (or the driver, or cuBLAS), --device
// cuda exits 1 with one line naming what is missing; with one, the images are the CPU's (IDX bytes at most
// one apart: pixels within 1e-4 may round to neighbouring bytes) and so is the
// FID (within 1%: a wrong batch norm moves it by far more).
func TestSampleEvalDevice(t *testing.T) {
	dataDir, run := trainedRun(t)
	ref := filepath.Join(dataDir, "t10k-images-idx3-ubyte")
	wantError(t, gogan(t, "sample", "--run", run, "--device", "gpu"), 2, "--device", `"gpu"`)
	wantError(t, gogan(t, "eval", "--samples", run, "--ref", ref, "--device", "cuda:x"), 2, "--device", `"cuda:x"`)

	dir := t.TempDir()
	cpuIDX, gpuIDX := filepath.Join(dir, "cpu.idx"), filepath.Join(dir, "gpu.idx")
	wantExit(t, gogan(t, "sample", "--run", run, "--n", "300", "--out", cpuIDX), 0)
	r := gogan(t, "sample", "--run", run, "--n", "300", "--out", gpuIDX, "--device", "cuda")
	evalArgs := []string{"eval", "--samples", run, "--ref", ref, "--n", "300", "--json"}
	if missing := missingCUDA(r.stderr); missing != "" {
		wantError(t, r, 1, "--device cuda", missing)
		wantError(t, gogan(t, append(evalArgs, "--device", "cuda")...), 1, "--device cuda", missing)
		t.Skipf("no usable GPU (%s): the rest compares the GPU's samples with the CPU's", missing)
	}
	wantExit(t, r, 0)
	cpu, err := data.ReadIDXImages(cpuIDX)
	if err != nil {
		t.Fatal(err)
	}
	gpu, err := data.ReadIDXImages(gpuIDX)
	if err != nil {
		t.Fatal(err)
	}
	if len(gpu.Pixels) != len(cpu.Pixels) {
		t.Fatalf("%d pixels from the GPU, %d from the CPU", len(gpu.Pixels), len(cpu.Pixels))
	}
	apart := 0
	for i, v := range gpu.Pixels {
		if d := int(v) - int(cpu.Pixels[i]); d < -1 || d > 1 {
			t.Fatalf("pixel %d is %d from the GPU, %d from the CPU", i, v, cpu.Pixels[i])
		} else if d != 0 {
			apart++
		}
	}
	t.Logf("%d of %d IDX pixels one apart", apart, len(cpu.Pixels))
	want := jsonScores(t, gogan(t, evalArgs...))["fid"].(float64)
	got := jsonScores(t, gogan(t, append(evalArgs, "--device", "cuda")...))["fid"].(float64)
	t.Logf("FID of 300 samples: cpu %.6g, gpu %.6g", want, got)
	if d := got - want; d > 1e-2*want+1e-2 || d < -1e-2*want-1e-2 {
		t.Errorf("FID %g with the GPU's samples, %g with the CPU's", got, want)
	}
}

// missingCUDA returns what a command's one-line error says is missing for a
// GPU (a library of the driver or cuBLAS, or the device), or "" where it says
// none is.
func missingCUDA(stderr string) string {
	for _, m := range []string{"libcuda.so.1 not found", "libcublas", "no CUDA device"} {
		if strings.Contains(stderr, m) {
			return m
		}
	}
	return ""
}
