package serve

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// routePath is a path that the route's pattern matches: a run name for
// {name}, a file for {file}.
func routePath(pattern string) string {
	p := strings.TrimSuffix(pattern, "{$}")
	p = strings.ReplaceAll(p, "{name}", "mlp")
	return strings.ReplaceAll(p, "{file}", "x.png")
}

// uncleanPaths are spellings of p, a canonical path, that http.ServeMux
// cleans back to p (or to p with a final slash) and redirects.
func uncleanPaths(p string) []string {
	head, tail, _ := strings.Cut(p[1:], "/")
	out := []string{"/" + p, p + "/.", p + "/..", "/./" + p[1:], "/x/.." + p}
	if tail != "" {
		out = append(out, "/"+head+"//"+tail, "/"+head+"/./"+tail, "/"+head+"/x/../"+tail)
	}
	if p != "/" {
		out = append(out, p+"/", p+"//")
	}
	return out
}

// No path of any route, spelled another way, is redirected: each is a 404 in
// JSON, with its method or another.
func TestNoRedirects(t *testing.T) {
	s := newServer(t, Config{Token: "s3cret"})
	for _, rt := range s.routes() {
		for _, p := range uncleanPaths(routePath(rt.pattern)) {
			for _, method := range []string{rt.method, "GET", "POST", "DELETE"} {
				a := do(t, s, method, p, nil, "Authorization", "Bearer s3cret")
				wantStatus(t, method+" "+p, a, http.StatusNotFound, "no route "+method+" "+p)
				if loc := a.header.Get("Location"); loc != "" {
					t.Errorf("%s %s: Location %q", method, p, loc)
				}
			}
		}
	}
}

// exchange sends one raw request on a new connection to addr and returns the
// answer, its body read unless method is HEAD.
func exchange(t *testing.T, addr, method, target, header string) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	go fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: localhost\r\n%sConnection: close\r\n\r\n", method, target, header)
	res, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, target, err)
	}
	return res, body
}

// Hostile requests sent as bytes on the wire, past net/http's parsing and
// the client's path cleaning: each gets JSON with its status, but for the
// oversized header, which net/http answers itself in plain text (serve's
// doc.go says why).
func TestHostileRequests(t *testing.T) {
	addr := strings.TrimPrefix(httptestServer(t, newServer(t, Config{})), "http://")
	big := func(n int) string { return "X-Big: " + strings.Repeat("a", n) + "\r\n" }
	for _, tc := range []struct {
		method, target, header string
		code                   int
		allow, want            string // want: in the JSON error; "" for none
	}{
		{"GET", "/api/models", big(60 << 10), 200, "", ""},
		{"DELETE", "/api/models", big(60 << 10), 405, "GET, HEAD", "method DELETE is not allowed"},
		{"GET", "//api/models", "", 404, "", "no route GET //api/models"},
		{"GET", "/api//models", "", 404, "", "no route GET /api//models"},
		{"GET", "/api/./models", "", 404, "", "no route"},
		{"GET", "/api/runs/mlp/../../etc/metrics", "", 404, "", "no route GET /api/runs/mlp/../../etc/metrics"},
		{"GET", "/api/runs/mlp/../cgan/metrics", "", 404, "", "no route"},
		{"GET", "/static//app.js", "", 404, "", "no route"},
		{"GET", "//", "", 404, "", "no route"},
		{"GET", "/..", "", 404, "", "no route"},
		{"GET", "/api/models/", "", 404, "", "no route GET /api/models/"},
		{"GET", "/healthz/", "", 404, "", "no route"},
		{"POST", "/api/models/mlp/generate/", "", 404, "", "no route"},
		{"GET", "/api/runs/%2E%2E/metrics", "", 400, "", "is not a plain folder name"},
		{"CONNECT", "localhost:80", "", 404, "", "no route CONNECT localhost:80"},
		{"POST", "/api/models", "", 405, "GET, HEAD", "method POST is not allowed on /api/models (allowed: GET, HEAD)"},
		{"PUT", "/", "", 405, "GET, HEAD", "method PUT is not allowed"},
		{"GET", "/api/models/mlp/generate", "", 405, "POST", "method GET is not allowed"},
		{"DELETE", "/api/runs/mlp/samples/x.png", "", 405, "GET, HEAD", "not allowed"},
		{"OPTIONS", "/api/models", "", 405, "GET, HEAD", "method OPTIONS is not allowed"},
		{"OPTIONS", "/api/models/mlp/generate", "Origin: http://attacker.example\r\nAccess-Control-Request-Method: POST\r\n", 405, "POST", "method OPTIONS is not allowed"},
		{"HEAD", "/api/models", "", 200, "", ""},
		{"HEAD", "/healthz", "", 200, "", ""},
		{"HEAD", "/api/models/mlp/generate", "", 405, "POST", ""},
		{"HEAD", "/api/nothing", "", 404, "", ""},
		{"HEAD", "/api//models", "", 404, "", ""},
	} {
		what := tc.method + " " + tc.target
		res, body := exchange(t, addr, tc.method, tc.target, tc.header)
		if tc.method == "HEAD" {
			if res.StatusCode != tc.code || len(body) != 0 || res.Header.Get("Content-Type") != "application/json" {
				t.Errorf("%s: %d %q with a body of %d bytes, want %d application/json and no body", what, res.StatusCode, res.Header.Get("Content-Type"), len(body), tc.code)
			}
		} else {
			wantStatus(t, what, answer{res.StatusCode, res.Header, body}, tc.code, tc.want)
		}
		if got := res.Header.Get("Allow"); got != tc.allow {
			t.Errorf("%s: Allow %q, want %q", what, got, tc.allow)
		}
		if loc := res.Header.Get("Location"); loc != "" || res.StatusCode/100 == 3 {
			t.Errorf("%s: redirected (%d) to %q", what, res.StatusCode, loc)
		}
		if res.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s: a CORS grant", what)
		}
	}
	// Past http.Server.MaxHeaderBytes, net/http answers before any handler.
	res, body := exchange(t, addr, "GET", "/api/models", big(80<<10))
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("oversized header: %d %q, want 431", res.StatusCode, body)
	}
}

// Every operation of openapi.json lists the errors its route can answer:
// 421 and 500 on every route, 401 behind the token, 400, 403 and 404 for a
// run's name, those of a JSON body on a POST, and 503 for the routes that
// take a slot.
func TestOpenAPIListsErrors(t *testing.T) {
	s := newServer(t, Config{})
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]json.RawMessage `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(do(t, s, "GET", "/api/openapi.json", nil).body, &doc); err != nil {
		t.Fatal(err)
	}
	for _, rt := range s.routes() {
		want := []string{"421", "500"}
		if !rt.public {
			want = append(want, "401")
		}
		if strings.Contains(rt.pattern, "{name}") {
			want = append(want, "400", "403", "404")
		}
		if rt.method == "POST" {
			want = append(want, "408", "413", "415", "503")
		}
		if rt.stream {
			want = append(want, "503")
		}
		op := doc.Paths[strings.TrimSuffix(rt.pattern, "{$}")][strings.ToLower(rt.method)]
		for _, code := range want {
			if _, ok := op.Responses[code]; !ok {
				t.Errorf("openapi.json: %s %s does not list %s", rt.method, rt.pattern, code)
			}
		}
	}
}

// HEAD on an event stream answers GET's headers and ends: a client's next
// request on the same connection is answered, and the stream's place is free.
func TestHeadEvents(t *testing.T) {
	runs := t.TempDir()
	newTrainer(t, filepath.Join(runs, "r"), "mlp").train(t, 1)
	base := httptestServer(t, newServer(t, Config{Runs: runs, MaxStreams: 1, Poll: 10 * time.Millisecond}))
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}, Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	res, err := client.Head(base + "/api/runs/r/events")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Errorf("HEAD events: %d %q, want 200 text/event-stream", res.StatusCode, res.Header.Get("Content-Type"))
	}
	res, err = client.Get(base + "/api/runs/r/metrics") // on the same connection
	if err != nil {
		t.Fatalf("the request after HEAD events: %v", err)
	}
	res.Body.Close()
	res, err = client.Get(base + "/api/runs/r/events")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("GET events after HEAD: %d, want 200 (the HEAD holds no stream)", res.StatusCode)
	}
}
