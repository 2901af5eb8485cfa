package gan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gogan/gogan/data"
)

// recipe is a published GAN recipe: an objective with its stabilizers and
// optimizer settings, applied to the settings a user did not give.
type recipe struct {
	description string
	apply       func(cfg *Config)
	// arch is the networks the recipe trains when Config.Arch is not given;
	// "" is the seed's mlp.
	arch string
}

var recipes = map[string]recipe{
	"wgan": {"Wasserstein GAN: RMSprop 5e-5, weights clipped to ±0.01, 5 critic steps per G step", func(c *Config) {
		c.Loss, c.Optimizer, c.LR, c.Clip, c.NCritic = "wgan", "rmsprop", 5e-5, 0.01, 5
	}, ""},
	"wgan-gp": {"WGAN with gradient penalty: λ 10, 5 critic steps, Adam 2e-4 with betas 0.5/0.9", func(c *Config) {
		c.Loss, c.Optimizer, c.GP, c.NCritic = "wgan-gp", "adam", 10, 5
		c.LR, c.Beta1, c.Beta2 = 2e-4, 0.5, 0.9
	}, ""},
	"lsgan": {"least-squares GAN: Adam 2e-4, beta1 0.5", func(c *Config) {
		c.Loss, c.Optimizer, c.LR, c.Beta1 = "lsgan", "adam", 2e-4, 0.5
	}, ""},
	"cgan": {"conditional GAN: label embeddings joined to G's noise and to D's input (PyTorch-GAN, keras-io)", func(c *Config) {
		c.Conditional = "cgan"
	}, ""},
	"acgan": {"auxiliary-classifier GAN: D also predicts the class of real and generated samples (Odena et al. 2017)", func(c *Config) {
		c.Conditional = "acgan"
	}, ""},
	"sngan": {"hinge loss with spectral normalization in D: Adam 2e-4, betas 0.5/0.999", func(c *Config) {
		c.Loss, c.Optimizer, c.SpectralNorm, c.LR, c.Beta1 = "hinge", "adam", true, 2e-4, 0.5
	}, ""},
	"ragan": {"relativistic average GAN (RaSGAN, Jolicoeur-Martineau 2018): Adam 2e-4, betas 0.5/0.999", func(c *Config) {
		c.Loss, c.Optimizer, c.LR, c.Beta1, c.Beta2 = "ragan", "adam", 2e-4, 0.5, 0.999
	}, ""},
	"tuned": {"the seed's networks trained better: PyTorch's initializer, EMA of G 0.999 sampled with standing BatchNorm statistics (50 batches), one-sided label smoothing 0.1, Adam 3e-4 (FID after 10 epochs 62% below the default's on 3 seeds)", func(c *Config) {
		c.Optimizer, c.LR, c.Beta1, c.Beta2 = "adam", 3e-4, 0.5, 0.999
		c.Init, c.EMA, c.StandingStats, c.LabelSmoothing = "pytorch", 0.999, 50, 0.1
	}, ""},
	"tuned-dcgan": {"the DCGAN trained with no bad seeds: EMA of G 0.999 sampled with standing BatchNorm statistics (50 batches), one-sided label smoothing 0.1, Adam 4e-4 with beta1 0.5 (FID after 5 epochs 30% below the default's, median of 5 seeds, worst ÷ best 1.04)", func(c *Config) {
		c.Optimizer, c.LR, c.Beta1, c.Beta2 = "adam", 4e-4, 0.5, 0.999
		c.EMA, c.StandingStats, c.LabelSmoothing = 0.999, 50, 0.1
	}, "dcgan"},
	"ralsgan": {"relativistic average least-squares GAN (Jolicoeur-Martineau 2018): Adam 2e-4, betas 0.5/0.999", func(c *Config) {
		c.Loss, c.Optimizer, c.LR, c.Beta1, c.Beta2 = "ralsgan", "adam", 2e-4, 0.5, 0.999
	}, ""},
}

// RecipeNames lists the recipes, sorted, comma-separated.
func RecipeNames() string {
	names := make([]string, 0, len(recipes))
	for n := range recipes {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// IsRecipe reports whether name is a recipe (as opposed to an architecture).
func IsRecipe(name string) bool {
	_, ok := recipes[name]
	return ok
}

// ApplyRecipe sets the recipe's settings on cfg, except those named in given
// (the settings a user chose). It does nothing for an architecture name. A
// nil cfg is a programmer's error: it panics naming it.
func ApplyRecipe(cfg *Config, given map[string]bool) {
	mustBeConfig("ApplyRecipe", cfg)
	r, ok := recipes[cfg.Model]
	if !ok {
		return
	}
	chosen := *cfg
	r.apply(cfg)
	restore := map[string]func(){
		"loss": func() { cfg.Loss = chosen.Loss }, "optimizer": func() { cfg.Optimizer = chosen.Optimizer },
		"lr": func() { cfg.LR = chosen.LR }, "clip": func() { cfg.Clip = chosen.Clip },
		"n-critic": func() { cfg.NCritic = chosen.NCritic }, "gp": func() { cfg.GP = chosen.GP },
		"beta1": func() { cfg.Beta1 = chosen.Beta1 }, "beta2": func() { cfg.Beta2 = chosen.Beta2 },
		"spectral-norm": func() { cfg.SpectralNorm = chosen.SpectralNorm },
		"init":          func() { cfg.Init = chosen.Init }, "ema": func() { cfg.EMA = chosen.EMA },
		"bn-momentum":     func() { cfg.BNMomentum = chosen.BNMomentum },
		"standing-stats":  func() { cfg.StandingStats = chosen.StandingStats },
		"label-smoothing": func() { cfg.LabelSmoothing = chosen.LabelSmoothing },
	}
	for name, undo := range restore {
		if given[name] {
			undo()
		}
	}
}

// ApplyDefaults gives cfg the defaults of the recipe and the architecture it
// names, for the settings not named in given (the ones a user chose, by
// gogan train's flag names: "lr", "latent", "batch", ...): the recipe's
// objective and optimizer settings (ApplyRecipe), then the architecture's
// (Architecture.Defaults: an autoencoder's code size and learning rate, the
// 2-D benchmarks' data, batch, packed D and decaying rate, resnet's latent
// size and betas). A recipe keeps its own optimizer and D settings. A recipe
// follows the data: given 2-D points (data.IsToy: ring8, grid25) and no
// "arch", it trains the mlp2d networks. An unknown name is left for Validate
// to report; a nil cfg is a programmer's error, and it panics naming it.
func ApplyDefaults(cfg *Config, given map[string]bool) {
	mustBeConfig("ApplyDefaults", cfg)
	if IsRecipe(cfg.Model) && cfg.Arch == "" && !given["arch"] && data.IsToy(cfg.Data) {
		cfg.Arch = "mlp2d"
	}
	ApplyRecipe(cfg, given)
	arch, err := LookupArchitecture(cfg.ArchitectureName())
	if err != nil || arch.Defaults == nil {
		return
	}
	base := DefaultConfig()
	arch.Defaults(&base)
	recipe := IsRecipe(cfg.Model)
	for name, apply := range map[string]func(){
		"latent": func() { cfg.LatentDim = base.LatentDim },
		"data":   func() { cfg.Data = base.Data },
		"batch":  func() { cfg.Batch = base.Batch },
		"epochs": func() { cfg.Epochs = base.Epochs },
	} {
		if !given[name] {
			apply()
		}
	}
	if recipe {
		return
	}
	for name, apply := range map[string]func(){
		"lr":       func() { cfg.LR = base.LR },
		"beta1":    func() { cfg.Beta1 = base.Beta1 },
		"beta2":    func() { cfg.Beta2 = base.Beta2 },
		"pack":     func() { cfg.Pack = base.Pack },
		"lr-decay": func() { cfg.LRDecay = base.LRDecay },
	} {
		if !given[name] {
			apply()
		}
	}
}

// mustBeConfig panics, naming the function fn, when cfg is nil: there is no
// config to set the defaults of.
func mustBeConfig(fn string, cfg *Config) {
	if cfg == nil {
		panic("gan: " + fn + ": nil *Config (pass the address of the Config to fill in)")
	}
}

// ArchitectureName is the architecture a config trains: Arch for a recipe,
// Model otherwise.
func (c Config) ArchitectureName() string {
	if r, ok := recipes[c.Model]; ok {
		switch {
		case c.Arch != "":
			return c.Arch
		case r.arch != "":
			return r.arch
		}
		return "mlp"
	}
	return c.Model
}

// validateGAN checks the GAN-specific settings.
func (c Config) validateGAN() error {
	obj, err := LookupObjective(c.Loss)
	if err != nil {
		return err
	}
	switch {
	case c.Optimizer != "" && c.Optimizer != "adam" && c.Optimizer != "rmsprop":
		return fmt.Errorf("unknown optimizer %q (want adam or rmsprop)", c.Optimizer)
	case c.NCritic < 0 || c.NCritic > 100:
		return fmt.Errorf("critic steps must be in [0, 100] (0: 1), got %d", c.NCritic)
	case c.GP < 0:
		return fmt.Errorf("gradient-penalty weight must not be negative, got %g", c.GP)
	case c.Clip < 0:
		return fmt.Errorf("clip must not be negative, got %g", c.Clip)
	case c.LabelSmoothing < 0 || c.LabelSmoothing >= 0.5:
		return fmt.Errorf("label smoothing must be in [0, 0.5), got %g", c.LabelSmoothing)
	case c.InstanceNoise < 0:
		return fmt.Errorf("instance noise must not be negative, got %g", c.InstanceNoise)
	case c.Conditional != "" && c.Conditional != "cgan" && c.Conditional != "acgan":
		return fmt.Errorf("conditional must be cgan or acgan, got %q", c.Conditional)
	case c.Conditional == "acgan" && obj.GradientPenalty:
		return fmt.Errorf("acgan's critic scores and classes together; use cgan with %s", obj.Name)
	case c.EMA < 0 || c.EMA >= 1:
		return fmt.Errorf("EMA decay must be in [0, 1), got %g", c.EMA)
	case c.StandingStats < 0 || c.StandingStats > MaxStandingStats:
		return fmt.Errorf("standing statistics must be in [0, %d] batches, got %d", MaxStandingStats, c.StandingStats)
	case c.StandingStats > 0 && c.EMA == 0:
		return fmt.Errorf("standing statistics (%d batches) are computed for G's weight average: set an EMA decay too (e.g. 0.999), or standing statistics 0", c.StandingStats)
	case c.LRG < 0 || c.LRD < 0 || c.LRG > 1 || c.LRD > 1:
		return fmt.Errorf("the learning rates of G and D must be in [0, 1] (0: the learning rate), got G %g and D %g", c.LRG, c.LRD)
	}
	_, err = parseDiffAugment(c.DiffAugment)
	return err
}

// checkLipschitz refuses an objective that keeps D Lipschitz by clipping its
// weights or by a gradient penalty (NamedObjective.Clip, GradientPenalty)
// when the config turns that off: a clip or a penalty weight of 0 (no
// default replaces it) would train the critic unconstrained. validateGAN
// leaves it to Resolve and NewTrainerFor: a checkpoint of a version that
// accepted 0 loads to sample (see LoadJob), and does not train.
func (c Config) checkLipschitz(obj NamedObjective) error {
	switch {
	case obj.Clip && !(c.Clip > 0):
		return fmt.Errorf("loss %s keeps D Lipschitz by clipping its weights: clip must be positive (the wgan recipe's is 0.01), got %g", obj.Name, c.Clip)
	case obj.GradientPenalty && !(c.GP > 0):
		return fmt.Errorf("loss %s keeps D Lipschitz by a gradient penalty: its weight must be positive (the wgan-gp recipe's is 10), got %g", obj.Name, c.GP)
	}
	return nil
}

// criticSteps is the number of D steps per G step (1 when unset).
func (c Config) criticSteps() int { return max(c.NCritic, 1) }

// learningRates are G's and D's learning rates.
func (c Config) learningRates() (g, d float32) {
	g, d = c.LR, c.LR
	if c.LRG > 0 {
		g = c.LRG
	}
	if c.LRD > 0 {
		d = c.LRD
	}
	return g, d
}
