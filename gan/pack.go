package gan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/tensor"
)

// PacGAN (Lin et al. 2018) lets D judge m samples at once: a real pack is m
// real samples, a fake pack m generated ones, concatenated along the last axis.
// D then sees the diversity of what G makes, which is what mode collapse lacks.
// A batch is stored as (Batch, d), row after row, so its packs are the same
// numbers viewed as (Batch/m, m·d): sample i lies in pack i/m at columns
// (i%m)·d … (i%m+1)·d. Packing vectors moves no data.
//
// Images (H, W, C) are packed along their channels, as PacGAN's image
// discriminators take them: a pack is (H, W, m·C), and D is the
// architecture's D for images of m·C channels. With n = Batch/m packs,
// sample i lies in pack i%n at channels (i/n)·C … (i/n+1)·C: the batch's
// m blocks of n rows are joined along the last axis (SliceRows, Concat), in
// the graph, so that G's gradient flows back through the packing. Batches
// are shuffled, so which samples share a pack does not matter.

// packing is the packing degree of a config: Pack, or 1 when off.
func (c Config) packing() int { return max(c.Pack, 1) }

// validatePack checks Pack against the architecture and the batch size.
// arch is nil for networks given to NewTrainerFor.
func (c Config) validatePack(arch *Architecture) error {
	switch {
	case c.Pack < 0 || c.Pack > MaxPack:
		return fmt.Errorf("pack must be in [0, %d], got %d", MaxPack, c.Pack)
	case c.Pack <= 1:
		return nil
	case arch != nil && (arch.Autoencoder || arch.Classifier):
		return fmt.Errorf("pack %d needs a GAN's discriminator; %s is not a GAN", c.Pack, arch.Name)
	case c.Conditional != "":
		return fmt.Errorf("pack does not combine with %s", c.Conditional)
	case arch != nil && arch.PackedDiscriminator == nil && !packsImages(*arch, c.sampleShape(*arch), c.Pack):
		return fmt.Errorf("pack %d needs a discriminator over vectors (%s) or over images of any channels; %s's takes %s",
			c.Pack, packableNames(), arch.Name, discriminatorInput(*arch))
	case c.Batch%c.Pack != 0:
		return fmt.Errorf("batch %d is not divisible by pack %d", c.Batch, c.Pack)
	}
	return nil
}

// packableNames lists the architectures whose D can be packed, sorted, comma-separated.
func packableNames() string {
	var names []string
	for n, a := range architectures {
		if a.PackedDiscriminator != nil {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// discriminatorInput describes the input of an architecture's unpacked D,
// e.g. "28×28×1": one data sample.
func discriminatorInput(arch Architecture) string { return arch.Sample.Dims() }

// packedShape is the shape of one pack of m samples of shape sample: the last
// axis m times as long.
func packedShape(sample tensor.Shape, m int) tensor.Shape {
	out := sample.Clone()
	out[len(out)-1] *= m
	return out
}

// packsImages reports whether arch packs m images of shape sample along
// their channels: its D is made for images of m times the channels.
func packsImages(arch Architecture, sample tensor.Shape, m int) bool {
	return len(sample) == 3 && arch.isGAN() && arch.fits(packedShape(sample, m)) == nil
}

// packedDiscriminator makes the D of pack m for the config's architecture:
// PackedDiscriminator's, or New's D for images of m times the channels.
func packedDiscriminator(cfg Config, arch Architecture, m int) (nn.Network, error) {
	if arch.PackedDiscriminator != nil {
		return arch.PackedDiscriminator(m), nil
	}
	sample := cfg.sampleShape(arch)
	if !packsImages(arch, sample, m) {
		return nil, fmt.Errorf("architecture %s has no packed discriminator for pack %d", arch.Name, m)
	}
	_, d := arch.New(cfg.LatentDim, packedShape(sample, m))
	return d, nil
}

// pack views a batch of samples x (Batch, sample...) as D's batch of packs
// (Batch/m, packed sample...); gradients flow back to x. Vectors are
// reshaped; images are joined along their channels (see the top of this
// file). It returns x itself when packing is off.
func (t *Trainer) pack(g *autograd.Graph, x *autograd.Var) *autograd.Var {
	m := t.Config.packing()
	if m == 1 {
		return x
	}
	if len(t.sample) != 3 {
		return g.Reshape(x, t.dBatchShape...)
	}
	n := t.dBatchShape[0]
	t.packParts = t.packParts[:0]
	for j := range m {
		t.packParts = append(t.packParts, g.SliceRows(x, j*n, (j+1)*n))
	}
	return g.Concat(t.packParts...)
}
