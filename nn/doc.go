// Package nn is gogan's Keras-style layer API: layers that create their weights
// when the input shape is known, and a Sequential model that chains them.
//
// The seed's generator, written with nn:
//
//	g := nn.NewSequential("generator",
//		nn.Input(100),
//		nn.Dense(256), nn.LeakyReLU(0.2), nn.BatchNormalization(),
//		nn.Dense(512), nn.LeakyReLU(0.2), nn.BatchNormalization(),
//		nn.Dense(1024), nn.LeakyReLU(0.2), nn.BatchNormalization(),
//		nn.Dense(784, nn.WithActivation("tanh")),
//		nn.Reshape(28, 28, 1),
//	)
//	err := g.Build(rng) // creates the weights, checks every shape
//
// The layer contract, as in Keras: configuration in the constructor, weights
// created by Build(inputShape) once the input shape is known, computation in
// Call(graph, x, training). Shapes given to and returned by Build exclude the
// batch dimension; the tensors seen by Call include it: a Dense(256) layer
// built for (100,) maps (N, 100) to (N, 256).
//
// Images are NHWC, (height, width, channels) per sample, as in Keras. The image
// layers take Keras's arguments: a square kernel or pool size positionally,
// the rest as options (Strides, Padding(Same) or Valid, KernelSize or PoolSize
// for rectangles, UseBias, WithActivation, initializers). The TensorFlow
// tutorial's DCGAN discriminator:
//
//	d := nn.NewSequential("discriminator",
//		nn.Input(28, 28, 1),
//		nn.Conv2D(64, 5, nn.Strides(2), nn.Padding(nn.Same)), nn.LeakyReLU(0.3), nn.Dropout(0.3),
//		nn.Conv2D(128, 5, nn.Strides(2), nn.Padding(nn.Same)), nn.LeakyReLU(0.3), nn.Dropout(0.3),
//		nn.Flatten(), nn.Dense(1),
//	)
//
// Conv2DTranspose keeps its kernel as Keras does, (kh, kw, filters, channels),
// and with Same padding multiplies the image size by the stride.
// BatchNormalization normalizes the last axis, so on images it works per channel.
//
// Models of several inputs, such as a conditional GAN's, are functional, as
// Keras's: NewInput declares each input, Apply calls a layer on nodes, NewModel
// ties inputs to an output, and Build orders, names and builds the layers:
//
//	z := nn.NewInput("noise", 100)
//	y := nn.NewInput("label", 1) // class ids as float32 values
//	e := nn.Apply(nn.Flatten(), nn.Apply(nn.Embedding(10, 50), y))
//	out := nn.Apply(nn.Dense(784, nn.WithActivation("tanh")), nn.Apply(nn.Concatenate(), z, e))
//	g := nn.NewModel("generator", []*nn.Node{z, y}, out)
//	err := g.Build(rng)
//	x := g.CallInputs(graph, []*autograd.Var{zVar, yVar}, training)
//
// Layers of several inputs (Concatenate, Add, Multiply) are MultiLayers; the
// others are used through Apply unchanged. Sequential and Model both satisfy
// Network, which is what a trainer holds.
//
// Initial weights follow Keras by default (glorot_uniform kernels, zero
// biases). InitSchemes is the table of alternatives, by name: "glorot",
// "pytorch" (PyTorch's defaults for Linear and Conv: kaiming_uniform with
// a = √5, that is U(±1/√fan_in), and a bias from U(±1/√fan_in)) and
// "orthogonal". SetInitScheme applies one to every Dense and convolution of a
// network before Build; WithInit, KernelInitializer and BiasInitializer choose
// for one layer, and win over SetInitScheme.
//
// SpectralNorm wraps a Dense, Conv2D or Conv2DTranspose layer so that it uses
// its kernel divided by the kernel's largest singular value, estimated by a
// power-iteration step per training call, for discriminators.
//
// Weights are autograd parameters named "<layer>/<weight>" with Keras's names
// (dense_1/kernel, batch_normalization/moving_mean, ...). Layers are named when
// the model is built, Keras-style: dense, dense_1, dense_2, ...; checkpoints
// (package gan) save and restore weights by these names.
//
// # Custom layers
//
// Layer is an ordinary interface: any type with its methods is a layer, and
// works in Sequential and Model, in Summary, in checkpoints and under
// autograd's gradients like the built-in ones. As a Keras layer subclasses
// keras.layers.Layer, a custom layer embeds Base, which holds its name (the
// model assigns it at Build: simple_dense, simple_dense_1, ...; a name set
// with SetName beforehand is kept) and the weights its Build creates with
// Base.AddWeight, named "<layer>/<weight>". The layer writes Kind, Build
// (configuration is in its fields, weights are made once the input shape is
// known) and Call (autograd ops on the graph, so gradients flow):
//
//	type SimpleDense struct {
//		nn.Base
//		Units        int
//		kernel, bias *autograd.Var
//	}
//
//	func (d *SimpleDense) Kind() string { return "SimpleDense" }
//
//	func (d *SimpleDense) Build(in tensor.Shape, rng *rand.Rand) (tensor.Shape, error) {
//		d.kernel = d.AddWeight("kernel", nn.GlorotUniform{}, rng, in[0], d.Units)
//		d.bias = d.AddWeight("bias", nn.Zeros, rng, d.Units)
//		return tensor.Shape{d.Units}, nil
//	}
//
//	func (d *SimpleDense) Call(g *autograd.Graph, x *autograd.Var, training bool) *autograd.Var {
//		return g.AddBias(g.MatMul(x, d.kernel, false, false), d.bias)
//	}
//
// and is used as nn.NewSequential("mlp", nn.Input(3), &SimpleDense{Units: 4}).
// A layer of several inputs implements MultiLayer the same way. A layer with
// non-trainable state writes its own Weights (trainable weights first) and
// makes that state with autograd.NewState.
package nn
