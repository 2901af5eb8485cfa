package nn_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/gradcheck"
	"github.com/gogan/gogan/nn"
)

func TestEmbeddingShapes(t *testing.T) {
	checkShapes(t, []shapeCase{
		{[]int{1}, nn.Embedding(10, 50), []int{1, 50}, 500},
		{[]int{3}, nn.Embedding(7, 8), []int{3, 8}, 56},
		{[]int{2, 2}, nn.Embedding(4, 3), []int{2, 2, 3}, 12},
	})
}

// TestEmbeddingLooksUpRows checks y[i, j, :] = embeddings[x[i, j], :].
func TestEmbeddingLooksUpRows(t *testing.T) {
	e := nn.Embedding(5, 3)
	buildModel(t, []int{2}, e)
	table := e.Weights()[0]
	if table.Name != "embedding/embeddings" || !table.Shape.Equal([]int{5, 3}) {
		t.Fatalf("weight %s %v, want embedding/embeddings (5, 3)", table.Name, table.Shape)
	}
	ids := []float32{4, 0, 2, 4}
	g := autograd.NewGraph(nil)
	y := e.Call(g, g.Input(ids, false, 2, 2), true)
	if !y.Shape.Equal([]int{2, 2, 3}) {
		t.Fatalf("output shape %v, want (2, 2, 3)", y.Shape)
	}
	for i, id := range ids {
		got, want := y.Data[i*3:(i+1)*3], table.Data[int(id)*3:(int(id)+1)*3]
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("row %d (id %g) = %v, want %v", i, id, got, want)
		}
	}
}

// TestEmbeddingGradient checks the embeddings' gradient against finite
// differences, with repeated ids whose rows' gradients add up.
func TestEmbeddingGradient(t *testing.T) {
	m := buildModel(t, []int{3}, nn.Embedding(5, 4, nn.EmbeddingsInitializer(nn.Normal{0, 1})), nn.Flatten(), nn.Dense(2, nn.WithActivation("tanh")))
	ids := []float32{1, 4, 1, 0, 4, 4}
	gradcheck.Check(t, "Embedding", m.TrainableWeights(), func(g *autograd.Graph) *autograd.Var {
		return m.Call(g, g.Input(ids, false, 2, 3), true)
	}, 1e-2)
}

// TestEmbeddingInitializer checks Keras's default, U(−0.05, 0.05), and the option.
func TestEmbeddingInitializer(t *testing.T) {
	e := nn.Embedding(100, 20)
	buildModel(t, []int{1}, e)
	w := e.Weights()[0].Data
	lo, hi := w[0], w[0]
	for _, v := range w {
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo < -0.05 || hi >= 0.05 || hi-lo < 0.09 {
		t.Fatalf("embeddings in [%g, %g], want spread over [-0.05, 0.05)", lo, hi)
	}
	e = nn.Embedding(3, 2, nn.EmbeddingsInitializer(nn.Constant{0.5}))
	buildModel(t, []int{1}, e)
	if w := e.Weights()[0].Data; w[0] != 0.5 || w[5] != 0.5 {
		t.Fatalf("EmbeddingsInitializer(Constant{0.5}) gave %v", w)
	}
}

func TestEmbeddingBuildErrors(t *testing.T) {
	wantBuildError(t, []int{1}, nn.Embedding(0, 3), "embedding (Embedding): input_dim and output_dim must be positive, got 0 and 3")
	wantBuildError(t, []int{1}, nn.Embedding(3, -1), "got 3 and -1")
	wantBuildError(t, []int{1}, nn.Embedding(3, 2, nn.UseBias(false)), "Embedding does not take the option use_bias")
	wantBuildError(t, []int{1, 1, 1, 1, 1}, nn.Embedding(3, 2), "expects input of shape (None, ...) with 1 to 4 axes of ids, got (None, 1, 1, 1, 1, 1)")
}

// TestEmbeddingIDs checks that an id out of range is reported by CheckIDs and
// panics in Call (a programmer error: data is checked first).
func TestEmbeddingIDs(t *testing.T) {
	e := nn.Embedding(10, 2)
	buildModel(t, []int{1}, e)
	if err := e.CheckIDs([]float32{0, 9, 3}); err != nil {
		t.Fatalf("CheckIDs of valid ids: %v", err)
	}
	for _, bad := range []float32{10, -1, 2.5} {
		err := e.CheckIDs([]float32{0, bad})
		if want := fmt.Sprintf("embedding (Embedding): id 1 is %v, want an integer in [0, 10)", bad); err == nil || err.Error() != want {
			t.Errorf("CheckIDs(%v): %v, want %q", bad, err, want)
		}
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "index 10 is not an integer in [0, 10)") {
			t.Fatalf("Call with id 10: panic %v", r)
		}
	}()
	g := autograd.NewGraph(nil)
	e.Call(g, g.Input([]float32{10}, false, 1, 1), true)
}
