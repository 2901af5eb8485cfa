// Command serveload is a bounded load test of gogan serve on loopback: it
// serves a run in-process (serve.New and Serve on 127.0.0.1, as gogan serve
// does, with its default limits), lets a number of clients POST generate
// requests back to back for a while, and prints the answers' statuses,
// the latency percentiles of the successful ones, the throughput and the
// process's peak resident memory (VmHWM of /proc/self/status, server and
// clients together):
//
//	go run ./bench/serveload                      # 32 clients, 20 s, n=16 on a fresh mlp run
//	go run ./bench/serveload -run runs/mlp-... -clients 64 -duration 30s
//
// Without -run it saves an untrained seed GAN (model mlp) into a temporary
// folder: a generation costs the same whatever the weights. It exits 1 if
// any answer is neither 200 nor 503 (busy), or if a request fails.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/serve"
)

func main() {
	runDir := flag.String("run", "", "run folder to serve (default: an untrained mlp in a temporary folder)")
	clients := flag.Int("clients", 32, "concurrent clients")
	duration := flag.Duration("duration", 20*time.Second, "how long the clients send requests")
	n := flag.Int("n", 16, "samples per request")
	maxConcurrent := flag.Int("max-concurrent", 0, "generations at once (default: the number of CPUs, as gogan serve)")
	queueWait := flag.Duration("queue-wait", time.Second, "how long a generation waits for a slot (gogan serve's default)")
	flag.Parse()
	if err := run(*runDir, *clients, *duration, *n, *maxConcurrent, *queueWait); err != nil {
		fmt.Fprintln(os.Stderr, "serveload:", err)
		os.Exit(1)
	}
}

// result is one request's outcome.
type result struct {
	status  int // 0: the request failed
	latency time.Duration
	err     error
}

func run(runDir string, clients int, duration time.Duration, n, maxConcurrent int, queueWait time.Duration) error {
	if runDir == "" {
		tmp, err := os.MkdirTemp("", "serveload-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		runDir = filepath.Join(tmp, "mlp")
		job, err := gan.NewJob(gan.DefaultConfig())
		if err != nil {
			return err
		}
		if _, err := job.SaveCheckpoint(filepath.Join(runDir, "checkpoints")); err != nil {
			return err
		}
	}
	srv, err := serve.New(serve.Config{Run: runDir, MaxConcurrent: maxConcurrent, QueueWait: queueWait})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	url := fmt.Sprintf("http://%s/api/models/%s/generate", ln.Addr(), filepath.Base(runDir))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: time.Minute}

	results := make([][]result, clients)
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for seed := uint64(c) << 32; time.Now().Before(deadline); seed++ {
				results[c] = append(results[c], request(client, url, seed, n))
			}
		})
	}
	wg.Wait()
	stop()
	if err := <-served; err != nil {
		return err
	}
	return report(slices.Concat(results...), clients, duration, n, maxConcurrent)
}

// request POSTs one generation and reads the answer whole.
func request(client *http.Client, url string, seed uint64, n int) result {
	start := time.Now()
	body := fmt.Sprintf(`{"n": %d, "seed": %d}`, n, seed)
	res, err := client.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return result{err: err, latency: time.Since(start)}
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return result{err: err, latency: time.Since(start)}
	}
	r := result{status: res.StatusCode, latency: time.Since(start)}
	if res.StatusCode == http.StatusServiceUnavailable && res.Header.Get("Retry-After") == "" {
		r.err = errors.New("503 without Retry-After")
	}
	return r
}

// report prints the figures and returns an error for any answer but 200 and 503.
func report(all []result, clients int, duration time.Duration, n, maxConcurrent int) error {
	counts := map[int]int{}
	var ok []time.Duration
	var errs []error
	for _, r := range all {
		counts[r.status]++
		if r.err != nil {
			errs = append(errs, r.err)
		}
		if r.status == http.StatusOK {
			ok = append(ok, r.latency)
		}
	}
	slices.Sort(ok)
	pct := func(p float64) time.Duration {
		if len(ok) == 0 {
			return 0
		}
		return ok[min(len(ok)-1, int(p*float64(len(ok))))]
	}
	if maxConcurrent == 0 {
		maxConcurrent = runtime.NumCPU()
	}
	fmt.Printf("%d clients for %v, n=%d, %d generations at once, GOMAXPROCS %d\n", clients, duration, n, maxConcurrent, runtime.GOMAXPROCS(0))
	fmt.Printf("requests: %d (200: %d, 503: %d, other: %d)\n", len(all), counts[200], counts[503], len(all)-counts[200]-counts[503])
	fmt.Printf("latency of the 200s: p50 %v, p99 %v, max %v\n", pct(0.50).Round(time.Millisecond), pct(0.99).Round(time.Millisecond), pct(1).Round(time.Millisecond))
	fmt.Printf("throughput: %.1f requests/s, %.0f images/s\n", float64(counts[200])/duration.Seconds(), float64(counts[200]*n)/duration.Seconds())
	fmt.Printf("peak RSS (VmHWM, server and clients): %s\n", peakRSS())
	if other := len(all) - counts[200] - counts[503]; other > 0 || len(errs) > 0 {
		return fmt.Errorf("%d answers neither 200 nor 503, %d errors (first: %v)", other, len(errs), firstErr(errs))
	}
	return nil
}

func firstErr(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errs[0]
}

// peakRSS reads VmHWM from /proc/self/status.
func peakRSS() string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmHWM:")); ok {
			return strings.TrimSpace(string(v))
		}
	}
	return "unknown"
}
