package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gogan/gogan/gan"
)

// POST bodies must be sent as application/json: a page of another site can
// send text/plain or a form without asking, not JSON.
func TestContentTypeRequired(t *testing.T) {
	s := newServer(t, Config{})
	for _, ct := range []string{"", "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx", "nonsense;;"} {
		for _, op := range []string{"generate", "interpolate"} {
			a := do(t, s, "POST", "/api/models/mlp/"+op, `{"n": 1, "from_seed": 1, "to_seed": 2}`, "Content-Type", ct)
			if op == "generate" {
				a = do(t, s, "POST", "/api/models/mlp/"+op, `{"n": 1}`, "Content-Type", ct)
			}
			wantStatus(t, op+" with Content-Type "+ct, a, http.StatusUnsupportedMediaType, "Content-Type: application/json")
		}
	}
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON"} {
		wantStatus(t, "generate with Content-Type "+ct, do(t, s, "POST", "/api/models/mlp/generate", `{"n": 1}`, "Content-Type", ct), 200, "")
	}
}

func TestIsLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST:8080": true, "127.0.0.1": true, "127.0.0.1:80": true, "127.9.8.7:1": true,
		"[::1]": true, "[::1]:8080": true, "::1": true,
		"": false, "attacker.example": false, "attacker.example:8080": false, "localhost.attacker.example": false,
		"0.0.0.0:80": false, "192.168.1.2": false, "[::]:80": false, "127.0.0.1.nip.io": false, "[::1]x": false,
	} {
		if got := isLoopbackHost(host); got != want {
			t.Errorf("isLoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}

// hostStatus sends GET or POST path to the server at base with the Host
// header host, and returns the status and the JSON error, if any.
func hostStatus(t *testing.T, base, method, path, host string, header ...string) (int, string) {
	t.Helper()
	var body *strings.Reader
	if method == "POST" {
		body = strings.NewReader(`{"n": 1}`)
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if host != "" {
		req.Host = host
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var e struct {
		Error string `json:"error"`
	}
	if res.StatusCode >= 400 {
		if ct := res.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s Host %s: error Content-Type %q", method, path, host, ct)
		}
		if err := json.NewDecoder(res.Body).Decode(&e); err != nil || e.Error == "" {
			t.Errorf("%s %s Host %s: error body is not JSON {\"error\": ...}", method, path, host)
		}
	}
	return res.StatusCode, e.Error
}

// Without a token on loopback, only requests for a loopback name are served
// (DNS rebinding); with a token, any Host is.
func TestHostOnLoopback(t *testing.T) {
	base := httptestServer(t, newServer(t, Config{}))
	port := base[strings.LastIndex(base, ":")+1:]
	for _, host := range []string{"attacker.example", "attacker.example:" + port, "localhost.attacker.example:" + port, "192.168.1.2:" + port} {
		for _, path := range []string{"/api/models", "/", "/healthz", "/api/openapi.json"} {
			if code, msg := hostStatus(t, base, "GET", path, host); code != http.StatusMisdirectedRequest || !strings.Contains(msg, "is not served") {
				t.Errorf("GET %s Host %s: %d %q, want 421", path, host, code, msg)
			}
		}
		if code, _ := hostStatus(t, base, "POST", "/api/models/mlp/generate", host); code != http.StatusMisdirectedRequest {
			t.Errorf("POST generate Host %s: %d, want 421", host, code)
		}
	}
	for _, host := range []string{"", "localhost:" + port, "localhost", "127.0.0.1:" + port, "[::1]:" + port} {
		if code, msg := hostStatus(t, base, "GET", "/api/models", host); code != 200 {
			t.Errorf("GET /api/models Host %q: %d %q, want 200", host, code, msg)
		}
	}
	if code, msg := hostStatus(t, base, "POST", "/api/models/mlp/generate", "localhost:"+port); code != 200 {
		t.Errorf("POST generate Host localhost: %d %q, want 200", code, msg)
	}

	withToken := httptestServer(t, newServer(t, Config{Token: "s3cret"}))
	if code, msg := hostStatus(t, withToken, "GET", "/api/models", "gogan.example:443", "Authorization", "Bearer s3cret"); code != 200 {
		t.Errorf("with a token, Host gogan.example: %d %q, want 200", code, msg)
	}
}

// A body sent too slowly gets 408, with no socket address in the answer.
func TestSlowBodyTimesOut(t *testing.T) {
	base := httptestServer(t, newServer(t, Config{RequestTimeout: 300 * time.Millisecond}))
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"n": 1}`
	fmt.Fprintf(conn, "POST /api/models/mlp/generate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:3])
	time.Sleep(time.Second) // past the read timeout; the rest of the body never comes in time
	conn.Write([]byte(body[3:]))
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	wantStatus(t, "slow body", answer{res.StatusCode, res.Header, raw}, http.StatusRequestTimeout, "read timeout")
	if strings.Contains(string(raw), "127.0.0.1") || strings.Contains(string(raw), "tcp") {
		t.Errorf("the answer shows socket addresses: %s", raw)
	}
}

// A run whose model generates nothing gets 400, one whose checkpoint is
// damaged 503; neither answer shows the server's folders.
func TestUnservableRuns(t *testing.T) {
	root := t.TempDir()
	cfg := gan.DefaultConfig()
	cfg.Model = "classifier"
	gan.ApplyRecipe(&cfg, map[string]bool{})
	job, err := gan.NewJob(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := job.SaveCheckpoint(filepath.Join(root, "clf", "checkpoints")); err != nil {
		t.Fatal(err)
	}
	newTrainer(t, filepath.Join(root, "broken"), "mlp").train(t, 1)
	tensors, err := filepath.Glob(filepath.Join(root, "broken", "checkpoints", "*.safetensors"))
	if err != nil || len(tensors) == 0 {
		t.Fatalf("no tensor file: %v", err)
	}
	for _, f := range tensors {
		info, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(f, info.Size()/2); err != nil {
			t.Fatal(err)
		}
	}
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	s := newServer(t, Config{Runs: root, Log: log.New(&logged, "", 0)})
	noPaths := func(what string, a answer) {
		t.Helper()
		if strings.Contains(string(a.body), root) || strings.Contains(string(a.body), real) {
			t.Errorf("%s: the answer shows the server's folders: %s", what, a.body)
		}
	}
	start := time.Now()
	for _, op := range []string{"generate", "interpolate"} {
		a := do(t, s, "POST", "/api/models/clf/"+op, map[string]any{"from_seed": 1, "to_seed": 2})
		if op == "generate" {
			a = do(t, s, "POST", "/api/models/clf/"+op, map[string]any{"n": 1})
		}
		wantStatus(t, "classifier "+op, a, http.StatusBadRequest, "model classifier generates nothing")
		wantStatus(t, "classifier "+op, a, http.StatusBadRequest, "run clf")
		noPaths("classifier "+op, a)

		a = do(t, s, "POST", "/api/models/broken/"+op, map[string]any{"from_seed": 1, "to_seed": 2})
		if op == "generate" {
			a = do(t, s, "POST", "/api/models/broken/"+op, map[string]any{"n": 1})
		}
		wantStatus(t, "damaged "+op, a, http.StatusServiceUnavailable, "run broken: its checkpoint does not load")
		if a.header.Get("Retry-After") == "" {
			t.Errorf("damaged %s: 503 without Retry-After", op)
		}
		noPaths("damaged "+op, a)
	}
	a := do(t, s, "GET", "/api/models", nil)
	wantStatus(t, "models", a, 200, "")
	noPaths("models", a)
	for _, want := range []string{`"name":"clf"`, "generates nothing", `"name":"broken"`, "does not load"} {
		if !strings.Contains(string(a.body), want) {
			t.Errorf("models: %s lacks %s", a.body, want)
		}
	}
	if !strings.Contains(logged.String(), real) && !strings.Contains(logged.String(), root) {
		t.Errorf("the log lacks the damaged checkpoint's full error: %q", logged.String())
	}
	// The requests above, within retryLoad of each other, tried to load it once.
	if n := strings.Count(logged.String(), "run broken: its checkpoint does not load"); n != 1 && time.Since(start) < retryLoad {
		t.Errorf("the damaged checkpoint was loaded %d times, want once: %q", n, logged.String())
	}
}

// A server bound to every interface (it has a token under gogan serve)
// answers any Host, as before.
func TestHostOnOtherAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Skipf("cannot listen on every interface: %v", err)
	}
	s := newServer(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	base := fmt.Sprintf("http://127.0.0.1:%d", ln.Addr().(*net.TCPAddr).Port)
	if code, msg := hostStatus(t, base, "GET", "/api/models", "gogan.example:8080"); code != 200 {
		t.Errorf("on 0.0.0.0, Host gogan.example: %d %q, want 200", code, msg)
	}
}
