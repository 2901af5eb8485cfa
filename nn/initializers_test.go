package nn_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/nn"
)

// TestUniformInitializers draws a large matrix from each uniform initializer
// and checks its bound, that the bound is reached, its mean and its variance
// (l²/3 for U(−l, l)).
func TestUniformInitializers(t *testing.T) {
	const fanIn, fanOut = 800, 400
	cases := []struct {
		init  nn.Initializer
		limit float64
	}{
		{nn.GlorotUniform{}, math.Sqrt(6.0 / (fanIn + fanOut))},
		{nn.KaimingUniform{A: math.Sqrt(5)}, 1 / math.Sqrt(fanIn)}, // PyTorch's Linear/Conv kernel
		{nn.KaimingUniform{}, math.Sqrt(6.0 / fanIn)},              // Keras's he_uniform
		{nn.FanInUniform{}, 1 / math.Sqrt(fanIn)},                  // PyTorch's Linear/Conv bias
		{nn.RandomUniform{Min: -0.05, Max: 0.05}, 0.05},
	}
	for _, c := range cases {
		t.Run(c.init.String(), func(t *testing.T) {
			w := make([]float32, fanIn*fanOut)
			c.init.Init(w, fanIn, fanOut, rand.New(rand.NewPCG(1, 1)))
			var sum, sumSq, top float64
			for _, v := range w {
				a := math.Abs(float64(v))
				if a > c.limit*(1+1e-6) {
					t.Fatalf("value %g outside ±%g", v, c.limit)
				}
				top = max(top, a)
				sum += float64(v)
				sumSq += float64(v) * float64(v)
			}
			n := float64(len(w))
			if top < 0.999*c.limit {
				t.Errorf("largest |value| %g, want close to the bound %g", top, c.limit)
			}
			if mean := sum / n; math.Abs(mean) > 0.01*c.limit {
				t.Errorf("mean %g, want about 0", mean)
			}
			if v, want := sumSq/n, c.limit*c.limit/3; math.Abs(v-want) > 0.01*want {
				t.Errorf("variance %g, want %g", v, want)
			}
		})
	}
}

// TestOrthogonal checks that Orthogonal's matrices have orthonormal columns
// (tall) or rows (wide), times the gain, for Dense- and Conv-shaped kernels.
func TestOrthogonal(t *testing.T) {
	cases := []struct {
		name       string
		rows, cols int
		gain       float64
	}{
		{"tall", 512, 256, 0},
		{"wide", 100, 300, 1},
		{"square gain 2", 200, 200, 2},
		{"conv 5x5x3 to 16", 5 * 5 * 3, 16, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := make([]float32, c.rows*c.cols)
			nn.Orthogonal{Gain: c.gain}.Init(w, c.rows, c.cols, rand.New(rand.NewPCG(1, 1)))
			gain := c.gain
			if gain == 0 {
				gain = 1
			}
			// Gram matrix of the columns (tall) or the rows (wide): gain²·I.
			n, m := c.rows, c.cols
			at := func(i, j int) float64 { return float64(w[i*c.cols+j]) }
			if c.rows < c.cols {
				n, m = c.cols, c.rows
				at = func(i, j int) float64 { return float64(w[j*c.cols+i]) }
			}
			worst := 0.0
			for a := range m {
				for b := range m {
					var dot float64
					for i := range n {
						dot += at(i, a) * at(i, b)
					}
					want := 0.0
					if a == b {
						want = gain * gain
					}
					worst = max(worst, math.Abs(dot-want))
				}
			}
			if worst > 1e-5*gain*gain*float64(n) {
				t.Errorf("Gram matrix off gain²·I by up to %g", worst)
			}
		})
	}
}

// TestInitializersDeterministic checks that every initializer draws the same
// values from the same seed and other values from another seed.
func TestInitializersDeterministic(t *testing.T) {
	inits := []nn.Initializer{nn.Normal{Stddev: 0.02}, nn.RandomUniform{Min: -1, Max: 1}}
	for _, s := range nn.InitSchemes() {
		inits = append(inits, s.Kernel)
	}
	for _, init := range inits {
		draw := func(seed uint64) []float32 {
			w := make([]float32, 64*32)
			init.Init(w, 64, 32, rand.New(rand.NewPCG(seed, 7)))
			return w
		}
		if a, b := draw(1), draw(1); !slices.Equal(a, b) {
			t.Errorf("%s: two draws from seed 1 differ", init)
		}
		if a, b := draw(1), draw(2); slices.Equal(a, b) {
			t.Errorf("%s: seeds 1 and 2 draw the same values", init)
		}
	}
}

// TestInitSchemesTable checks the table that --init takes: glorot first, each
// name found by LookupInitScheme, a bad name rejected with the choices.
func TestInitSchemesTable(t *testing.T) {
	names := nn.InitSchemeNames()
	if len(names) < 3 || names[0] != "glorot" {
		t.Fatalf("schemes %v, want glorot first, pytorch and orthogonal", names)
	}
	for _, s := range nn.InitSchemes() {
		got, err := nn.LookupInitScheme(s.Name)
		if err != nil || got.Name != s.Name || s.Kernel == nil || s.Bias == nil || s.About == "" {
			t.Errorf("scheme %q: lookup gives %+v, %v", s.Name, got, err)
		}
	}
	_, err := nn.LookupInitScheme("he")
	if want := `unknown initializer "he" (want glorot, pytorch, orthogonal)`; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

// kernelNet has one layer of each kind that a scheme reaches, and a Dense
// with an explicit kernel initializer, which keeps it.
func kernelNet() *nn.Sequential {
	return nn.NewSequential("net",
		nn.Input(8, 8, 3),
		nn.Conv2D(6, 3, nn.Padding(nn.Same)),
		nn.Conv2DTranspose(4, 5, nn.Strides(2), nn.Padding(nn.Same)),
		nn.SpectralNorm(nn.Conv2D(5, 2)),
		nn.Flatten(),
		nn.Dense(40, nn.KernelInitializer(nn.Constant{Value: 0.5})),
		nn.Dense(30),
	)
}

// TestSetInitSchemePyTorch checks every kernel and bias against PyTorch's
// bounds: U(±1/√fan_in) with fan_in in·k·k for a convolution and out·k·k for
// a transposed one, except the explicit kernel.
func TestSetInitSchemePyTorch(t *testing.T) {
	net := kernelNet()
	s, _ := nn.LookupInitScheme("pytorch")
	if err := nn.SetInitScheme(net, s); err != nil {
		t.Fatal(err)
	}
	if err := net.Build(rand.New(rand.NewPCG(1, 1))); err != nil {
		t.Fatal(err)
	}
	// fan_in of each layer's kernel and bias, as PyTorch computes it.
	fanIn := map[string]int{
		"conv2d":           3 * 3 * 3, // Conv2d(3, 6, 3): in·k·k
		"conv2d_transpose": 4 * 5 * 5, // ConvTranspose2d(6, 4, 5): weight (6, 4, 5, 5), size(1)·k·k
		"conv2d_1":         4 * 2 * 2,
		"dense":            15 * 15 * 5, // its bias; its kernel is explicit
		"dense_1":          40,
	}
	for _, w := range net.Weights() {
		layer, weight, _ := strings.Cut(w.Name, "/")
		if weight == "sn_u" || weight == "sn_v" {
			continue
		}
		if layer == "dense" && weight == "kernel" {
			for _, v := range w.Data {
				if v != 0.5 {
					t.Fatalf("dense/kernel: %g, want the explicit 0.5", v)
				}
			}
			continue
		}
		checkUniform(t, w, 1/math.Sqrt(float64(fanIn[layer])))
	}
}

// checkUniform checks that w's values lie in ±limit and, if there are enough
// of them, reach beyond half of it.
func checkUniform(t *testing.T, w *autograd.Var, limit float64) {
	t.Helper()
	top := 0.0
	for _, v := range w.Data {
		top = max(top, math.Abs(float64(v)))
	}
	if top > limit*(1+1e-6) || len(w.Data) >= 64 && top < limit/2 {
		t.Errorf("%s: largest |value| %g, want at most and near %g", w.Name, top, limit)
	}
}

// TestSetInitSchemeGlorotIsDefault checks that the glorot scheme draws the
// very weights a network draws by default, value for value.
func TestSetInitSchemeGlorotIsDefault(t *testing.T) {
	plain, glorot := kernelNet(), kernelNet()
	s, _ := nn.LookupInitScheme("glorot")
	if err := nn.SetInitScheme(glorot, s); err != nil {
		t.Fatal(err)
	}
	for _, m := range []*nn.Sequential{plain, glorot} {
		if err := m.Build(rand.New(rand.NewPCG(5, 5))); err != nil {
			t.Fatal(err)
		}
	}
	a, b := plain.Weights(), glorot.Weights()
	for i := range a {
		if !slices.Equal(a[i].Data, b[i].Data) {
			t.Fatalf("%s differs from the default", a[i].Name)
		}
	}
}

// TestSetInitSchemeModel sets the orthogonal scheme on a functional model and
// checks its kernel, then that a built model and a network SetInitScheme cannot
// reach are refused with their names.
func TestSetInitSchemeModel(t *testing.T) {
	z := nn.NewInput("z", 16)
	m := nn.NewModel("g", []*nn.Node{z}, nn.Apply(nn.Dense(8), nn.Apply(nn.LeakyReLU(0.2), z)))
	s, _ := nn.LookupInitScheme("orthogonal")
	if err := nn.SetInitScheme(m, s); err != nil {
		t.Fatal(err)
	}
	if err := m.Build(rand.New(rand.NewPCG(1, 1))); err != nil {
		t.Fatal(err)
	}
	k := m.Weights()[0] // (16, 8): orthonormal columns
	for a := range 8 {
		var norm float64
		for i := range 16 {
			norm += float64(k.Data[i*8+a]) * float64(k.Data[i*8+a])
		}
		if math.Abs(norm-1) > 1e-5 {
			t.Fatalf("%s: column %d has squared norm %g, want 1", k.Name, a, norm)
		}
	}
	err := nn.SetInitScheme(m, s)
	if want := "model g is already built: its weights are drawn, initializer orthogonal comes too late"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	err = nn.SetInitScheme(opaque{m}, s)
	if err == nil || !strings.Contains(err.Error(), "cannot reach the layers of model g") {
		t.Errorf("error %v, want one saying it cannot reach the layers", err)
	}
}

// opaque is a Network that is neither a Sequential nor a Model.
type opaque struct{ nn.Network }

// TestWithInit checks the per-layer option: one Dense drawn with PyTorch's
// scheme among default ones.
func TestWithInit(t *testing.T) {
	s, _ := nn.LookupInitScheme("pytorch")
	m := nn.NewSequential("m", nn.Input(400), nn.Dense(300, nn.WithInit(s)), nn.Dense(10))
	if err := m.Build(rand.New(rand.NewPCG(1, 1))); err != nil {
		t.Fatal(err)
	}
	ws := m.Weights()
	checkUniform(t, ws[0], 1/math.Sqrt(400))
	checkUniform(t, ws[1], 1/math.Sqrt(400))
	checkUniform(t, ws[2], math.Sqrt(6.0/310))
	for _, v := range ws[3].Data {
		if v != 0 {
			t.Fatalf("%s: %g, want Keras's zeros", ws[3].Name, v)
		}
	}
}
