package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestServeUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{split("serve"), 2, "give --runs DIR or --run DIR"},
		{split("serve --runs a --run b"), 2, "give --runs DIR or --run DIR"},
		{split("serve --runs . --addr 0.0.0.0:8080"), 2, "--addr 0.0.0.0:8080 is reachable from other machines: give --token"},
		{split("serve --runs . --addr :8080"), 2, "give --token"},
		{split("serve --runs . --addr nonsense"), 2, `--addr must be host:port, got "nonsense"`},
		{split("serve --runs . --addr 127.0.0.1:99999"), 2, `the port must be a number in [0, 65535], got "99999"`},
		{split("serve --runs . --timeout 0"), 2, "--timeout must be positive"},
		{split("serve --runs . --max-concurrent -1"), 2, "must not be negative"},
		{split("serve --runs . --max-streams 0"), 2, "--max-streams must be at least 1, got 0"},
		{[]string{"serve", "--runs", filepath.Join(t.TempDir(), "none")}, 1, "gogan serve: runs folder"},
		{[]string{"serve", "--run", t.TempDir()}, 1, "has no checkpoint"},
	} {
		wantError(t, gogan(t, tc.args...), tc.code, tc.want)
	}
}

// gogan serve answers on its address, and SIGTERM stops it with exit 0.
func TestServeStartsAndStops(t *testing.T) {
	_, run := trainedRun(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	done := make(chan result, 1)
	go func() { done <- gogan(t, "serve", "--run", run, "--addr", addr, "--token", "tok") }()
	base := "http://" + addr
	get := func(path string) (int, string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer tok")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		if code, _ := get("/healthz"); code == 200 {
			break
		}
		select {
		case r := <-done:
			t.Fatalf("gogan serve stopped: %s", r)
		default:
		}
		if time.Since(start) > 20*time.Second {
			t.Fatal("gogan serve did not answer /healthz within 20 s")
		}
	}
	if code, body := get("/api/models"); code != 200 || !strings.Contains(body, fmt.Sprintf(`"name":%q`, filepath.Base(run))) {
		t.Errorf("/api/models: %d %s", code, body)
	}
	res, err := http.Post(base+"/api/models/"+filepath.Base(run)+"/generate", "application/json", strings.NewReader(`{"n": 4}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Errorf("generate without the token: %d, want 401", res.StatusCode)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-done:
		wantExit(t, r, 0)
		if !strings.Contains(r.stdout, "serving at http://"+addr) || !strings.Contains(r.stdout, "stopped") {
			t.Errorf("stdout: %q", r.stdout)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("gogan serve did not stop within 15 s of SIGTERM")
	}
}
