package eval_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/eval"
)

// Score 500 MNIST test digits, and 500 images of noise, against 500 other test
// digits as the reference, through the embedded MNIST feature network. Small
// sets and few KID subsets keep it fast; the standard protocol takes 10,000.
func Example_score() {
	net, err := eval.LoadFeatureNet("mnist")
	if err != nil {
		panic(err)
	}
	ds, err := data.Load("mnist")
	if err != nil {
		panic(err)
	}
	test := data.Scale(ds.Test.Images) // (10000, 28, 28, 1) in [−1, 1]
	size := eval.ImageShape.Size()
	ref, err := eval.NewReference(net, &eval.Samples{Images: test[:500*size], N: 500, Source: "mnist test 0-499"})
	if err != nil {
		panic(err)
	}
	digits := &eval.Samples{Images: test[500*size : 1000*size], N: 500, Source: "mnist test 500-999"}
	noise := &eval.Samples{Images: make([]float32, 500*size), N: 500, Source: "uniform noise"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range noise.Images {
		noise.Images[i] = 2*rng.Float32() - 1
	}
	opts := eval.Options{KIDSubsets: 10, KIDSubsetSize: 100}
	real, err := eval.Score(net, digits, ref, opts)
	if err != nil {
		panic(err)
	}
	fake, err := eval.Score(net, noise, ref, opts)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s: %d samples, %d classes over 2%%\n", real.Samples, real.N, real.ClassesOver2Pct)
	fmt.Printf("FID and KID of real digits below noise's: %v %v\n", real.FID < fake.FID, real.KID < fake.KID)
	// Output:
	// mnist test 500-999: 500 samples, 10 classes over 2%
	// FID and KID of real digits below noise's: true true
}
