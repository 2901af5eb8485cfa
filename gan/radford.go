package gan

import (
	"fmt"
	"math/bits"

	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/tensor"
)

// The DCGAN of Radford et al. (2016) as PyTorch's examples/dcgan builds it,
// for square images of 32, 64 or 128 pixels: the dcgan architecture's
// networks at those sizes (at 28×28 it keeps the TensorFlow tutorial's).
//
// Geometry: PyTorch's Conv2d(k4, s2, p1) and ConvTranspose2d(k4, s2, p1) are
// TensorFlow's Same padding here: for an even side n, Same pads
// (n/2 − 1)·2 + 4 − n = 2 in all, one before and one after, which is p1, and
// the transposed convolution is that convolution's adjoint (n/2 → n), as
// PyTorch's is. TestRadfordGeometryIsPyTorchs checks it against PyTorch's
// formula. G's first layer, ConvTranspose2d(nz, 8·ngf, 4, 1, 0) from a 1×1
// input, is written Dense(4·4·8·ngf, no bias) → Reshape(4, 4, 8·ngf): the
// same map and the same 819,200 weights at 64 px (laid out differently).
// Batch normalization has PyTorch's settings (momentum 0.1, ε 1e-5) and
// kernels PyTorch's DCGAN initialization, N(0, 0.02).

// RadfordWidth is ngf = ndf at 64 pixels: the width of G's last hidden layer
// and of D's first.
const RadfordWidth = 64

// RadfordSizes are the image sides the Radford DCGAN is built for.
var RadfordSizes = []int{32, 64, 128}

// radfordLayers is the number of stride-2 layers of G and D for images of
// side size: 4 → size by doubling (3 at 32, 4 at 64, 5 at 128).
func radfordLayers(size int) int { return bits.Len(uint(size/4)) - 1 }

// RadfordGenerator is PyTorch's DCGAN generator for (size, size, channels)
// images, size 32, 64 or 128, with n = log₂(size/4) upsamplings: z →
// Dense(4·4·w, no bias) → Reshape(4, 4, w) → BatchNorm → ReLU, then n − 1
// times ConvTranspose(k4, s2, same, no bias) halving the width → BatchNorm →
// ReLU, then ConvTranspose(channels, k4, s2, same, no bias, tanh); w is
// 64·2^(n−1) (512 at 64 px). At 64×64×3 it has PyTorch's 3,576,704 parameters.
func RadfordGenerator(latentDim int, sample tensor.Shape) *nn.Sequential {
	return nn.NewSequential("generator", append([]nn.Layer{nn.Input(latentDim)}, radfordGeneratorBody(sample)...)...)
}

// radfordGeneratorBody is RadfordGenerator after its input.
func radfordGeneratorBody(sample tensor.Shape) []nn.Layer {
	n := radfordLayers(sample[0])
	w := RadfordWidth << (n - 1)
	layers := []nn.Layer{
		nn.Dense(4*4*w, nn.UseBias(false), radfordInit()), nn.Reshape(4, 4, w),
		radfordBatchNorm(), nn.ReLU(),
	}
	for range n - 1 {
		w /= 2
		layers = append(layers, nn.Conv2DTranspose(w, 4, nn.Strides(2), nn.Padding(nn.Same), nn.UseBias(false), radfordInit()),
			radfordBatchNorm(), nn.ReLU())
	}
	return append(layers, nn.Conv2DTranspose(sample[2], 4, nn.Strides(2), nn.Padding(nn.Same), nn.UseBias(false),
		radfordInit(), nn.WithActivation("tanh")))
}

// RadfordDiscriminator is PyTorch's DCGAN discriminator for images of sample
// (size, size, channels), size 32, 64 or 128: Conv(64, k4, s2, same, no bias)
// → LeakyReLU(0.2), then n − 1 times Conv(k4, s2, same, no bias) doubling
// the width → BatchNorm → LeakyReLU(0.2), then Conv(outputs, k4, valid, no
// bias) on the 4×4 map → Flatten: (outputs) logits, 1 for a GAN (1 + classes
// for acgan). At 64×64×3 with one output it has PyTorch's 2,765,568 parameters.
func RadfordDiscriminator(sample tensor.Shape, outputs int) *nn.Sequential {
	layers := append([]nn.Layer{nn.Input(sample...)}, radfordDiscriminatorBody(sample[0], outputs)...)
	return nn.NewSequential("discriminator", layers...)
}

// radfordDiscriminatorBody is RadfordDiscriminator after its input, for
// images of side size.
func radfordDiscriminatorBody(size, outputs int) []nn.Layer {
	n := radfordLayers(size)
	w := RadfordWidth
	layers := []nn.Layer{radfordConv(w), nn.LeakyReLU(0.2)}
	for range n - 1 {
		w *= 2
		layers = append(layers, radfordConv(w), radfordBatchNorm(), nn.LeakyReLU(0.2))
	}
	return append(layers, nn.Conv2D(outputs, 4, nn.UseBias(false), radfordInit()), nn.Flatten())
}

// radfordConv is D's Conv2d(k4, s2, p1, no bias).
func radfordConv(filters int) nn.Layer {
	return nn.Conv2D(filters, 4, nn.Strides(2), nn.Padding(nn.Same), nn.UseBias(false), radfordInit())
}

// radfordBatchNorm is BatchNorm2d with PyTorch's defaults: momentum 0.1
// (Keras's 0.9) and ε 1e-5.
func radfordBatchNorm() nn.Layer { return nn.BatchNormalization(nn.Momentum(0.9), nn.Epsilon(1e-5)) }

// radfordInit is examples/dcgan's weights_init for kernels: N(0, 0.02).
func radfordInit() nn.Option { return nn.KernelInitializer(nn.Normal{Mean: 0, Stddev: 0.02}) }

// isRadfordSize reports whether images of sample get the Radford DCGAN.
func isRadfordSize(sample tensor.Shape) bool {
	if len(sample) != 3 || sample[0] != sample[1] {
		return false
	}
	for _, s := range RadfordSizes {
		if sample[0] == s {
			return true
		}
	}
	return false
}

// dcganFits accepts what dcgan builds for: 28×28 images (the TensorFlow
// tutorial's networks) or 32, 64 and 128 pixels square (Radford's), of any
// number of channels.
func dcganFits(sample tensor.Shape) error {
	if len(sample) == 3 && sample[2] >= 1 && (sample[0] == 28 && sample[1] == 28 || isRadfordSize(sample)) {
		return nil
	}
	return fmt.Errorf("dcgan needs square images of 28, 32, 64 or 128 pixels (any channels), got samples of %s", sample.Dims())
}

// newDCGAN makes dcgan's G and D for samples of shape sample: the TensorFlow
// tutorial's at 28×28 (with sample[2] output channels), Radford's otherwise.
func newDCGAN(latentDim int, sample tensor.Shape) (nn.Network, nn.Network) {
	if isRadfordSize(sample) {
		return RadfordGenerator(latentDim, sample), RadfordDiscriminator(sample, 1)
	}
	return DCGANGeneratorFor(latentDim, sample[2]), DCGANDiscriminatorFor(sample)
}

// newConditionalDCGAN makes dcgan's conditional G and D (cgan, acgan) for
// samples of shape sample.
func newConditionalDCGAN(latentDim, classes int, sample tensor.Shape, auxiliary bool) (nn.Network, nn.Network) {
	if !isRadfordSize(sample) {
		g := conditionalGenerator(latentDim, classes, dcganGeneratorBody(sample[2])...)
		if auxiliary {
			return g, AuxiliaryDCGANDiscriminatorFor(classes, sample)
		}
		return g, ConditionalDCGANDiscriminatorFor(classes, sample)
	}
	g := conditionalGenerator(latentDim, classes, radfordGeneratorBody(sample)...)
	if auxiliary {
		return g, RadfordDiscriminator(sample, 1+classes)
	}
	x := nn.NewInput("image", sample...)
	y, e := labelVector(classes)
	labelMap := applyAll(e, nn.Dense(sample[0]*sample[1]), nn.Reshape(sample[0], sample[1], 1))
	out := applyAll(nn.Apply(nn.Concatenate(), x, labelMap), radfordDiscriminatorBody(sample[0], 1)...)
	return g, nn.NewModel("discriminator", []*nn.Node{x, y}, out)
}
