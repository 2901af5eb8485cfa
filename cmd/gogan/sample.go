package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/generator"
	"github.com/gogan/gogan/report"
	"github.com/gogan/gogan/run"
)

// maxSamples bounds the images of one gogan sample, so that a mistyped --n
// does not ask for more memory than a machine has (each image is held as
// float32s until written).
const maxSamples = generator.MaxSamples

func newSampleCommand() *command {
	fs := flag.NewFlagSet("sample", flag.ContinueOnError)
	from := fs.String("run", "", "run folder, checkpoint folder or latest.json to load the generator from (required)")
	n := fs.Int("n", 64, "number of images")
	out := fs.String("out", "samples.png", "output: a .png grid, an IDX file (.idx, -ubyte, .gz), or a folder of PNGs")
	format := fs.String("format", "", "grid, pngs or idx (default: from --out)")
	seed := fs.Uint64("seed", 1, "seed of the latent vectors")
	latents := fs.String("latents", "", "safetensors file whose tensor \"latents\" (n, latent) F32 replaces the seeded noise")
	cols := fs.Int("cols", 0, "grid columns (default √n; 8 for a conditional run's grid of one row per class)")
	class := fs.Int("class", -1, "conditional runs (cgan, acgan): the class to draw; -1 draws every class (a grid: one row per class)")
	c := &command{
		name: "sample", usage: "--run DIR [--n 64] [--out samples.png] [--seed 1 | --latents FILE]", flags: fs,
		short: "Generate images with a trained generator, as a PNG grid, a folder of PNGs or an IDX file.",
	}
	c.run = func(env *environment, _ []string) error {
		if *from == "" {
			return usageError{"--run is required"}
		}
		kind := *format
		if kind == "" {
			kind = formatOf(*out)
		}
		if kind != "grid" && kind != "pngs" && kind != "idx" {
			return usageError{fmt.Sprintf("--format must be grid, pngs or idx, got %q", kind)}
		}
		if *latents == "" && (*n <= 0 || *n > maxSamples) {
			return usageError{fmt.Sprintf("--n must be in [1, %d], got %d", maxSamples, *n)}
		}
		if *cols < 0 {
			return usageError{fmt.Sprintf("--cols must not be negative, got %d", *cols)}
		}
		if err := gan.CheckOutput(*out, *from, *latents); err != nil {
			return err
		}
		job, err := gan.LoadJob(*from)
		if err != nil {
			return err
		}
		// gen maps latent vectors to images: G, or an autoencoder's decoder.
		gen, err := generator.FromJob(job)
		if err != nil {
			return fmt.Errorf("%s: %w", *from, err)
		}
		ae, _ := job.(*gan.AutoencoderTrainer)
		classes := gen.Classes()
		if classes == 0 {
			classes = gan.Classes
		}
		if *class < -1 || *class >= classes {
			return usageError{fmt.Sprintf("--class must be in [0, %d), or -1 for all, got %d", classes, *class)}
		}
		conditional := gen.Classes() > 0
		if *class >= 0 && !conditional {
			return usageError{fmt.Sprintf("--class needs a conditional run (cgan, acgan); %s is %s", *from, job.Settings().Model)}
		}
		if conditional && *class < 0 && kind == "grid" && !isSet(fs, "n") && *latents == "" {
			if *cols == 0 {
				*cols = 8
			}
			*n = min(classes**cols, maxSamples) // one row per class
		}
		shape := gen.SampleShape()
		if len(shape) != 3 {
			return fmt.Errorf("%s generates points of shape %s, not images: see the scatter plots in its samples folder", *from, shape)
		}
		latent := gen.LatentDim()
		var z []float32
		if *latents != "" {
			z, err = readLatents(*latents, latent)
			if err != nil {
				return err
			}
			*n = len(z) / latent
		} else {
			z = make([]float32, *n*latent)
			gan.Latents(z, *seed)
		}
		var recPath string
		if ae != nil {
			if recPath, err = autoencoderSamples(ae, z, *latents == "", *out); err != nil {
				return err
			}
		}
		var labels []int
		if conditional {
			labels = make([]int, *n)
			for i := range labels {
				switch {
				case *class >= 0:
					labels[i] = *class
				case kind == "grid" && *cols > 0:
					labels[i] = i / *cols % classes // row r shows class r
				default:
					labels[i] = i % classes
				}
			}
		}
		batch, err := gen.Generate(generator.Request{Latents: z, Classes: labels})
		if err != nil {
			return err
		}
		imgs := batch.Data
		h, w, ch := shape[0], shape[1], shape[2]
		switch kind {
		case "grid":
			cc := *cols
			if cc == 0 {
				cc = int(math.Ceil(math.Sqrt(float64(*n))))
			}
			cc = min(cc, *n) // more columns would only be padding
			err = report.Grid(*out, imgs, *n, h, w, ch, cc)
		case "pngs":
			err = report.WritePNGs(*out, "sample-", imgs, *n, h, w, ch)
		case "idx":
			err = data.WriteIDXImages(*out, toBytes(imgs, *n, h, w, ch))
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "wrote %d images from step %d of %s to %s\n", *n, job.Steps(), filepath.Clean(*from), *out)
		if recPath != "" {
			fmt.Fprintf(env.stdout, "test images (odd rows) and their reconstructions (even rows): %s\n", recPath)
		}
		return nil
	}
	return c
}

// autoencoderSamples prepares an autoencoder's sampling: with seeded noise z
// (drawn), it turns z into codes from the Gaussian that fits the test images'
// codes (per dimension), and it writes the test images beside their
// reconstructions next to out. It returns that picture's path.
func autoencoderSamples(ae *gan.AutoencoderTrainer, z []float32, drawn bool, out string) (string, error) {
	ds, err := run.LoadDataset(ae.Config, run.DataOptions{})
	if err != nil {
		return "", err
	}
	test := data.Scale(ds.Test.Images)
	if drawn {
		ae.DrawCodes(z, test)
	}
	recPath := strings.TrimSuffix(out, filepath.Ext(out)) + "-reconstructions.png"
	return recPath, run.WritePicture(recPath, ae.ReconstructionGrid(test, 32, 8), gan.TestSet{})
}

// isSet reports whether the named flag was given.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// formatOf guesses the output kind from a path.
func formatOf(path string) string {
	lower := strings.ToLower(path)
	switch {
	case strings.HasSuffix(lower, ".png"):
		return "grid"
	case strings.HasSuffix(lower, ".idx"), strings.HasSuffix(lower, "ubyte"), strings.HasSuffix(lower, ".gz"):
		return "idx"
	}
	return "pngs"
}

// readLatents loads the tensor "latents" (n, latent) from a safetensors file.
func readLatents(path string, latent int) ([]float32, error) {
	buf, err := os.ReadFile(path)
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
