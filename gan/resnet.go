package gan

import (
	"fmt"

	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/tensor"
)

// The ResNet GAN of SNGAN for 32×32 images (Miyato et al. 2018, appendix B,
// table 4 — CIFAR-10 and STL-10's networks at 32×32): residual blocks built
// with the functional Model and nn.Add. Its D has every kernel spectrally
// normalized, as in the paper; its G has BatchNormalization.

// ResNetSize is the image side the resnet architecture makes and judges.
const ResNetSize = 32

// ResNetGenerator is SNGAN's ResNet generator: z (latentDim) → Dense(4·4·width)
// → Reshape(4, 4, width) → 3 up-residual blocks of width filters (4 → 8 → 16
// → 32) → BatchNorm → ReLU → Conv2D(channels, 3, same, tanh): (32, 32,
// channels) images. The paper's width is 256.
func ResNetGenerator(latentDim, channels, width int) *nn.Model {
	z := nn.NewInput("noise", latentDim)
	h := applyAll(z, nn.Dense(4*4*width), nn.Reshape(4, 4, width))
	for range 3 {
		h = upBlock(h, width)
	}
	out := applyAll(h, nn.BatchNormalization(), nn.ReLU(),
		nn.Conv2D(channels, 3, nn.Padding(nn.Same), nn.WithActivation("tanh")))
	return nn.NewModel("generator", []*nn.Node{z}, out)
}

// upBlock is G's residual block, doubling the image's side:
// BN → ReLU → UpSampling2D(2) → Conv2D(3×3) → BN → ReLU → Conv2D(3×3), plus
// the shortcut UpSampling2D(2) → Conv2D(1×1).
func upBlock(x *nn.Node, filters int) *nn.Node {
	main := applyAll(x, nn.BatchNormalization(), nn.ReLU(), nn.UpSampling2D(2, 2),
		conv3(filters), nn.BatchNormalization(), nn.ReLU(), conv3(filters))
	shortcut := applyAll(x, nn.UpSampling2D(2, 2), nn.Conv2D(filters, 1))
	return nn.Apply(nn.Add(), main, shortcut)
}

// ResNetDiscriminator is SNGAN's ResNet discriminator for (32, 32, channels)
// images: the optimized first block and a down block (32 → 16 → 8), two
// blocks with identity shortcuts, then ReLU → global sum pooling → Dense(1),
// every kernel spectrally normalized. It outputs logits. The paper's width is 128.
func ResNetDiscriminator(channels, width int) *nn.Model {
	x := nn.NewInput("image", ResNetSize, ResNetSize, channels)
	// The first block has no ReLU before its first convolution, and its
	// shortcut pools before the 1×1 convolution.
	h := nn.Apply(nn.Add(),
		applyAll(x, sn(conv3(width)), nn.ReLU(), sn(conv3(width)), nn.AveragePooling2D(2)),
		applyAll(x, nn.AveragePooling2D(2), sn(nn.Conv2D(width, 1))))
	h = nn.Apply(nn.Add(),
		applyAll(h, nn.ReLU(), sn(conv3(width)), nn.ReLU(), sn(conv3(width)), nn.AveragePooling2D(2)),
		applyAll(h, sn(nn.Conv2D(width, 1)), nn.AveragePooling2D(2)))
	for range 2 {
		h = nn.Apply(nn.Add(), applyAll(h, nn.ReLU(), sn(conv3(width)), nn.ReLU(), sn(conv3(width))), h)
	}
	out := applyAll(h, nn.ReLU(), nn.GlobalSumPooling2D(), sn(nn.Dense(1)))
	return nn.NewModel("discriminator", []*nn.Node{x}, out)
}

// conv3 is a 3×3 convolution keeping the image's size.
func conv3(filters int) nn.Layer { return nn.Conv2D(filters, 3, nn.Padding(nn.Same)) }

// sn wraps a kernel layer in spectral normalization.
func sn(l nn.Layer) nn.Layer { return nn.SpectralNorm(l) }

// resnetFits accepts 32×32 images of any number of channels.
func resnetFits(sample tensor.Shape) error {
	if len(sample) != 3 || sample[0] != ResNetSize || sample[1] != ResNetSize || sample[2] < 1 {
		return fmt.Errorf("resnet needs %d×%d images (any channels), got samples of %s", ResNetSize, ResNetSize, sample.Dims())
	}
	return nil
}

func init() {
	architectures["resnet"] = Architecture{
		Name:        "resnet",
		Description: "SNGAN's ResNet G and D for 32×32 images of any channels (Miyato et al. 2018; D spectrally normalized)",
		New: func(latentDim int, sample tensor.Shape) (nn.Network, nn.Network) {
			return ResNetGenerator(latentDim, sample[2], 256), ResNetDiscriminator(sample[2], 128)
		},
		Sample:       tensor.Shape{ResNetSize, ResNetSize, 3},
		Fits:         resnetFits,
		Logits:       true,
		SpectralNorm: true,
		// The paper's ResNet settings: latent 128, Adam 2e-4 with betas 0 and 0.9.
		Defaults: func(cfg *Config) {
			cfg.LatentDim, cfg.LR, cfg.Beta1, cfg.Beta2 = 128, 2e-4, 0, 0.9
		},
	}
}
