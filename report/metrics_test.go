package report

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestMetricsLogRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.jsonl")
	type row struct {
		Step  int     `json:"step"`
		DLoss float64 `json:"d_loss"`
		Phase string  `json:"phase"`
	}
	writes := []any{
		map[string]float64{"step": 1, "d_loss": 0.69, "g_loss": 0.71},
		map[string]float32{"step": 2, "d_loss": float32(math.NaN())},
		map[string]any{"step": 3, "g_loss": math.Inf(1), "d_loss": math.Inf(-1), "note": "kept out", "ok": true},
		row{Step: 4, DLoss: 0.5, Phase: "warmup"},
	}
	want := []map[string]float64{
		{"step": 1, "d_loss": 0.69, "g_loss": 0.71},
		{"step": 2, "d_loss": math.NaN()},
		{"step": 3, "g_loss": math.Inf(1), "d_loss": math.Inf(-1)},
		{"step": 4, "d_loss": 0.5},
	}
	// Two sessions, as a run and its resume.
	for _, part := range [][]any{writes[:2], writes[2:]} {
		l, err := OpenMetricsLog(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range part {
			if err := l.Write(v); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ReadMetrics(path)
	if err != nil {
		t.Fatal(err)
	}
	checkMetrics(t, got, want)
}

func checkMetrics(t *testing.T, got, want []map[string]float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rows %v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Errorf("row %d = %v, want %v", i, got[i], want[i])
		}
		for k, w := range want[i] {
			g, ok := got[i][k]
			if !ok || !(g == w || math.IsNaN(g) && math.IsNaN(w)) {
				t.Errorf("row %d %s = %v, want %v", i, k, g, w)
			}
		}
	}
}

func TestReadMetrics(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    []map[string]float64
		wantErr string // "" for none; "FILE" is replaced by the path
	}{
		{"empty file", "", nil, ""},
		{"two lines", "{\"a\":1}\n{\"a\":2,\"b\":\"NaN\"}\n", []map[string]float64{{"a": 1}, {"a": 2, "b": math.NaN()}}, ""},
		{"truncated last line", "{\"a\":1}\n{\"a\":2}\n{\"a\":3,\"b\":0.", []map[string]float64{{"a": 1}, {"a": 2}}, ""},
		{"last line without newline", "{\"a\":1}\n{\"a\":2}", []map[string]float64{{"a": 1}, {"a": 2}}, ""},
		{"blank lines", "\n{\"a\":1}\n\n  \n", []map[string]float64{{"a": 1}}, ""},
		{"bad middle line", "{\"a\":1}\n{\"a\":\n{\"a\":3}\n", nil, "FILE line 2"},
		{"bad complete last line", "{\"a\":1}\n{\"a\":\n", nil, "FILE line 2"},
		{"not an object", "{\"a\":1}\n[1,2]\n", nil, "FILE line 2"},
		{"null", "null\n", nil, "FILE line 1: not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "metrics.jsonl")
			if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := ReadMetrics(path)
			if tt.wantErr != "" {
				want := strings.ReplaceAll(tt.wantErr, "FILE", path)
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("err = %v, want one containing %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkMetrics(t, got, tt.want)
		})
	}
	missing := filepath.Join(t.TempDir(), "none.jsonl")
	if _, err := ReadMetrics(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: err = %v", err)
	}
}

// A run that crashed mid-line is resumed: the partial line is cut, and new lines start
// on a line of their own.
func TestOpenMetricsLogRepairsTail(t *testing.T) {
	long := "{\"a\":1,\"pad\":\"" + strings.Repeat("x", 10000) + "\"}\n"
	tests := []struct {
		name string
		text string
		want []map[string]float64
	}{
		{"partial line", "{\"a\":1}\n{\"a\":2,\"b\":", []map[string]float64{{"a": 1}, {"z": 9}}},
		{"only a partial line", "{\"a\":", []map[string]float64{{"z": 9}}},
		{"partial after a long line", long + "{\"a\":2", []map[string]float64{{"a": 1}, {"z": 9}}},
		{"complete object missing newline", "{\"a\":1}\n{\"a\":2}", []map[string]float64{{"a": 1}, {"a": 2}, {"z": 9}}},
		{"clean", "{\"a\":1}\n", []map[string]float64{{"a": 1}, {"z": 9}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "metrics.jsonl")
			if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			l, err := OpenMetricsLog(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := l.Write(map[string]float64{"z": 9}); err != nil {
				t.Fatal(err)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			got, err := ReadMetrics(path)
			if err != nil {
				t.Fatal(err)
			}
			checkMetrics(t, got, tt.want)
		})
	}
}

func TestMetricsLogErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.jsonl")
	l, err := OpenMetricsLog(path)
	if err != nil {
		t.Fatal(err)
	}
	type bad struct{ C chan int }
	if err := l.Write(bad{}); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("unencodable value: err = %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Write(map[string]float64{"a": 1}); err == nil {
		t.Error("Write after Close: no error")
	}
	if err := l.Close(); err == nil {
		t.Error("second Close: no error")
	}
	dir := filepath.Join(t.TempDir(), "missing", "metrics.jsonl")
	if _, err := OpenMetricsLog(dir); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("missing folder: err = %v", err)
	}
}

func TestMetricsLogConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.jsonl")
	l, err := OpenMetricsLog(path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 50 {
				l.Write(map[string]float64{"g": float64(g), "i": float64(i)})
			}
		})
	}
	wg.Wait()
	l.Close()
	got, err := ReadMetrics(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 200 {
		t.Fatalf("got %d lines, want 200", len(got))
	}
}
