package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/internal/gemm"
	"github.com/gogan/gogan/internal/words"
	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/run"
)

// trainFlags are gogan train's flags: most are fields of the training
// configuration cfg, the others follow it; fs tells which were given.
type trainFlags struct {
	cfg     gan.Config
	lr      float64
	out     string
	resume  string
	threads int
	device  string
	tf32    bool
	graph   bool
	fs      *flag.FlagSet
}

func newTrainCommand() *command {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	def := gan.DefaultConfig()
	f := &trainFlags{cfg: def, fs: fs}
	fs.StringVar(&f.cfg.Model, "model", def.Model, "architecture: "+gan.ArchitectureNames())
	fs.StringVar(&f.cfg.Data, "data", def.Data, `dataset: "mnist", "fashion-mnist", "stacked-mnist", "ring8", "grid25", a folder with the four IDX files, or a folder of images (PNG, JPEG, GIF, BMP, WebP, TIFF; class folders give labels)`)
	fs.IntVar(&f.cfg.ImageSize, "image-size", 0, "a folder of images: the side N of the square images (shorter side scaled to N, center cropped; default: the images' own size when they share one square size, else 64)")
	fs.IntVar(&f.cfg.Channels, "channels", 0, "a folder of images: 1 (gray) or 3 (RGB) (default: 3 when any image has color, else 1)")
	fs.StringVar(&f.cfg.Background, "background", "", "a folder of images: what transparent pixels are composited onto, white (default) or black")
	fs.BoolVar(&f.cfg.Strict, "strict", false, "a folder of images: fail on the first file that cannot be decoded (default: skip it, and fail when more than 1% are skipped)")
	fs.IntVar(&f.cfg.Epochs, "epochs", def.Epochs, "passes over the training set")
	fs.IntVar(&f.cfg.Steps, "steps", 0, "stop after this many steps in all (overrides --epochs when > 0)")
	fs.IntVar(&f.cfg.Batch, "batch", def.Batch, "images per step")
	// The default through its shortest decimal, so that help shows 0.0002, not float32's 0.00019999999494757503.
	defLR, _ := strconv.ParseFloat(strconv.FormatFloat(float64(def.LR), 'g', -1, 32), 64)
	fs.Float64Var(&f.lr, "lr", defLR, "Adam learning rate (cae's default: 0.001)")
	fs.IntVar(&f.cfg.LatentDim, "latent", def.LatentDim, "noise size of a GAN, code size of an autoencoder (cae's default: 32)")
	fs.Uint64Var(&f.cfg.Seed, "seed", def.Seed, "random seed: weights, data order, noise")
	fs.IntVar(&f.cfg.LogEvery, "log-every", def.LogEvery, "steps between lines of metrics.jsonl")
	fs.IntVar(&f.cfg.EvalEvery, "eval-every", 0, "steps between FID/KID/IS evaluations of the generator on 2,000 samples, and at the end (0: none)")
	fs.StringVar(&f.cfg.FeatureNet, "feature-net", "", `the network --eval-every scores with: "mnist", "fashion-mnist" or a weights file from gogan export-featurenet (default: the dataset's)`)
	fs.StringVar(&f.cfg.Arch, "arch", "", "networks of a recipe: "+gan.GANArchitectureNames()+" (default mlp; dcgan for tuned-dcgan)")
	fs.StringVar(&f.cfg.Loss, "loss", "", "objective (default nonsaturating, or the recipe's):"+gan.ObjectivesHelp())
	fs.StringVar(&f.cfg.Optimizer, "optimizer", "", "adam (default) or rmsprop")
	fs.IntVar(&f.cfg.NCritic, "n-critic", 0, "D steps per G step (default 1, or the recipe's)")
	fs.Var(float32Flag{&f.cfg.GP}, "gp", "gradient-penalty weight λ (wgan-gp: 10)")
	fs.Var(float32Flag{&f.cfg.Clip}, "clip", "clip D's weights to ±c after each step (wgan: 0.01)")
	fs.Var(float32Flag{&f.cfg.LRG}, "lr-g", "G's learning rate (default --lr)")
	fs.Var(float32Flag{&f.cfg.LRD}, "lr-d", "D's learning rate (default --lr)")
	fs.StringVar(&f.cfg.LRDecay, "lr-decay", "", "learning-rate schedule: none (default) or linear (down to 0 at the last step)")
	fs.Var(float32Flag{&f.cfg.Beta1}, "beta1", "Adam β1, unless the recipe sets its own")
	fs.Var(float32Flag{&f.cfg.Beta2}, "beta2", "Adam β2, unless the recipe sets its own")
	fs.Var(float32Flag{&f.cfg.LabelSmoothing}, "label-smoothing", "one-sided label smoothing: real targets 1 − s")
	fs.Var(float32Flag{&f.cfg.InstanceNoise}, "instance-noise", "σ of Gaussian noise added to D's inputs, annealed to 0")
	fs.Var(float32Flag{&f.cfg.EMA}, "ema", "decay of an exponential moving average of G's weights, used for samples (e.g. 0.999; 0: off)")
	fs.BoolVar(&f.cfg.SpectralNorm, "spectral-norm", false, "spectral normalization of D's kernels")
	fs.StringVar(&f.cfg.Init, "init", "", "initializers of the Dense and Conv layers: "+strings.Join(nn.InitSchemeNames(), ", ")+" (default: the architecture's, glorot for the seed's)")
	fs.Var(float32Flag{&f.cfg.BNMomentum}, "bn-momentum", "momentum of every BatchNormalization layer's moving statistics, in [0, 1) (default: the architecture's, Keras's 0.99 for the seed's and the TensorFlow DCGAN)")
	fs.IntVar(&f.cfg.StandingStats, "standing-stats", 0, "with --ema: give the weight average BatchNorm statistics of its own from this many batches of noise before it samples (BigGAN's standing statistics; 0: off)")
	fs.IntVar(&f.cfg.Pack, "pack", 1, "D judges this many samples at once, concatenated: points side by side, images along their channels (PacGAN)")
	fs.StringVar(&f.cfg.Augment, "augment", "", "augmentation of the real images: flip (mirror left to right at random) or none")
	fs.StringVar(&f.cfg.DiffAugment, "diffaugment", "", "DiffAugment: transforms of every image D sees, comma-separated: "+strings.Join(gan.DiffAugmentNames(), ", "))
	fs.StringVar(&f.out, "out", "", "run folder (default runs/<model>-<time>)")
	fs.StringVar(&f.resume, "resume", "", "continue the run in this folder from its checkpoint")
	fs.IntVar(&f.threads, "threads", 0, "CPU threads (default: all cores)")
	fs.StringVar(&f.device, "device", "cpu", "where to train: cpu, cuda or cuda:N (an NVIDIA GPU; GANs of Dense, Conv2D(Transpose), BatchNormalization and Dropout layers, with adam)")
	fs.BoolVar(&f.tf32, "tf32", false, "on a GPU, let matrix products and cuDNN's convolutions use TF32 tensor cores (faster, about 3 decimal digits)")
	fs.BoolVar(&f.graph, "cuda-graph", true, "on a GPU, capture the training step in a CUDA graph and replay it")
	c := &command{
		name: "train", usage: "[--model mlp] [--epochs N | --steps N] [--data mnist] [--out DIR] [--resume DIR]",
		short: "Train a GAN, writing samples, metrics, a loss plot and checkpoints into a run folder.",
		flags: fs,
	}
	c.run = func(env *environment, _ []string) error { return runTrain(env, f) }
	return c
}

// runTrain trains a new run, or resumes one, until its last step or an
// interrupt, and prints where its samples, losses and checkpoint are.
func runTrain(env *environment, f *trainFlags) error {
	set, err := checkTrainFlags(f)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := run.Train(ctx, run.Options{
		Config: f.cfg, Out: f.out, Resume: f.resume, ResumeOverrides: set,
		Log: env.stdout, Progress: env.stderr, Interactive: env.stderrIsTTY, Device: f.device, TF32: f.tf32, NoCUDAGraph: !f.graph,
	})
	if errors.Is(err, run.ErrInterrupted) {
		return errInterruptedExit
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "trained %s in %.1f s", words.Count(res.Steps, "step", "steps"), res.Seconds)
	if res.SecondsPerEpoch > 0 {
		fmt.Fprintf(env.stdout, " (%.1f s per epoch)", res.SecondsPerEpoch)
	}
	fmt.Fprintf(env.stdout, "\nsamples:    %s", res.FinalGrid)
	if res.EpochGrids > 0 { // none when the run ended before its first epoch did
		fmt.Fprint(env.stdout, " (one grid per epoch beside it)")
	}
	fmt.Fprintf(env.stdout, "\nlosses:     %s\nmetrics:    %s/metrics.jsonl\ncheckpoint: %s\n",
		res.LossPlot, res.Dir, res.Checkpoint)
	return nil
}

// checkTrainFlags checks the flags, sets the threads and completes f.cfg with
// the defaults of what was not given. It returns the flags given.
func checkTrainFlags(f *trainFlags) (map[string]bool, error) {
	if math.IsNaN(f.lr) || math.IsInf(f.lr, 0) {
		return nil, usageError{fmt.Sprintf("--lr must be a finite number, got %g", f.lr)}
	}
	f.cfg.LR = float32(f.lr)
	if f.lr > 0 && f.cfg.LR == 0 {
		return nil, usageError{fmt.Sprintf("--lr %g is too small for float32", f.lr)}
	}
	if _, err := gan.ParseDevice(f.device); err != nil {
		return nil, usageError{err.Error()}
	}
	if err := setThreads(f.threads); err != nil {
		return nil, err
	}
	set := map[string]bool{}
	var fixed []string // flags given that a resumed run cannot change, in name order
	f.fs.Visit(func(fl *flag.Flag) {
		set[fl.Name] = true
		if !resumable[fl.Name] {
			fixed = append(fixed, fl.Name)
		}
	})
	if f.cfg.LRDecay == "none" {
		f.cfg.LRDecay = ""
	}
	if f.cfg.Pack == 1 {
		f.cfg.Pack = 0 // off, as in a config that does not name it
	}
	if f.cfg.Background == "white" {
		f.cfg.Background = "" // the default, as in a config that does not name it
	}
	gan.ApplyDefaults(&f.cfg, set)
	if f.cfg.Epochs > maxEpochs {
		return nil, usageError{fmt.Sprintf("--epochs must be at most %d, got %d", maxEpochs, f.cfg.Epochs)}
	}
	if f.resume != "" {
		return set, checkResumeFlags(f.cfg, set, fixed)
	}
	return set, checkNewRun(f, set)
}

// checkResumeFlags refuses the flags a resumed run cannot change (fixed),
// and out-of-range values of those it can.
func checkResumeFlags(cfg gan.Config, set map[string]bool, fixed []string) error {
	switch {
	case len(fixed) > 0:
		return usageError{fmt.Sprintf("--%s cannot change a resumed run (only --epochs, --steps, --threads, --eval-every, --feature-net, --device, --tf32 and --cuda-graph can)", fixed[0])}
	case set["epochs"] && cfg.Epochs <= 0:
		return usageError{fmt.Sprintf("--epochs must be positive, got %d", cfg.Epochs)}
	case set["steps"] && cfg.Steps < 0:
		return usageError{fmt.Sprintf("--steps must not be negative, got %d", cfg.Steps)}
	case set["eval-every"] && cfg.EvalEvery < 0:
		return usageError{fmt.Sprintf("--eval-every must not be negative, got %d", cfg.EvalEvery)}
	}
	return nil
}

// checkNewRun checks a new run's configuration and its --out, which must not
// hold a run. run.Train makes the folder, runs/<model>-<time> without --out,
// once the data are read and the networks built, and removes what it made if
// the run is refused before its first step.
func checkNewRun(f *trainFlags, set map[string]bool) error {
	if err := checkImageFlags(f.cfg.Data, set); err != nil {
		return err
	}
	if f.cfg.Batch > maxBatch {
		return usageError{fmt.Sprintf("--batch must be at most %d, got %d", maxBatch, f.cfg.Batch)}
	}
	if f.cfg.LatentDim > maxLatent {
		return usageError{fmt.Sprintf("--latent must be in [1, %d], got %d", maxLatent, f.cfg.LatentDim)}
	}
	if err := f.cfg.Validate(); err != nil {
		return usageError{err.Error()}
	}
	if err := run.CheckOutsideData(f.out, f.cfg.Data); err != nil {
		// A usage error: --out (or, without it, the working folder) and --data
		// do not go together. run.Train checks again and returns it as it is.
		return usageError{err.Error()}
	}
	if f.out != "" {
		if _, err := run.CheckFreshOut(f.out); err != nil {
			return err // checked again under the run folder's lock
		}
	}
	return nil
}

// imageFlags are the flags that say how a folder of images is read.
var imageFlags = []string{"image-size", "channels", "background", "strict"}

// checkImageFlags refuses the image-folder flags for data that exists and is
// not a folder of images (a dataset name, a folder of IDX files); a path
// that does not exist is left for the loader to name.
func checkImageFlags(spec string, set map[string]bool) error {
	for _, name := range imageFlags {
		if !set[name] || run.IsImageFolder(spec) {
			continue
		}
		if _, err := os.Stat(spec); err == nil || data.IsToy(spec) || slices.Contains(data.DatasetNames, spec) {
			return usageError{fmt.Sprintf("--%s reads a folder of images; --data %s is not one", name, spec)}
		}
	}
	return nil
}

// float32Flag is a flag.Value for a float32 setting.
type float32Flag struct{ p *float32 }

func (f float32Flag) String() string {
	if f.p == nil {
		return "0"
	}
	return strconv.FormatFloat(float64(*f.p), 'g', -1, 32)
}

func (f float32Flag) Set(s string) error {
	v, err := strconv.ParseFloat(s, 32)
	if err != nil {
		return fmt.Errorf("not a number: %q", s)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return errors.New("not a finite number")
	}
	*f.p = float32(v)
	return nil
}

// Limits that stop a mistyped number before it asks for more memory or steps
// than a machine has (the trainer is built before the data is read).
const (
	maxBatch  = gan.MaxBatch // more than MNIST's 60,000 training images
	maxEpochs = 1 << 30      // so that epochs × steps per epoch stays far from overflow
)

// resumable are the flags that may go with --resume.
var resumable = map[string]bool{"resume": true, "epochs": true, "steps": true, "threads": true, "eval-every": true, "feature-net": true, "device": true, "tf32": true, "cuda-graph": true}

// threadsPerCore bounds --threads at this many threads per core: more only
// costs memory (each thread has its own stack and scratch buffers), and
// thousands abort in pthread_create under a memory limit.
const threadsPerCore = 4

// maxThreads is the most --threads accepts: threadsPerCore × the cores.
func maxThreads() int { return threadsPerCore * runtime.NumCPU() }

// setThreads sets how many cores the kernels use.
func setThreads(n int) error {
	if n < 0 {
		return usageError{fmt.Sprintf("--threads must not be negative, got %d", n)}
	}
	if n > maxThreads() {
		return usageError{fmt.Sprintf("--threads must be at most %d (%d per core, %d cores), got %d", maxThreads(), threadsPerCore, runtime.NumCPU(), n)}
	}
	if n > 0 {
		runtime.GOMAXPROCS(n)
	}
	gemm.SetThreads(n)
	return nil
}
