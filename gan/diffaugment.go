package gan

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// Differentiable Augmentation (Zhao et al. 2020, "Differentiable Augmentation
// for Data-Efficient GAN Training"): with Config.DiffAugment, every batch D
// scores, real or generated, in D's step and in G's, passes through the same
// kinds of random transforms, drawn afresh for each batch and each sample
// from the trainer's seeded generator (so runs repeat and resume bit for bit).
// The transforms are autograd ops, so G's gradient flows through them. D
// then never sees the training images themselves, and cannot memorize a small
// set of them, while G is still asked to make untransformed images.

// An augmentation transforms images x (N, H, W, C) in [−1, 1] with parameters
// drawn from rng, per sample, on the host (on a GPU too, so that it augments as
// the CPU does); s is scratch space for its draws.
type augmentation func(g *autograd.Graph, x *autograd.Var, rng *rand.Rand, s augmentScratch) *autograd.Var

// augmentScratch is host memory for an augmentation's draws: 2N ints and N
// floats, for N images. The ops copy what they are given.
type augmentScratch struct {
	ints   []int
	floats []float32
}

// DiffAugmentations are the transforms Config.DiffAugment can name, as in the
// paper's policy "color,translation,cutout".
var DiffAugmentations = map[string]augmentation{
	"color":       augmentColor,
	"translation": augmentTranslation,
	"cutout":      augmentCutout,
}

// DiffAugmentNames lists DiffAugmentations' names, sorted.
func DiffAugmentNames() []string {
	names := make([]string, 0, len(DiffAugmentations))
	for n := range DiffAugmentations {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// parseDiffAugment returns the transforms a policy names, comma-separated, in
// its order; nil for "".
func parseDiffAugment(policy string) ([]augmentation, error) {
	if policy == "" {
		return nil, nil
	}
	var out []augmentation
	var seen []string
	for _, name := range strings.Split(policy, ",") {
		name = strings.TrimSpace(name)
		a, ok := DiffAugmentations[name]
		switch {
		case !ok:
			return nil, fmt.Errorf("diffaugment %q: unknown transform %q (want a comma-separated list of %s)", policy, name, strings.Join(DiffAugmentNames(), ", "))
		case slices.Contains(seen, name):
			return nil, fmt.Errorf("diffaugment %q names %s twice", policy, name)
		}
		seen = append(seen, name)
		out = append(out, a)
	}
	return out, nil
}

// checkAugmentable checks that samples of shape sample are images (H, W, C),
// which DiffAugment transforms.
func checkAugmentable(policy string, sample tensor.Shape) error {
	if policy != "" && len(sample) != 3 {
		return fmt.Errorf("diffaugment %q transforms images (height, width, channels); the samples are %s", policy, sample.Dims())
	}
	return nil
}

// augment applies the config's DiffAugment transforms to D's batch x, which
// holds Batch/m packs of m samples with Config.Pack m: each sample is
// transformed on its own. It returns x itself when DiffAugment is off.
func (t *Trainer) augment(g *autograd.Graph, x *autograd.Var) *autograd.Var {
	if len(t.augmentations) == 0 {
		return x
	}
	n := x.Shape[0] * t.Config.packing()
	if len(t.augmentInts) < 2*n {
		t.augmentInts = make([]int, 2*n)
		t.augmentFloats = make([]float32, n)
	}
	s := augmentScratch{ints: t.augmentInts[:2*n], floats: t.augmentFloats[:n]}
	var shape [4]int
	shape[0] = n
	copy(shape[1:], t.sample)
	y := g.Reshape(x, shape[:]...)
	for _, a := range t.augmentations {
		y = a(g, y, t.rng, s)
	}
	return g.Reshape(y, x.Shape...)
}

// dInput is what D sees of a batch x: x augmented (Config.DiffAugment), then
// with instance noise (Config.InstanceNoise).
func (t *Trainer) dInput(g *autograd.Graph, x *autograd.Var) *autograd.Var {
	return t.withInstanceNoise(g, t.augment(g, x))
}

// augmentColor changes each image's brightness (adds U(−0.5, 0.5)), then its
// saturation (scales each pixel's colour about its gray by U(0, 2)), then its
// contrast (scales the image about its mean by U(0.5, 1.5)).
func augmentColor(g *autograd.Graph, x *autograd.Var, rng *rand.Rand, s augmentScratch) *autograd.Var {
	h, w, c := x.Shape[1], x.Shape[2], x.Shape[3]
	f := s.floats // one value per image
	for i := range f {
		f[i] = float32(rng.Float64() - 0.5)
	}
	x = g.AddPerSample(x, f)
	for i := range f {
		f[i] = float32(2 * rng.Float64())
	}
	x = g.ScaleAboutMean(x, f, c)
	for i := range f {
		f[i] = float32(rng.Float64() + 0.5)
	}
	return g.ScaleAboutMean(x, f, h*w*c)
}

// augmentTranslation shifts each image by whole pixels, up to 1/8 of its
// height and width (rounded) either way, filling with zeros.
func augmentTranslation(g *autograd.Graph, x *autograd.Var, rng *rand.Rand, s augmentScratch) *autograd.Var {
	n, h, w := x.Shape[0], x.Shape[1], x.Shape[2]
	shift := s.ints
	sh, sw := (h+4)/8, (w+4)/8 // round(h/8), round(w/8)
	for i := range n {
		shift[2*i] = rng.IntN(2*sh+1) - sh
		shift[2*i+1] = rng.IntN(2*sw+1) - sw
	}
	return g.Translate(x, shift)
}

// augmentCutout zeroes a rectangle of half each image's height and width
// (rounded), centred anywhere in the image and clipped by its borders.
func augmentCutout(g *autograd.Graph, x *autograd.Var, rng *rand.Rand, s augmentScratch) *autograd.Var {
	n, h, w := x.Shape[0], x.Shape[1], x.Shape[2]
	corner := s.ints
	size := [2]int{(h + 1) / 2, (w + 1) / 2}
	for i := range n {
		corner[2*i] = rng.IntN(h+1-size[0]%2) - size[0]/2
		corner[2*i+1] = rng.IntN(w+1-size[1]%2) - size[1]/2
	}
	return g.Cutout(x, corner, size)
}
