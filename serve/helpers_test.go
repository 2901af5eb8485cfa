package serve

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gogan/gogan/gan"
)

// trainer trains the seed's GAN on a synthetic batch and saves its
// checkpoints into a run folder, as gogan train does.
type trainer struct {
	t   *gan.Trainer
	run string
}

// newTrainer builds the seed's GAN (model mlp, or cgan) for the run folder.
func newTrainer(t testing.TB, run, model string) *trainer {
	t.Helper()
	cfg := gan.DefaultConfig()
	cfg.Model, cfg.Batch = model, 16
	gan.ApplyRecipe(&cfg, map[string]bool{})
	tr, err := gan.NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &trainer{t: tr, run: run}
}

// train takes steps steps on a horizontal gradient, then saves a checkpoint.
func (tr *trainer) train(t testing.TB, steps int) {
	t.Helper()
	n := tr.t.Config.Batch
	images := make([]float32, n*28*28)
	for i := range images {
		images[i] = float32(i%28)/14 - 1
	}
	var labels []uint8
	if tr.t.Conditional() {
		labels = make([]uint8, n)
		for i := range labels {
			labels[i] = uint8(i % gan.Classes)
		}
	}
	for range steps {
		if _, err := tr.t.TrainStep(images, labels); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tr.t.SaveCheckpoint(filepath.Join(tr.run, "checkpoints")); err != nil {
		t.Fatal(err)
	}
}

// The runs folder shared by the tests that only read it: "mlp" (3 steps) and
// "cgan" (2 steps).
var shared struct {
	once sync.Once
	dir  string
}

func sharedRuns(t *testing.T) string {
	t.Helper()
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "serve-test-")
		if err != nil {
			t.Fatal(err)
		}
		newTrainer(t, filepath.Join(dir, "mlp"), "mlp").train(t, 3)
		newTrainer(t, filepath.Join(dir, "cgan"), "cgan").train(t, 2)
		shared.dir = dir
	})
	if shared.dir == "" {
		t.Fatal("the shared runs could not be made")
	}
	return shared.dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// newServer returns a Server on the shared runs, with cfg's other settings.
func newServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	if cfg.Runs == "" && cfg.Run == "" {
		cfg.Runs = sharedRuns(t)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// answer is a recorded response.
type answer struct {
	code   int
	header http.Header
	body   []byte
}

// do sends a request to s; body is JSON-encoded unless it is a string, and
// sent as application/json unless header says otherwise.
func do(t *testing.T, h http.Handler, method, path string, body any, header ...string) answer {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return answer{rec.Code, rec.Header(), rec.Body.Bytes()}
}

// wantStatus checks the status, and for an error that the body is JSON
// {"error": ...} containing want.
func wantStatus(t *testing.T, what string, a answer, code int, want string) {
	t.Helper()
	if a.code != code {
		t.Errorf("%s: status %d, want %d; body %.300s", what, a.code, code, a.body)
		return
	}
	if code < 400 {
		return
	}
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(a.body, &e); err != nil || e.Error == "" {
		t.Errorf("%s: error body is not JSON {\"error\": ...}: %q", what, a.body)
		return
	}
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: error Content-Type %q", what, ct)
	}
	if !strings.Contains(e.Error, want) {
		t.Errorf("%s: error %q does not contain %q", what, e.Error, want)
	}
}
