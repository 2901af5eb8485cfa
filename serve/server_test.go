package serve

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/png"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/generator"
	"github.com/gogan/gogan/report"
	"github.com/gogan/gogan/tensor"
)

// Every route of the table is in openapi.json with its method, and every
// operation of openapi.json is a route.
func TestOpenAPICoversRoutes(t *testing.T) {
	s := newServer(t, Config{})
	a := do(t, s, "GET", "/api/openapi.json", nil)
	wantStatus(t, "openapi", a, 200, "")
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(a.body, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi version %q, want 3.x", doc.OpenAPI)
	}
	served := map[string]bool{}
	for _, rt := range s.routes() {
		path := strings.TrimSuffix(rt.pattern, "{$}") // "/{$}" is the path "/"
		op := strings.ToLower(rt.method) + " " + path
		served[op] = true
		if _, ok := doc.Paths[path][strings.ToLower(rt.method)]; !ok {
			t.Errorf("route %s %s is not in openapi.json", rt.method, rt.pattern)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			if !served[method+" "+path] {
				t.Errorf("openapi.json has %s %s, which no route serves", strings.ToUpper(method), path)
			}
		}
	}
}

func TestModels(t *testing.T) {
	s := newServer(t, Config{})
	a := do(t, s, "GET", "/api/models", nil)
	wantStatus(t, "models", a, 200, "")
	var ans struct{ Models []modelInfo }
	if err := json.Unmarshal(a.body, &ans); err != nil {
		t.Fatal(err)
	}
	got := map[string]modelInfo{}
	for _, m := range ans.Models {
		got[m.Name] = m
	}
	mlp, cgan := got["mlp"], got["cgan"]
	if len(ans.Models) != 2 || mlp.Model != "mlp" || mlp.Step != 3 || !slices.Equal(mlp.Shape, []int{28, 28, 1}) || mlp.Classes != 0 || !mlp.Images || mlp.Dataset != "mnist" {
		t.Errorf("models %+v, want mlp at step 3 of (28, 28, 1) from mnist, and cgan", ans.Models)
	}
	if cgan.Classes != 10 || cgan.Step != 2 {
		t.Errorf("cgan: %+v, want 10 classes at step 2", cgan)
	}
}

// decodePNG decodes a PNG answer.
func decodePNG(t *testing.T, what string, body []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return img
}

func TestGeneratePNGGrid(t *testing.T) {
	s := newServer(t, Config{})
	a := do(t, s, "POST", "/api/models/mlp/generate", map[string]any{"n": 10, "seed": 4})
	wantStatus(t, "generate", a, 200, "")
	if ct := a.header.Get("Content-Type"); ct != "image/png" || a.header.Get("X-Gogan-Step") != "3" {
		t.Errorf("Content-Type %q, X-Gogan-Step %q; want image/png, 3", ct, a.header.Get("X-Gogan-Step"))
	}
	// 10 images in ⌈√10⌉ = 4 columns, 3 rows, 2 pixels apart.
	img := decodePNG(t, "grid", a.body)
	if b := img.Bounds(); b.Dx() != 4*28+3*2 || b.Dy() != 3*28+2*2 {
		t.Errorf("grid of %v, want 118×88", b)
	}
	if _, ok := img.(*image.Gray); !ok {
		t.Errorf("grid is %T, want *image.Gray for a gray model", img)
	}
}

// generateJSON asks for samples as JSON and decodes them.
func generateJSON(t *testing.T, s http.Handler, run string, body any) ([]image.Image, generated) {
	t.Helper()
	a := do(t, s, "POST", "/api/models/"+run+"/generate", body, "Accept", "application/json")
	wantStatus(t, "generate JSON", a, 200, "")
	var ans generated
	if err := json.Unmarshal(a.body, &ans); err != nil {
		t.Fatal(err)
	}
	var imgs []image.Image
	for i, b64 := range ans.Images {
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Fatalf("image %d: %v", i, err)
		}
		imgs = append(imgs, decodePNG(t, "image", raw))
	}
	return imgs, ans
}

// Sample i of seed s is the image of seed s+i alone, and the JSON says so.
func TestGenerateJSONSeeds(t *testing.T) {
	s := newServer(t, Config{})
	imgs, ans := generateJSON(t, s, "mlp", map[string]any{"n": 3, "seed": 4})
	if len(imgs) != 3 || !slices.Equal(ans.Seeds, []uint64{4, 5, 6}) || ans.Step != 3 || !slices.Equal(ans.Shape, []int{28, 28, 1}) {
		t.Fatalf("%d images, seeds %v, step %d, shape %v", len(imgs), ans.Seeds, ans.Step, ans.Shape)
	}
	one, _ := generateJSON(t, s, "mlp", map[string]any{"n": 1, "seed": 5})
	if !bytes.Equal(one[0].(*image.Gray).Pix, imgs[1].(*image.Gray).Pix) {
		t.Error("seed 5 alone differs from sample 1 of seed 4")
	}
	if bytes.Equal(imgs[0].(*image.Gray).Pix, imgs[1].(*image.Gray).Pix) {
		t.Error("seeds 4 and 5 made the same image")
	}
	// Latents given as they are: those of seed 5 make seed 5's image.
	l, err := s.runs.generator("mlp")
	if err != nil {
		t.Fatal(err)
	}
	z, err := l.gen.Latents([]uint64{5}, 0)
	if err != nil {
		t.Fatal(err)
	}
	fromZ, _ := generateJSON(t, s, "mlp", map[string]any{"latents": [][]float32{z}})
	if !bytes.Equal(fromZ[0].(*image.Gray).Pix, one[0].(*image.Gray).Pix) {
		t.Error("the latents of seed 5 do not make seed 5's image")
	}
}

func TestGenerateClasses(t *testing.T) {
	s := newServer(t, Config{})
	_, ans := generateJSON(t, s, "cgan", map[string]any{"n": 3, "class": 7})
	if !slices.Equal(ans.Classes, []int{7, 7, 7}) {
		t.Errorf("classes %v, want 7 7 7", ans.Classes)
	}
	_, ans = generateJSON(t, s, "cgan", map[string]any{"n": 3})
	if !slices.Equal(ans.Classes, []int{0, 1, 2}) {
		t.Errorf("classes %v, want 0 1 2 (in turn)", ans.Classes)
	}
}

func TestInterpolate(t *testing.T) {
	s := newServer(t, Config{})
	body := map[string]any{"from_seed": 4, "to_seed": 9, "frames": 5}
	a := do(t, s, "POST", "/api/models/mlp/interpolate", body)
	wantStatus(t, "interpolate", a, 200, "")
	if ct := a.header.Get("Content-Type"); ct != "image/gif" {
		t.Fatalf("Content-Type %q, want image/gif", ct)
	}
	anim, err := gif.DecodeAll(bytes.NewReader(a.body))
	if err != nil {
		t.Fatal(err)
	}
	if len(anim.Image) != 5 || anim.Image[0].Bounds().Dx() != 28 {
		t.Fatalf("%d frames of %v, want 5 of 28×28", len(anim.Image), anim.Image[0].Bounds())
	}
	// The end frames are the end seeds' images, exactly (a gray palette).
	ends, _ := generateJSON(t, s, "mlp", map[string]any{"latents": nil, "seed": 4, "n": 1})
	last, _ := generateJSON(t, s, "mlp", map[string]any{"seed": 9, "n": 1})
	for i, want := range map[int]image.Image{0: ends[0], 4: last[0]} {
		if !bytes.Equal(anim.Image[i].Pix, want.(*image.Gray).Pix) {
			t.Errorf("frame %d is not the image of its seed", i)
		}
	}
	if bytes.Equal(anim.Image[2].Pix, anim.Image[0].Pix) {
		t.Error("the middle frame is the first")
	}
	body["method"] = "lerp"
	a = do(t, s, "POST", "/api/models/mlp/interpolate", body, "Accept", "image/png")
	wantStatus(t, "strip", a, 200, "")
	if b := decodePNG(t, "strip", a.body).Bounds(); b.Dx() != 5*28+4*2 || b.Dy() != 28 {
		t.Errorf("strip of %v, want 148×28", b)
	}
}

// Every limit and every bad request gets its status and a JSON error.
func TestLimitsAndBadRequests(t *testing.T) {
	s := newServer(t, Config{})
	outside := t.TempDir()
	newTrainer(t, filepath.Join(outside, "secret"), "mlp").train(t, 1)
	runs := t.TempDir()
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(runs, "escape")); err != nil {
		t.Fatal(err)
	}
	linked := newServer(t, Config{Runs: runs})
	big := `{"n": 1, "seed": 1, "latents": null, "cols": 1` + strings.Repeat(" ", MaxBody) + `}`
	for _, tc := range []struct {
		name, method, path string
		body               any
		code               int
		want               string
	}{
		{"oversized body", "POST", "/api/models/mlp/generate", big, 413, "larger than 1048576 bytes"},
		{"huge n", "POST", "/api/models/mlp/generate", map[string]any{"n": 257}, 400, "n must be in [1, 256], got 257"},
		{"negative n", "POST", "/api/models/mlp/generate", map[string]any{"n": -1}, 400, "n must be in"},
		{"zero n", "POST", "/api/models/mlp/generate", map[string]any{"n": 0}, 400, "n must be in [1, 256], got 0"},
		{"too many latents", "POST", "/api/models/mlp/generate", map[string]any{"latents": make([][]float32, 257)}, 400, "257 latent vectors: at most 256"},
		{"latent of the wrong size", "POST", "/api/models/mlp/generate", map[string]any{"latents": [][]float32{{1, 2}}}, 400, "latents[0] has 2 values, the latent size is 100"},
		{"latents that overflow", "POST", "/api/models/mlp/generate", map[string]any{"latents": [][]float32{hugeLatent()}}, 400, "NaN or ±Inf"},
		{"seed and latents", "POST", "/api/models/mlp/generate", map[string]any{"seed": 1, "latents": [][]float32{{1}}}, 400, "not both"},
		{"bad JSON", "POST", "/api/models/mlp/generate", `{"n": 3`, 400, "bad JSON body"},
		{"not an object", "POST", "/api/models/mlp/generate", `[1, 2]`, 400, "bad JSON body"},
		{"two values", "POST", "/api/models/mlp/generate", `{} {}`, 400, "more than one JSON value"},
		{"unknown field", "POST", "/api/models/mlp/generate", `{"count": 3}`, 400, `unknown field "count"`},
		{"string for n", "POST", "/api/models/mlp/generate", `{"n": "3"}`, 400, "bad JSON body"},
		{"bad truncation", "POST", "/api/models/mlp/generate", map[string]any{"truncation": 0.001}, 400, "truncation must be 0 (off) or at least 0.01"},
		{"class of an unconditional run", "POST", "/api/models/mlp/generate", map[string]any{"class": 3}, 400, "not conditional"},
		{"class out of range", "POST", "/api/models/cgan/generate", map[string]any{"class": 10}, 400, "class must be in [0, 10)"},
		{"interpolation of every class", "POST", "/api/models/cgan/interpolate", map[string]any{"from_seed": 1, "to_seed": 2, "class": -1}, 400, "class -1 (the classes in turn) does not apply to an interpolation: give one class in [0, 10)"},
		{"unknown run", "POST", "/api/models/nope/generate", map[string]any{}, 404, `no run "nope"`},
		{"unknown run's metrics", "GET", "/api/runs/nope/metrics", nil, 404, `no run "nope"`},
		{"too many frames", "POST", "/api/models/mlp/interpolate", map[string]any{"from_seed": 1, "to_seed": 2, "frames": 65}, 400, "frames must be in [2, 64], got 65"},
		{"one frame", "POST", "/api/models/mlp/interpolate", map[string]any{"from_seed": 1, "to_seed": 2, "frames": 1}, 400, "frames must be in"},
		{"zero frames", "POST", "/api/models/mlp/interpolate", map[string]any{"from_seed": 1, "to_seed": 2, "frames": 0}, 400, "frames must be in [2, 64], got 0"},
		{"zero delay", "POST", "/api/models/mlp/interpolate", map[string]any{"from_seed": 1, "to_seed": 2, "delay": 0}, 400, "delay must be in [1, 1000] hundredths of a second, got 0"},
		{"no seeds", "POST", "/api/models/mlp/interpolate", map[string]any{"frames": 4}, 400, "from_seed and to_seed are required"},
		{"bad method", "POST", "/api/models/mlp/interpolate", map[string]any{"from_seed": 1, "to_seed": 2, "method": "cubic"}, 400, `method must be slerp or lerp, got "cubic"`},
		{"dot-dot", "GET", "/api/runs/%2E%2E/metrics", nil, 400, `run name ".." is not a plain folder name`},
		{"dot-dot slash", "GET", "/api/runs/..%2F..%2Fetc/metrics", nil, 400, "is not a plain folder name"},
		{"absolute path", "POST", "/api/models/%2Fetc%2Fpasswd/generate", map[string]any{}, 400, "is not a plain folder name"},
		{"backslash", "GET", "/api/runs/..%5Csecret/metrics", nil, 400, "is not a plain folder name"},
		{"sample dot-dot", "GET", "/api/runs/mlp/samples/..%2Fcheckpoints%2Flatest.json", nil, 400, "is not a plain .png name"},
		{"sample not there", "GET", "/api/runs/mlp/samples/epoch-999.png", nil, 404, "has no sample epoch-999.png"},
		{"wrong method", "GET", "/api/models/mlp/generate", nil, 405, "method GET is not allowed"},
		{"wrong method on models", "DELETE", "/api/models", nil, 405, "allowed: GET"},
		{"unknown route", "GET", "/api/nothing", nil, 404, "no route GET /api/nothing"},
		{"unknown static file", "GET", "/static/secret.txt", nil, 404, "no static file"},
	} {
		a := do(t, s, tc.method, tc.path, tc.body)
		wantStatus(t, tc.name, a, tc.code, tc.want)
	}
	if a := do(t, s, "GET", "/api/models/mlp/generate", nil); a.header.Get("Allow") != "POST" {
		t.Errorf("405's Allow header is %q, want POST", a.header.Get("Allow"))
	}
	// A symbolic link out of the runs folder is refused, and not listed.
	wantStatus(t, "symlink outside", do(t, linked, "POST", "/api/models/escape/generate", map[string]any{}), 403, "leads outside the runs folder")
	wantStatus(t, "symlink outside, metrics", do(t, linked, "GET", "/api/runs/escape/metrics", nil), 403, "leads outside the runs folder")
	if a := do(t, linked, "GET", "/api/models", nil); strings.Contains(string(a.body), "escape") {
		t.Errorf("the link out is listed: %s", a.body)
	}
	// A sample that cannot be read is a 404 that names it, not where the server keeps it.
	secret := filepath.Join(outside, "secret")
	if err := os.MkdirAll(filepath.Join(secret, "samples", "folder.png"), 0o755); err != nil {
		t.Fatal(err)
	}
	a := do(t, newServer(t, Config{Run: secret}), "GET", "/api/runs/secret/samples/folder.png", nil)
	wantStatus(t, "unreadable sample", a, 404, "run secret: sample folder.png cannot be read")
	if strings.Contains(string(a.body), outside) {
		t.Errorf("the answer names the server's folders: %s", a.body)
	}
	// So is a metrics log that cannot be read: a 500 that names it, its cause in the log only.
	metrics := filepath.Join(secret, "metrics.jsonl")
	if err := os.RemoveAll(metrics); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(metrics, 0o755); err != nil {
		t.Fatal(err)
	}
	a = do(t, newServer(t, Config{Run: secret}), "GET", "/api/runs/secret/metrics", nil)
	wantStatus(t, "unreadable metrics", a, 500, "run secret: metrics.jsonl cannot be read (see the server's log)")
	if strings.Contains(string(a.body), outside) {
		t.Errorf("the answer names the server's folders: %s", a.body)
	}
	// A path with .. is no route: neither served nor redirected (TestNoRedirects).
	wantStatus(t, "dot-dot in the path", do(t, s, "GET", "/api/runs/mlp/../../etc/metrics", nil), 404, "no route")
}

func TestToken(t *testing.T) {
	s := newServer(t, Config{Token: "s3cret"})
	wantStatus(t, "no token", do(t, s, "GET", "/api/models", nil), 401, "missing token")
	wantStatus(t, "not bearer", do(t, s, "GET", "/api/models", nil, "Authorization", "Basic czNjcmV0"), 401, "missing token")
	wantStatus(t, "wrong token", do(t, s, "GET", "/api/models", nil, "Authorization", "Bearer s3cre"), 401, "wrong token")
	wantStatus(t, "wrong token, generate", do(t, s, "POST", "/api/models/mlp/generate", map[string]any{}, "Authorization", "Bearer x"), 401, "wrong token")
	wantStatus(t, "token", do(t, s, "GET", "/api/models", nil, "Authorization", "Bearer s3cret"), 200, "")
	wantStatus(t, "token, scheme in lower case", do(t, s, "GET", "/api/models", nil, "Authorization", "bearer s3cret"), 200, "")
	if a := do(t, s, "GET", "/api/models", nil); a.header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	for _, path := range []string{"/healthz", "/", "/static/app.js", "/api/openapi.json"} {
		wantStatus(t, path+" without token", do(t, s, "GET", path, nil), 200, "")
	}
}

// With every slot taken, a generation gets 503 and Retry-After, and gets
// through once a slot is free.
func TestBusy(t *testing.T) {
	s := newServer(t, Config{MaxConcurrent: 2, QueueWait: 20 * time.Millisecond})
	s.slots <- struct{}{}
	s.slots <- struct{}{}
	for path, body := range map[string]any{
		"/api/models/mlp/generate":    map[string]any{"n": 4},
		"/api/models/mlp/interpolate": map[string]any{"from_seed": 1, "to_seed": 2},
	} {
		a := do(t, s, "POST", path, body)
		wantStatus(t, "busy "+path, a, 503, "busy")
		if a.header.Get("Retry-After") == "" {
			t.Errorf("%s: 503 without Retry-After", path)
		}
	}
	<-s.slots
	wantStatus(t, "a free slot", do(t, s, "POST", "/api/models/mlp/generate", map[string]any{}), 200, "")
	// The generation gives its slot back just after it hands over its result,
	// so the response may come first: wait for the slot, within a bound.
	for deadline := time.Now().Add(5 * time.Second); len(s.slots) != 1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d slots taken 5 s after the generation, want 1 (the test's)", len(s.slots))
		}
	}
}

// A request past its deadline gets 503, and its generation's slot is given
// back when it finishes.
func TestRequestTimeout(t *testing.T) {
	s := newServer(t, Config{RequestTimeout: time.Nanosecond})
	wantStatus(t, "timeout", do(t, s, "POST", "/api/models/mlp/generate", map[string]any{"n": 256}), 503, "longer than the request's deadline")
	for deadline := time.Now().Add(10 * time.Second); len(s.slots) > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the slot of the timed-out generation was not given back")
		}
	}
}

func TestPanicIsRecovered(t *testing.T) {
	var logged bytes.Buffer
	h := recoverPanics(log.New(&logged, "", 0), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("boom")
	}))
	wantStatus(t, "panic", do(t, h, "GET", "/", nil), 500, "internal error")
	if !strings.Contains(logged.String(), "boom") {
		t.Errorf("the panic was not logged: %q", logged.String())
	}
	// A panic inside a generation (another goroutine) is a 500 too.
	s := newServer(t, Config{})
	err := s.compute(context.Background(), func() error { panic("boom") })
	if se, ok := err.(*statusError); !ok || se.status != 500 {
		t.Errorf("panic in compute: %v, want a 500", err)
	}
}

// A checkpoint saved while serving is served from the next request on; one
// that does not load leaves the previous one in service.
func TestCheckpointReload(t *testing.T) {
	runs := t.TempDir()
	tr := newTrainer(t, filepath.Join(runs, "live"), "mlp")
	tr.train(t, 2)
	s := newServer(t, Config{Runs: runs})
	step := func() string {
		a := do(t, s, "POST", "/api/models/live/generate", map[string]any{"n": 1})
		wantStatus(t, "generate", a, 200, "")
		return a.header.Get("X-Gogan-Step")
	}
	if got := step(); got != "2" {
		t.Fatalf("step %s, want 2", got)
	}
	tr.train(t, 3)
	if got := step(); got != "5" {
		t.Errorf("after a new checkpoint: step %s, want 5", got)
	}
	// A latest.json naming a tensor file that is not there.
	latest := filepath.Join(runs, "live", "checkpoints", "latest.json")
	raw, err := os.ReadFile(latest)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(raw), "step-", "missing-", 1)
	if err := os.WriteFile(latest+".tmp", []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(latest+".tmp", latest); err != nil {
		t.Fatal(err)
	}
	if got := step(); got != "5" {
		t.Errorf("after a broken checkpoint: step %s, want 5 still", got)
	}
}

func TestMetricsAndEvents(t *testing.T) {
	runs := t.TempDir()
	run := filepath.Join(runs, "r")
	newTrainer(t, run, "mlp").train(t, 1)
	metrics := filepath.Join(run, "metrics.jsonl")
	write := func(text string) {
		f, err := os.OpenFile(metrics, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(text); err != nil {
			t.Fatal(err)
		}
	}
	write(`{"step":5,"d_loss":1.2,"g_loss":0.7}` + "\n" + `{"step":10,"fid":"NaN","feature_net":"abc"}` + "\n" + `{"step":15,"fid":88.5}` + "\n" + `{"step":20,"d_lo`)
	s := newServer(t, Config{Runs: runs, Poll: 10 * time.Millisecond})
	a := do(t, s, "GET", "/api/runs/r/metrics", nil)
	wantStatus(t, "metrics", a, 200, "")
	var lines []map[string]any
	if err := json.Unmarshal(a.body, &lines); err != nil || len(lines) != 3 || lines[1]["feature_net"] != "abc" {
		t.Fatalf("metrics: %s (err %v), want the 3 complete lines", a.body, err)
	}
	var models struct{ Models []modelInfo }
	json.Unmarshal(do(t, s, "GET", "/api/models", nil).body, &models)
	if m := models.Models[0]; m.FID == nil || *m.FID != 88.5 || *m.FIDStep != 15 {
		t.Errorf("models: FID %v at %v, want 88.5 at 15", m.FID, m.FIDStep)
	}

	srv := httptestServer(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv+"/api/runs/r/events", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("events: Content-Type %q", ct)
	}
	events := make(chan string, 100)
	go readEvents(res.Body, events)
	next := func(want string) string {
		t.Helper()
		for {
			select {
			case e := <-events:
				if strings.HasPrefix(e, "event: "+want+"\n") {
					return e
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("no %s event within 5 s", want)
			}
		}
	}
	for i := range 3 {
		if e := next("metrics"); i == 2 && !strings.Contains(e, `"fid":88.5`) {
			t.Errorf("third metrics event %q", e)
		}
	}
	next("checkpoint")
	write(`ss":0.9}` + "\n")
	if e := next("metrics"); !strings.Contains(e, `{"step":20,"d_loss":0.9}`) {
		t.Errorf("the line completed later: %q", e)
	}
	if err := os.MkdirAll(filepath.Join(run, "samples"), 0o755); err != nil {
		t.Fatal(err)
	}
	var grid bytes.Buffer
	png.Encode(&grid, image.NewGray(image.Rect(0, 0, 10, 10)))
	if err := os.WriteFile(filepath.Join(run, "samples", "epoch-001.png"), grid.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	e := next("sample")
	var sample struct{ File, URL string }
	json.Unmarshal([]byte(strings.TrimPrefix(strings.SplitN(e, "\n", 2)[1], "data: ")), &sample)
	if sample.File != "epoch-001.png" {
		t.Fatalf("sample event %q", e)
	}
	got := do(t, s, "GET", sample.URL, nil)
	wantStatus(t, "sample", got, 200, "")
	if !bytes.Equal(got.body, grid.Bytes()) {
		t.Error("the sample served is not the file")
	}
}

// readEvents sends each event block of an event stream.
func readEvents(r io.Reader, out chan<- string) {
	var buf []byte
	chunk := make([]byte, 4096)
	for {
		n, err := r.Read(chunk)
		buf = append(buf, chunk[:n]...)
		for {
			i := bytes.Index(buf, []byte("\n\n"))
			if i < 0 {
				break
			}
			out <- string(buf[:i+1])
			buf = buf[i+2:]
		}
		if err != nil {
			close(out)
			return
		}
	}
}

// openEvents opens the event stream at path on s, served by httptestServer, and
// returns its events (see readEvents); the stream is closed when the test ends.
func openEvents(t *testing.T, s *Server, path string) <-chan string {
	t.Helper()
	res, err := http.Get(httptestServer(t, s) + path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	events := make(chan string, 100)
	go readEvents(res.Body, events)
	return events
}

// httptestServer serves s on loopback through Serve until the test ends, and
// returns its URL.
func httptestServer(t *testing.T, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// Shutting down ends the open event streams and returns at once.
func TestGracefulShutdown(t *testing.T) {
	s := newServer(t, Config{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	res, err := http.Get("http://" + ln.Addr().String() + "/api/runs/mlp/events")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(8 * time.Second):
		t.Fatal("Serve did not return within 8 s of the shutdown")
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("shutdown took %v with an open event stream", took)
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:80": true, "LocalHost:80": true, "[::1]:8080": true, "127.1.2.3:1": true,
		":8080": false, "0.0.0.0:8080": false, "192.168.1.2:80": false, "[::]:80": false, "example.com:80": false, "nonsense": false,
	} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, cfg := range []Config{{}, {Runs: "a", Run: "b"}, {Runs: filepath.Join(t.TempDir(), "none")}, {Run: t.TempDir()}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

// An event stream outlives the server's read and write timeouts (derived
// from RequestTimeout) and still delivers new lines.
func TestEventStreamOutlivesTimeouts(t *testing.T) {
	runs := t.TempDir()
	newTrainer(t, filepath.Join(runs, "r"), "mlp").train(t, 1)
	s := newServer(t, Config{Runs: runs, RequestTimeout: 500 * time.Millisecond, Poll: 20 * time.Millisecond})
	events := openEvents(t, s, "/api/runs/r/events")
	time.Sleep(1200 * time.Millisecond) // past the read deadline, and the first write deadline
	if err := os.WriteFile(filepath.Join(runs, "r", "metrics.jsonl"), []byte(`{"step":1,"d_loss":0.5}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for timeout := time.After(5 * time.Second); ; {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatal("the stream ended")
			}
			if strings.HasPrefix(e, "event: metrics\n") {
				return
			}
		case <-timeout:
			t.Fatal("no metrics event within 5 s")
		}
	}
}

// Color images make RGBA grids and dithered GIFs; a model of points is
// listed as making no images, and generating from it is a 400.
func TestColorAndPoints(t *testing.T) {
	colors := []color.RGBA{{255, 0, 0, 255}, {0, 0, 255, 255}, {255, 255, 255, 255}}
	var imgs []image.Image
	for _, c := range colors {
		img := image.NewRGBA(image.Rect(0, 0, 5, 4))
		draw.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
		imgs = append(imgs, img)
	}
	// The same three colors as a batch of 5×4×3 samples in [−1, 1].
	batch := &generator.Batch{N: len(colors), Shape: tensor.Shape{4, 5, 3}}
	for _, c := range colors {
		for range 4 * 5 {
			for _, v := range []uint8{c.R, c.G, c.B} {
				batch.Data = append(batch.Data, float32(v)/127.5-1)
			}
		}
	}
	g, err := grid(batch, 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := g.(*image.RGBA); !ok || g.Bounds() != image.Rect(0, 0, 2*5+2, 2*4+2) {
		t.Fatalf("grid %T of %v, want RGBA of 12×10", g, g.Bounds())
	}
	if got := color.RGBAModel.Convert(g.At(0, 6)); got != colors[2] {
		t.Errorf("cell 2 is %v, want %v", got, colors[2])
	}
	if got := color.RGBAModel.Convert(g.At(9, 9)); got != (color.RGBA{report.PaddingGray, report.PaddingGray, report.PaddingGray, 255}) {
		t.Errorf("the empty cell is %v, want padding gray", got)
	}
	var buf bytes.Buffer
	if err := encodeGIF(&buf, imgs, 5); err != nil {
		t.Fatal(err)
	}
	anim, err := gif.DecodeAll(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range anim.Image {
		r, g, b, _ := f.At(2, 2).RGBA()
		want := colors[i]
		if d := max(absDiff(r>>8, uint32(want.R)), absDiff(g>>8, uint32(want.G)), absDiff(b>>8, uint32(want.B))); d > 16 {
			t.Errorf("GIF frame %d is %d %d %d, want near %v", i, r>>8, g>>8, b>>8, want)
		}
	}

	runs := t.TempDir()
	cfg := gan.DefaultConfig()
	cfg.Model = "mlp2d"
	gan.ApplyRecipe(&cfg, map[string]bool{})
	job, err := gan.NewJob(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := job.SaveCheckpoint(filepath.Join(runs, "toy", "checkpoints")); err != nil {
		t.Fatal(err)
	}
	s := newServer(t, Config{Runs: runs})
	var models struct{ Models []modelInfo }
	json.Unmarshal(do(t, s, "GET", "/api/models", nil).body, &models)
	if len(models.Models) != 1 || models.Models[0].Images || !strings.Contains(models.Models[0].Error, "not images") {
		t.Errorf("models: %+v, want toy without images", models.Models)
	}
	wantStatus(t, "points", do(t, s, "POST", "/api/models/toy/generate", map[string]any{}), 400, "not images")
}

func absDiff(a, b uint32) uint32 { return max(a, b) - min(a, b) }

// A long log is read a piece at a time (readSomeLines), and an event stream sends
// it all, in order, at once: here the poll interval is an hour.
func TestEventBacklogInPieces(t *testing.T) {
	runs := t.TempDir()
	newTrainer(t, filepath.Join(runs, "r"), "mlp").train(t, 1)
	var log bytes.Buffer
	const n = 12000 // about 3 MiB, a dozen pieces
	for i := range n {
		fmt.Fprintf(&log, `{"step":%d,"d_loss":0.5,"g_loss":0.7,"d_real":0.5,"d_fake":0.5,"pad":"%s"}`+"\n", i, strings.Repeat("x", 160))
	}
	path := filepath.Join(runs, "r", "metrics.jsonl")
	if err := os.WriteFile(path, log.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	lines, next, more, err := readSomeLines(path, 0, maxPollBytes)
	if err != nil || !more || len(lines) == 0 || len(lines) >= n || next <= maxPollBytes || next > maxPollBytes+512 {
		t.Fatalf("one piece: %d lines up to byte %d, more %v, %v", len(lines), next, more, err)
	}
	s := newServer(t, Config{Runs: runs, Poll: time.Hour})
	events := openEvents(t, s, "/api/runs/r/events")
	for i, timeout := 0, time.After(20*time.Second); i < n; {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatalf("the stream ended after %d lines", i)
			}
			if !strings.HasPrefix(e, "event: metrics\n") {
				continue
			}
			if want := fmt.Sprintf(`{"step":%d,`, i); !strings.Contains(e, want) {
				t.Fatalf("metrics event %d is %.60q, want step %d", i, e, i)
			}
			i++
		case <-timeout:
			t.Fatalf("%d of %d lines within 20 s", i, n)
		}
	}
}

// Event streams past MaxStreams get 503 with Retry-After; a stream that closes
// gives its place back.
func TestEventStreamsBounded(t *testing.T) {
	runs := t.TempDir()
	newTrainer(t, filepath.Join(runs, "r"), "mlp").train(t, 1)
	srv := httptestServer(t, newServer(t, Config{Runs: runs, MaxStreams: 1, Poll: 10 * time.Millisecond}))
	open := func() (*http.Response, context.CancelFunc) {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", srv+"/api/runs/r/events", nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res, cancel
	}
	first, closeFirst := open()
	if first.StatusCode != 200 {
		t.Fatalf("first stream: %d", first.StatusCode)
	}
	second, closeSecond := open()
	body, _ := io.ReadAll(second.Body)
	closeSecond()
	if second.StatusCode != 503 || second.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "busy: 1 event streams are open") {
		t.Fatalf("second stream: %d, Retry-After %q, %s", second.StatusCode, second.Header.Get("Retry-After"), body)
	}
	closeFirst()
	first.Body.Close()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		third, closeThird := open()
		code := third.StatusCode
		closeThird()
		third.Body.Close()
		if code == 200 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a stream after the first closed: %d", code)
		}
	}
}

// An interpolation's class out of range is refused without offering -1, which an
// interpolation refuses too.
func TestInterpolateClassOutOfRangeOffersNoMinusOne(t *testing.T) {
	s := newServer(t, Config{})
	for _, class := range []int{-2, 10} {
		a := do(t, s, "POST", "/api/models/cgan/interpolate", map[string]any{"from_seed": 1, "to_seed": 2, "class": class})
		wantStatus(t, fmt.Sprintf("class %d", class), a, 400, fmt.Sprintf("class must be in [0, 10), got %d", class))
		if strings.Contains(string(a.body), "-1") {
			t.Errorf("class %d: the answer offers -1: %s", class, a.body)
		}
	}
}

// A checkpoint that does not load answers 503 with a Retry-After that a client can
// trust: the answer is given again for retryLoad, so a client that waits as told
// and finds the checkpoint repaired is served.
func TestLoadFailureRetryAfter(t *testing.T) {
	runs := t.TempDir()
	newTrainer(t, filepath.Join(runs, "b"), "mlp").train(t, 1)
	tensors, err := filepath.Glob(filepath.Join(runs, "b", "checkpoints", "*.safetensors"))
	if err != nil || len(tensors) != 1 {
		t.Fatalf("tensor files %v, %v", tensors, err)
	}
	whole, err := os.ReadFile(tensors[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tensors[0], whole[:len(whole)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	s := newServer(t, Config{Runs: runs})
	a := do(t, s, "POST", "/api/models/b/generate", map[string]any{"n": 1})
	wantStatus(t, "damaged", a, http.StatusServiceUnavailable, "its checkpoint does not load")
	wait, err := strconv.Atoi(a.header.Get("Retry-After"))
	if err != nil || time.Duration(wait)*time.Second < retryLoad {
		t.Fatalf("Retry-After %q, want at least retryLoad (%v)", a.header.Get("Retry-After"), retryLoad)
	}
	if err := os.WriteFile(tensors[0], whole, 0o644); err != nil { // repaired, latest.json unchanged
		t.Fatal(err)
	}
	time.Sleep(time.Duration(wait) * time.Second)
	a = do(t, s, "POST", "/api/models/b/generate", map[string]any{"n": 1})
	wantStatus(t, "repaired, after Retry-After", a, 200, "")
}

// A single run given through a symbolic link serves its samples, under the link's name.
func TestSingleRunThroughLinkServesSamples(t *testing.T) {
	run := filepath.Join(t.TempDir(), "real")
	newTrainer(t, run, "mlp").train(t, 1)
	if err := os.MkdirAll(filepath.Join(run, "samples"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(run, "samples", "epoch-001.png"), []byte("png"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(run, link); err != nil {
		t.Skipf("no symbolic links: %v", err)
	}
	s := newServer(t, Config{Run: link})
	a := do(t, s, "GET", "/api/runs/link/samples/epoch-001.png", nil)
	wantStatus(t, "sample through the link", a, 200, "")
	if string(a.body) != "png" {
		t.Errorf("sample: %q", a.body)
	}
}

// hugeLatent is a latent vector of the seed's size whose entries are finite but so
// large that the generator's products overflow to ±Inf and NaN.
func hugeLatent() []float32 {
	z := make([]float32, 100)
	for i := range z {
		z[i] = float32(3e38 * float64(1-2*(i%2)))
	}
	return z
}
