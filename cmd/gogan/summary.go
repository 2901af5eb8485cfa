package main

import (
	"flag"
	"fmt"
	"math/rand/v2"

	"github.com/gogan/gogan/gan"
)

// maxLatent bounds --latent, so that a mistyped size does not ask for more
// memory than a machine has (G's first kernel is latent × 256).
const maxLatent = gan.MaxLatentDim

func newSummaryCommand() *command {
	fs := flag.NewFlagSet("summary", flag.ContinueOnError)
	model := fs.String("model", "mlp", "architecture: "+gan.ArchitectureNames())
	latent := fs.Int("latent", gan.DefaultConfig().LatentDim, "noise size of a GAN, code size of an autoencoder (cae's default: 32)")
	pack := fs.Int("pack", 1, "samples D judges at once (PacGAN; mlp2d's default: 2)")
	c := &command{
		name: "summary", usage: "[--model mlp]", flags: fs,
		short: "Print each model's layers, output shapes and parameter counts, as Keras's model.summary().",
	}
	c.run = func(env *environment, _ []string) error {
		arch, err := gan.LookupArchitecture(*model)
		if err != nil {
			return usageError{err.Error()}
		}
		if *latent <= 0 || *latent > maxLatent {
			return usageError{fmt.Sprintf("--latent must be in [1, %d], got %d", maxLatent, *latent)}
		}
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		cfg := gan.DefaultConfig()
		cfg.Model, cfg.LatentDim = *model, *latent
		if set["pack"] {
			cfg.Pack = *pack
		}
		gan.ApplyDefaults(&cfg, set)
		g, d := arch.New(cfg.LatentDim, arch.Sample)
		if cfg.Pack > 1 {
			if arch.PackedDiscriminator == nil || cfg.Pack > gan.MaxPack {
				return usageError{fmt.Sprintf("--pack %d needs mlp2d and at most %d", cfg.Pack, gan.MaxPack)}
			}
			d = arch.PackedDiscriminator(cfg.Pack)
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
	return c
}
