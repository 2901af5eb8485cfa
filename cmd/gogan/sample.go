package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/generator"
	"github.com/gogan/gogan/internal/words"
	"github.com/gogan/gogan/report"
	"github.com/gogan/gogan/run"
	"github.com/gogan/gogan/tensor"
)

// maxSamples bounds the images of one gogan sample, so that a mistyped --n
// does not ask for more memory than a machine has (each image is held as
// float32s until written).
const maxSamples = generator.MaxSamples

// sampleFlags are gogan sample's flags; fs tells which were given.
type sampleFlags struct {
	run     string
	n       int
	out     string
	format  string
	seed    uint64
	latents string
	cols    int
	class   int
	device  string
	fs      *flag.FlagSet
}

func newSampleCommand() *command {
	fs := flag.NewFlagSet("sample", flag.ContinueOnError)
	f := &sampleFlags{fs: fs}
	fs.StringVar(&f.run, "run", "", "run folder, checkpoint folder or latest.json to load the generator from (required)")
	fs.IntVar(&f.n, "n", 64, "number of images")
	fs.StringVar(&f.out, "out", "samples.png", "output: a .png grid, an IDX file (.idx, -ubyte, .gz), or a folder of PNGs")
	fs.StringVar(&f.format, "format", "", "grid, pngs or idx (default: from --out)")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the latent vectors")
	fs.StringVar(&f.latents, "latents", "", "safetensors file whose tensor \"latents\" (n, latent) F32 replaces the seeded noise")
	fs.IntVar(&f.cols, "cols", 0, "grid columns (default √n; 8 for a conditional run's grid of one row per class)")
	fs.StringVar(&f.device, "device", "cpu", "where the generator runs: cpu, cuda or cuda:N (an NVIDIA GPU; any run's generator)")
	fs.IntVar(&f.class, "class", -1, "conditional runs (cgan, acgan): the class to draw; -1 draws every class (a grid: one row per class)")
	c := &command{
		name: "sample", usage: "--run DIR [--n 64] [--out samples.png] [--seed 1 | --latents FILE] [--device cpu|cuda]", flags: fs,
		short: "Generate images with a trained generator, as a PNG grid, a folder of PNGs or an IDX file.",
	}
	c.run = func(env *environment, _ []string) error { return runSample(env, f) }
	return c
}

// runSample loads the run's generator, draws --n images from it and writes them.
// Ctrl-C or SIGTERM stops it with nothing written: exit 130 and a message.
func runSample(env *environment, f *sampleFlags) error {
	kind, err := checkSampleFlags(f)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = drawSamples(ctx, env, f, kind)
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return fmt.Errorf("%w before %s was written: nothing was written or replaced", errInterruptedExit, f.out)
	}
	return err
}

// drawSamples is runSample once the flags are checked, stopped by ctx.
func drawSamples(ctx context.Context, env *environment, f *sampleFlags, kind string) error {
	job, err := gan.LoadJob(f.run)
	if err != nil {
		return err
	}
	// gen maps latent vectors to images: G, or an autoencoder's decoder.
	gen, err := generator.FromJob(job)
	if err != nil {
		return fmt.Errorf("%s: %w", f.run, err)
	}
	ae, _ := job.(*gan.AutoencoderTrainer)
	classes := gen.Classes()
	if classes == 0 {
		classes = gan.Classes
	}
	if f.class < -1 || f.class >= classes {
		return usageError{fmt.Sprintf("--class must be in [0, %d), or -1 for all, got %d", classes, f.class)}
	}
	conditional := gen.Classes() > 0
	if f.class >= 0 && !conditional {
		return usageError{fmt.Sprintf("--class needs a conditional run (cgan, acgan); %s is %s", f.run, job.Settings().Model)}
	}
	if conditional && f.class < 0 && kind == "grid" && !isSet(f.fs, "n") && f.latents == "" {
		if f.cols == 0 {
			f.cols = 8
		}
		f.n = min(classes*f.cols, maxSamples) // one row per class
	}
	shape := gen.SampleShape()
	if len(shape) != 3 {
		return fmt.Errorf("%s generates points of shape %s, not images: see the scatter plots in its samples folder", f.run, shape)
	}
	z, err := sampleLatents(f, gen.LatentDim())
	if err != nil {
		return err
	}
	var recPath string
	var recGrid gan.Picture
	if ae != nil {
		if recPath, recGrid, err = autoencoderSamples(ae, z, f.latents == "", f); err != nil {
			return err
		}
	}
	var labels []int
	if conditional {
		labels = sampleLabels(f, classes, kind == "grid")
	}
	bar := newProgress(env, "generating", f.n)
	batch, err := gen.GenerateContext(ctx, generator.Request{Latents: z, Classes: labels, Device: f.device, Progress: bar.callback()})
	bar.finish()
	if err != nil {
		return err
	}
	if err := writeSamples(ctx, env, f, kind, batch.Data, shape); err != nil {
		return err
	}
	if recPath != "" { // only once the samples are written: a failed command replaces nothing
		if err := run.WritePicture(recPath, recGrid, gan.TestSet{}); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.stdout, "wrote %s from step %d of %s to %s\n", words.Count(f.n, "image", "images"), job.Steps(), filepath.Clean(f.run), f.out)
	if recPath != "" {
		fmt.Fprintf(env.stdout, "test images (odd rows) and their reconstructions (even rows): %s\n", recPath)
	}
	return nil
}

// checkSampleFlags checks the flags that need no run, and returns the kind
// of output: grid, pngs or idx.
func checkSampleFlags(f *sampleFlags) (kind string, err error) {
	if f.run == "" {
		return "", usageError{"--run is required"}
	}
	if _, err := gan.ParseDevice(f.device); err != nil {
		return "", usageError{"--device: " + err.Error()}
	}
	if f.out == "" {
		return "", usageError{"--out must not be empty"}
	}
	kind = strings.ToLower(f.format) // as --out's extension, any case
	if kind == "" {
		if kind = formatOf(f.out); kind == "" {
			return "", usageError{fmt.Sprintf("--out %s: a grid is written to a .png file, IDX to .idx, -ubyte or .gz, and PNGs into a folder (a name without an extension); or say which with --format", f.out)}
		}
	}
	if kind != "grid" && kind != "pngs" && kind != "idx" {
		return "", usageError{fmt.Sprintf("--format must be grid, pngs or idx, got %q", f.format)}
	}
	if named := formatOf(f.out); f.format != "" && named != "" && named != kind {
		return "", usageError{fmt.Sprintf("--format %s, but --out %s names %s: give a matching --out", kind, f.out, map[string]string{"grid": "a PNG grid", "idx": "an IDX file", "pngs": "a folder of PNGs"}[named])}
	}
	if f.latents != "" && isSet(f.fs, "n") {
		return "", usageError{"--n and --latents: the latents file's rows are the samples; give one of them"}
	}
	if f.latents == "" && (f.n <= 0 || f.n > maxSamples) {
		return "", usageError{fmt.Sprintf("--n must be in [1, %d], got %d", maxSamples, f.n)}
	}
	if f.cols < 0 {
		return "", usageError{fmt.Sprintf("--cols must not be negative, got %d", f.cols)}
	}
	if err := gan.CheckOutput(f.out, f.run, f.latents); err != nil {
		return "", err
	}
	return kind, nil
}

// sampleLatents are the latent vectors (n, latent): --latents' tensor, which
// sets f.n to its rows, or --n vectors of noise seeded by --seed.
func sampleLatents(f *sampleFlags, latent int) ([]float32, error) {
	if f.latents != "" {
		z, err := readLatents(f.latents, latent)
		if err != nil {
			return nil, err
		}
		f.n = len(z) / latent
		return z, nil
	}
	z := make([]float32, f.n*latent)
	gan.Latents(z, f.seed)
	return z, nil
}

// sampleLabels are the classes a conditional run draws its f.n images of:
// --class for all, else one row per class in a grid, else cycling.
func sampleLabels(f *sampleFlags, classes int, grid bool) []int {
	labels := make([]int, f.n)
	for i := range labels {
		switch {
		case f.class >= 0:
			labels[i] = f.class
		case grid && f.cols > 0:
			labels[i] = i / f.cols % classes // row r shows class r
		default:
			labels[i] = i % classes
		}
	}
	return labels
}

// writeSamples writes the f.n images imgs (n, h, w, c) of the given shape
// (h, w, c) to f.out as kind says: a grid of f.cols columns (√n when 0), a folder
// of PNGs (with a progress bar) or an IDX file. ctx stops the folder between
// images, and the others before they start.
func writeSamples(ctx context.Context, env *environment, f *sampleFlags, kind string, imgs []float32, shape tensor.Shape) error {
	n, h, w, ch := f.n, shape[0], shape[1], shape[2]
	if err := ctx.Err(); err != nil {
		return err
	}
	switch kind {
	case "grid":
		cols := f.cols
		if cols == 0 {
			cols = int(math.Ceil(math.Sqrt(float64(n))))
		}
		cols = min(cols, n) // more columns would only be padding
		return report.Grid(f.out, imgs, n, h, w, ch, cols)
	case "pngs":
		bar := newProgress(env, "writing PNGs", n)
		defer bar.finish()
		return report.WritePNGsContext(ctx, f.out, "sample-", imgs, n, h, w, ch, report.PNGOptions{Progress: bar.callback()})
	case "idx":
		return data.WriteIDXImages(f.out, toBytes(imgs, n, h, w, ch))
	}
	return nil
}

// autoencoderSamples prepares an autoencoder's sampling: with seeded noise z
// (drawn), it turns z into codes from the Gaussian that fits the test images'
// codes (per dimension), and it makes the picture of the test images beside
// their reconstructions, which the caller writes next to --out once the samples
// are written. It returns that picture and its path, checked as an output.
func autoencoderSamples(ae *gan.AutoencoderTrainer, z []float32, drawn bool, f *sampleFlags) (string, gan.Picture, error) {
	recPath := strings.TrimSuffix(f.out, filepath.Ext(f.out)) + "-reconstructions.png"
	if err := gan.CheckOutput(recPath, f.run, f.latents); err != nil {
		return "", gan.Picture{}, err
	}
	ds, err := run.LoadDataset(ae.Config, run.DataOptions{})
	if err != nil {
		return "", gan.Picture{}, err
	}
	test := data.Scale(ds.Test.Images)
	pic, err := ae.Progress(gan.TestSet{Images: test}) // first: its error names the picture and the count
	if err != nil {
		return "", gan.Picture{}, fmt.Errorf("%s: %w", recPath, err)
	}
	if drawn {
		if err := ae.DrawCodes(z, test); err != nil {
			return "", gan.Picture{}, err
		}
	}
	return recPath, pic, nil
}

// isSet reports whether the named flag was given.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// formatOf guesses the output kind from a path: "" for an extension it does not
// know (a .jpg file would otherwise become a folder of PNGs).
func formatOf(path string) string {
	lower := strings.ToLower(path)
	switch {
	case strings.HasSuffix(lower, ".png"):
		return "grid"
	case strings.HasSuffix(lower, ".idx"), strings.HasSuffix(lower, "ubyte"), strings.HasSuffix(lower, ".gz"):
		return "idx"
	case filepath.Ext(path) != "" && !strings.HasPrefix(filepath.Base(path), ".") && !strings.HasSuffix(path, string(filepath.Separator)):
		return ""
	}
	return "pngs"
}

// readLatents loads the tensor "latents" (n, latent) from a safetensors file.
func readLatents(path string, latent int) ([]float32, error) {
	buf, err := checkpoint.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("latents: %w", err)
	}
	return parseLatents(path, buf, latent)
}

// parseLatents is readLatents on the bytes of the file at path.
func parseLatents(path string, buf []byte, latent int) ([]float32, error) {
	tensors, _, err := checkpoint.ParseSafetensors(path, buf)
	if err != nil {
		return nil, err
	}
	t, ok := tensors["latents"]
	if !ok {
		return nil, fmt.Errorf("%s: no tensor named \"latents\"", path)
	}
	if t.DType != "F32" || len(t.Shape) != 2 || t.Shape[1] != latent || t.Shape[0] == 0 {
		return nil, fmt.Errorf("%s: tensor latents is %s %v, want F32 (n, %d)", path, t.DType, t.Shape, latent)
	}
	if t.Shape[0] > maxSamples {
		return nil, fmt.Errorf("%s: tensor latents has %d rows, at most %d images are made at once", path, t.Shape[0], maxSamples)
	}
	if err := checkpoint.CheckFinite("latents", t.F32); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return t.F32, nil
}

// toBytes maps [−1, 1] pixels to IDX bytes 0..255, the inverse of the data scaling.
func toBytes(imgs []float32, n, h, w, channels int) *data.Images {
	px := make([]uint8, len(imgs))
	for i, v := range imgs {
		px[i] = uint8(math.Round(float64(max(-1, min(1, v))+1) * 127.5))
	}
	return &data.Images{N: n, Rows: h, Cols: w, Channels: channels, Pixels: px}
}
