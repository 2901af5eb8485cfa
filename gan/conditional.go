package gan

import (
	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/tensor"
)

// LabelEmbedding is the size of the learned label vectors of conditional
// models (50, as keras-io's and PyTorch-GAN's conditional GANs).
const LabelEmbedding = 50

// labelVector returns the nodes of a label input and its flattened embedding.
func labelVector(classes int) (*nn.Node, *nn.Node) {
	y := nn.NewInput("label", 1)
	return y, nn.Apply(nn.Flatten(), nn.Apply(nn.Embedding(classes, LabelEmbedding), y))
}

// applyAll threads a node through layers in order.
func applyAll(x *nn.Node, layers ...nn.Layer) *nn.Node {
	for _, l := range layers {
		x = nn.Apply(l, x)
	}
	return x
}

// conditionalGenerator joins the noise and the label's embedding, then runs
// body: G(z, y).
func conditionalGenerator(latentDim, classes int, body ...nn.Layer) nn.Network {
	z := nn.NewInput("noise", latentDim)
	y, e := labelVector(classes)
	return nn.NewModel("generator", []*nn.Node{z, y}, applyAll(nn.Apply(nn.Concatenate(), z, e), body...))
}

// ConditionalSeedGenerator is the seed's generator fed (noise, label): the
// label's embedding is joined to the noise.
func ConditionalSeedGenerator(latentDim, classes int) nn.Network {
	return ConditionalSeedGeneratorFor(latentDim, classes, ImageShape)
}

// ConditionalSeedGeneratorFor is ConditionalSeedGenerator making samples of
// shape sample.
func ConditionalSeedGeneratorFor(latentDim, classes int, sample tensor.Shape) nn.Network {
	return conditionalGenerator(latentDim, classes,
		nn.Dense(256), nn.LeakyReLU(0.2), nn.BatchNormalization(),
		nn.Dense(512), nn.LeakyReLU(0.2), nn.BatchNormalization(),
		nn.Dense(1024), nn.LeakyReLU(0.2), nn.BatchNormalization(),
		nn.Dense(sample.Size(), nn.WithActivation("tanh")),
		nn.Reshape(sample...))
}

// seedDiscriminatorBody is the seed's D after Flatten, without its output layer.
func seedDiscriminatorBody() []nn.Layer {
	return []nn.Layer{
		nn.Dense(1024), nn.LeakyReLU(0.2),
		nn.Dense(512), nn.LeakyReLU(0.2),
		nn.Dense(256), nn.LeakyReLU(0.2),
	}
}

// ConditionalSeedDiscriminator is the seed's discriminator fed (image, label):
// the label's embedding is joined to the flattened image.
func ConditionalSeedDiscriminator(classes int) nn.Network {
	return ConditionalSeedDiscriminatorFor(classes, ImageShape)
}

// ConditionalSeedDiscriminatorFor is ConditionalSeedDiscriminator for samples
// of shape sample.
func ConditionalSeedDiscriminatorFor(classes int, sample tensor.Shape) nn.Network {
	x := nn.NewInput("image", sample...)
	y, e := labelVector(classes)
	h := nn.Apply(nn.Concatenate(), nn.Apply(nn.Flatten(), x), e)
	out := applyAll(h, append(seedDiscriminatorBody(), nn.Dense(1, nn.WithActivation("sigmoid")))...)
	return nn.NewModel("discriminator", []*nn.Node{x, y}, out)
}

// AuxiliarySeedDiscriminator is the seed's discriminator for ACGAN: image only,
// ending in Dense(1 + classes) logits (real/fake, then the class).
func AuxiliarySeedDiscriminator(classes int) nn.Network {
	return AuxiliarySeedDiscriminatorFor(classes, ImageShape)
}

// AuxiliarySeedDiscriminatorFor is AuxiliarySeedDiscriminator for samples of
// shape sample.
func AuxiliarySeedDiscriminatorFor(classes int, sample tensor.Shape) nn.Network {
	layers := append([]nn.Layer{nn.Input(sample...), nn.Flatten()}, seedDiscriminatorBody()...)
	return nn.NewSequential("discriminator", append(layers, nn.Dense(1+classes))...)
}

// ConditionalDCGANGenerator is the DCGAN generator fed (noise, label).
func ConditionalDCGANGenerator(latentDim, classes int) nn.Network {
	return conditionalGenerator(latentDim, classes, dcganGeneratorBody(1)...)
}

// ConditionalDCGANDiscriminator is the DCGAN discriminator fed (image, label):
// the label's embedding becomes a 28×28 map joined to the image as a second
// channel, as keras-io's conditional GAN does with one-hot maps.
func ConditionalDCGANDiscriminator(classes int) nn.Network {
	return ConditionalDCGANDiscriminatorFor(classes, ImageShape)
}

// ConditionalDCGANDiscriminatorFor is ConditionalDCGANDiscriminator for
// images of shape sample, (28, 28, channels).
func ConditionalDCGANDiscriminatorFor(classes int, sample tensor.Shape) nn.Network {
	x := nn.NewInput("image", sample...)
	y, e := labelVector(classes)
	labelMap := applyAll(e, nn.Dense(sample[0]*sample[1]), nn.Reshape(sample[0], sample[1], 1))
	out := applyAll(nn.Apply(nn.Concatenate(), x, labelMap), append(dcganDiscriminatorBody(), nn.Dense(1))...)
	return nn.NewModel("discriminator", []*nn.Node{x, y}, out)
}

// AuxiliaryDCGANDiscriminator is the DCGAN discriminator for ACGAN, ending in
// Dense(1 + classes) logits.
func AuxiliaryDCGANDiscriminator(classes int) nn.Network {
	return AuxiliaryDCGANDiscriminatorFor(classes, ImageShape)
}

// AuxiliaryDCGANDiscriminatorFor is AuxiliaryDCGANDiscriminator for images of
// shape sample, (28, 28, channels).
func AuxiliaryDCGANDiscriminatorFor(classes int, sample tensor.Shape) nn.Network {
	layers := append([]nn.Layer{nn.Input(sample...)}, dcganDiscriminatorBody()...)
	return nn.NewSequential("discriminator", append(layers, nn.Dense(1+classes))...)
}
