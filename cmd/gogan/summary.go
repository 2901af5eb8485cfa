package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/tensor"
)

// maxLatent bounds --latent, so that a mistyped size does not ask for more
// memory than a machine has (G's first kernel is latent × 256).
const maxLatent = gan.MaxLatentDim

// summaryFlags are gogan summary's flags; fs tells which were given.
type summaryFlags struct {
	model                                 string
	latent, pack, size, channels, classes int
	fs                                    *flag.FlagSet
}

func newSummaryCommand() *command {
	fs := flag.NewFlagSet("summary", flag.ContinueOnError)
	f := &summaryFlags{fs: fs}
	fs.StringVar(&f.model, "model", "mlp", "architecture: "+gan.ArchitectureNames()+"; or a recipe ("+gan.RecipeNames()+"): its networks")
	fs.IntVar(&f.latent, "latent", gan.DefaultConfig().LatentDim, "noise size of a GAN, code size of an autoencoder (cae's default: 32)")
	fs.IntVar(&f.pack, "pack", 1, "samples D judges at once (PacGAN; mlp2d's default: 2)")
	fs.IntVar(&f.size, "image-size", 0, "side of the square images the networks are made for (default: the model's, 28 for most)")
	fs.IntVar(&f.channels, "channels", 0, "channels of those images, 1 or 3 (default: the model's, 1 for most)")
	fs.IntVar(&f.classes, "classes", 0, "classes of the data's labels, for a classifier (default 10)")
	c := &command{
		name: "summary", usage: "[--model mlp] [--image-size N] [--channels 1|3]", flags: fs,
		short: "Print each model's layers, output shapes and parameter counts, as Keras's model.summary().",
	}
	c.run = func(env *environment, _ []string) error { return runSummary(env, f) }
	return c
}

// runSummary builds the model's networks and prints their summaries, G's first.
func runSummary(env *environment, f *summaryFlags) error {
	if f.latent <= 0 || f.latent > maxLatent {
		return usageError{fmt.Sprintf("--latent must be in [1, %d], got %d", maxLatent, f.latent)}
	}
	set := setFlags(f.fs)
	cfg := gan.DefaultConfig()
	cfg.Model, cfg.LatentDim = f.model, f.latent
	if set["pack"] {
		cfg.Pack = f.pack
	}
	cfg.Classes = f.classes
	gan.ApplyDefaults(&cfg, set)
	arch, err := gan.LookupArchitecture(cfg.ArchitectureName()) // a recipe's networks
	if err != nil {
		return usageError{err.Error()}
	}
	cfg.Batch = max(cfg.Pack, 1) // the networks do not depend on it; packs must fill it
	r, err := cfg.Resolve()
	if err != nil {
		return usageError{err.Error()}
	}
	if sample, ok, err := summarySample(arch, f.size, f.channels); err != nil {
		return err
	} else if ok {
		if r, err = r.ForData(sample); err != nil {
			return usageError{strings.TrimPrefix(err.Error(), "data "+cfg.Data+": ")}
		}
	}
	g, d, err := r.Networks()
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for _, m := range []interface {
		Build(*rand.Rand) error
	}{g, d} {
		if err := m.Build(rng); err != nil {
			return err
		}
	}
	if err := g.Summary(env.stdout); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout)
	return d.Summary(env.stdout)
}

// summarySample is the sample shape --image-size and --channels ask for,
// the architecture's own where one is not given; ok is false when neither is.
func summarySample(arch gan.Architecture, size, channels int) (tensor.Shape, bool, error) {
	switch {
	case size < 0 || size > maxImageSide:
		return nil, false, usageError{fmt.Sprintf("--image-size must be in [1, %d], got %d", maxImageSide, size)}
	case channels != 0 && channels != 1 && channels != 3:
		return nil, false, usageError{fmt.Sprintf("--channels must be 1 or 3, got %d", channels)}
	case size == 0 && channels == 0:
		return nil, false, nil
	case len(arch.Sample) != 3:
		return nil, false, usageError{fmt.Sprintf("--image-size and --channels make images; %s takes samples of %s", arch.Name, arch.Sample)}
	}
	sample := arch.Sample.Clone()
	if size > 0 {
		sample[0], sample[1] = size, size
	}
	if channels > 0 {
		sample[2] = channels
	}
	return sample, true, nil
}

// maxImageSide bounds --image-size as data.LoadImageFolder does.
const maxImageSide = 4096
