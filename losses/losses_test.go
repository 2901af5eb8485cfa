package losses_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/gradcheck"
	"github.com/gogan/gogan/losses"
)

func TestBinaryCrossEntropyValues(t *testing.T) {
	g := autograd.NewGraph(nil)
	logits := g.Input([]float32{0, 2, -3, 100, -100}, false, 5, 1)
	targets := g.Input([]float32{1, 0, 1, 1, 0}, false, 5, 1)
	got := float64(losses.BinaryCrossEntropyWithLogits(g, logits, targets).Item())
	sp := func(x float64) float64 { return math.Log1p(math.Exp(x)) }
	// loss(x, t) = t·softplus(−x) + (1−t)·softplus(x); exact in float64, and finite at ±100.
	want := (sp(0) + sp(2) + sp(3) + 0 + 0) / 5
	if math.Abs(got-want) > 1e-5 {
		t.Fatalf("BCE with logits = %g, want %g", got, want)
	}
	// On a Sigmoid's output the loss uses the logits: identical value, finite at ±100.
	viaSigmoid := float64(losses.BinaryCrossEntropy(g, g.Sigmoid(logits), targets).Item())
	if math.Abs(viaSigmoid-want) > 1e-5 {
		t.Fatalf("BCE on sigmoid output = %g, want %g", viaSigmoid, want)
	}
	// On plain probabilities it is the clipped formula.
	p := g.Input([]float32{0.5, 0.9}, false, 2, 1)
	tt := g.Input([]float32{1, 0}, false, 2, 1)
	plain := float64(losses.BinaryCrossEntropy(g, p, tt).Item())
	if want := (-math.Log(0.5) - math.Log(0.1)) / 2; math.Abs(plain-want) > 1e-5 {
		t.Fatalf("BCE on probabilities = %g, want %g", plain, want)
	}
}

func TestLossGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := gradcheck.RandomParam(rng, "x", 6, 1)
	y := gradcheck.RandomParam(rng, "y", 6, 1)
	targets := []float32{1, 0, 1, 0, 0.9, 0.1}
	cases := []struct {
		name string
		f    func(g *autograd.Graph) *autograd.Var
	}{
		{"BCE with logits", func(g *autograd.Graph) *autograd.Var {
			return losses.BinaryCrossEntropyWithLogits(g, x, g.Input(targets, false, 6, 1))
		}},
		{"BCE on probabilities", func(g *autograd.Graph) *autograd.Var {
			p := g.AddScalar(g.Scale(g.Tanh(x), 0.4), 0.5) // in (0.1, 0.9), not a Sigmoid
			return losses.BinaryCrossEntropy(g, p, g.Input(targets, false, 6, 1))
		}},
		{"MSE", func(g *autograd.Graph) *autograd.Var { return losses.MeanSquaredError(g, x, y) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { gradcheck.Check(t, c.name, []*autograd.Var{x, y}, c.f, 1e-2) })
	}
}

func TestSparseCategoricalCrossEntropy(t *testing.T) {
	g := autograd.NewGraph(nil)
	logits := g.Input([]float32{1, 2, 3, 0, 0, 1000}, false, 2, 3)
	got := float64(losses.SparseCategoricalCrossEntropy(g, logits, []uint8{2, 0}).Item())
	// Row 1: −log(e³/(e+e²+e³)); row 2: −log(1/(2+e¹⁰⁰⁰)) = 1000 (the max is taken out).
	row1 := -3 + math.Log(math.Exp(1)+math.Exp(2)+math.Exp(3))
	if want := (row1 + 1000) / 2; math.Abs(got-want) > 1e-3 {
		t.Fatalf("loss %g, want %g", got, want)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	x := gradcheck.RandomParam(rng, "logits", 4, 5)
	gradcheck.Check(t, "SparseCategoricalCrossEntropy", []*autograd.Var{x}, func(g *autograd.Graph) *autograd.Var {
		return losses.SparseCategoricalCrossEntropy(g, x, []uint8{0, 4, 2, 2})
	}, 1e-2)
}
