package nn_test

import (
	"math/rand/v2"
	"os"

	"github.com/gogan/gogan/nn"
)

// The seed's generator, as its Keras code builds it. The totals are Keras's.
func ExampleSequential_Summary() {
	g := nn.NewSequential("generator",
		nn.Input(100),
		nn.Dense(256), nn.LeakyReLU(0.2), nn.BatchNormalization(),
		nn.Dense(512), nn.LeakyReLU(0.2), nn.BatchNormalization(),
		nn.Dense(1024), nn.LeakyReLU(0.2), nn.BatchNormalization(),
		nn.Dense(784, nn.WithActivation("tanh")),
		nn.Reshape(28, 28, 1),
	)
	if err := g.Build(rand.New(rand.NewPCG(1, 2))); err != nil {
		panic(err)
	}
	g.Summary(os.Stdout)
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
}
