package main

import (
	"encoding/json"
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

// TestBenchImageShape: bench trains the networks made for --image-size and
// --channels (Radford's DCGAN at 32×32×3), and refuses a size dcgan lacks.
func TestBenchImageShape(t *testing.T) {
	r := gogan(t, split("bench --model dcgan --image-size 32 --channels 3 --batch 2 --iters 1")...)
	wantExit(t, r, 0)
	wantError(t, gogan(t, split("bench --model dcgan --image-size 40")...), 2, "dcgan needs square images of 28, 32, 64 or 128 pixels")
}
