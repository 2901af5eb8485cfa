package gan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// PacGAN (Lin et al. 2018) lets D judge m samples at once: a real pack is m
// real samples, a fake pack m generated ones, concatenated along the last axis.
// D then sees the diversity of what G makes, which is what mode collapse lacks.
// A batch is stored as (Batch, d), row after row, so its packs are the same
// numbers viewed as (Batch/m, m·d): sample i lies in pack i/m at columns
// (i%m)·d … (i%m+1)·d. Packing moves no data.

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
	case arch != nil && arch.PackedDiscriminator == nil:
		return fmt.Errorf("pack %d needs a discriminator over vectors (%s); %s's takes %s",
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
func discriminatorInput(arch Architecture) string { return dims(arch.Sample) }

// packedShape is the shape of one pack of m samples of shape sample: the last
// axis m times as long.
func packedShape(sample tensor.Shape, m int) tensor.Shape {
	out := sample.Clone()
	out[len(out)-1] *= m
	return out
}

// pack views a batch of samples x (Batch, sample...) as D's batch of packs
// (Batch/m, packed sample...); gradients flow back to x. It returns x itself
// when packing is off.
func (t *Trainer) pack(g *autograd.Graph, x *autograd.Var) *autograd.Var {
	if t.Config.packing() == 1 {
		return x
	}
	return g.Reshape(x, t.dBatchShape...)
}
