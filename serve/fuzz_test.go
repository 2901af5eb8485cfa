package serve

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzRequestBodies sends arbitrary bodies to the endpoints that read one
// (generate and interpolate, of a plain and a conditional run, asking for JSON
// or a picture): every answer is a success or a client error (400, 413) or
// busy (503), an error's body is JSON {"error": ...}, and nothing is a 500,
// which is what a recovered panic answers. Seeded with valid requests and the
// hostile ones of TestLimitsAndBadRequests.
func FuzzRequestBodies(f *testing.F) {
	runs := f.TempDir()
	newTrainer(f, filepath.Join(runs, "mlp"), "mlp").train(f, 1)
	newTrainer(f, filepath.Join(runs, "cgan"), "cgan").train(f, 1)
	s, err := New(Config{Runs: runs})
	if err != nil {
		f.Fatal(err)
	}
	for _, body := range []string{
		`{"n": 4, "seed": 7}`, `{"n": 2, "truncation": 0.5}`, `{"latents": [[0.5]]}`,
		`{"n": 3, "class": 2}`, `{"class": 10}`, `{"n": 257}`, `{"n": -1}`, `{"truncation": 0.001}`,
		`{"from_seed": 1, "to_seed": 2, "frames": 8, "method": "slerp"}`,
		`{"from_seed": 1, "to_seed": 2, "frames": 65}`, `{"method": "cubic"}`,
		`{"n": 3`, `[1, 2]`, `{} {}`, `{"count": 3}`, `{"n": "3"}`, `null`, ``,
		`{"n": 1e309}`, `{"seed": -1}`, `{"latents": [[1e39]]}`,
	} {
		for sel := range uint8(8) {
			f.Add(sel, []byte(body))
		}
	}
	f.Fuzz(func(t *testing.T, sel uint8, body []byte) {
		run := []string{"mlp", "cgan"}[sel&1]
		op := []string{"generate", "interpolate"}[sel>>1&1]
		req := httptest.NewRequest("POST", "/api/models/"+run+"/"+op, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if sel&4 != 0 {
			req.Header.Set("Accept", "application/json")
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		switch rec.Code {
		case 200:
			return
		case 400, 413, 503:
		default:
			t.Fatalf("%s %s with %q: status %d: %.300s", run, op, body, rec.Code, rec.Body.Bytes())
		}
		var e struct {
			Error string `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" || strings.Contains(e.Error, "\n") {
			t.Fatalf("%s %s with %q: status %d with body %.300s, want JSON {\"error\": one line}", run, op, body, rec.Code, rec.Body.Bytes())
		}
	})
}
