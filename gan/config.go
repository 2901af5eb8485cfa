package gan

import (
	"fmt"
	"math"
	"strings"

	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/tensor"
)

// Config is everything that defines a training run. It is saved as the run's
// config.json and inside every checkpoint.
type Config struct {
	// Model is an architecture's name ("mlp", "dcgan") or a recipe's ("wgan-gp",
	// "cgan"). A recipe's settings (its objective, optimizer, penalty, ...) are
	// set by ApplyDefaults, which gogan train calls; NewTrainer takes a Config as
	// it is, so a recipe's name alone trains its architecture's plain GAN.
	Model     string  `json:"model"`
	Data      string  `json:"data"`       // "mnist", "fashion-mnist" or a folder (run.Train stores its absolute path)
	Epochs    int     `json:"epochs"`     // passes over the training set
	Steps     int     `json:"steps"`      // if > 0, stop after this many steps in all
	Batch     int     `json:"batch"`      // images per step (64 in the seed)
	LatentDim int     `json:"latent_dim"` // noise size (100 in the seed)
	LR        float32 `json:"lr"`         // Adam learning rate for both G and D
	Beta1     float32 `json:"beta1"`      // Adam β1 (0.5 for GANs)
	Beta2     float32 `json:"beta2"`      // Adam β2
	Epsilon   float32 `json:"epsilon"`    // Adam ε
	// LRDecay is the learning rates' schedule: "" (constant) or "linear" (to 0
	// over the run's steps, as the WGAN-GP reference code trains).
	LRDecay  string `json:"lr_decay,omitempty"`
	Seed     uint64 `json:"seed"`      // drives initialization, data order, noise, dropout
	LogEvery int    `json:"log_every"` // steps between metrics.jsonl lines
	// EvalEvery is the number of steps between evaluations of the generator (FID, KID,
	// Inception Score; see package eval); 0 means none.
	EvalEvery int `json:"eval_every,omitempty"`
	// FeatureNet is the feature network those evaluations score with: "mnist",
	// "fashion-mnist" or a weights file written by gogan export-featurenet
	// (a classifier of the run's own images); "" means the dataset's
	// (fashion-mnist's for fashion-mnist, else MNIST's).
	FeatureNet string `json:"feature_net,omitempty"`

	// The GAN recipe (see Objectives and the recipes): all optional, the zero value
	// is the seed's non-saturating GAN with Adam.
	Arch           string  `json:"arch,omitempty"`            // a recipe's networks: mlp, dcgan, mlp2d (default mlp)
	Loss           string  `json:"loss,omitempty"`            // an objective of Objectives
	Optimizer      string  `json:"optimizer,omitempty"`       // adam (default) or rmsprop
	LRG            float32 `json:"lr_g,omitempty"`            // G's learning rate, if not LR
	LRD            float32 `json:"lr_d,omitempty"`            // D's learning rate, if not LR
	NCritic        int     `json:"n_critic,omitempty"`        // D steps per G step (default 1)
	GP             float32 `json:"gp,omitempty"`              // gradient-penalty weight λ (wgan-gp)
	Clip           float32 `json:"clip,omitempty"`            // weight clipping of D (wgan)
	LabelSmoothing float32 `json:"label_smoothing,omitempty"` // one-sided: real targets 1 − s
	InstanceNoise  float32 `json:"instance_noise,omitempty"`  // σ of Gaussian noise on D's inputs, annealed to 0
	EMA            float32 `json:"ema,omitempty"`             // decay of G's weight average (0: off)
	SpectralNorm   bool    `json:"spectral_norm,omitempty"`   // spectral normalization of D's kernels
	Conditional    string  `json:"conditional,omitempty"`     // "cgan" or "acgan": G and D see class labels
	// Pack is PacGAN's packing degree m (Lin et al. 2018): D judges m samples at
	// once, concatenated into one input, so its batch is Batch/m. 0 or 1: off.
	Pack int `json:"pack,omitempty"`
	// Init names the initializers of the networks' Dense and convolution
	// layers, one of nn.InitSchemeNames (glorot, pytorch, orthogonal); "" keeps
	// each architecture's own (Keras's glorot for the seed's networks). Layers
	// given an initializer explicitly keep it.
	Init string `json:"init,omitempty"`
	// BNMomentum, when not 0, replaces the momentum of every
	// BatchNormalization layer of the networks: how slowly the moving
	// statistics that samples are drawn with follow the batches' (Keras's
	// 0.99; 0.9 is PyTorch's momentum 0.1).
	BNMomentum float32 `json:"bn_momentum,omitempty"`
	// StandingStats, when positive, gives G's weight average (EMA) BatchNorm
	// statistics of its own before it draws samples, evaluations and
	// checkpoints: the mean of its batch statistics over StandingStats
	// batches of noise (BigGAN's "standing statistics"; see
	// StandingStatistics). Without it the average is sampled with the moving
	// statistics of the live G. Needs EMA; at most MaxStandingStats.
	StandingStats int `json:"standing_stats,omitempty"`
	// SampleShape is the shape of one data sample, for architectures that fit
	// several (resnet: 32×32 images of any channels); empty: the
	// architecture's Sample. See ForData. Images have at most MaxChannels
	// channels, and a sample at most MaxSampleValues values.
	SampleShape []int `json:"sample_shape,omitempty"`
	// Augment is "flip" to mirror real images left to right at random (see
	// data.BatchOptions), or "" for none.
	Augment string `json:"augment,omitempty"`
	// DiffAugment is a comma-separated list of DiffAugmentations ("color,translation,cutout")
	// applied to every batch D sees, real and generated; "" for none.
	DiffAugment string `json:"diffaugment,omitempty"`
	// Classes is the number of classes of the data's labels, for the
	// conditional recipes and the classifier: 0 means Classes (10, MNIST's).
	// At most 256: labels are bytes. See Resolved.ForLabels.
	Classes int `json:"classes,omitempty"`

	// How a folder of images (Data) is read, as data.ImageFolderOptions: the
	// side of the square images (0: the images' own when they share one
	// square size, else 64), the channels (0: 3 when any image has color,
	// else 1), the background of transparent pixels ("" or "white", or
	// "black"), and Strict, fail on the first file that cannot be decoded.
	// Recorded as given, so that a resumed run finds the same decoded cache.
	ImageSize  int    `json:"image_size,omitempty"`
	Channels   int    `json:"channels,omitempty"`
	Background string `json:"background,omitempty"`
	Strict     bool   `json:"strict,omitempty"`
}

// DefaultConfig is the seed's recipe: latent 100, batch 64, Adam 2e-4 with β1 0.5.
func DefaultConfig() Config {
	return Config{
		Model: "mlp", Data: "mnist", Epochs: 5, Batch: 64, LatentDim: 100,
		LR: 2e-4, Beta1: 0.5, Beta2: 0.999, Epsilon: 1e-7, Seed: 1, LogEvery: 50,
	}
}

// MaxEpochs bounds Epochs so that step counts never overflow.
const MaxEpochs = 1 << 30

// MaxPack bounds Pack: PacGAN's paper packs 2 to 4 samples.
const MaxPack = 16

// Limits that stop a mistyped number (on the command line or in an edited
// latest.json) before the trainer it builds asks for more memory than a
// machine has. Validate enforces them.
const (
	// MaxStandingStats bounds Config.StandingStats, the batches of noise
	// G's weight average is given BatchNorm statistics from.
	MaxStandingStats = 10000
	// MaxBatch bounds Batch: more than MNIST's 60,000 training images.
	MaxBatch = 1 << 16
	// MaxLatentDim bounds LatentDim (G's first kernel is LatentDim × 256 for mlp).
	MaxLatentDim = 1 << 16
	// MaxNoise bounds Batch × LatentDim, the noise a step draws (64 MiB of float32).
	MaxNoise = 1 << 24
	// MaxChannels bounds the channels of SampleShape's images (height, width,
	// channels): gray, gray and alpha, RGB or RGBA, the most package data reads.
	// (Config.Pack's packed D takes up to MaxPack times as many.)
	MaxChannels = 4
	// MaxSampleValues bounds the values of one sample (SampleShape): a
	// 4096×4096 RGBA image, 256 MiB of float32.
	MaxSampleValues = maxImageSize * maxImageSize * MaxChannels
)

// namedFloat is a float setting and its name in messages.
type namedFloat struct {
	name string
	v    float32
}

// floats names the float settings, for the check that each is finite.
func (c Config) floats() []namedFloat {
	return []namedFloat{
		{"learning rate", c.LR}, {"Adam beta1", c.Beta1}, {"Adam beta2", c.Beta2}, {"Adam epsilon", c.Epsilon},
		{"G's learning rate", c.LRG}, {"D's learning rate", c.LRD}, {"gradient-penalty weight", c.GP},
		{"clip", c.Clip}, {"label smoothing", c.LabelSmoothing}, {"instance noise", c.InstanceNoise}, {"EMA decay", c.EMA},
	}
}

// validateSizes checks that every float setting is finite and that the sizes
// are within the limits above.
func (c Config) validateSizes() error {
	for _, f := range c.floats() {
		if math.IsNaN(float64(f.v)) || math.IsInf(float64(f.v), 0) {
			return fmt.Errorf("%s must be a finite number, got %g", f.name, f.v)
		}
	}
	switch {
	case c.Batch > MaxBatch:
		return fmt.Errorf("batch must be at most %d, got %d", MaxBatch, c.Batch)
	case c.LatentDim > MaxLatentDim:
		return fmt.Errorf("latent dimension must be at most %d, got %d", MaxLatentDim, c.LatentDim)
	case c.Batch > 0 && c.LatentDim > 0 && c.Batch*c.LatentDim > MaxNoise:
		return fmt.Errorf("batch × latent dimension must be at most %d, got %d × %d", MaxNoise, c.Batch, c.LatentDim)
	}
	return nil
}

// Validate rejects values that cannot train, naming the value. Resolve
// validates too, and keeps what it looked up.
func (c Config) Validate() error {
	_, err := c.Resolve()
	return err
}

// validate is Validate for the config's architecture arch, but for
// checkLipschitz's check (see Resolve).
func (c Config) validate(arch Architecture) error {
	if err := c.validateSizes(); err != nil {
		return err
	}
	if arch.isGAN() {
		if err := c.validateGAN(); err != nil {
			return err
		}
	} else if set := c.ganSettings(); len(set) > 0 {
		return fmt.Errorf("model %s is %s, not a GAN: it has no use for %s", c.Model, arch.kind(), strings.Join(set, ", "))
	}
	if err := c.validateRun(); err != nil {
		return err
	}
	if c.DiffAugment != "" && !arch.isGAN() {
		return fmt.Errorf("diffaugment %q augments a discriminator's inputs; model %s has none", c.DiffAugment, c.Model)
	}
	if c.EvalEvery > 0 && arch.Classifier {
		return fmt.Errorf("model %s generates no images: it cannot be evaluated every %d steps", c.Model, c.EvalEvery)
	}
	if len(c.SampleShape) > 0 {
		if err := checkSampleShape(c.SampleShape); err != nil {
			return err
		}
		if err := arch.fits(c.SampleShape); err != nil {
			return err
		}
	}
	return c.validatePack(&arch)
}

// checkSampleShape checks the shape of one data sample before an
// architecture's Fits sees it: positive sides, images of at most MaxChannels
// channels, and at most MaxSampleValues values, counted without overflow.
func checkSampleShape(sample tensor.Shape) error {
	values := 1
	for _, n := range sample {
		if n < 1 {
			return fmt.Errorf("sample_shape %s: every side must be positive", sample.Dims())
		}
		if n > MaxSampleValues/values {
			return fmt.Errorf("sample_shape %s: a sample may hold at most %d values", sample.Dims(), MaxSampleValues)
		}
		values *= n
	}
	if len(sample) == 3 && sample[2] > MaxChannels {
		return fmt.Errorf("sample_shape %s: images have 1 to %d channels, got %d", sample.Dims(), MaxChannels, sample[2])
	}
	return nil
}

// ganSettings names the settings of c that only a GAN uses and that are set,
// so that an autoencoder or a classifier refuses them rather than ignoring them.
func (c Config) ganSettings() []string {
	var set []string
	for _, s := range []struct {
		name string
		on   bool
	}{
		{"loss", c.Loss != ""}, {"critic steps", c.NCritic > 1}, {"gradient-penalty weight", c.GP != 0},
		{"clip", c.Clip != 0}, {"label smoothing", c.LabelSmoothing != 0}, {"instance noise", c.InstanceNoise != 0},
		{"EMA decay", c.EMA != 0}, {"standing statistics", c.StandingStats != 0}, {"spectral normalization", c.SpectralNorm},
		{"G's learning rate", c.LRG != 0}, {"D's learning rate", c.LRD != 0}, {"conditional", c.Conditional != ""},
	} {
		if s.on {
			set = append(set, s.name)
		}
	}
	return set
}

// validateTraining is Validate for a GAN of networks given to NewTrainerFor:
// every setting but the architecture's, and but checkLipschitz's check, which
// NewTrainerFor makes for the objective it trains.
func (c Config) validateTraining() error {
	if err := c.validateGAN(); err != nil {
		return err
	}
	if err := c.validateRun(); err != nil {
		return err
	}
	return c.validatePack(nil)
}

// validateRun checks the settings every model has: length, batch, optimizer.
func (c Config) validateRun() error {
	switch {
	case c.Epochs <= 0 && c.Steps <= 0:
		return fmt.Errorf("epochs must be positive, got %d", c.Epochs)
	case c.Epochs > MaxEpochs:
		return fmt.Errorf("epochs must be at most %d, got %d", MaxEpochs, c.Epochs)
	case c.Steps < 0:
		return fmt.Errorf("steps must not be negative, got %d", c.Steps)
	case c.Batch <= 0:
		return fmt.Errorf("batch must be positive, got %d", c.Batch)
	case c.LatentDim <= 0:
		return fmt.Errorf("latent dimension must be positive, got %d", c.LatentDim)
	case !(c.LR > 0) || c.LR > 1:
		return fmt.Errorf("learning rate must be in (0, 1], got %g", c.LR)
	case c.Beta1 < 0 || c.Beta1 >= 1 || c.Beta2 < 0 || c.Beta2 >= 1:
		return fmt.Errorf("the betas of Adam must be in [0, 1), got %g and %g", c.Beta1, c.Beta2)
	case !(c.Epsilon > 0):
		return fmt.Errorf("the epsilon of Adam must be positive, got %g", c.Epsilon)
	case c.LogEvery <= 0:
		return fmt.Errorf("log interval must be positive, got %d", c.LogEvery)
	case c.EvalEvery < 0:
		return fmt.Errorf("evaluation interval must not be negative, got %d", c.EvalEvery)
	case c.LRDecay != "" && c.LRDecay != "linear":
		return fmt.Errorf("unknown learning-rate decay %q (want linear, or none for a constant rate)", c.LRDecay)
	case c.Augment != "" && c.Augment != "flip":
		return fmt.Errorf("unknown augmentation %q (want flip, or none)", c.Augment)
	case !(c.BNMomentum >= 0 && c.BNMomentum < 1):
		return fmt.Errorf("batch-norm momentum must be in [0, 1) (0: the architecture's), got %g", c.BNMomentum)
	}
	if c.Init != "" {
		if _, err := nn.LookupInitScheme(c.Init); err != nil {
			return err
		}
	}
	return c.validateData()
}

// MaxClasses is the most classes Config.Classes may name: labels are bytes.
const MaxClasses = 256

// validateData checks the settings of the data: class count and image-folder options.
func (c Config) validateData() error {
	switch {
	case c.Classes < 0 || c.Classes > MaxClasses:
		return fmt.Errorf("classes must be in [0, %d] (0: %d, MNIST's), got %d", MaxClasses, Classes, c.Classes)
	case c.ImageSize < 0 || c.ImageSize > maxImageSize:
		return fmt.Errorf("image size must be in [1, %d] (0: the images' own), got %d", maxImageSize, c.ImageSize)
	case c.Channels != 0 && c.Channels != 1 && c.Channels != 3:
		return fmt.Errorf("channels must be 1 or 3, got %d", c.Channels)
	}
	if c.Background != "" {
		if _, err := data.ParseBackground(c.Background); err != nil {
			return err
		}
	}
	return nil
}

// maxImageSize bounds Config.ImageSize as data.LoadImageFolder does.
const maxImageSize = 4096

// NumClasses is the number of classes of the data's labels: Classes, or 10
// when it is 0.
func (c Config) NumClasses() int {
	if c.Classes > 0 {
		return c.Classes
	}
	return Classes
}

// sampleShape is the data sample the config's networks are made for.
func (c Config) sampleShape(arch Architecture) tensor.Shape {
	if len(c.SampleShape) > 0 {
		return c.SampleShape
	}
	return arch.Sample
}

// ForData returns the config fitted to data whose samples have shape sample,
// for an architecture that fits several shapes (Architecture.Fits): with
// SampleShape set where sample is not its default, or an error naming what
// the architecture takes. Other configs come back as they are: their trainer
// reports a sample shape it does not take (Job.SampleShape).
func (c Config) ForData(sample tensor.Shape) (Config, error) {
	arch, err := LookupArchitecture(c.ArchitectureName())
	if err != nil {
		return c, err
	}
	return c.fitData(arch, sample)
}

// TotalSteps is the number of steps the run takes with batchesPerEpoch per epoch.
func (c Config) TotalSteps(batchesPerEpoch int) int {
	if c.Steps > 0 {
		return c.Steps
	}
	return c.Epochs * batchesPerEpoch
}

// lrFactor is the learning rates' multiplier at a step of a run of planned
// steps in all: 1 − step/planned with LRDecay "linear" (from 1 down to
// 1/planned at the last step), 1 for a constant rate or an unknown length.
func (c Config) lrFactor(step, planned int) float32 {
	if c.LRDecay != "linear" || planned <= 0 {
		return 1
	}
	return float32(max(1-float64(step)/float64(planned), 0))
}

// initialize applies the Init scheme, if one is named, to networks not yet
// built: the one place where --init reaches the architectures' networks.
func (c Config) initialize(nets ...nn.Network) error {
	if c.BNMomentum > 0 {
		for _, n := range nets {
			if err := nn.SetBatchNormMomentum(n, c.BNMomentum); err != nil {
				return err
			}
		}
	}
	if c.Init == "" {
		return nil
	}
	s, err := nn.LookupInitScheme(c.Init)
	if err != nil {
		return err
	}
	for _, n := range nets {
		if err := nn.SetInitScheme(n, s); err != nil {
			return err
		}
	}
	return nil
}
