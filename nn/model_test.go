package nn_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/gradcheck"
	"github.com/gogan/gogan/nn"
)

// conditionalGenerator is the brief's conditional G: noise and a label
// embedding, concatenated, through two Dense layers.
func conditionalGenerator() *nn.Model {
	z := nn.NewInput("noise", 100)
	y := nn.NewInput("label", 1)
	e := nn.Apply(nn.Flatten(), nn.Apply(nn.Embedding(10, 50), y))
	h := nn.Apply(nn.Concatenate(), z, e)
	out := nn.Apply(nn.Dense(784, nn.WithActivation("tanh")), nn.Apply(nn.Dense(256), h))
	return nn.NewModel("generator", []*nn.Node{z, y}, out)
}

// The conditional generator of a cGAN, with Keras's functional summary.
func ExampleModel_Summary() {
	g := conditionalGenerator()
	if err := g.Build(rand.New(rand.NewPCG(1, 2))); err != nil {
		panic(err)
	}
	g.Summary(os.Stdout)
	// Output:
	// Model: "generator"
	// __________________________________________________________________________________________________
	//  Layer (type)                   Output Shape         Param #     Connected to
	// ==================================================================================================
	//  noise (InputLayer)             (None, 100)          0           []
	//  label (InputLayer)             (None, 1)            0           []
	//  embedding (Embedding)          (None, 1, 50)        500         ['label[0][0]']
	//  flatten (Flatten)              (None, 50)           0           ['embedding[0][0]']
	//  concatenate (Concatenate)      (None, 150)          0           ['noise[0][0]',
	//                                                                  'flatten[0][0]']
	//  dense (Dense)                  (None, 256)          38,656      ['concatenate[0][0]']
	//  dense_1 (Dense)                (None, 784)          201,488     ['dense[0][0]']
	// ==================================================================================================
	// Total params: 240,644
	// Trainable params: 240,644
	// Non-trainable params: 0
	// __________________________________________________________________________________________________
}

func TestConditionalGenerator(t *testing.T) {
	g := conditionalGenerator()
	if err := g.Build(rand.New(rand.NewPCG(1, 2))); err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprint(g.InputShapes()); s != "[(100,) (1,)]" {
		t.Errorf("input shapes %s, want [(100,) (1,)]", s)
	}
	if !g.OutputShape().Equal([]int{784}) {
		t.Errorf("output shape %v, want (784,)", g.OutputShape())
	}
	var names []string
	for _, w := range g.Weights() {
		names = append(names, w.Name)
	}
	if s := strings.Join(names, " "); s != "embedding/embeddings dense/kernel dense/bias dense_1/kernel dense_1/bias" {
		t.Errorf("weights %s", s)
	}
	graph := autograd.NewGraph(nil)
	z := graph.Input(make([]float32, 3*100), false, 3, 100)
	y := graph.Input([]float32{0, 9, 4}, false, 3, 1)
	out := g.CallInputs(graph, []*autograd.Var{z, y}, false)
	if !out.Shape.Equal([]int{3, 784}) {
		t.Fatalf("output %v, want (3, 784)", out.Shape)
	}
	// With zero noise, samples differ only through their labels.
	if out.Data[0] == out.Data[784] {
		t.Errorf("labels 0 and 9 gave the same first output %g", out.Data[0])
	}
}

// TestModelGradients checks whole two-input models against finite differences,
// with respect to an input and every trainable weight: a conditional D (image
// and label; label map by Embedding, Concatenate on channels, a spectrally
// normalized Conv2D, in inference mode so that u stays put) and a conditional G
// in training mode (Multiply, Add, BatchNormalization, and one Dense shared by
// two nodes).
func TestModelGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	t.Run("conditional D", func(t *testing.T) {
		img, lab := nn.NewInput("image", 4, 4, 1), nn.NewInput("label", 1)
		e := nn.Apply(nn.Flatten(), nn.Apply(nn.Embedding(3, 5, nn.EmbeddingsInitializer(nn.Normal{0, 1})), lab))
		labelMap := nn.Apply(nn.Reshape(4, 4, 1), nn.Apply(nn.Dense(16), e))
		h := nn.Apply(nn.Concatenate(), img, labelMap)
		h = nn.Apply(nn.SpectralNorm(nn.Conv2D(3, 3, nn.Strides(2), nn.Padding(nn.Same))), h)
		out := nn.Apply(nn.Dense(1), nn.Apply(nn.Flatten(), nn.Apply(nn.Tanh(), h)))
		d := buildFunctional(t, "d", []*nn.Node{img, lab}, out)
		x := gradcheck.RandomParam(rng, "image", 2, 4, 4, 1)
		labels := []float32{0, 2}
		gradcheck.Check(t, "conditional D", append([]*autograd.Var{x}, d.TrainableWeights()...), func(g *autograd.Graph) *autograd.Var {
			return d.CallInputs(g, []*autograd.Var{x, g.Input(labels, false, 2, 1)}, false)
		}, 1e-2)
	})
	t.Run("conditional G", func(t *testing.T) {
		z, lab := nn.NewInput("noise", 5), nn.NewInput("label", 1)
		e := nn.Apply(nn.Flatten(), nn.Apply(nn.Embedding(3, 5, nn.EmbeddingsInitializer(nn.Normal{0, 1})), lab))
		h := nn.Apply(nn.Multiply(), z, e)
		r := nn.Apply(nn.Add(), nn.Apply(nn.Dense(6), h), nn.Apply(nn.Dense(6), z))
		shared := nn.Dense(6, nn.WithActivation("tanh"))
		b := nn.Apply(shared, r)
		c := nn.Apply(shared, b)
		out := nn.Apply(nn.Concatenate(), c, nn.Apply(nn.BatchNormalization(), b))
		m := buildFunctional(t, "g", []*nn.Node{z, lab}, out)
		x := gradcheck.RandomParam(rng, "noise", 3, 5)
		labels := []float32{1, 0, 1}
		gradcheck.Check(t, "conditional G", append([]*autograd.Var{x}, m.TrainableWeights()...), func(g *autograd.Graph) *autograd.Var {
			return m.CallInputs(g, []*autograd.Var{x, g.Input(labels, false, 3, 1)}, true)
		}, 1e-2)
	})
}

func buildFunctional(t *testing.T, name string, inputs []*nn.Node, out *nn.Node) *nn.Model {
	t.Helper()
	m := nn.NewModel(name, inputs, out)
	if err := m.Build(rand.New(rand.NewPCG(1, 1))); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestModelOrder checks that layers are ordered inputs first, each after the
// layers it takes from, whatever order the nodes were made in; that a node
// reached by two paths and a layer applied twice appear once; and that names
// follow that order.
func TestModelOrder(t *testing.T) {
	x := nn.NewInput("x", 4)
	late := nn.Dense(1, nn.Name("head")) // made first, applied last
	a := nn.Apply(nn.Dense(4), x)
	shared := nn.Dense(4)
	b := nn.Apply(shared, a)
	b2 := nn.Apply(shared, b)
	c := nn.Apply(nn.Add(), a, b2) // a reached twice
	d := nn.Apply(nn.Multiply(), c, x)
	m := buildFunctional(t, "m", []*nn.Node{x}, nn.Apply(late, d))
	var got []string
	for _, l := range m.Layers() {
		got = append(got, l.Name())
	}
	if s := strings.Join(got, " "); s != "x dense dense_1 add multiply head" {
		t.Fatalf("layers %s, want x dense dense_1 add multiply head", s)
	}
	if n := len(m.Weights()); n != 6 {
		t.Errorf("%d weights, want 6 (the shared Dense's once)", n)
	}
	var sb strings.Builder
	if err := m.Summary(&sb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sb.String(), "'dense_1[0][0]']") || !strings.Contains(sb.String(), "'dense_1[1][0]']") {
		t.Errorf("summary does not show dense_1's two nodes:\n%s", sb.String())
	}
}

// TestModelBuildErrors checks that Build rejects graphs that do not connect
// the inputs to the output, and shapes the layers cannot take, naming the
// layer and the shapes.
func TestModelBuildErrors(t *testing.T) {
	cases := []struct {
		name string
		make func() *nn.Model
		want string
	}{
		{"mismatched Concatenate", func() *nn.Model {
			z, img := nn.NewInput("noise", 100), nn.NewInput("image", 28, 28, 1)
			return nn.NewModel("g", []*nn.Node{z, img}, nn.Apply(nn.Concatenate(), z, img))
		}, "model g: concatenate (Concatenate): expects inputs whose shapes match except on the last axis, got [(None, 100), (None, 28, 28, 1)]"},
		{"unknown input", func() *nn.Model {
			z, other := nn.NewInput("noise", 3), nn.NewInput("other", 3)
			return nn.NewModel("g", []*nn.Node{z}, nn.Apply(nn.Dense(2), nn.Apply(nn.Add(), z, other)))
		}, "model g: add (Add) takes other (InputLayer) (None, 3), which is not one of the model's inputs (noise)"},
		{"unused input", func() *nn.Model {
			z, y := nn.NewInput("noise", 3), nn.NewInput("label", 1)
			return nn.NewModel("g", []*nn.Node{z, y}, nn.Apply(nn.Dense(2), z))
		}, "model g: input label (None, 1) is not connected to the output"},
		{"Dense given two inputs", func() *nn.Model {
			z, y := nn.NewInput("noise", 3), nn.NewInput("label", 1)
			return nn.NewModel("g", []*nn.Node{z, y}, nn.Apply(nn.Dense(2), z, y))
		}, "model g: dense (Dense) takes one input, got 2"},
		{"layer error", func() *nn.Model {
			z := nn.NewInput("noise", 3)
			return nn.NewModel("g", []*nn.Node{z}, nn.Apply(nn.Dense(-3), z))
		}, "model g: dense (Dense): units must be positive, got -3"},
		{"shared layer on two shapes", func() *nn.Model {
			a, b := nn.NewInput("a", 3), nn.NewInput("b", 4)
			d := nn.Dense(2)
			return nn.NewModel("g", []*nn.Node{a, b}, nn.Apply(nn.Add(), nn.Apply(d, a), nn.Apply(d, b)))
		}, "model g: dense (Dense) is shared but applied to [(None, 3)] and to [(None, 4)]"},
		{"repeated names", func() *nn.Model {
			z := nn.NewInput("z", 3)
			return nn.NewModel("g", []*nn.Node{z}, nn.Apply(nn.Dense(2, nn.Name("d")), nn.Apply(nn.Dense(3, nn.Name("d")), z)))
		}, `model g: two layers are named "d"`},
		{"no inputs", func() *nn.Model { return nn.NewModel("g", nil, nn.NewInput("z", 1)) }, "model g: has no inputs"},
		{"nil output", func() *nn.Model { return nn.NewModel("g", []*nn.Node{nn.NewInput("z", 1)}, nil) }, "model g: has a nil output"},
		{"input listed twice", func() *nn.Model {
			z := nn.NewInput("z", 3)
			return nn.NewModel("g", []*nn.Node{z, z}, nn.Apply(nn.Dense(1), z))
		}, "model g: input 1 is listed twice"},
		{"input made by a layer", func() *nn.Model {
			z := nn.NewInput("z", 3)
			h := nn.Apply(nn.Dense(2), z)
			return nn.NewModel("g", []*nn.Node{h}, nn.Apply(nn.Dense(1), h))
		}, "model g: input 0 is made by a Dense layer, not by NewInput"},
		{"output is an input", func() *nn.Model {
			z := nn.NewInput("z", 3)
			return nn.NewModel("g", []*nn.Node{z}, z)
		}, "model g: output is one of its inputs"},
		{"nil node", func() *nn.Model {
			z := nn.NewInput("z", 3)
			return nn.NewModel("g", []*nn.Node{z}, nn.Apply(nn.Add(), z, nil))
		}, "model g: Apply(Add, ...) was given a nil node"},
		{"bad input shape", func() *nn.Model {
			z := nn.NewInput("z", 3, 0)
			return nn.NewModel("g", []*nn.Node{z}, nn.Apply(nn.Flatten(), z))
		}, "model g: z (InputLayer): shape (3, 0) must have positive dimensions"},
		{"Sequential inside", func() *nn.Model {
			z := nn.NewInput("z", 3)
			return nn.NewModel("g", []*nn.Node{z}, nn.Apply(nn.NewSequential("inner", nn.Input(3), nn.Dense(1)), z))
		}, "model g: inner (Sequential) is not a layer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.make().Build(rand.New(rand.NewPCG(1, 1)))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestModelCheckInputs checks what CallInputs refuses: CheckInputs reports it,
// CallInputs panics with the same words.
func TestModelCheckInputs(t *testing.T) {
	g := conditionalGenerator()
	if err := g.Build(rand.New(rand.NewPCG(1, 2))); err != nil {
		t.Fatal(err)
	}
	graph := autograd.NewGraph(nil)
	z := graph.Input(make([]float32, 2*100), false, 2, 100)
	label := func(v ...float32) *autograd.Var { return graph.Input(v, false, len(v), 1) }
	cases := []struct {
		name string
		xs   []*autograd.Var
		want string
	}{
		{"one input", []*autograd.Var{z}, "model generator takes 2 inputs (noise, label), got 1"},
		{"wrong shape", []*autograd.Var{z, graph.Input(make([]float32, 4), false, 2, 2)}, "model generator: input label takes (None, 1), got (2, 2)"},
		{"batch sizes differ", []*autograd.Var{z, label(1, 2, 3)}, "model generator: inputs noise and label have batch sizes 2 and 3"},
		{"label out of range", []*autograd.Var{z, label(3, 10)}, "model generator: input label: embedding (Embedding): id 1 is 10, want an integer in [0, 10)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := g.CheckInputs(c.xs); err == nil || err.Error() != c.want {
				t.Fatalf("CheckInputs: %v, want %q", err, c.want)
			}
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), c.want) {
					t.Fatalf("CallInputs panicked with %v, want %q", r, c.want)
				}
			}()
			g.CallInputs(graph, c.xs, false)
		})
	}
	if err := g.CheckInputs([]*autograd.Var{z, label(0, 9)}); err != nil {
		t.Fatalf("CheckInputs of good inputs: %v", err)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "InputShape of model generator, which has 2 inputs") {
			t.Fatalf("InputShape of a two-input model: panic %v", r)
		}
	}()
	g.InputShape()
}

// TestSingleInputModelIsSequential checks that a one-input Model built from
// the same seed as a Sequential of the same layers has the same names and
// weights and computes the same outputs, both as Networks.
func TestSingleInputModelIsSequential(t *testing.T) {
	seq := nn.NewSequential("d", nn.Input(2, 2, 3), nn.Conv2D(4, 2), nn.LeakyReLU(0.2), nn.Flatten(), nn.Dense(1))
	x := nn.NewInput("", 2, 2, 3)
	out := nn.Apply(nn.Dense(1), nn.Apply(nn.Flatten(), nn.Apply(nn.LeakyReLU(0.2), nn.Apply(nn.Conv2D(4, 2), x))))
	fun := nn.NewModel("d", []*nn.Node{x}, out)
	var outs [2][]float32
	for i, net := range []nn.Network{seq, fun} {
		if err := net.Build(rand.New(rand.NewPCG(3, 3))); err != nil {
			t.Fatal(err)
		}
		if !net.InputShape().Equal([]int{2, 2, 3}) || len(net.InputShapes()) != 1 || !net.OutputShape().Equal([]int{1}) {
			t.Fatalf("%T: shapes %v → %v", net, net.InputShapes(), net.OutputShape())
		}
		g := autograd.NewGraph(nil)
		data := make([]float32, 2*12)
		for j := range data {
			data[j] = float32(j%5) - 2
		}
		outs[i] = append([]float32(nil), net.Call(g, g.Input(data, false, 2, 2, 2, 3), false).Data...)
		y := net.CallInputs(g, []*autograd.Var{g.Input(data, false, 2, 2, 2, 3)}, false)
		if fmt.Sprint(y.Data) != fmt.Sprint(outs[i]) {
			t.Fatalf("%T: CallInputs %v, Call %v", net, y.Data, outs[i])
		}
	}
	if fmt.Sprint(outs[0]) != fmt.Sprint(outs[1]) {
		t.Fatalf("Sequential gives %v, Model %v", outs[0], outs[1])
	}
	sw, fw := seq.Weights(), fun.Weights()
	for i := range sw {
		if sw[i].Name != fw[i].Name {
			t.Errorf("weight %d: Sequential's %s, Model's %s", i, sw[i].Name, fw[i].Name)
		}
	}
	if fun.Layers()[0].Name() != "input_layer" {
		t.Errorf("unnamed input is %q, want input_layer", fun.Layers()[0].Name())
	}
	if seq.Params() != fun.Params() {
		t.Errorf("params %+v and %+v", seq.Params(), fun.Params())
	}
}

// mergeCase is a multi-input layer on inputs of the given shapes, with the
// output shape Keras gives.
type mergeCase struct {
	layer nn.MultiLayer
	in    [][]int
	want  []int
}

// mergeModel applies layer to one input per shape.
func mergeModel(layer nn.MultiLayer, in [][]int) *nn.Model {
	var inputs []*nn.Node
	for i, s := range in {
		inputs = append(inputs, nn.NewInput(fmt.Sprintf("in%d", i), s...))
	}
	return nn.NewModel("m", inputs, nn.Apply(layer, inputs...))
}

func checkMergeShapes(t *testing.T, cases []mergeCase) {
	t.Helper()
	for _, c := range cases {
		m := mergeModel(c.layer, c.in)
		if err := m.Build(rand.New(rand.NewPCG(1, 1))); err != nil {
			t.Fatal(err)
		}
		if !m.OutputShape().Equal(c.want) {
			t.Errorf("%s on %v: output %v, want %v", c.layer.Kind(), c.in, m.OutputShape(), c.want)
		}
	}
}

// checkMergeGradients checks the gradients of layer, with respect to each of
// its inputs (a batch of 2), against finite differences.
func checkMergeGradients(t *testing.T, layer nn.MultiLayer, in ...[]int) {
	t.Helper()
	m := mergeModel(layer, in)
	if err := m.Build(rand.New(rand.NewPCG(1, 1))); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(6, 7))
	xs := make([]*autograd.Var, len(in))
	for i, s := range in {
		xs[i] = gradcheck.RandomParam(rng, fmt.Sprintf("x%d", i), append([]int{2}, s...)...)
	}
	gradcheck.Check(t, layer.Kind(), xs, func(g *autograd.Graph) *autograd.Var {
		return m.CallInputs(g, xs, true)
	}, 1e-2)
}

// callMerge applies layer to one-sample inputs of the given values.
func callMerge(t *testing.T, layer nn.MultiLayer, xs ...[]float32) []float32 {
	t.Helper()
	in := make([][]int, len(xs))
	for i, x := range xs {
		in[i] = []int{len(x)}
	}
	m := mergeModel(layer, in)
	if err := m.Build(rand.New(rand.NewPCG(1, 1))); err != nil {
		t.Fatal(err)
	}
	g := autograd.NewGraph(nil)
	vars := make([]*autograd.Var, len(xs))
	for i, x := range xs {
		vars[i] = g.Input(x, false, 1, len(x))
	}
	return m.CallInputs(g, vars, false).Data
}

func wantMergeError(t *testing.T, layer nn.MultiLayer, in [][]int, want string) {
	t.Helper()
	err := mergeModel(layer, in).Build(rand.New(rand.NewPCG(1, 1)))
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("%s on %v: error %v, want one containing %q", layer.Kind(), in, err, want)
	}
}

// TestOutputShapeBeforeBuild: asking an unbuilt Sequential or Model its
// output shape panics naming the model and Build, not with an index out of range.
func TestOutputShapeBeforeBuild(t *testing.T) {
	for _, m := range []nn.Network{nn.NewSequential("g", nn.Input(4), nn.Dense(2)), conditionalGenerator()} {
		func() {
			want := "nn: model " + m.Name() + " used before Build"
			defer func() {
				if r := recover(); fmt.Sprint(r) != want {
					t.Errorf("%s: OutputShape panicked with %v, want %q", m.Name(), r, want)
				}
			}()
			m.OutputShape()
		}()
	}
}
