package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/eval"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/generator"
	"github.com/gogan/gogan/internal/bar"
	"github.com/gogan/gogan/metrics"
	"github.com/gogan/gogan/run"
	"github.com/gogan/gogan/tensor"
)

// evalFlags are gogan eval's flags; fs tells which were given.
type evalFlags struct {
	samples string
	ref     string
	n       int
	asJSON  bool
	seed    uint64
	netName string
	labels  string
	device  string
	fs      *flag.FlagSet
	// standing is --standing-stats: batches of noise for the generator's
	// BatchNorm statistics (0: the run's own).
	standing int
	// background is --background, parsed into bg.
	background string
	bg         data.Background
}

func newEvalCommand() *command {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	f := &evalFlags{fs: fs}
	fs.StringVar(&f.samples, "samples", "", "what to score: a run folder, checkpoint, folder of PNGs (those of its first level; subfolders are not read) or IDX image file, of the feature network's image shape (required)")
	fs.StringVar(&f.ref, "ref", "mnist", `real data to compare with: "mnist", "fashion-mnist" (their test sets), "stacked-mnist" (modes covered and KL), a run or IDX file as for --samples, or a folder of images read as gogan train --data reads it (PNG, JPEG, GIF, BMP, WebP, TIFF of any size, its subfolders' too, scaled and center-cropped to the feature network's size; a folder of class folders needs --feature-net)`)
	fs.IntVar(&f.n, "n", eval.DefaultN, "images a generator makes; at most this many are read from a file or folder: of a folder read as real images (any --ref folder, class folders), each class its share, evenly spaced within it, or, without classes, drawn with a fixed seed; the first of a folder of PNGs as --samples or an IDX file (a generator's order, that of --labels)")
	fs.BoolVar(&f.asJSON, "json", false, "print one JSON object instead of the table")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the latent vectors and of KID's subsets")
	fs.StringVar(&f.netName, "feature-net", "", `feature network: "mnist", "fashion-mnist" or a weights .safetensors file (default: --ref's dataset, else mnist)`)
	fs.StringVar(&f.background, "background", "white", "folders of images: what transparent pixels are composed over, white or black (as the run's gogan train --background)")
	fs.IntVar(&f.standing, "standing-stats", 0, "--samples that is a GAN's run: first give its generator's BatchNorm layers standing statistics from this many batches of noise (BigGAN's; 0: as the run saved them); other samples refuse it")
	fs.StringVar(&f.labels, "labels", "", "IDX label file: the class each sample was generated for (conditional generators): adds the label accuracy")
	fs.StringVar(&f.device, "device", "cpu", "where a run's generator makes its images: cpu, cuda or cuda:N (an NVIDIA GPU; any run's generator); the feature network and the scores stay on the CPU")
	c := &command{
		name: "eval", usage: "--samples PATH [--ref mnist|fashion-mnist|PATH] [--n 10000] [--json] [--device cpu|cuda]", flags: fs,
		short: "Score samples against real data: FID, KID, Inception Score, precision/recall, classes.",
	}
	c.run = func(env *environment, _ []string) error { return runEval(env, f) }
	return c
}

// runEval scores the samples: Stacked MNIST runs by their modes, 2-D runs by
// their mode coverage, images by FID, KID, IS and the rest against --ref.
func runEval(env *environment, f *evalFlags) error {
	if f.samples == "" {
		return usageError{"--samples is required"}
	}
	if f.standing < 0 || f.standing > gan.MaxStandingStats {
		return usageError{fmt.Sprintf("--standing-stats must be in [0, %d] batches, got %d", gan.MaxStandingStats, f.standing)}
	}
	if _, err := gan.ParseDevice(f.device); err != nil {
		return usageError{"--device: " + err.Error()}
	}
	bg, err := data.ParseBackground(f.background)
	if err != nil {
		return usageError{"--background: " + err.Error()}
	}
	f.bg = bg
	if err := checkEvalLabels(f); err != nil {
		return err
	}
	if err := checkSamplesFile(f.samples); err != nil {
		return err
	}
	if f.ref == eval.StackedDataset || stackedRun(f.samples) {
		count := f.n
		if !isSet(f.fs, "n") {
			count = eval.StackedN
		}
		return evalStacked(env, f, count)
	}
	if job, ok := toyRun(f.samples); ok {
		count := f.n
		if !isSet(f.fs, "n") {
			count = toyEvalSamples
		}
		return evalModes(env, f, job, count)
	}
	if f.n < eval.MinSamples || f.n > maxSamples {
		return usageError{fmt.Sprintf("--n must be in [%d, %d], got %d", eval.MinSamples, maxSamples, f.n)}
	}
	if f.ref == "" {
		return usageError{"--ref must not be empty: mnist, fashion-mnist or a path"}
	}
	if err := checkRefFile(f.ref); err != nil {
		return err
	}
	net, err := evalFeatureNet(f)
	if err != nil {
		return err
	}
	sopts, finish := sampleOptions(env, f, f.n, net.Shape())
	s, err := eval.LoadSamples(f.samples, sopts)
	finish()
	if err != nil {
		return shapeHint(standingUsage(err), f.netName)
	}
	if f.labels != "" {
		if s.Labels, err = readSampleLabels(f.labels, s.N, net.Classes()); err != nil {
			return err
		}
	}
	r, err := evalReference(env, net.WithProgress(featureProgress(env, "the reference")), f)
	if err != nil {
		return err
	}
	opts := eval.Options{Seed: f.seed, KIDProgress: progressFunc(env, "KID", "subset"),
		PrecisionRecallProgress: progressFunc(env, "precision and recall", "tile")}
	sc, err := eval.Score(net.WithProgress(featureProgress(env, "the samples")), s, r, opts)
	if err != nil {
		return shapeHint(err, f.netName)
	}
	if f.asJSON {
		return json.NewEncoder(env.stdout).Encode(sc)
	}
	return printScores(env.stdout, sc)
}

// featureProgress draws the progress of the feature network through what, on stderr
// when it is a terminal.
func featureProgress(env *environment, what string) func(done, total int) {
	return progressFunc(env, "features of "+what, "img")
}

// generateProgress draws the progress of a run's generator making what
// (eval.SampleOptions.Progress), on stderr when it is a terminal.
func generateProgress(env *environment, what string) func(done, total int) {
	return progressFunc(env, "generating "+what, "img")
}

// sampleOptions are the options --samples is read with, scored by FID and the rest or
// by Stacked MNIST's modes alike, so that a user sees the same warnings and bars
// whichever way they are scored: n images of shape, a run's made from --seed on
// --device (its BatchNorm statistics recomputed as --standing-stats says, an
// autoencoder's codes fitted to its test images), a folder's transparent pixels
// composed over --background, the lines a folder's reading leaves to its caller on
// stderr, and on a terminal the bars of generating the samples and of reading a
// folder. finish is folderProgress's, to be called once the samples are read.
func sampleOptions(env *environment, f *evalFlags, n int, shape tensor.Shape) (opts eval.SampleOptions, finish func()) {
	opts = eval.SampleOptions{N: n, Seed: f.seed, Shape: shape, TestImages: runTestImages, Device: f.device,
		StandingStats: f.standing, Background: f.bg, Warn: env.stderr, Progress: generateProgress(env, "the samples")}
	finish = folderProgress(env, &opts, f.samples)
	return opts, finish
}

// folderProgress sets opts's ListProgress, HeaderProgress and DecodeProgress to draw the
// bars of reading path, a folder of images, as gogan train draws its folder's
// (bar.Stages.Folder: the count of files found while a large folder is listed, reading
// the headers, then decoding), on stderr when it is a terminal; they are called only for
// a folder read with data.LoadImageFolder, the last two not from the image cache. The
// function returned ends the line of a bar stopped short (a folder that fails), and is
// to be called once the folder is read. What is written to opts.Warn meanwhile ends the
// bar's line first (barsEnded): the folder's warnings are written before the function
// returned is called, and the listing's count, which no later stage ends when the
// folder comes from the image cache, would have them on its line.
func folderProgress(env *environment, opts *eval.SampleOptions, path string) (finish func()) {
	if !env.stderrIsTTY {
		return func() {}
	}
	bars := bar.NewStages(env.stderr)
	opts.ListProgress, opts.HeaderProgress, opts.DecodeProgress = bars.Folder(path)
	if opts.Warn != nil {
		opts.Warn = barsEnded{bars, opts.Warn}
	}
	return bars.Finish
}

// barsEnded is w with the bar that bars is drawing, if any, finished before each write,
// so that what is written goes on a line of its own.
type barsEnded struct {
	bars *bar.Stages
	w    io.Writer
}

// Write finishes the bar being drawn, then writes p to w.
func (b barsEnded) Write(p []byte) (int, error) {
	b.bars.Finish()
	return b.w.Write(p)
}

// checkEvalLabels refuses --labels for a run, before its samples are drawn: a
// conditional run's samples carry the classes they were drawn for, and an
// unconditional run's have none to check (its mode coverage or FID would be
// scored with the labels ignored, or a label accuracy of no meaning).
func checkEvalLabels(f *evalFlags) error {
	if f.labels == "" {
		return nil
	}
	if _, err := gan.FindCheckpoint(f.samples); err != nil {
		return nil // a file or folder of samples
	}
	job, err := gan.LoadJob(f.samples)
	if err != nil {
		return nil // LoadSamples says what is wrong with it
	}
	if tr, ok := job.(*gan.Trainer); ok && tr.Conditional() {
		return usageError{"--labels is for files and folders of samples; a conditional run's samples carry the labels they were drawn for"}
	}
	return usageError{fmt.Sprintf("--labels: %s is an unconditional run (%s), whose samples have no classes; --labels is for files and folders of samples from a conditional generator", f.samples, job.Settings().Model)}
}

// evalFeatureNet is --feature-net's network, or by default --ref's dataset's.
func evalFeatureNet(f *evalFlags) (*eval.FeatureNet, error) {
	if f.netName != "" {
		return eval.LoadFeatureNet(f.netName)
	}
	// A run's folder holds folders too, but it is a generator, not images in classes.
	if _, err := gan.FindCheckpoint(f.ref); err != nil && !eval.IsDataset(f.ref) && eval.IsClassFolder(f.ref) {
		return nil, needFeatureNet(f.ref, "")
	}
	return eval.ForDataset(f.ref)
}

// checkRefFile refuses a --ref that is one image file, before the samples are
// made or read: a reference is many images, and such a file would otherwise be
// read as an IDX file ("bad magic number") or told to be a folder of samples.
func checkRefFile(ref string) error {
	return checkOneImage("--ref", ref, "a reference is many images", "mnist, fashion-mnist, stacked-mnist, a run or checkpoint, an IDX image file or a folder of images")
}

// checkSamplesFile refuses a --samples that is one image file, before anything
// is read: samples are many images, and such a file would otherwise be read as
// an IDX file ("bad magic number"). What it wants is what eval.LoadSamples reads.
func checkSamplesFile(samples string) error {
	return checkOneImage("--samples", samples, "samples are many images", "a run or checkpoint, a folder of PNGs or an IDX image file")
}

// checkOneImage refuses path, given as flag, when it is one image file (by its
// name, data.IsImageName), saying why (many) and what the flag wants; a folder,
// another file or a path that cannot be read is left to the reader, which says
// what is wrong with it.
func checkOneImage(flag, path, many, want string) error {
	st, err := os.Stat(path)
	if err != nil || st.IsDir() || !data.IsImageName(path) {
		return nil
	}
	return fmt.Errorf("%s %s is one image file, where %s: want %s", flag, path, many, want)
}

// evalReference is the reference statistics of --ref under net: a dataset's
// test set (cached), or the images of a path: a run or an IDX file as for
// --samples, a folder as gogan train --data reads it (eval.LoadReferenceSamples,
// decoded into the image cache gogan train uses, with its bars and warnings on
// stderr, --n of its images as data.Set.Pick picks them).
func evalReference(env *environment, net *eval.FeatureNet, f *evalFlags) (*eval.Reference, error) {
	if eval.IsDataset(f.ref) {
		return eval.DatasetReference(net, f.ref, eval.CacheOptions{Dir: env.refCache, Warn: env.stderr})
	}
	// A generator as reference draws other latent vectors than the samples'.
	var r *eval.Reference
	opts := eval.SampleOptions{N: f.n, Seed: f.seed + 1, Shape: net.Shape(), TestImages: runTestImages,
		Device: f.device, Background: f.bg, Warn: env.stderr, Progress: generateProgress(env, "the reference")}
	finish := folderProgress(env, &opts, f.ref)
	rs, err := eval.LoadReferenceSamples(f.ref, opts)
	finish()
	if err == nil {
		r, err = eval.NewReference(net, rs)
	}
	err = shapeHint(err, f.netName)
	if errors.Is(err, os.ErrNotExist) {
		err = fmt.Errorf("--ref %s: no such file or folder (want mnist, fashion-mnist or a path)", f.ref)
	}
	return r, err
}

// needFeatureNet is the one line that says what scoring images of another domain
// takes: a classifier trained on labelled images of it, exported.
func needFeatureNet(ref, shape string) error {
	if shape != "" {
		shape = " (" + shape + ")"
	}
	return fmt.Errorf("no bundled feature network knows %s%s: train a classifier on labelled images of that domain (gogan train --model classifier --data FOLDER), export it (gogan export-featurenet --run RUN --out net.safetensors) and give it with --feature-net net.safetensors", ref, shape)
}

// shapeHint turns a shape mismatch met with the default (MNIST) feature network into
// needFeatureNet's line; other errors, and mismatches with a network the user gave,
// come back as they are.
func shapeHint(err error, netName string) error {
	var se *eval.ShapeError
	if netName != "" || !errors.As(err, &se) {
		return err
	}
	return needFeatureNet(se.Source, se.Have.Dims()+" images")
}

// standingUsage makes LoadSamples's refusal of --standing-stats for samples that are
// not a GAN's run a usage error, as --labels for a conditional run's samples is one.
func standingUsage(err error) error {
	if errors.Is(err, eval.ErrStandingStats) {
		return usageError{"--standing-stats: " + strings.TrimPrefix(err.Error(), "eval: ")}
	}
	return err
}

// stackedRun says whether path is a run or checkpoint trained on Stacked MNIST.
func stackedRun(path string) bool {
	if _, err := gan.FindCheckpoint(path); err != nil {
		return false
	}
	job, err := gan.LoadJob(path)
	return err == nil && job.Settings().Data == eval.StackedDataset
}

// evalStacked scores Stacked MNIST samples (28×28×3) by the modes they cover and the
// KL divergence of their modes from uniform, each channel classified by the MNIST
// network (or the one --feature-net names, which must take 28×28×1 digits). The
// samples are read with runEval's options (sampleOptions), 28×28×3.
func evalStacked(env *environment, f *evalFlags, n int) error {
	if n < eval.MinSamples || n > maxSamples {
		return usageError{fmt.Sprintf("--n must be in [%d, %d], got %d", eval.MinSamples, maxSamples, n)}
	}
	netName := f.netName
	if netName == "" {
		netName = "mnist"
	}
	net, err := eval.LoadFeatureNet(netName)
	if err != nil {
		return err
	}
	sopts, finish := sampleOptions(env, f, n, eval.StackedShape)
	s, err := eval.LoadSamples(f.samples, sopts)
	finish()
	if err != nil {
		return standingUsage(err)
	}
	sc, err := eval.ScoreStacked(net.WithProgress(featureProgress(env, "the samples' 3 channels")), s)
	if err != nil {
		return err
	}
	if f.asJSON {
		return json.NewEncoder(env.stdout).Encode(sc)
	}
	fmt.Fprintf(env.stdout, "Stacked MNIST, %s, each channel classified by %s:\n  modes covered: %d of %d\n  KL(modes ‖ uniform): %.4f\n",
		sc.Samples, net, sc.ModesCovered, eval.StackedModes, sc.KL)
	return nil
}

// readSampleLabels reads an IDX label file holding at least n labels, each a class of
// the feature network, and returns the first n.
func readSampleLabels(path string, n, classes int) ([]int, error) {
	raw, err := data.ReadIDXLabels(path)
	if err != nil {
		return nil, err
	}
	if len(raw) < n {
		return nil, fmt.Errorf("%s: %d labels for %d samples", path, len(raw), n)
	}
	labels := make([]int, n)
	for i, l := range raw[:n] {
		if int(l) >= classes {
			return nil, fmt.Errorf("%s: label %d of sample %d is not a class (0..%d)", path, l, i, classes-1)
		}
		labels[i] = int(l)
	}
	return labels, nil
}

// printScores writes the scores as a small table, the feature network's hash on top.
func printScores(w io.Writer, sc *eval.Scores) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "samples\t%s\n", sc.Samples)
	fmt.Fprintf(tw, "reference\t%s\n", sc.Ref)
	fmt.Fprintf(tw, "feature net\t%s %s\n", sc.FeatureNetName, sc.FeatureNet)
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "FID\t%.3f\n", sc.FID)
	fmt.Fprintf(tw, "KID\t%.5f ± %.5f\n", sc.KID, sc.KIDStd)
	fmt.Fprintf(tw, "Inception Score\t%.3f ± %.3f\n", sc.IS, sc.ISStd)
	fmt.Fprintf(tw, "precision (k=%d)\t%.4f\n", sc.Neighbours, sc.Precision)
	fmt.Fprintf(tw, "recall (k=%d)\t%.4f\n", sc.Neighbours, sc.Recall)
	fmt.Fprintf(tw, "classes over 2%%\t%d of %d\n", sc.ClassesOver2Pct, len(sc.ClassHistogram))
	var hist []string
	for c, k := range sc.ClassHistogram {
		hist = append(hist, fmt.Sprintf("%d: %.1f%%", c, 100*float64(k)/float64(sc.N)))
	}
	fmt.Fprintf(tw, "class histogram\t%s\n", strings.Join(hist, "  "))
	if sc.LabelAccuracy != nil {
		fmt.Fprintf(tw, "label accuracy\t%.4f\n", *sc.LabelAccuracy)
	}
	return tw.Flush()
}

// toyEvalSamples is the number of samples mode coverage is measured over, as
// in the Unrolled GAN, VEEGAN and PacGAN papers.
const toyEvalSamples = 2500

// toyRun returns the GAN of a run trained on a 2-D dataset (ring8, grid25).
func toyRun(path string) (*gan.Trainer, bool) {
	if _, err := gan.FindCheckpoint(path); err != nil {
		return nil, false
	}
	job, err := gan.LoadJob(path)
	if err != nil {
		return nil, false
	}
	tr, ok := job.(*gan.Trainer)
	return tr, ok && data.IsToy(tr.Config.Data)
}

// modesReport is what `gogan eval --json` prints for a 2-D run.
type modesReport struct {
	Dataset string `json:"dataset"`
	N       int    `json:"n"`
	Step    int    `json:"step"`
	metrics.ModeCoverage
	// KL replaces the coverage's KL, null when undefined (no high-quality samples).
	KL *float64 `json:"kl"`
}

// evalModes scores a 2-D GAN, the run --samples names, by mode coverage over n samples.
func evalModes(env *environment, f *evalFlags, tr *gan.Trainer, n int) error {
	if n < 1 || n > maxSamples {
		return usageError{fmt.Sprintf("--n must be in [1, %d], got %d", maxSamples, n)}
	}
	toy, err := data.NewToy(tr.Config.Data, 1, 1)
	if err != nil {
		return err
	}
	points, err := toyPoints(tr, n, f.seed, f.device)
	if err != nil {
		return fmt.Errorf("%s: %w", f.samples, err)
	}
	cov, err := metrics.Modes(points, toy.Centers, toy.Sigma)
	if err != nil {
		return err
	}
	r := modesReport{Dataset: tr.Config.Data, N: n, Step: tr.Step, ModeCoverage: cov}
	kl := "undefined (no high-quality samples)"
	if !math.IsInf(cov.KL, 0) {
		r.KL = &cov.KL
		kl = fmt.Sprintf("%.4f", cov.KL)
	}
	if f.asJSON {
		return json.NewEncoder(env.stdout).Encode(r)
	}
	fmt.Fprintf(env.stdout, "%s, %d samples at step %d:\n  high-quality samples (within 3σ of a mode): %.1f%%\n  modes covered (≥%d high-quality samples): %d of %d\n  KL(mode histogram ‖ uniform): %s\n",
		r.Dataset, n, r.Step, 100*cov.HighQualityFraction, metrics.MinModeSamples, cov.ModesCovered, cov.ModesTotal, kl)
	return nil
}

// toyPoints are n points (n, 2) of a 2-D GAN's generator (generator.FromJob: G, or
// its weight average when the run keeps one) from latent vectors seeded by seed, made
// on device, as gogan sample makes its images.
func toyPoints(tr *gan.Trainer, n int, seed uint64, device string) ([]float32, error) {
	gen, err := generator.FromJob(tr)
	if err != nil {
		return nil, err
	}
	z := make([]float32, n*gen.LatentDim())
	gan.Latents(z, seed)
	b, err := gen.Generate(generator.Request{Latents: z, Device: device})
	if err != nil {
		return nil, err
	}
	return b.Data, nil
}

// runTestImages reads the test images of the data a run trained on, as the run
// read them (a folder of images included), in [−1, 1].
func runTestImages(cfg gan.Config) ([]float32, error) {
	ds, err := run.LoadDataset(cfg, run.DataOptions{})
	if err != nil {
		return nil, err
	}
	return data.Scale(ds.Test.Images), nil
}
