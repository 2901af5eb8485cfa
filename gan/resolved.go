package gan

import (
	"fmt"
	"slices"

	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/tensor"
)

// Resolved is a run's settings resolved and validated once: the config with
// the architecture and, for a GAN, the objective it names. Only Config.Resolve
// makes one, so NewJobFor trusts it and neither validates nor looks up again.
type Resolved struct {
	cfg  Config
	arch Architecture
	obj  NamedObjective // a GAN's objective; zero for an autoencoder or a classifier
}

// Resolve validates c (see Validate) and looks up its architecture and objective.
func (c Config) Resolve() (Resolved, error) {
	r, err := c.resolveStored()
	if err != nil {
		return Resolved{}, err
	}
	if err := c.checkLipschitz(r.obj); err != nil { // r.obj is zero for an autoencoder or a classifier
		return Resolved{}, err
	}
	return r, nil
}

// resolveStored is Resolve for the config of a checkpoint: every check but
// checkLipschitz's, which earlier versions did not make, so that their runs
// of wgan with clip 0 or wgan-gp with gp 0 load to sample (see LoadJob).
func (c Config) resolveStored() (Resolved, error) {
	arch, err := LookupArchitecture(c.ArchitectureName())
	if err != nil {
		return Resolved{}, err
	}
	if err := c.validate(arch); err != nil {
		return Resolved{}, err
	}
	r := Resolved{cfg: c, arch: arch}
	if arch.isGAN() {
		if r.obj, err = LookupObjective(c.Loss); err != nil {
			return Resolved{}, err
		}
	}
	return r, nil
}

// Config is the validated configuration.
func (r Resolved) Config() Config { return r.cfg }

// Architecture is the architecture the configuration names.
func (r Resolved) Architecture() Architecture { return r.arch }

// Objective is a GAN's objective; the zero value for an autoencoder or a classifier.
func (r Resolved) Objective() NamedObjective { return r.obj }

// ForData is Config.ForData on resolved settings.
func (r Resolved) ForData(sample tensor.Shape) (Resolved, error) {
	var err error
	r.cfg, err = r.cfg.fitData(r.arch, sample)
	return r, err
}

// ForLabels returns the settings fitted to data whose labels name classes
// classes (0: the data has no labels): Config.Classes set for a conditional
// recipe or a classifier, which need labels, or an error naming what is
// missing. Other models ignore the labels and come back as they are.
func (r Resolved) ForLabels(classes int) (Resolved, error) {
	if r.cfg.Conditional == "" && !r.arch.Classifier {
		return r, nil
	}
	what := r.cfg.Conditional
	if what == "" {
		what = r.arch.Name
	}
	switch {
	case classes == 0:
		return r, fmt.Errorf("%s needs labelled data (a folder of class folders, or a dataset with labels); %s has no labels", what, r.cfg.Data)
	case classes > MaxClasses:
		return r, fmt.Errorf("%s takes at most %d classes; %s has %d", what, MaxClasses, r.cfg.Data, classes)
	case classes == 1 && r.arch.Classifier:
		return r, fmt.Errorf("%s needs at least 2 classes; %s has 1", what, r.cfg.Data)
	}
	r.cfg.Classes = 0
	if classes != Classes {
		r.cfg.Classes = classes
	}
	return r, nil
}

// Networks makes the two unbuilt networks that resolved settings train, as
// NewJobFor makes them: a GAN's G and D (conditional, packed, spectrally
// normalized as configured), an autoencoder's encoder and decoder, a
// classifier's features and head. gogan summary prints them.
func (r Resolved) Networks() (nn.Network, nn.Network, error) {
	switch {
	case r.arch.New == nil:
		return nil, nil, fmt.Errorf("gan: Networks needs settings made by Config.Resolve")
	case r.arch.isGAN():
		return newGAN(r.cfg, r.arch)
	}
	size := r.cfg.LatentDim
	if r.arch.Classifier {
		size = r.cfg.NumClasses()
	}
	a, b := r.arch.New(size, r.cfg.sampleShape(r.arch))
	return a, b, r.cfg.initialize(a, b)
}

// NewJobFor builds the trainer that resolved settings call for, with fresh
// weights: a GAN's Trainer, an AutoencoderTrainer or a ClassifierTrainer.
func NewJobFor(r Resolved) (Job, error) {
	switch {
	case r.arch.New == nil:
		return nil, fmt.Errorf("gan: NewJobFor needs settings made by Config.Resolve")
	case r.arch.Autoencoder:
		return newAutoencoderTrainer(r)
	case r.arch.Classifier:
		return newClassifierTrainer(r)
	}
	return newGANTrainer(r)
}

// fitData is ForData for the config's architecture arch.
func (c Config) fitData(arch Architecture, sample tensor.Shape) (Config, error) {
	if arch.Fits == nil {
		return c, nil
	}
	if err := checkSampleShape(sample); err != nil {
		return c, fmt.Errorf("data %s: %w", c.Data, err)
	}
	if err := arch.Fits(sample); err != nil {
		return c, fmt.Errorf("data %s: %w", c.Data, err)
	}
	c.SampleShape = nil
	if !sample.Equal(arch.Sample) {
		c.SampleShape = slices.Clone(sample)
	}
	return c, nil
}

// isGAN reports whether the architecture is a generator and a discriminator.
func (a Architecture) isGAN() bool { return !a.Autoencoder && !a.Classifier }

// kind says what a non-GAN architecture is, for messages: "an autoencoder" or
// "a classifier".
func (a Architecture) kind() string {
	if a.Autoencoder {
		return "an autoencoder"
	}
	if a.Classifier {
		return "a classifier"
	}
	return "a GAN"
}
