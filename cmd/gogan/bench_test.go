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
