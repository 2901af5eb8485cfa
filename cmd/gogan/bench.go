package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/internal/gemm"
)

// benchResult is what `gogan bench --json` prints.
type benchResult struct {
	Model     string  `json:"model"`
	Batch     int     `json:"batch"`
	Threads   int     `json:"threads"`
	Iters     int     `json:"iters"`
	Seconds   float64 `json:"seconds"`
	ItPerS    float64 `json:"it_per_s"`
	ImgPerS   float64 `json:"img_per_s"`
	GFlops    float64 `json:"gflops"`
	PeakRSSMB float64 `json:"peak_rss_mb"`
}

func newBenchCommand() *command {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	model := fs.String("model", "mlp", "architecture: "+gan.ArchitectureNames())
	batch := fs.Int("batch", 64, "images per step")
	iters := fs.Int("iters", 200, "timed training iterations (after 10 of warm-up)")
	threads := fs.Int("threads", 0, "CPU threads (default: all cores)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	size := fs.Int("image-size", 0, "side of the square images to train on (default: the model's, 28 for most)")
	channels := fs.Int("channels", 0, "channels of those images, 1 or 3 (default: the model's)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the timed iterations to this file (for go tool pprof)")
	c := &command{
		name: "bench", usage: "[--model mlp] [--batch 64] [--iters 200] [--threads N] [--cpuprofile FILE] [--json]", flags: fs,
		short: "Time training iterations on synthetic data (a GAN iteration is one D step and one G step).",
	}
	c.run = func(env *environment, _ []string) error {
		if *iters <= 0 {
			return usageError{fmt.Sprintf("--iters must be positive, got %d", *iters)}
		}
		if err := setThreads(*threads); err != nil {
			return err
		}
		cfg := gan.DefaultConfig()
		cfg.Model, cfg.Batch = *model, *batch
		set := map[string]bool{"batch": true}
		gan.ApplyDefaults(&cfg, set)
		if arch, err := gan.LookupArchitecture(cfg.ArchitectureName()); err == nil {
			if sample, ok, err := summarySample(arch, *size, *channels); err != nil {
				return err
			} else if ok {
				if cfg, err = cfg.ForData(sample); err != nil {
					return usageError{strings.TrimPrefix(err.Error(), "data "+cfg.Data+": ")}
				}
			}
		}
		if cfg.Batch > maxBatch {
			return usageError{fmt.Sprintf("--batch must be at most %d, got %d", maxBatch, cfg.Batch)}
		}
		if err := cfg.Validate(); err != nil {
			return usageError{err.Error()}
		}
		job, err := gan.NewJob(cfg)
		if err != nil {
			return err
		}
		// Synthetic samples: uniform in [−1, 1], as the peer benchmark uses,
		// with labels cycling through the classes.
		real := make([]float32, cfg.Batch*job.SampleShape().Size())
		labels := make([]uint8, cfg.Batch)
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range real {
			real[i] = rng.Float32()*2 - 1
		}
		for i := range labels {
			labels[i] = uint8(i % gan.Classes)
		}
		for range 10 {
			if _, err := job.Train(real, labels); err != nil {
				return err
			}
		}
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		flops0 := job.Flops()
		start := time.Now()
		for range *iters {
			if _, err := job.Train(real, labels); err != nil {
				stop()
				return err
			}
		}
		secs := time.Since(start).Seconds()
		if err := stop(); err != nil {
			return err
		}
		res := benchResult{
			Model: cfg.Model, Batch: cfg.Batch, Threads: gemm.Threads(), Iters: *iters, Seconds: secs,
			ItPerS: float64(*iters) / secs, ImgPerS: float64(*iters*cfg.Batch) / secs,
			GFlops: float64(job.Flops()-flops0) / secs / 1e9, PeakRSSMB: peakRSSMB(),
		}
		if *asJSON {
			return json.NewEncoder(env.stdout).Encode(res)
		}
		fmt.Fprintf(env.stdout, "%s batch %d, %d threads: %.1f it/s, %.0f img/s, %.1f GFLOP/s, peak RSS %.0f MB (%d iterations in %.2f s)\n",
			res.Model, res.Batch, res.Threads, res.ItPerS, res.ImgPerS, res.GFlops, res.PeakRSSMB, res.Iters, res.Seconds)
		return nil
	}
	return c
}

// startCPUProfile starts a CPU profile into path, none when path is empty;
// stop ends it and closes the file.
func startCPUProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile %s: %w", path, err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("--cpuprofile %s: %w", path, err)
		}
		return nil
	}, nil
}

// peakRSSMB is the process's peak resident memory (Linux reports KiB).
func peakRSSMB() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return float64(ru.Maxrss) / (1 << 20)
	}
	return float64(ru.Maxrss) / 1024
}
