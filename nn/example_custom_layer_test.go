package nn_test

import (
	"fmt"
	"math/rand/v2"
	"os"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/tensor"
)

// SimpleDense is Keras's SimpleDense, written outside package nn: a fully
// connected layer y = x·kernel + bias that creates its weights when it learns
// the input size. nn.Base gives it a name and records its weights.
type SimpleDense struct {
	nn.Base
	Units        int
	kernel, bias *autograd.Var // (in, units), (units)
}

// Kind is the layer's type, as Summary prints it.
func (d *SimpleDense) Kind() string { return "SimpleDense" }

// Build creates kernel (in, units) and bias (units) for inputs (in,).
func (d *SimpleDense) Build(in tensor.Shape, rng *rand.Rand) (tensor.Shape, error) {
	if d.Units <= 0 {
		return nil, fmt.Errorf("%s (SimpleDense): units must be positive, got %d", d.Name(), d.Units)
	}
	if len(in) != 1 {
		return nil, fmt.Errorf("%s (SimpleDense): expects input of shape (None, features), got %s", d.Name(), in.WithBatch())
	}
	d.kernel = d.AddWeight("kernel", nn.GlorotUniform{}, rng, in[0], d.Units)
	d.bias = d.AddWeight("bias", nn.Zeros, rng, d.Units)
	return tensor.Shape{d.Units}, nil
}

// Call maps x (N, in) to (N, units) with autograd's ops, so gradients flow.
func (d *SimpleDense) Call(g *autograd.Graph, x *autograd.Var, training bool) *autograd.Var {
	return g.AddBias(g.MatMul(x, d.kernel, false, false), d.bias)
}

// A custom layer, used in a Sequential model like the built-in ones.
func Example_customLayer() {
	m := nn.NewSequential("mlp",
		nn.Input(3),
		&SimpleDense{Units: 4}, nn.LeakyReLU(0.2),
		&SimpleDense{Units: 2},
	)
	if err := m.Build(rand.New(rand.NewPCG(1, 2))); err != nil {
		fmt.Println(err)
		return
	}
	m.Summary(os.Stdout)

	g := autograd.NewGraph(rand.New(rand.NewPCG(3, 4)))
	x := g.Input([]float32{1, 2, 3, -1, 0, 1}, false, 2, 3) // (2, 3): two samples
	y := m.Call(g, x, false)
	fmt.Printf("%v %.4f\n", y.Shape, y.Data)
	for _, w := range m.Weights() {
		fmt.Println(w.Name, w.Shape)
	}
	// Output:
	// Model: "mlp"
	// ___________________________________________________________________
	//  Layer (type)                  Output Shape              Param #
	// ===================================================================
	//  simple_dense (SimpleDense)    (None, 4)                 16
	//  leaky_re_lu (LeakyReLU)       (None, 4)                 0
	//  simple_dense_1 (SimpleDense)  (None, 2)                 10
	// ===================================================================
	// Total params: 26
	// Trainable params: 26
	// Non-trainable params: 0
	// ___________________________________________________________________
	// (2, 2) [-0.5839 2.0180 0.5215 0.2751]
	// simple_dense/kernel (3, 4)
	// simple_dense/bias (4,)
	// simple_dense_1/kernel (4, 2)
	// simple_dense_1/bias (2,)
}
