package gan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/tensor"
)

// ImageShape is the shape of one MNIST-like sample: (28, 28, 1).
var ImageShape = []int{28, 28, 1}

// SeedGenerator is the seed's generator, layer for layer:
// Dense(256) → LeakyReLU(0.2) → BatchNorm → Dense(512) → LeakyReLU(0.2) →
// BatchNorm → Dense(1024) → LeakyReLU(0.2) → BatchNorm → Dense(784, tanh) →
// Reshape(28, 28, 1), for latent vectors of latentDim (100 in the seed).
func SeedGenerator(latentDim int) *nn.Sequential { return SeedGeneratorFor(latentDim, ImageShape) }

// SeedGeneratorFor is the seed's generator for samples of another shape: its
// last Dense has sample.Size() units, reshaped to sample.
func SeedGeneratorFor(latentDim int, sample tensor.Shape) *nn.Sequential {
	return nn.NewSequential("generator",
		nn.Input(latentDim),
		nn.Dense(256), nn.LeakyReLU(0.2), nn.BatchNormalization(),
		nn.Dense(512), nn.LeakyReLU(0.2), nn.BatchNormalization(),
		nn.Dense(1024), nn.LeakyReLU(0.2), nn.BatchNormalization(),
		nn.Dense(sample.Size(), nn.WithActivation("tanh")),
		nn.Reshape(sample...),
	)
}

// SeedDiscriminator is the seed's discriminator: Flatten → Dense(1024) →
// LeakyReLU(0.2) → Dense(512) → LeakyReLU(0.2) → Dense(256) → LeakyReLU(0.2) →
// Dense(1, sigmoid). Its loss works on the sigmoid's input (see
// losses.BinaryCrossEntropy), as Keras's does.
func SeedDiscriminator() *nn.Sequential { return SeedDiscriminatorFor(ImageShape) }

// SeedDiscriminatorFor is the seed's discriminator for samples of another
// shape, which it flattens.
func SeedDiscriminatorFor(sample tensor.Shape) *nn.Sequential {
	return nn.NewSequential("discriminator",
		nn.Input(sample...),
		nn.Flatten(),
		nn.Dense(1024), nn.LeakyReLU(0.2),
		nn.Dense(512), nn.LeakyReLU(0.2),
		nn.Dense(256), nn.LeakyReLU(0.2),
		nn.Dense(1, nn.WithActivation("sigmoid")),
	)
}

// DCGANGenerator is the TensorFlow DCGAN tutorial's generator, layer for layer:
// Dense(7·7·256, no bias) → BatchNorm → LeakyReLU → Reshape(7, 7, 256) →
// Conv2DTranspose(128, 5, same, no bias) → BatchNorm → LeakyReLU →
// Conv2DTranspose(64, 5, stride 2, same, no bias) → BatchNorm → LeakyReLU →
// Conv2DTranspose(1, 5, stride 2, same, no bias, tanh): (28, 28, 1) images.
// LeakyReLU has Keras's default slope, 0.3, as the tutorial's LeakyReLU().
func DCGANGenerator(latentDim int) *nn.Sequential { return DCGANGeneratorFor(latentDim, 1) }

// DCGANGeneratorFor is the TensorFlow tutorial's generator making (28, 28,
// channels) images: its last Conv2DTranspose has channels filters (3 for
// Stacked MNIST), the rest is DCGANGenerator.
func DCGANGeneratorFor(latentDim, channels int) *nn.Sequential {
	return nn.NewSequential("generator", append([]nn.Layer{nn.Input(latentDim)}, dcganGeneratorBody(channels)...)...)
}

// dcganGeneratorBody is the tutorial's generator after its input, making
// (28, 28, channels) images.
func dcganGeneratorBody(channels int) []nn.Layer {
	return []nn.Layer{
		nn.Dense(7*7*256, nn.UseBias(false)), nn.BatchNormalization(), nn.LeakyReLU(0.3),
		nn.Reshape(7, 7, 256),
		nn.Conv2DTranspose(128, 5, nn.Padding(nn.Same), nn.UseBias(false)), nn.BatchNormalization(), nn.LeakyReLU(0.3),
		nn.Conv2DTranspose(64, 5, nn.Strides(2), nn.Padding(nn.Same), nn.UseBias(false)), nn.BatchNormalization(), nn.LeakyReLU(0.3),
		nn.Conv2DTranspose(channels, 5, nn.Strides(2), nn.Padding(nn.Same), nn.UseBias(false), nn.WithActivation("tanh")),
	}
}

// DCGANDiscriminator is the TensorFlow DCGAN tutorial's discriminator:
// Conv2D(64, 5, stride 2, same) → LeakyReLU → Dropout(0.3) →
// Conv2D(128, 5, stride 2, same) → LeakyReLU → Dropout(0.3) → Flatten → Dense(1).
// It outputs logits (no sigmoid).
func DCGANDiscriminator() *nn.Sequential { return DCGANDiscriminatorFor(ImageShape) }

// DCGANDiscriminatorFor is the tutorial's discriminator for images of shape
// sample, (28, 28, channels).
func DCGANDiscriminatorFor(sample tensor.Shape) *nn.Sequential {
	layers := append([]nn.Layer{nn.Input(sample...)}, dcganDiscriminatorBody()...)
	return nn.NewSequential("discriminator", append(layers, nn.Dense(1))...)
}

// dcganDiscriminatorBody is the DCGAN discriminator without its output layer.
func dcganDiscriminatorBody() []nn.Layer {
	return []nn.Layer{
		nn.Conv2D(64, 5, nn.Strides(2), nn.Padding(nn.Same)), nn.LeakyReLU(0.3), nn.Dropout(0.3),
		nn.Conv2D(128, 5, nn.Strides(2), nn.Padding(nn.Same)), nn.LeakyReLU(0.3), nn.Dropout(0.3),
		nn.Flatten(),
	}
}

// Architecture is an entry of the architectures table: a named pair of
// networks, made unbuilt. A GAN's are a generator and a discriminator; an
// autoencoder's or a classifier's are its two Sequential models.
type Architecture struct {
	Name        string
	Description string
	// New makes the two networks for latent vectors (or codes) of latentDim and
	// data samples of shape sample: Sample, or a shape Fits accepts. A
	// classifier's latentDim is its number of classes (Config.NumClasses).
	New func(latentDim int, sample tensor.Shape) (g, d nn.Network)
	// Sample is the shape of one data sample the networks take unless told
	// otherwise (Config.SampleShape): G's output and D's input, e.g. (28, 28, 1).
	Sample tensor.Shape
	// Fits says whether the networks can be made for samples of another
	// shape, with an error naming what they need; nil when only Sample fits.
	Fits func(sample tensor.Shape) error
	// Autoencoder says New returns an encoder and a decoder, trained to
	// reconstruct their input (AutoencoderTrainer), not a G and a D.
	Autoencoder bool
	// Classifier says New returns a feature extractor and a class head, trained
	// on labels (ClassifierTrainer).
	Classifier bool
	// Defaults adjusts the recipe's defaults (code size, learning rate), applied
	// to settings the user did not give.
	Defaults func(cfg *Config)
	// Conditional builds the label-conditioned G and D for the cgan recipe
	// (auxiliary false: D takes (image, label)) and the acgan recipe (auxiliary
	// true: D takes the image and outputs 1 + classes logits); nil when the
	// architecture has no conditional form.
	Conditional func(latentDim, classes int, sample tensor.Shape, auxiliary bool) (g, d nn.Network)
	// Logits says D ends without a sigmoid, as the TensorFlow DCGAN's Dense(1):
	// its loss then reads D's output as logits (from_logits=True). A D ending in
	// a sigmoid needs no flag: the loss works on the sigmoid's input anyway.
	Logits bool
	// PackedDiscriminator builds D for PacGAN (Config.Pack): its input is pack
	// samples concatenated along the last axis, in place of New's D. nil for
	// image architectures, whose packed D is New's D for images of pack times
	// the channels when Fits accepts that shape (see pack.go).
	PackedDiscriminator func(pack int) nn.Network
	// SpectralNorm says D's kernels are spectrally normalized already, so
	// Config.SpectralNorm has nothing to add.
	SpectralNorm bool
}

// fits reports whether the architecture takes data samples of shape sample,
// with an error naming what it needs.
func (a Architecture) fits(sample tensor.Shape) error {
	if a.Fits != nil {
		return a.Fits(sample)
	}
	if !sample.Equal(a.Sample) {
		return fmt.Errorf("%s takes samples of shape %s, not %s", a.Name, a.Sample, sample)
	}
	return nil
}

// RegisterArchitecture adds a to the table that Config.Model, Config.Arch and
// LoadJob look names up in, so that a program's own networks train, resume and
// summarize by name as the built-in ones do. Call it from an init function:
// the table is not guarded against concurrent use.
func RegisterArchitecture(a Architecture) error {
	switch _, taken := architectures[a.Name]; {
	case a.Name == "" || a.New == nil || len(a.Sample) == 0:
		return fmt.Errorf("architecture %q: a name, New and Sample are required", a.Name)
	case taken || IsRecipe(a.Name):
		return fmt.Errorf("architecture %q: the name is taken", a.Name)
	}
	architectures[a.Name] = a
	return nil
}

var architectures = map[string]Architecture{
	"mlp": {
		Name:        "mlp",
		Description: "the seed's fully connected GAN (G 1,493,520 params, D 1,460,225 at 28×28×1; images of up to 131,072 values)",
		New: func(latentDim int, sample tensor.Shape) (nn.Network, nn.Network) {
			return SeedGeneratorFor(latentDim, sample), SeedDiscriminatorFor(sample)
		},
		Sample: ImageShape,
		Fits:   imageFits("mlp", 1, 1, 2*1024), // G's last layer and D's first: 1,024 units each
		Conditional: func(latentDim, classes int, sample tensor.Shape, auxiliary bool) (nn.Network, nn.Network) {
			g := ConditionalSeedGeneratorFor(latentDim, classes, sample)
			if auxiliary {
				return g, AuxiliarySeedDiscriminatorFor(classes, sample)
			}
			return g, ConditionalSeedDiscriminatorFor(classes, sample)
		},
	},
	"dcgan": {
		Name:        "dcgan",
		Description: "the TensorFlow tutorial's DCGAN at 28×28 (G 2,330,944 params, D 212,865), Radford et al.'s (PyTorch examples/dcgan) at 32, 64 and 128 px",
		New:         newDCGAN,
		Sample:      ImageShape,
		Fits:        dcganFits,
		Conditional: newConditionalDCGAN,
		Logits:      true,
	},
}

// imageFits accepts images (height, width, channels) of any channels whose
// sides are at least least pixels and multiples of multiple, and whose size
// keeps the networks under maxWeights: they have about weightsPerValue
// weights for each value of an image.
func imageFits(name string, least, multiple, weightsPerValue int) func(tensor.Shape) error {
	return func(sample tensor.Shape) error {
		if len(sample) == 3 && sample[2] >= 1 && sample[0] >= least && sample[1] >= least &&
			sample[0]%multiple == 0 && sample[1]%multiple == 0 && sample[0] <= maxImageSize && sample[1] <= maxImageSize {
			// sample[2] ≤ most/(h·w) says h·w·channels ≤ most without
			// computing the product, which overflows for absurd channels.
			if most := maxWeights / weightsPerValue; sample[2] > most/(sample[0]*sample[1]) {
				values := float64(sample[0]) * float64(sample[1]) * float64(sample[2])
				return fmt.Errorf("%s needs images of at most %d values (height·width·channels), got %s: its networks have about %d weights a value, %.3g in all at this size; scale the images down (--image-size)",
					name, most, sample.Dims(), weightsPerValue, values*float64(weightsPerValue))
			}
			return nil
		}
		need := "images (height, width, channels)"
		if least > 1 {
			need += fmt.Sprintf(" of at least %d pixels a side", least)
		}
		if multiple > 1 {
			need += fmt.Sprintf(" whose sides are multiples of %d", multiple)
		}
		return fmt.Errorf("%s needs %s, got samples of %s", name, need, sample.Dims())
	}
}

// maxWeights bounds the weights of a model whose size follows its images' (1 GiB of
// float32, about 4 GiB to train with Adam's moments and the gradients).
const maxWeights = 1 << 28

func init() {
	architectures["cae"] = Architecture{
		Name:        "cae",
		Description: "a convolutional autoencoder: stride-2 Conv2D encoder to a 32-number code, Conv2DTranspose decoder, MSE",
		New: func(codeDim int, sample tensor.Shape) (nn.Network, nn.Network) {
			return ConvEncoderFor(codeDim, sample), ConvDecoderFor(codeDim, sample)
		},
		Sample:      ImageShape,
		Fits:        imageFits("cae", 4, 4, 2*64*32/16), // the Dense layers to and from the code
		Autoencoder: true,
		Defaults: func(cfg *Config) {
			cfg.LatentDim = 32
			cfg.LR, cfg.Beta1 = 1e-3, 0.9
		},
	}
}

func init() {
	architectures["classifier"] = Architecture{
		Name:        "classifier",
		Description: "a small CNN image classifier whose 128 penultimate features are gogan's evaluation network",
		New: func(classes int, sample tensor.Shape) (nn.Network, nn.Network) {
			return ClassifierFeaturesFor(sample), ClassifierHead(classes)
		},
		Sample:     ImageShape,
		Fits:       imageFits("classifier", 10, 1, 64*ClassifierFeatureDim/16), // the Dense layer to the features
		Classifier: true,
		Defaults: func(cfg *Config) {
			cfg.LR, cfg.Beta1 = 1e-3, 0.9
		},
	}
}

// ToyGenerator and ToyDiscriminator are the small MLPs of the 2-D
// mode-coverage benchmarks: three hidden layers of 128 units.
func ToyGenerator(latentDim int) *nn.Sequential {
	return nn.NewSequential("generator",
		nn.Input(latentDim),
		nn.Dense(128, nn.WithActivation("relu")),
		nn.Dense(128, nn.WithActivation("relu")),
		nn.Dense(128, nn.WithActivation("relu")),
		nn.Dense(2),
	)
}

// ToyDiscriminator takes vectors of inputs numbers (2: one point; 2m: a
// pack of m points) and ends in Dense(1) without a sigmoid: it outputs logits.
func ToyDiscriminator(inputs int) *nn.Sequential {
	return nn.NewSequential("discriminator",
		nn.Input(inputs),
		nn.Dense(128), nn.LeakyReLU(0.2),
		nn.Dense(128), nn.LeakyReLU(0.2),
		nn.Dense(128), nn.LeakyReLU(0.2),
		nn.Dense(1),
	)
}

func init() {
	architectures["mlp2d"] = Architecture{
		Name:        "mlp2d",
		Description: "small MLPs for the 2-D mode-coverage benchmarks (--data ring8 or grid25)",
		New: func(latentDim int, _ tensor.Shape) (nn.Network, nn.Network) {
			return ToyGenerator(latentDim), ToyDiscriminator(2)
		},
		Sample:              tensor.Shape{2},
		PackedDiscriminator: func(pack int) nn.Network { return ToyDiscriminator(2 * pack) },
		Logits:              true,
		// The default recipe here is PacGAN2 (D judges pairs of points) with the
		// learning rate decayed linearly to 0: without packing the non-saturating
		// GAN drops ring8 modes on some seeds (see the README).
		Defaults: func(cfg *Config) {
			cfg.Data, cfg.LatentDim, cfg.Batch, cfg.Epochs = "ring8", 16, 512, 200
			cfg.LR, cfg.Beta1 = 1e-3, 0.5
			cfg.Pack, cfg.LRDecay = 2, "linear"
		},
	}
}

// LookupArchitecture returns the named architecture.
func LookupArchitecture(name string) (Architecture, error) {
	a, ok := architectures[name]
	if !ok {
		return Architecture{}, fmt.Errorf("unknown model %q (architectures: %s; recipes: %s)", name, ArchitectureNames(), RecipeNames())
	}
	return a, nil
}

// ArchitectureNames lists the known architectures, sorted, comma-separated.
func ArchitectureNames() string {
	names := make([]string, 0, len(architectures))
	for n := range architectures {
		names = append(names, n)
	}
	sort.Strings(names)
	s := ""
	for i, n := range names {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}

// GANArchitectureNames lists the architectures that are GANs (a recipe's
// Arch may name them), sorted, comma-separated.
func GANArchitectureNames() string {
	var names []string
	for n, a := range architectures {
		if !a.Autoencoder && !a.Classifier {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
