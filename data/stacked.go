package data

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// Seeds of the splits of the built-in "stacked-mnist" dataset, and their sizes.
const (
	stackedTrainSeed = 1
	stackedTestSeed  = 2
	stackedTrainN    = 60000
	stackedTestN     = 10000
)

// StackedMNIST returns n images of Rows×Cols×3 whose three channels are three images of
// digits drawn independently and uniformly (with replacement) from digits, whose Labels
// must be the digits 0..9: channel ch of image k is digits image j(k, ch). The label of
// image k, 100·d₁ + 10·d₂ + d₃ with d₁, d₂, d₃ the digits in the R, G and B channels, is one
// of 1,000 classes and goes in WideLabels (Labels is nil). This is the mode-collapse benchmark of Metz et al.
// (Unrolled GAN), VEEGAN and PacGAN.
//
// The draws come from a PCG generator seeded with (seed, 0x5eed57ac): three per image, in
// the order image 0 channels 0, 1, 2, image 1 ..., each by Lemire's method as Batcher's
// shuffle, so the set is a pure function of (digits, n, seed).
func StackedMNIST(digits Set, n int, seed uint64) (Set, error) {
	src := digits.Images
	switch {
	case src == nil:
		return Set{}, errors.New("data: StackedMNIST: no images")
	case src.NumChannels() != 1:
		return Set{}, fmt.Errorf("data: StackedMNIST: images must be gray, got %d channels", src.NumChannels())
	case len(digits.Labels) != src.N:
		return Set{}, fmt.Errorf("data: StackedMNIST: %d images but %d labels", src.N, len(digits.Labels))
	case n <= 0:
		return Set{}, fmt.Errorf("data: StackedMNIST: image count must be positive, got %d", n)
	}
	if err := src.check(); err != nil {
		return Set{}, fmt.Errorf("data: StackedMNIST: %v", err)
	}
	for i, l := range digits.Labels {
		if l > 9 {
			return Set{}, fmt.Errorf("data: StackedMNIST: label %d of image %d is not a digit", l, i)
		}
	}

	px := src.Rows * src.Cols
	out := &Images{N: n, Rows: src.Rows, Cols: src.Cols, Channels: 3, Pixels: make([]uint8, n*px*3)}
	labels := make([]uint16, n)
	pcg := rand.NewPCG(seed, 0x5eed57ac)
	for k := range n {
		dst := out.Pixels[k*px*3 : (k+1)*px*3]
		label := 0
		for ch := range 3 {
			j := int(uintn(pcg, uint64(src.N)))
			for p, v := range src.Pixels[j*px : (j+1)*px] {
				dst[3*p+ch] = v
			}
			label = 10*label + int(digits.Labels[j])
		}
		labels[k] = uint16(label)
	}
	return Set{Images: out, WideLabels: labels}, nil
}

// loadStacked makes the built-in "stacked-mnist": 60,000 training images drawn from MNIST's
// training split with seed 1 and 10,000 test images drawn from its test split with seed 2.
func loadStacked(opts LoadOptions) (*Dataset, error) {
	mnist, err := loadMNIST(opts)
	if err != nil {
		return nil, fmt.Errorf("%v (stacked-mnist is made from MNIST)", err)
	}
	train, err := StackedMNIST(mnist.Train, stackedTrainN, stackedTrainSeed)
	if err != nil {
		return nil, err
	}
	test, err := StackedMNIST(mnist.Test, stackedTestN, stackedTestSeed)
	if err != nil {
		return nil, err
	}
	return &Dataset{Name: "stacked-mnist", Dir: mnist.Dir, Train: train, Test: test}, nil
}
