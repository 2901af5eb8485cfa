package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/internal/gemm"
	"github.com/gogan/gogan/internal/run"
)

func newTrainCommand() *command {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	def := gan.DefaultConfig()
	cfg := def
	fs.StringVar(&cfg.Model, "model", def.Model, "architecture: "+gan.ArchitectureNames())
	fs.StringVar(&cfg.Data, "data", def.Data, `dataset: "mnist", "fashion-mnist", or a folder with the four IDX files`)
	fs.IntVar(&cfg.Epochs, "epochs", def.Epochs, "passes over the training set")
	fs.IntVar(&cfg.Steps, "steps", 0, "stop after this many steps in all (overrides --epochs when > 0)")
	fs.IntVar(&cfg.Batch, "batch", def.Batch, "images per step")
	lr := fs.Float64("lr", float64(def.LR), "Adam learning rate for G and D")
	fs.Uint64Var(&cfg.Seed, "seed", def.Seed, "random seed: weights, data order, noise")
	fs.IntVar(&cfg.LogEvery, "log-every", def.LogEvery, "steps between lines of metrics.jsonl")
	out := fs.String("out", "", "run folder (default runs/<model>-<time>)")
	resume := fs.String("resume", "", "continue the run in this folder from its checkpoint")
	threads := fs.Int("threads", 0, "CPU threads (default: all cores)")
	c := &command{
		name: "train", usage: "[--model mlp] [--epochs N | --steps N] [--data mnist] [--out DIR] [--resume DIR]",
		short: "Train a GAN, writing samples, metrics, a loss plot and checkpoints into a run folder.",
		flags: fs,
	}
	c.run = func(env *environment, _ []string) error {
		cfg.LR = float32(*lr)
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if err := setThreads(*threads); err != nil {
			return err
		}
		if *resume != "" {
			for name := range set {
				if name != "resume" && name != "epochs" && name != "steps" && name != "threads" {
					return usageError{fmt.Sprintf("--%s cannot change a resumed run (only --epochs, --steps and --threads can)", name)}
				}
			}
		} else if err := cfg.Validate(); err != nil {
			return usageError{err.Error()}
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		res, err := run.Train(ctx, run.Options{
			Config: cfg, Out: *out, Resume: *resume, ResumeOverrides: set,
			Log: env.stdout, Progress: env.stderr, Interactive: env.stderrIsTTY,
		})
		if errors.Is(err, run.ErrInterrupted) {
			return errInterruptedExit
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "trained %d steps in %.1f s", res.Steps, res.Seconds)
		if res.SecondsPerEpoch > 0 {
			fmt.Fprintf(env.stdout, " (%.1f s per epoch)", res.SecondsPerEpoch)
		}
		fmt.Fprintf(env.stdout, "\nsamples:    %s (one grid per epoch beside it)\nlosses:     %s\nmetrics:    %s/metrics.jsonl\ncheckpoint: %s\n",
			res.FinalGrid, res.LossPlot, res.Dir, res.Checkpoint)
		return nil
	}
	return c
}

// setThreads sets how many cores the kernels use.
func setThreads(n int) error {
	if n < 0 {
		return usageError{fmt.Sprintf("--threads must not be negative, got %d", n)}
	}
	if n > 0 {
		runtime.GOMAXPROCS(n)
	}
	gemm.SetThreads(n)
	return nil
}
