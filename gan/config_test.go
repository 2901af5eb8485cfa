package gan

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gogan/gogan/tensor"
)

// TestValidateRejectsNonFinite: NaN and ±Inf in any float setting are refused,
// naming the setting (NaN passes every comparison with a bound).
func TestValidateRejectsNonFinite(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for name, set := range map[string]func(c *Config, v float32){
		"learning rate": func(c *Config, v float32) { c.LR = v }, "Adam beta1": func(c *Config, v float32) { c.Beta1 = v },
		"gradient-penalty weight": func(c *Config, v float32) { c.GP = v }, "clip": func(c *Config, v float32) { c.Clip = v },
		"EMA decay": func(c *Config, v float32) { c.EMA = v }, "D's learning rate": func(c *Config, v float32) { c.LRD = v },
		"instance noise": func(c *Config, v float32) { c.InstanceNoise = v }, "label smoothing": func(c *Config, v float32) { c.LabelSmoothing = v },
	} {
		for _, v := range []float32{nan, inf, -inf} {
			c := DefaultConfig()
			set(&c, v)
			want := fmt.Sprintf("%s must be a finite number, got %g", name, v)
			if err := c.Validate(); err == nil || err.Error() != want {
				t.Errorf("%s = %g: error %v, want %q", name, v, err, want)
			}
		}
	}
}

// TestValidateRefusesGANSettingsElsewhere: an autoencoder or a classifier
// refuses each setting only a GAN uses, naming it, rather than ignoring it; the
// defaults pass.
func TestValidateRefusesGANSettingsElsewhere(t *testing.T) {
	for _, model := range []string{"cae", "classifier"} {
		c := DefaultConfig()
		c.Model = model
		if err := c.Validate(); err != nil {
			t.Fatalf("%s with the defaults: %v", model, err)
		}
		for name, set := range map[string]func(*Config){
			"loss":                    func(c *Config) { c.Loss = "lsgan" },
			"critic steps":            func(c *Config) { c.NCritic = 5 },
			"gradient-penalty weight": func(c *Config) { c.GP = 10 },
			"clip":                    func(c *Config) { c.Clip = 0.01 },
			"label smoothing":         func(c *Config) { c.LabelSmoothing = 0.1 },
			"instance noise":          func(c *Config) { c.InstanceNoise = 0.1 },
			"EMA decay":               func(c *Config) { c.EMA = 0.999 },
			"standing statistics":     func(c *Config) { c.StandingStats = 5 },
			"spectral normalization":  func(c *Config) { c.SpectralNorm = true },
			"G's learning rate":       func(c *Config) { c.LRG = 1e-4 },
			"D's learning rate":       func(c *Config) { c.LRD = 1e-4 },
			"conditional":             func(c *Config) { c.Conditional = "cgan" },
		} {
			c := DefaultConfig()
			c.Model = model
			set(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), "not a GAN: it has no use for "+name) {
				t.Errorf("%s with %s set: %v", model, name, err)
			}
		}
	}
}

// TestValidateBoundsSampleShape: for every model, a sample shape whose
// networks could not fit in memory is refused naming sample_shape: more
// channels than MaxChannels (dcgan and resnet take any channels otherwise),
// or more values than an int counts (4096·4096·2⁴⁰ wraps to 0). ForData
// refuses them alike; RGBA passes.
func TestValidateBoundsSampleShape(t *testing.T) {
	for _, tc := range []struct {
		model string
		shape tensor.Shape
	}{
		{"mlp", []int{4096, 4096, 1 << 40}},
		{"mlp", []int{28, 28, 5}},
		{"dcgan", []int{28, 28, 1 << 20}},
		{"dcgan", []int{64, 64, 1 << 40}},
		{"resnet", []int{32, 32, 1 << 20}},
		{"cae", []int{4096, 4096, 1 << 40}},
		{"classifier", []int{32, 32, 1 << 24}},
		{"wgan-gp", []int{28, 28, 1 << 62}},
	} {
		c := DefaultConfig()
		c.Model = tc.model
		c.SampleShape = tc.shape
		want := "sample_shape " + tc.shape.Dims()
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s at %s: Validate: %v, want an error naming %q", tc.model, tc.shape.Dims(), err, want)
		}
		c.SampleShape = nil
		if _, err := c.ForData(tc.shape); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s at %s: ForData: %v, want an error naming %q", tc.model, tc.shape.Dims(), err, want)
		}
	}
	for _, model := range []string{"mlp", "dcgan", "cae"} {
		c := DefaultConfig()
		c.Model, c.SampleShape = model, []int{32, 32, MaxChannels}
		if err := c.Validate(); err != nil {
			t.Errorf("%s at 32×32×%d: %v", model, MaxChannels, err)
		}
	}
}

// TestNewTrainerRefusesHugeSamples: NewTrainer builds nothing for a sample
// shape that Validate refuses. (The shapes are ones that fail at once without
// the check: dcgan at 28×28×2²⁰ would ask for gigabytes before failing.)
func TestNewTrainerRefusesHugeSamples(t *testing.T) {
	for _, shape := range []tensor.Shape{{4096, 4096, 1 << 40}, {28, 28, MaxChannels + 1}} {
		c := DefaultConfig()
		c.Model, c.Batch, c.SampleShape = "dcgan", 2, shape
		if shape[0] == 4096 {
			c.Model = "mlp"
		}
		if _, err := NewTrainer(c); err == nil || !strings.Contains(err.Error(), "sample_shape") {
			t.Errorf("%s at %s: %v, want an error naming sample_shape", c.Model, shape.Dims(), err)
		}
	}
}

// TestValidateLipschitzAndRanges: wgan with clip 0 and wgan-gp with
// gradient-penalty weight 0 (no default replaces either: they trained the
// critic unconstrained) are refused, for Config.Loss and for an objective
// given to NewTrainerFor; the messages of settings where 0 means a default
// state the range accepted, 0 included.
func TestValidateLipschitzAndRanges(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(*Config)
		want string
	}{
		{"wgan clip 0", func(c *Config) { c.Loss = "wgan" }, "loss wgan keeps D Lipschitz by clipping its weights: clip must be positive (the wgan recipe's is 0.01), got 0"},
		{"wgan-gp gp 0", func(c *Config) { c.Loss = "wgan-gp" }, "loss wgan-gp keeps D Lipschitz by a gradient penalty: its weight must be positive (the wgan-gp recipe's is 10), got 0"},
		{"critic steps", func(c *Config) { c.NCritic = -1 }, "critic steps must be in [0, 100] (0: 1), got -1"},
		{"classes", func(c *Config) { c.Classes = 300 }, "classes must be in [0, 256] (0: 10, MNIST's), got 300"},
		{"G's learning rate", func(c *Config) { c.LRG = 2 }, "the learning rates of G and D must be in [0, 1] (0: the learning rate), got G 2 and D 0"},
	} {
		c := DefaultConfig()
		tc.set(&c)
		if err := c.Validate(); err == nil || err.Error() != tc.want {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	for _, ok := range []func(*Config){
		func(c *Config) { c.Loss, c.Clip = "wgan", 0.01 },
		func(c *Config) { c.Loss, c.GP = "wgan-gp", 10 },
		func(c *Config) { c.NCritic, c.Classes, c.LRG = 0, 0, 0 },
	} {
		c := DefaultConfig()
		ok(&c)
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	cfg := DefaultConfig()
	cfg.Batch, cfg.LatentDim = 8, 4
	gp := NamedObjective{Name: "ragan-gp", New: func(Config) Objective { return Wasserstein{} }, GradientPenalty: true}
	_, err := NewTrainerFor(ToyGenerator(4), ToyDiscriminator(2), cfg, WithObjective(gp))
	if want := "loss ragan-gp keeps D Lipschitz by a gradient penalty"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("NewTrainerFor with %s and gp 0: %v, want an error containing %q", gp.Name, err, want)
	}
}
