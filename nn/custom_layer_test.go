package nn_test

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/internal/gradcheck"
	"github.com/gogan/gogan/nn"
)

// customMLP is a Sequential of SimpleDense layers (example_custom_layer_test.go)
// around a built-in one.
func customMLP(t *testing.T, seed uint64) *nn.Sequential {
	t.Helper()
	m := nn.NewSequential("mlp",
		nn.Input(3),
		&SimpleDense{Units: 4}, nn.Tanh(),
		nn.Dense(3),
		&SimpleDense{Units: 2},
	)
	if err := m.Build(rand.New(rand.NewPCG(seed, 1))); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCustomLayerGradients checks a custom layer's gradients, with respect to
// its input and its weights, against finite differences.
func TestCustomLayerGradients(t *testing.T) {
	m := customMLP(t, 1)
	rng := rand.New(rand.NewPCG(2, 3))
	x := gradcheck.RandomParam(rng, "x", 5, 3)
	params := append([]*autograd.Var{x}, m.TrainableWeights()...)
	if len(params) != 7 {
		t.Fatalf("%d parameters, want x and 3 kernels and biases", len(params))
	}
	gradcheck.Check(t, "SimpleDense", params, func(g *autograd.Graph) *autograd.Var {
		return m.Call(g, x, true)
	}, 1e-2)
}

// TestCustomLayerCheckpoint saves a model's weights by name, as gan's
// checkpoints do, loads them into a model built from another seed, and checks
// that both compute the same outputs.
func TestCustomLayerCheckpoint(t *testing.T) {
	saved, fresh := customMLP(t, 1), customMLP(t, 2)
	tensors := map[string]checkpoint.Tensor{}
	for _, w := range saved.Weights() {
		tensors[w.Name] = checkpoint.F32(w.Shape, w.Data)
	}
	want := []string{"simple_dense/kernel", "simple_dense/bias", "dense/kernel", "dense/bias", "simple_dense_1/kernel", "simple_dense_1/bias"}
	for _, name := range want {
		if _, ok := tensors[name]; !ok {
			t.Fatalf("no weight %s among %v", name, keys(tensors))
		}
	}
	if len(tensors) != len(want) {
		t.Fatalf("weights %v, want %v", keys(tensors), want)
	}
	path := filepath.Join(t.TempDir(), "w.safetensors")
	if err := checkpoint.SaveSafetensors(path, tensors, nil); err != nil {
		t.Fatal(err)
	}
	loaded, _, err := checkpoint.LoadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range fresh.Weights() {
		ts, ok := loaded[w.Name]
		if !ok || !slices.Equal(ts.Shape, w.Shape) {
			t.Fatalf("%s: not in the file, or of shape %v (want %v)", w.Name, ts.Shape, w.Shape)
		}
		copy(w.Data, ts.F32)
	}
	x := []float32{1, 2, 3, -1, 0.5, 0}
	call := func(m *nn.Sequential) []float32 {
		g := autograd.NewGraph(rand.New(rand.NewPCG(0, 0)))
		return m.Call(g, g.Input(x, false, 2, 3), false).Data
	}
	if a, b := call(saved), call(fresh); !slices.Equal(a, b) {
		t.Fatalf("restored model computes %v, saved one %v", b, a)
	}
}

func keys(m map[string]checkpoint.Tensor) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// TestCustomLayerInModel uses a custom layer in a functional model, shared by
// two nodes, and checks its names and Summary.
func TestCustomLayerInModel(t *testing.T) {
	z := nn.NewInput("z", 3)
	shared := &SimpleDense{Units: 3}
	named := &SimpleDense{Units: 2}
	named.SetName("head")
	out := nn.Apply(named, nn.Apply(nn.Add(), nn.Apply(shared, z), nn.Apply(shared, nn.Apply(&SimpleDense{Units: 3}, z))))
	m := nn.NewModel("g", []*nn.Node{z}, out)
	if err := m.Build(rand.New(rand.NewPCG(1, 1))); err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	if err := m.Summary(&sb); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"simple_dense (SimpleDense)", "simple_dense_1 (SimpleDense)", "head (SimpleDense)", "Total params: 32"} {
		if !strings.Contains(sb.String(), want) {
			t.Errorf("summary has no %q:\n%s", want, sb.String())
		}
	}
	var names []string
	for _, w := range m.Weights() {
		names = append(names, w.Name)
	}
	if want := "simple_dense/kernel simple_dense/bias simple_dense_1/kernel simple_dense_1/bias head/kernel head/bias"; strings.Join(names, " ") != want {
		t.Errorf("weights %v, want %s", names, want)
	}
	g := autograd.NewGraph(rand.New(rand.NewPCG(0, 0)))
	if y := m.Call(g, g.Input(make([]float32, 6), false, 2, 3), false); !slices.Equal(y.Shape, []int{2, 2}) {
		t.Errorf("output shape %v, want (2, 2)", y.Shape)
	}
}

// TestCustomLayerErrors checks that a custom layer's Build error reaches the
// caller with the model's and the layer's names, and that two layers given the
// same name are rejected.
func TestCustomLayerErrors(t *testing.T) {
	m := nn.NewSequential("mlp", nn.Input(2, 2), &SimpleDense{Units: 4})
	err := m.Build(rand.New(rand.NewPCG(1, 1)))
	if want := "model mlp: simple_dense (SimpleDense): expects input of shape (None, features), got (None, 2, 2)"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	a, b := &SimpleDense{Units: 1}, &SimpleDense{Units: 1}
	a.SetName("same")
	b.SetName("same")
	err = nn.NewSequential("twins", nn.Input(1), a, b).Build(rand.New(rand.NewPCG(1, 1)))
	if want := `model twins: two layers are named "same"`; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}
