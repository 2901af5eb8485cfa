package nn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/nn"
)

// TestSequentialFusesDenseActivation: a Sequential that fuses each Dense with the
// activation layer after it (and a Dense with its own activation) computes the same
// bits, forward and backward, as the layers called one by one.
func TestSequentialFusesDenseActivation(t *testing.T) {
	model := nn.NewSequential("m",
		nn.Input(5),
		nn.Dense(33), nn.LeakyReLU(0.2),
		nn.Dense(17), nn.ReLU(),
		nn.Dense(16), nn.Tanh(),
		nn.Dense(31, nn.WithActivation("tanh")),
		nn.Dense(7, nn.WithActivation("leaky_relu")),
		nn.Dense(1, nn.WithActivation("sigmoid")),
	)
	if err := model.Build(rand.New(rand.NewPCG(1, 2))); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	x := make([]float32, 9*5)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	run := func(call func(g *autograd.Graph, in *autograd.Var) *autograd.Var) (out []float32, grads [][]float32) {
		for _, w := range model.TrainableWeights() {
			w.ZeroGrad()
		}
		g := autograd.NewGraph(nil)
		in := g.Input(x, true, 9, 5)
		y := call(g, in)
		out = append(out, y.Data...)
		g.Backward(g.Sum(g.Square(y.Logits())))
		for _, w := range model.TrainableWeights() {
			grads = append(grads, append([]float32(nil), w.Grad...))
		}
		return out, grads
	}
	fusedOut, fusedGrads := run(func(g *autograd.Graph, in *autograd.Var) *autograd.Var { return model.Call(g, in, true) })
	plainOut, plainGrads := run(func(g *autograd.Graph, in *autograd.Var) *autograd.Var {
		for _, l := range model.Layers() {
			in = l.Call(g, in, true)
		}
		return in
	})
	same := func(a, b []float32) bool {
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				return false
			}
		}
		return len(a) == len(b)
	}
	if !same(fusedOut, plainOut) {
		t.Fatalf("outputs differ:\nfused %v\nplain %v", fusedOut, plainOut)
	}
	for i, w := range model.TrainableWeights() {
		if !same(fusedGrads[i], plainGrads[i]) {
			t.Fatalf("%s gradients differ:\nfused %v\nplain %v", w.Name, fusedGrads[i], plainGrads[i])
		}
	}
}
