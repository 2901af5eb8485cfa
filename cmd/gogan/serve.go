package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/gogan/gogan/serve"
)

// serveFlags are gogan serve's flags.
type serveFlags struct {
	runs, run, addr, token string
	maxConcurrent          int
	maxStreams             int
	queueWait, timeout     time.Duration
}

func newServeCommand() *command {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	f := &serveFlags{}
	fs.StringVar(&f.runs, "runs", "", "serve every run in this folder (each a folder with checkpoints/latest.json or metrics.jsonl)")
	fs.StringVar(&f.run, "run", "", "serve this one run folder")
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "host:port to listen on; anything but loopback needs --token")
	fs.StringVar(&f.token, "token", "", "require Authorization: Bearer TOKEN on the API (default: $GOGAN_TOKEN)")
	fs.IntVar(&f.maxConcurrent, "max-concurrent", 0, "generations at once; more wait --queue-wait, then get 503 (default: the number of CPUs)")
	fs.IntVar(&f.maxStreams, "max-streams", 64, "event streams (the studio's live view of a run) open at once; more get 503")
	fs.DurationVar(&f.queueWait, "queue-wait", time.Second, "how long a generation waits for a free slot before 503")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "deadline of one request")
	c := &command{
		name: "serve", usage: "--runs DIR | --run DIR [--addr 127.0.0.1:8080] [--token T]", flags: fs,
		short: "Serve the runs' generators over HTTP: a JSON API (/api/openapi.json) and a web studio to generate, interpolate and watch training.",
	}
	c.run = func(env *environment, _ []string) error { return runServe(env, f) }
	return c
}

// runServe checks the flags, listens, and serves until SIGINT or SIGTERM.
func runServe(env *environment, f *serveFlags) error {
	if (f.runs == "") == (f.run == "") {
		return usageError{"give --runs DIR or --run DIR (one of them)"}
	}
	if f.token == "" {
		f.token = os.Getenv("GOGAN_TOKEN")
	}
	_, port, err := net.SplitHostPort(f.addr)
	if err != nil {
		return usageError{fmt.Sprintf("--addr must be host:port, got %q", f.addr)}
	}
	if p, err := strconv.Atoi(port); port != "" && (err != nil || p < 0 || p > 65535) {
		return usageError{fmt.Sprintf("--addr %s: the port must be a number in [0, 65535], got %q", f.addr, port)}
	}
	if !serve.IsLoopback(f.addr) && f.token == "" {
		return usageError{fmt.Sprintf("--addr %s is reachable from other machines: give --token (or $GOGAN_TOKEN), or bind 127.0.0.1", f.addr)}
	}
	if f.maxConcurrent < 0 || f.queueWait < 0 || f.timeout < 0 {
		return usageError{"--max-concurrent, --queue-wait and --timeout must not be negative"}
	}
	if f.maxStreams < 1 {
		return usageError{fmt.Sprintf("--max-streams must be at least 1, got %d", f.maxStreams)}
	}
	if f.timeout == 0 {
		return usageError{"--timeout must be positive (a request's deadline), got 0"}
	}
	srv, err := serve.New(serve.Config{
		Runs: f.runs, Run: f.run, Token: f.token,
		MaxConcurrent: f.maxConcurrent, QueueWait: f.queueWait, RequestTimeout: f.timeout,
		MaxStreams: f.maxStreams,
		Log:        log.New(env.stderr, "gogan ", log.LstdFlags), // its lines begin "serve: "
	})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "serving at http://%s/ (API: /api/openapi.json); Ctrl-C stops\n", ln.Addr())
	if err := srv.Serve(ctx, ln); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, "stopped")
	return nil
}
