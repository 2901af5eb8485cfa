package nn_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/gradcheck"
	"github.com/gogan/gogan/nn"
)

// buildModel builds a model of the layers for input shape in, failing the test on error.
func buildModel(t *testing.T, in []int, layers ...nn.Layer) *nn.Sequential {
	t.Helper()
	m := nn.NewSequential("m", append([]nn.Layer{nn.Input(in...)}, layers...)...)
	if err := m.Build(rand.New(rand.NewPCG(1, 1))); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestLayerGradients checks each layer's gradients, with respect to its weights
// and its input, against finite differences.
func TestLayerGradients(t *testing.T) {
	cases := []struct {
		name     string
		in       []int
		training bool
		layers   []nn.Layer
	}{
		{"Dense", []int{5}, true, []nn.Layer{nn.Dense(4)}},
		{"Dense no bias tanh", []int{5}, true, []nn.Layer{nn.Dense(4, nn.UseBias(false), nn.WithActivation("tanh"))}},
		{"Dense sigmoid", []int{3}, true, []nn.Layer{nn.Dense(2, nn.WithActivation("sigmoid"), nn.BiasInitializer(nn.Normal{0, 1}))}},
		{"Dense on images", []int{2, 2, 3}, true, []nn.Layer{nn.Dense(4)}},
		{"LeakyReLU", []int{6}, true, []nn.Layer{nn.Dense(6, nn.BiasInitializer(nn.Constant{0.7})), nn.LeakyReLU(0.2)}},
		{"ReLU", []int{6}, true, []nn.Layer{nn.Dense(6, nn.BiasInitializer(nn.Constant{0.7})), nn.ReLU()}},
		{"Tanh", []int{4}, true, []nn.Layer{nn.Tanh()}},
		{"Sigmoid", []int{4}, true, []nn.Layer{nn.Sigmoid()}},
		{"BatchNormalization training", []int{4}, true, []nn.Layer{nn.Dense(4), nn.BatchNormalization()}},
		{"BatchNormalization images", []int{2, 2, 3}, true, []nn.Layer{nn.BatchNormalization()}},
		{"BatchNormalization inference", []int{4}, false, []nn.Layer{nn.Dense(4), nn.BatchNormalization()}},
		{"Dropout", []int{8}, true, []nn.Layer{nn.Dense(8), nn.Dropout(0.3)}},
		{"Flatten Reshape", []int{2, 3}, true, []nn.Layer{nn.Flatten(), nn.Dense(6), nn.Reshape(3, 2)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := buildModel(t, c.in, c.layers...)
			batch := 5
			rng := rand.New(rand.NewPCG(2, 3))
			x := gradcheck.RandomParam(rng, "x", append([]int{batch}, c.in...)...)
			params := append([]*autograd.Var{x}, m.TrainableWeights()...)
			gradcheck.Check(t, c.name, params, func(g *autograd.Graph) *autograd.Var {
				return m.Call(g, x, c.training)
			}, 1e-2)
		})
	}
}

func TestBuildErrors(t *testing.T) {
	cases := []struct {
		name   string
		layers []nn.Layer
		want   string
	}{
		{"no input", []nn.Layer{nn.Dense(3)}, "first layer must be nn.Input"},
		{"bad units", []nn.Layer{nn.Input(4), nn.Dense(-3)}, "units must be positive, got -3"},
		{"reshape mismatch", []nn.Layer{nn.Input(4), nn.Dense(700), nn.Reshape(28, 28, 1)}, "cannot reshape input (None, 700) (700 values) into (None, 28, 28, 1) (784 values)"},
		{"unknown activation", []nn.Layer{nn.Input(4), nn.Dense(2, nn.WithActivation("swishy"))}, `unknown activation "swishy"`},
		{"option not taken", []nn.Layer{nn.Input(4), nn.LeakyReLU(0.2, nn.UseBias(false))}, "LeakyReLU does not take the option use_bias"},
		{"dropout rate", []nn.Layer{nn.Input(4), nn.Dropout(1.5)}, "rate must be in [0, 1), got 1.5"},
		{"momentum", []nn.Layer{nn.Input(4), nn.BatchNormalization(nn.Momentum(2))}, "momentum must be in [0, 1], got 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := nn.NewSequential("m", c.layers...).Build(rand.New(rand.NewPCG(1, 1)))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestBatchNormalizationMovingAverages checks Keras's update rule:
// moving = 0.99·moving + 0.01·batch statistic (biased variance), and that
// inference uses the moving statistics.
func TestBatchNormalizationMovingAverages(t *testing.T) {
	bn := nn.BatchNormalization()
	m := buildModel(t, []int{1}, bn)
	g := autograd.NewGraph(nil)
	x := g.Input([]float32{1, 2, 3, 6}, false, 4, 1)
	m.Call(g, x, true)
	w := bn.Weights()
	mean, variance := w[2].Data[0], w[3].Data[0]
	if want := float32(0.01 * 3); math.Abs(float64(mean-want)) > 1e-6 {
		t.Errorf("moving_mean %g, want %g", mean, want)
	}
	if want := float32(0.99 + 0.01*3.5); math.Abs(float64(variance-want)) > 1e-6 {
		t.Errorf("moving_variance %g, want %g", variance, want)
	}
	y := m.Call(g, g.Input([]float32{2}, false, 1, 1), false)
	want := (2 - mean) / float32(math.Sqrt(float64(variance)+1e-3))
	if math.Abs(float64(y.Data[0]-want)) > 1e-5 {
		t.Errorf("inference output %g, want %g", y.Data[0], want)
	}
}

// TestBatchNormalizationMomentum checks the Momentum option: 0.9 moves the
// averages as PyTorch's BatchNorm with its default momentum 0.1 does (PyTorch's
// momentum is 1 − Keras's), here the mean to 0.1·3 after one batch.
func TestBatchNormalizationMomentum(t *testing.T) {
	bn := nn.BatchNormalization(nn.Momentum(0.9))
	m := buildModel(t, []int{1}, bn)
	g := autograd.NewGraph(nil)
	m.Call(g, g.Input([]float32{1, 2, 3, 6}, false, 4, 1), true)
	if mean, want := bn.Weights()[2].Data[0], float32(0.1*3); math.Abs(float64(mean-want)) > 1e-6 {
		t.Errorf("moving_mean %g, want %g", mean, want)
	}
}

func TestDropoutInferenceIsIdentity(t *testing.T) {
	m := buildModel(t, []int{3}, nn.Dropout(0.5))
	g := autograd.NewGraph(rand.New(rand.NewPCG(1, 1)))
	y := m.Call(g, g.Input([]float32{1, 2, 3}, false, 1, 3), false)
	if y.Data[0] != 1 || y.Data[1] != 2 || y.Data[2] != 3 {
		t.Fatalf("dropout at inference changed its input: %v", y.Data)
	}
}

func TestGlorotUniformLimits(t *testing.T) {
	w := make([]float32, 10000)
	nn.GlorotUniform{}.Init(w, 100, 200, rand.New(rand.NewPCG(1, 1)))
	limit := math.Sqrt(6.0 / 300)
	var sum, sumSq float64
	for _, v := range w {
		if math.Abs(float64(v)) > limit {
			t.Fatalf("value %g outside ±%g", v, limit)
		}
		sum += float64(v)
		sumSq += float64(v) * float64(v)
	}
	// U(−l, l) has variance l²/3.
	if v := sumSq / float64(len(w)); math.Abs(v-limit*limit/3) > 0.05*limit*limit/3 {
		t.Fatalf("variance %g, want %g", v, limit*limit/3)
	}
}

func TestSeedDiscriminatorParams(t *testing.T) {
	d := buildModel(t, []int{28, 28, 1},
		nn.Flatten(),
		nn.Dense(1024), nn.LeakyReLU(0.2),
		nn.Dense(512), nn.LeakyReLU(0.2),
		nn.Dense(256), nn.LeakyReLU(0.2),
		nn.Dense(1, nn.WithActivation("sigmoid")))
	if c := d.Params(); c.Total != 1460225 || c.NonTrainable != 0 {
		t.Fatalf("discriminator params %+v, want 1,460,225 total, all trainable", c)
	}
}
