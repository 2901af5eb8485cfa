package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/internal/gemm"
	"github.com/gogan/gogan/internal/words"
)

// benchResult is what `gogan bench --json` prints.
type benchResult struct {
	Model     string  `json:"model"`
	Batch     int     `json:"batch"`
	Threads   int     `json:"threads"`
	Device    string  `json:"device"`
	CUDAGraph bool    `json:"cuda_graph"`
	Conv      string  `json:"conv,omitempty"` // on a GPU: "cudnn 9.x.y (k of n ops)" or "im2col+cublas"
	Iters     int     `json:"iters"`
	Seconds   float64 `json:"seconds"`
	ItPerS    float64 `json:"it_per_s"`
	ImgPerS   float64 `json:"img_per_s"`
	GFlops    float64 `json:"gflops"`
	PeakRSSMB float64 `json:"peak_rss_mb"`
	// On the CPU, the spread of the timed iterations' times, and the rate of the median
	// one: a machine's other work that stalls a few iterations moves the mean rate (ImgPerS)
	// but hardly the median, which makes two builds' runs on a shared machine comparable.
	IterMs        *iterSpread `json:"iter_ms,omitempty"`
	MedianImgPerS float64     `json:"median_img_per_s,omitempty"`
	Ops           []opTime    `json:"ops,omitempty"` // --ops: the time of each op, the longest first
}

// iterSpread is the spread of the timed iterations' times, in milliseconds: the fastest,
// the 10th, 50th and 90th percentiles, and the slowest.
type iterSpread struct {
	Min float64 `json:"min"`
	P10 float64 `json:"p10"`
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	Max float64 `json:"max"`
}

// spreadOf is the spread of times (sorted in place; at least one).
func spreadOf(times []time.Duration) *iterSpread {
	slices.Sort(times)
	ms := func(q float64) float64 {
		return float64(times[int(q*float64(len(times)-1)+0.5)]) / 1e6
	}
	return &iterSpread{Min: ms(0), P10: ms(0.1), P50: ms(0.5), P90: ms(0.9), Max: ms(1)}
}

// opTime is one op's share of a timed iteration (--ops).
type opTime struct {
	Name      string  `json:"name"`
	Shape     string  `json:"shape,omitempty"`
	Backward  bool    `json:"backward"`              // the rule's own time, less the ops it ran
	InBack    bool    `json:"in_backward,omitempty"` // an op that a backward rule ran
	CallsPerI float64 `json:"calls_per_iter"`
	MsPerIter float64 `json:"ms_per_iter"`
	Share     float64 `json:"share"` // of the timed iterations' wall time
}

// benchFlags are gogan bench's flags.
type benchFlags struct {
	model                 string
	batch, iters, threads int
	asJSON                bool
	size, channels        int
	cpuProfile            string
	ops                   bool
	device                string
	tf32, graph           bool
}

func newBenchCommand() *command {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	f := &benchFlags{}
	fs.StringVar(&f.model, "model", "mlp", "architecture: "+gan.ArchitectureNames())
	fs.IntVar(&f.batch, "batch", 64, "images per step")
	fs.IntVar(&f.iters, "iters", 200, "timed training iterations (after 10 of warm-up)")
	fs.IntVar(&f.threads, "threads", 0, "CPU threads (default: all cores)")
	fs.BoolVar(&f.asJSON, "json", false, "print one JSON object")
	fs.IntVar(&f.size, "image-size", 0, "side of the square images to train on (default: the model's, 28 for most)")
	fs.IntVar(&f.channels, "channels", 0, "channels of those images, 1 or 3 (default: the model's)")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the timed iterations to this file (for go tool pprof)")
	fs.BoolVar(&f.ops, "ops", false, "time every op, forward and backward, and print where an iteration's time goes (CPU only)")
	fs.StringVar(&f.device, "device", "cpu", "where to train: cpu, cuda or cuda:N (an NVIDIA GPU)")
	fs.BoolVar(&f.tf32, "tf32", false, "on a GPU, let matrix products and cuDNN's convolutions use TF32 tensor cores (faster, about 3 decimal digits)")
	fs.BoolVar(&f.graph, "cuda-graph", true, "on a GPU, capture the training step in a CUDA graph and replay it")
	c := &command{
		name: "bench", usage: "[--model mlp] [--batch 64] [--iters 200] [--threads N] [--device cpu|cuda] [--cpuprofile FILE] [--ops] [--json]", flags: fs,
		short: "Time training iterations on synthetic data (a GAN iteration is one D step and one G step).",
	}
	c.run = func(env *environment, _ []string) error { return runBench(env, f) }
	return c
}

// runBench trains the model on synthetic data, 10 warm-up iterations then
// --iters timed ones, and prints their speed.
func runBench(env *environment, f *benchFlags) error {
	if f.iters <= 0 {
		return usageError{fmt.Sprintf("--iters must be positive, got %d", f.iters)}
	}
	if err := setThreads(f.threads); err != nil {
		return err
	}
	cfg, err := benchConfig(f)
	if err != nil {
		return err
	}
	gpu, err := gan.ParseDevice(f.device)
	if err != nil {
		return usageError{err.Error()}
	}
	if f.ops && f.device != "cpu" {
		return usageError{"--ops times ops on the CPU only (a GPU runs them asynchronously), got --device " + f.device}
	}
	job, err := gan.NewJob(cfg)
	if err != nil {
		return err
	}
	device, err := useDevice(job, f.device, f.tf32, f.graph)
	if err != nil {
		return err
	}
	real, labels := benchBatch(cfg.Batch, job.SampleShape().Size())
	for range 10 {
		if _, err := job.Train(real, labels); err != nil {
			return err
		}
	}
	stop, err := startCPUProfile(f.cpuProfile)
	if err != nil {
		return err
	}
	var profile *autograd.OpProfile
	if f.ops {
		profile = autograd.NewOpProfile()
		job.ProfileOps(profile)
	}
	flops0 := job.Flops()
	times := make([]time.Duration, 0, f.iters)
	start := time.Now()
	for range f.iters {
		begin := time.Now()
		if _, err := job.Train(real, labels); err != nil {
			stop()
			return err
		}
		times = append(times, time.Since(begin))
	}
	if err := syncDevice(job); err != nil {
		stop()
		return err
	}
	secs := time.Since(start).Seconds()
	if err := stop(); err != nil {
		return err
	}
	res := benchResult{
		Model: cfg.Model, Batch: cfg.Batch, Threads: gemm.Threads(), Device: device, CUDAGraph: usesGraph(job), Iters: f.iters, Seconds: secs,
		ItPerS: float64(f.iters) / secs, ImgPerS: float64(f.iters*cfg.Batch) / secs,
		GFlops: float64(job.Flops()-flops0) / secs / 1e9, PeakRSSMB: peakRSSMB(), Conv: convBackend(job),
	}
	if gpu < 0 {
		// A GPU's iterations are queued, not run, in the time of one: only their sum counts.
		res.IterMs = spreadOf(times)
		res.MedianImgPerS = float64(cfg.Batch) / (res.IterMs.P50 / 1e3)
	}
	if profile != nil {
		res.Ops = opTimes(profile, f.iters, secs)
	}
	if f.asJSON {
		return json.NewEncoder(env.stdout).Encode(res)
	}
	if res.CUDAGraph {
		res.Device += " (CUDA graph)"
	}
	if res.Conv != "" {
		res.Device += ", conv " + res.Conv
	}
	fmt.Fprintf(env.stdout, "%s batch %d, %s, %s: %.1f it/s, %.0f img/s, %.1f GFLOP/s, peak RSS %.0f MB (%s in %.2f s)\n",
		res.Model, res.Batch, words.Count(res.Threads, "thread", "threads"), res.Device, res.ItPerS, res.ImgPerS, res.GFlops, res.PeakRSSMB, words.Count(res.Iters, "iteration", "iterations"), res.Seconds)
	if sp := res.IterMs; sp != nil {
		fmt.Fprintf(env.stdout, "an iteration: median %.2f ms (%.0f img/s), 10%%–90%% %.2f–%.2f ms, fastest %.2f, slowest %.2f\n",
			sp.P50, res.MedianImgPerS, sp.P10, sp.P90, sp.Min, sp.Max)
	}
	if res.Ops != nil {
		printOpTimes(env.stdout, res.Ops, res.Seconds/float64(res.Iters))
	}
	return nil
}

// opTimes is the profile's ops per timed iteration.
func opTimes(p *autograd.OpProfile, iters int, secs float64) []opTime {
	var out []opTime
	for _, o := range p.Ops() {
		out = append(out, opTime{
			Name: o.Name, Shape: o.Shape, Backward: o.Backward, InBack: o.InBackward,
			CallsPerI: float64(o.Calls) / float64(iters),
			MsPerIter: o.Time.Seconds() * 1e3 / float64(iters),
			Share:     o.Time.Seconds() / secs,
		})
	}
	return out
}

// printedOps is how many of the longest ops --ops prints; the rest are summed in one line
// (--json gives them all).
const printedOps = 30

// printOpTimes prints the longest ops as a table, the rest in one line, and what the ops
// leave of an iteration (the step's work outside the graph and its timing).
func printOpTimes(w io.Writer, ops []opTime, secsPerIter float64) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "ms/iter\tshare\tcalls/iter\t\top\toutput shape\t")
	var sum, rest float64
	for i, o := range ops {
		sum += o.Share
		if i >= printedOps {
			rest += o.Share
			continue
		}
		fmt.Fprintf(tw, "%.3f\t%.1f%%\t%g\t\t%s %s\t%s\t\n", o.MsPerIter, 100*o.Share, o.CallsPerI, o.Name, pass(o), o.Shape)
	}
	if n := len(ops) - printedOps; n > 0 {
		fmt.Fprintf(tw, "%.3f\t%.1f%%\t\t\t%d more ops (--json lists them)\t\t\n", secsPerIter*1e3*rest, 100*rest, n)
	}
	fmt.Fprintf(tw, "%.3f\t%.1f%%\t\t\t%s\t\t\n", secsPerIter*1e3*(1-sum), 100*(1-sum), "outside the ops")
	tw.Flush()
}

// pass names the part of the step an op's time is: its forward, its backward rule's own
// remainder, an op that a backward rule ran, or nothing for work outside the graph.
func pass(o opTime) string {
	switch {
	case o.Shape == "":
		return ""
	case o.Backward:
		return "backward"
	case o.InBack:
		return "in backward"
	}
	return "forward"
}

// benchConfig is the training configuration the flags ask for, checked.
func benchConfig(f *benchFlags) (gan.Config, error) {
	cfg := gan.DefaultConfig()
	cfg.Model, cfg.Batch = f.model, f.batch
	set := map[string]bool{"batch": true}
	gan.ApplyDefaults(&cfg, set)
	if arch, err := gan.LookupArchitecture(cfg.ArchitectureName()); err == nil {
		if sample, ok, err := summarySample(arch, f.size, f.channels); err != nil {
			return cfg, err
		} else if ok {
			if cfg, err = cfg.ForData(sample); err != nil {
				return cfg, usageError{strings.TrimPrefix(err.Error(), "data "+cfg.Data+": ")}
			}
		}
	}
	if cfg.Batch > maxBatch {
		return cfg, usageError{fmt.Sprintf("--batch must be at most %d, got %d", maxBatch, cfg.Batch)}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, usageError{err.Error()}
	}
	return cfg, nil
}

// benchBatch is one batch of synthetic samples, uniform in [−1, 1] as the
// peer benchmark uses, with labels cycling through the classes.
func benchBatch(batch, sampleSize int) (real []float32, labels []uint8) {
	real = make([]float32, batch*sampleSize)
	labels = make([]uint8, batch)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range real {
		real[i] = rng.Float32()*2 - 1
	}
	for i := range labels {
		labels[i] = uint8(i % gan.Classes)
	}
	return real, labels
}

// startCPUProfile starts a CPU profile, none when path is empty; stop ends it
// and writes it to path atomically (a file already there stays whole until the
// profile replaces it). A path in a run or checkpoint folder is refused.
func startCPUProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	if err := gan.CheckOutput(path); err != nil {
		return nil, fmt.Errorf("--cpuprofile %w", err)
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("--cpuprofile %s: the folder %s does not exist", path, filepath.Dir(path))
	}
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		return nil, fmt.Errorf("--cpuprofile %s: %w", path, err)
	}
	return func() error {
		pprof.StopCPUProfile()
		err := checkpoint.WriteFileAtomic(path, func(w io.Writer) error {
			_, err := w.Write(buf.Bytes())
			return err
		})
		if err != nil {
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
