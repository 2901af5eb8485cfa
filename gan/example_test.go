package gan_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/losses"
	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/optim"
)

// The seed's GAN written by hand with nn, losses and optim: the networks as the
// seed's Keras code builds them, and the training step that gan.Trainer.TrainStep
// takes, run for a few steps on a synthetic batch (a blurred ring, in [−1, 1]).
// README.md shows this code.
func Example_trainStep() {
	// Generator: noise (100) → image (28, 28, 1).
	g := nn.NewSequential("generator",
		nn.Input(100),
		nn.Dense(256), nn.LeakyReLU(0.2), nn.BatchNormalization(),
		nn.Dense(512), nn.LeakyReLU(0.2), nn.BatchNormalization(),
		nn.Dense(1024), nn.LeakyReLU(0.2), nn.BatchNormalization(),
		nn.Dense(784, nn.WithActivation("tanh")),
		nn.Reshape(28, 28, 1),
	)

	// Discriminator: image → probability that it is real.
	d := nn.NewSequential("discriminator",
		nn.Input(28, 28, 1),
		nn.Flatten(),
		nn.Dense(1024), nn.LeakyReLU(0.2),
		nn.Dense(512), nn.LeakyReLU(0.2),
		nn.Dense(256), nn.LeakyReLU(0.2),
		nn.Dense(1, nn.WithActivation("sigmoid")),
	)

	rng := rand.New(rand.NewPCG(1, 2))
	if err := g.Build(rng); err != nil { // infers shapes, creates weights
		panic(err)
	}
	if err := d.Build(rng); err != nil {
		panic(err)
	}
	g.Summary(os.Stdout) // Total params: 1,493,520 (3,584 non-trainable)

	adam := optim.AdamConfig{LearningRate: 2e-4, Beta1: 0.5, Beta2: 0.999, Epsilon: 1e-7}
	optG, err := optim.NewAdam(g.TrainableWeights(), adam)
	if err != nil {
		panic(err)
	}
	optD, err := optim.NewAdam(d.TrainableWeights(), adam)
	if err != nil {
		panic(err)
	}
	const batch = 16
	graph := autograd.NewGraph(rng)
	real, noise := ring(batch), make([]float32, batch*100)
	for step := range 3 {
		for i := range noise {
			noise[i] = float32(rng.NormFloat64())
		}
		graph.Reset()
		z := graph.Input(noise, false, batch, 100)
		x := graph.Input(real, false, batch, 28, 28, 1)

		fake := g.Call(graph, z, true) // training mode
		pReal, pFake := d.Call(graph, x, true), d.Call(graph, graph.Detach(fake), true)
		lossD := graph.Add(losses.BinaryCrossEntropy(graph, pReal, losses.Targets(graph, 1, pReal)),
			losses.BinaryCrossEntropy(graph, pFake, losses.Targets(graph, 0, pFake)))
		graph.Backward(lossD)
		optD.Step()
		d.SetTrainable(false) // as Keras's d.trainable = False
		pFool := d.Call(graph, fake, true)
		lossG := losses.BinaryCrossEntropy(graph, pFool, losses.Targets(graph, 1, pFool))
		graph.Backward(lossG)
		optG.Step()
		d.SetTrainable(true)

		l := float64(lossD.Item())
		fmt.Printf("step %d: d_loss finite: %v\n", step+1, !math.IsNaN(l) && !math.IsInf(l, 0))
	}
	// Output:
	// Model: "generator"
	// _________________________________________________________________________________
	//  Layer (type)                                Output Shape              Param #
	// =================================================================================
	//  dense (Dense)                               (None, 256)               25,856
	//  leaky_re_lu (LeakyReLU)                     (None, 256)               0
	//  batch_normalization (BatchNormalization)    (None, 256)               1,024
	//  dense_1 (Dense)                             (None, 512)               131,584
	//  leaky_re_lu_1 (LeakyReLU)                   (None, 512)               0
	//  batch_normalization_1 (BatchNormalization)  (None, 512)               2,048
	//  dense_2 (Dense)                             (None, 1024)              525,312
	//  leaky_re_lu_2 (LeakyReLU)                   (None, 1024)              0
	//  batch_normalization_2 (BatchNormalization)  (None, 1024)              4,096
	//  dense_3 (Dense)                             (None, 784)               803,600
	//  reshape (Reshape)                           (None, 28, 28, 1)         0
	// =================================================================================
	// Total params: 1,493,520
	// Trainable params: 1,489,936
	// Non-trainable params: 3,584
	// _________________________________________________________________________________
	// step 1: d_loss finite: true
	// step 2: d_loss finite: true
	// step 3: d_loss finite: true
}

// ring returns n copies of a 28×28 image of a blurred ring, pixels in [−1, 1].
func ring(n int) []float32 {
	img := make([]float32, 0, n*784)
	for range n {
		for y := range 28 {
			for x := range 28 {
				r := math.Hypot(float64(x)-13.5, float64(y)-13.5)
				img = append(img, float32(2*math.Exp(-(r-8)*(r-8)/8)-1))
			}
		}
	}
	return img
}
