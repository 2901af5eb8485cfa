package eval

import (
	"fmt"
	"math"

	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/tensor"
)

// Stacked MNIST (Metz et al. 2017, "Unrolled Generative Adversarial Networks"; VEEGAN;
// PacGAN) stacks three MNIST digits as the R, G and B channels of a 28×28×3 image: 1,000
// modes, one per digit triple. A generator is scored by how many of the modes its
// samples reach and by how evenly: each channel of StackedN samples is classified by
// the embedded MNIST network, the mode of a sample is 100·d₁ + 10·d₂ + d₃, a mode is
// covered when at least one sample falls in it, and the KL divergence of the modes'
// histogram from the uniform distribution is in natural log (0 when every mode holds
// as many samples; ln 1000 ≈ 6.91 when one mode holds them all).

// StackedDataset is the dataset name of Stacked MNIST (data.Load).
const StackedDataset = "stacked-mnist"

// StackedModes is the number of modes of Stacked MNIST.
const StackedModes = 1000

// StackedN is the number of samples Stacked MNIST is scored on, as in the PacGAN paper.
const StackedN = 26_000

// StackedShape is the shape of a Stacked MNIST image: (28, 28, 3).
var StackedShape = tensor.Shape{28, 28, 3}

// StackedScores are Stacked MNIST's numbers for a set of samples. The JSON keys are
// those of gogan eval --json and of metrics.jsonl.
type StackedScores struct {
	N            int     `json:"n"`             // samples scored
	ModesCovered int     `json:"modes_covered"` // modes holding at least one sample, of 1,000
	KL           float64 `json:"kl"`            // KL(modes' histogram ‖ uniform over 1,000), natural log
	// Histogram counts the samples of each mode, 100·d₁ + 10·d₂ + d₃.
	Histogram  []int  `json:"-"`
	FeatureNet string `json:"feature_net"` // the MNIST network's hash
	Samples    string `json:"samples"`
}

// ScoreStacked classifies the three channels of each sample with net (MNIST's embedded
// network: it must take 28×28×1 images and tell 10 classes apart) and returns the
// modes covered and the KL divergence. The samples must be (N, 28, 28, 3).
func ScoreStacked(net *FeatureNet, s *Samples) (*StackedScores, error) {
	if s == nil {
		return nil, errNoSamples
	}
	if err := net.check(); err != nil {
		return nil, err
	}
	switch {
	case !s.shape().Equal(StackedShape):
		return nil, fmt.Errorf("eval: %s: Stacked MNIST images are %s, these are %s", s.source(), StackedShape.Dims(), s.shape().Dims())
	case !net.Shape().Equal(ImageShape) || net.Classes() != 10:
		return nil, fmt.Errorf("eval: Stacked MNIST is scored by an MNIST network (28×28×1, 10 classes); %s takes %s and has %d classes", net.Name, net.Shape().Dims(), net.Classes())
	}
	if err := s.checkCount(); err != nil {
		return nil, err
	}
	digits := make([][]int, 3)
	channel := make([]float32, s.N*ImageShape.Size())
	for ch := range 3 {
		for i := range s.N * ImageShape.Size() {
			channel[i] = s.Images[3*i+ch]
		}
		var err error
		if digits[ch], err = net.passOf(ch, 3, s.N).classify(channel, s.N); err != nil {
			return nil, fmt.Errorf("eval: %s, channel %d: %w", s.Source, ch, err)
		}
	}
	sc := &StackedScores{N: s.N, Histogram: make([]int, StackedModes), FeatureNet: net.Hash, Samples: s.Source}
	for i := range s.N {
		sc.Histogram[100*digits[0][i]+10*digits[1][i]+digits[2][i]]++
	}
	sc.ModesCovered, sc.KL = modeStats(sc.Histogram, s.N)
	return sc, nil
}

// modeStats returns the number of modes of a histogram of n samples that hold at least
// one, and KL(p ‖ uniform) = Σ p·ln(p·modes), p the histogram over n.
func modeStats(hist []int, n int) (covered int, kl float64) {
	for _, k := range hist {
		if k == 0 {
			continue
		}
		covered++
		p := float64(k) / float64(n)
		kl += p * math.Log(p*float64(len(hist)))
	}
	return covered, max(kl, 0)
}

// passOf is the network reporting pass k of passes passes over n images each as
// part of one count of passes·n images.
func (f *FeatureNet) passOf(k, passes, n int) *FeatureNet {
	if f.progress == nil {
		return f
	}
	return f.WithProgress(func(done, _ int) { f.progress(k*n+done, passes*n) })
}

// classify returns the class the network gives each of n images (n, H, W, C): the
// argmax of its logits.
func (f *FeatureNet) classify(images []float32, n int) ([]int, error) {
	e, err := f.Embed(images, n)
	if err != nil {
		return nil, err
	}
	classes := f.Classes()
	out := make([]int, n)
	for i := range n {
		best := 0
		for c, p := range e.Probs[i*classes : (i+1)*classes] {
			if p > e.Probs[i*classes+best] {
				best = c
			}
		}
		out[i] = best
	}
	return out, nil
}

// stackedValues are the scores as the values a training run logs.
func (sc *StackedScores) values() []gan.Value {
	return []gan.Value{{Name: "modes_covered", Value: float64(sc.ModesCovered)}, {Name: "kl", Value: sc.KL}}
}
