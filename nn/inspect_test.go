package nn_test

import (
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/nn"
)

func TestInspect(t *testing.T) {
	z := nn.NewInput("noise", 4)
	y := nn.NewInput("label", 1)
	e := nn.Apply(nn.Flatten(), nn.Apply(nn.Embedding(3, 2), y))
	h := nn.Apply(nn.Concatenate(), z, e)
	d := nn.Dense(5, nn.WithActivation("tanh"))
	out := nn.Apply(d, h)
	m := nn.NewModel("g", []*nn.Node{z, y}, out)
	if err := m.Build(rand.New(rand.NewPCG(1, 1))); err != nil {
		t.Fatal(err)
	}
	if ins := m.InputNodes(); len(ins) != 2 || ins[0] != z || ins[1] != y {
		t.Errorf("InputNodes %v, want noise and label", ins)
	}
	if m.OutputNode() != out || out.Inputs()[0] != h || len(h.Inputs()) != 2 || h.Inputs()[1] != e {
		t.Error("the nodes do not lead from the output back to the inputs")
	}
	if len(z.Inputs()) != 0 {
		t.Errorf("an input node has inputs %v", z.Inputs())
	}
	for _, tc := range []struct{ got, want string }{
		{d.Activation(), "tanh"},
		{nn.Dense(2).Activation(), ""}, // not built
		{built(t, nn.Conv2D(2, 3)).Activation(), "linear"},
		{built(t, nn.Conv2DTranspose(2, 3, nn.WithActivation("relu"))).Activation(), "relu"},
		{built(t, nn.Sigmoid()).Function(), "sigmoid"},
		{built(t, nn.Activation("leaky_relu")).Function(), "leaky_relu"},
	} {
		if tc.got != tc.want {
			t.Errorf("activation %q, want %q", tc.got, tc.want)
		}
	}
}

// built builds l for (5, 5, 1) images and returns it.
func built[L nn.Layer](t *testing.T, l L) L {
	t.Helper()
	if _, err := l.Build([]int{5, 5, 1}, rand.New(rand.NewPCG(1, 1))); err != nil {
		t.Fatal(err)
	}
	return l
}
