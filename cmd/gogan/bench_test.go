package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBench(t *testing.T) {
	r := gogan(t, "bench", "--batch", "8", "--iters", "2", "--json")
	wantExit(t, r, 0)
	var res map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("bench --json: %v\n%s", err, r)
	}
	for _, key := range []string{"model", "batch", "threads", "iters", "seconds", "it_per_s", "img_per_s", "gflops", "peak_rss_mb"} {
		if _, ok := res[key]; !ok {
			t.Errorf("bench --json lacks %s\n%s", key, r)
		}
	}
	if res["batch"] != 8.0 || res["iters"] != 2.0 {
		t.Errorf("bench --json: %v", res)
	}
}

// TestBenchIterationSpread: on the CPU, bench reports the spread of its iterations' times
// (fastest ≤ 10th ≤ median ≤ 90th percentile ≤ slowest, all positive) and the rate of the
// median one, which lies between the rates of the slowest and the fastest.
func TestBenchIterationSpread(t *testing.T) {
	r := gogan(t, "bench", "--batch", "4", "--iters", "7", "--json")
	wantExit(t, r, 0)
	var res benchResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("bench --json: %v\n%s", err, r)
	}
	sp := res.IterMs
	if sp == nil || !(0 < sp.Min && sp.Min <= sp.P10 && sp.P10 <= sp.P50 && sp.P50 <= sp.P90 && sp.P90 <= sp.Max) {
		t.Fatalf("bench --json: iteration spread %+v\n%s", sp, r)
	}
	if slowest, fastest := 4/(sp.Max/1e3), 4/(sp.Min/1e3); !(slowest <= res.MedianImgPerS*1.0001 && res.MedianImgPerS <= fastest*1.0001) {
		t.Errorf("median rate %.1f img/s outside the slowest and fastest iterations' %.1f–%.1f", res.MedianImgPerS, slowest, fastest)
	}
	if sum := sp.Min + sp.Max; sum > res.Seconds*1e3*1.01 {
		t.Errorf("the fastest and slowest iterations (%.2f ms) outlast the timed %.2f ms", sum, res.Seconds*1e3)
	}
	text := gogan(t, "bench", "--batch", "4", "--iters", "3")
	wantExit(t, text, 0)
	if !strings.Contains(text.stdout, "an iteration: median ") {
		t.Errorf("bench prints no iteration spread:\n%s", text)
	}
}

// TestBenchImageShape: bench trains the networks made for --image-size and
// --channels (Radford's DCGAN at 32×32×3), and refuses a size dcgan lacks.
func TestBenchImageShape(t *testing.T) {
	r := gogan(t, split("bench --model dcgan --image-size 32 --channels 3 --batch 2 --iters 1")...)
	wantExit(t, r, 0)
	wantError(t, gogan(t, split("bench --model dcgan --image-size 40")...), 2, "dcgan needs square images of 28, 32, 64 or 128 pixels")
}

// TestBenchCPUProfile: --cpuprofile writes a profile that pprof can read (gzip, non-empty),
// and a path that cannot be created is an error naming it.
func TestBenchCPUProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpu.prof")
	r := gogan(t, "bench", "--batch", "8", "--iters", "2", "--cpuprofile", path)
	wantExit(t, r, 0)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Fatalf("%s is not a gzipped profile (%d bytes)", path, len(b))
	}

	bad := filepath.Join(t.TempDir(), "missing", "cpu.prof")
	r = gogan(t, "bench", "--batch", "8", "--iters", "2", "--cpuprofile", bad)
	wantExit(t, r, 1)
	if !strings.Contains(r.stderr, "--cpuprofile") || !strings.Contains(r.stderr, bad) {
		t.Errorf("error does not name the flag and the path:\n%s", r)
	}
}

// TestBenchOps: --ops prints where an iteration's time goes, op by op, in the table
// and in the JSON, and is refused on a GPU, whose ops run asynchronously.
func TestBenchOps(t *testing.T) {
	r := gogan(t, split("bench --batch 8 --iters 2 --ops")...)
	wantExit(t, r, 0)
	for _, want := range []string{"ms/iter", "MatMulBiasLeakyReLU backward", "optimizer step (D)", "outside the ops"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("bench --ops lacks %q:\n%s", want, r)
		}
	}
	text := r.stdout
	r = gogan(t, split("bench --batch 8 --iters 2 --ops --json")...)
	wantExit(t, r, 0)
	var res benchResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("bench --ops --json: %v\n%s", err, r)
	}
	var share float64
	for _, o := range res.Ops {
		share += o.Share
	}
	if len(res.Ops) < 10 || share <= 0.5 || share > 1 {
		t.Errorf("bench --ops --json: %d ops, %.2f of the time; want most of an iteration in its ops\n%s", len(res.Ops), share, r)
	}
	if more := fmt.Sprintf("%d more ops", len(res.Ops)-printedOps); len(res.Ops) > printedOps && !strings.Contains(text, more) {
		t.Errorf("the table does not sum the %d ops past the %d longest in a line %q:\n%s", len(res.Ops)-printedOps, printedOps, more, text)
	}
	wantError(t, gogan(t, split("bench --ops --device cuda")...), 2, "--ops times ops on the CPU only")
}
