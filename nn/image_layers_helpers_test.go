package nn_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/gradcheck"
	"github.com/gogan/gogan/nn"
)

// shapeCase is one layer built for an input shape, with the output shape and
// weight count Keras gives.
type shapeCase struct {
	in     []int
	layer  nn.Layer
	want   []int
	params int
}

func checkShapes(t *testing.T, cases []shapeCase) {
	t.Helper()
	for _, c := range cases {
		m := buildModel(t, c.in, c.layer)
		if got := m.OutputShape(); fmt.Sprint([]int(got)) != fmt.Sprint(c.want) {
			t.Errorf("%s on %v: output %v, want %v", c.layer.Kind(), c.in, got, c.want)
		}
		if got := m.Params().Total; got != c.params {
			t.Errorf("%s on %v: %d params, want %d", c.layer.Kind(), c.in, got, c.params)
		}
	}
}

// checkLayerGradients checks the gradients of a model of layers, with respect to
// its input (a batch of 2) and its trainable weights, against finite differences.
func checkLayerGradients(t *testing.T, in []int, training bool, layers ...nn.Layer) {
	t.Helper()
	m := buildModel(t, in, layers...)
	rng := rand.New(rand.NewPCG(4, 5))
	x := gradcheck.RandomParam(rng, "x", append([]int{2}, in...)...)
	params := append([]*autograd.Var{x}, m.TrainableWeights()...)
	gradcheck.Check(t, layers[0].Kind(), params, func(g *autograd.Graph) *autograd.Var {
		return m.Call(g, x, training)
	}, 1e-2)
}

// wantBuildError builds Input(in) → layer and expects an error containing want.
func wantBuildError(t *testing.T, in []int, layer nn.Layer, want string) {
	t.Helper()
	err := nn.NewSequential("m", nn.Input(in...), layer).Build(rand.New(rand.NewPCG(1, 1)))
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("%s on %v: error %v, want one containing %q", layer.Kind(), in, err, want)
	}
}
