package nn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/nn"
)

func TestConv2DShapes(t *testing.T) {
	checkShapes(t, []shapeCase{
		// Keras: Conv2D(64, 5, strides=2, padding='same') on (28, 28, 1): (14, 14, 64), 5·5·1·64 + 64 weights.
		{[]int{28, 28, 1}, nn.Conv2D(64, 5, nn.Strides(2), nn.Padding(nn.Same)), []int{14, 14, 64}, 1664},
		{[]int{14, 14, 64}, nn.Conv2D(128, 5, nn.Strides(2), nn.Padding(nn.Same)), []int{7, 7, 128}, 204928},
		// 'valid' (the default): ⌊(in − k)/s⌋ + 1.
		{[]int{28, 28, 1}, nn.Conv2D(8, 3), []int{26, 26, 8}, 80},
		{[]int{28, 28, 3}, nn.Conv2D(8, 5, nn.Strides(2)), []int{12, 12, 8}, 608},
		{[]int{7, 9, 2}, nn.Conv2D(4, 3, nn.Strides(2, 3), nn.Padding(nn.Same)), []int{4, 3, 4}, 76},
		{[]int{7, 9, 2}, nn.Conv2D(4, 0, nn.KernelSize(3, 1), nn.UseBias(false)), []int{5, 9, 4}, 24},
		{[]int{5, 5, 3}, nn.Conv2D(2, 1), []int{5, 5, 2}, 8},
	})
}

func TestConv2DGradients(t *testing.T) {
	t.Run("same stride 2 bias", func(t *testing.T) {
		checkLayerGradients(t, []int{5, 6, 2}, true, nn.Conv2D(3, 3, nn.Strides(2), nn.Padding(nn.Same), nn.BiasInitializer(nn.Normal{0, 1})))
	})
	t.Run("valid rectangular tanh", func(t *testing.T) {
		checkLayerGradients(t, []int{6, 5, 3}, true, nn.Conv2D(2, 0, nn.KernelSize(2, 4), nn.WithActivation("tanh")))
	})
	t.Run("no bias", func(t *testing.T) {
		checkLayerGradients(t, []int{4, 4, 1}, true, nn.Conv2D(4, 5, nn.Padding(nn.Same), nn.UseBias(false)))
	})
}

// TestConv2DComputes checks the layer on a hand-sized case: a 3×3 image of
// ones, a 2×2 kernel of ones, bias 0.5, 'valid': every output is 4 + 0.5.
func TestConv2DComputes(t *testing.T) {
	m := buildModel(t, []int{3, 3, 1}, nn.Conv2D(1, 2, nn.KernelInitializer(nn.Ones), nn.BiasInitializer(nn.Constant{0.5})))
	g := autograd.NewGraph(nil)
	y := m.Call(g, g.Constant(1, 1, 3, 3, 1), false)
	if y.Shape.String() != "(1, 2, 2, 1)" {
		t.Fatalf("shape %v", y.Shape)
	}
	for _, v := range y.Data {
		if v != 4.5 {
			t.Fatalf("outputs %v, want all 4.5", y.Data)
		}
	}
}

// TestConv2DGlorotFans checks that the kernel's initial values use Keras's fans,
// kh·kw·in and kh·kw·filters: the limit is √(6/(9·8 + 9·16)).
func TestConv2DGlorotFans(t *testing.T) {
	c := nn.Conv2D(16, 3)
	buildModel(t, []int{10, 10, 8}, c)
	limit := math.Sqrt(6.0 / (9*8 + 9*16))
	var maxAbs float64
	for _, v := range c.Weights()[0].Data {
		maxAbs = math.Max(maxAbs, math.Abs(float64(v)))
	}
	if maxAbs > limit || maxAbs < 0.9*limit {
		t.Fatalf("largest initial weight %g, want just under %g", maxAbs, limit)
	}
}

func TestConv2DBuildErrors(t *testing.T) {
	wantBuildError(t, []int{28, 28, 1}, nn.Conv2D(0, 3), "conv2d (Conv2D): filters must be positive, got 0")
	wantBuildError(t, []int{28, 28, 1}, nn.Conv2D(4, -1), "conv2d (Conv2D): kernel size must be positive, got (-1, -1)")
	wantBuildError(t, []int{28, 28, 1}, nn.Conv2D(4, 3, nn.Strides(0)), "strides must be positive, got (0, 0)")
	wantBuildError(t, []int{28, 28, 1}, nn.Conv2D(4, 3, nn.Strides(1, 2, 3)), "strides takes 1 or 2 values, got [1 2 3]")
	wantBuildError(t, []int{28, 28, 1}, nn.Conv2D(4, 3, nn.Padding(7)), "padding must be Valid or Same, got Padding(7)")
	wantBuildError(t, []int{784}, nn.Conv2D(4, 3), "conv2d (Conv2D): expects input of shape (None, height, width, channels), got (None, 784)")
	wantBuildError(t, []int{3, 3, 1}, nn.Conv2D(4, 5), `conv2d (Conv2D): kernel (5, 5) does not fit input (None, 3, 3, 1) with "valid" padding`)
	wantBuildError(t, []int{8, 8, 1}, nn.Conv2D(4, 3, nn.Momentum(0.9)), "Conv2D does not take the option momentum")
	wantBuildError(t, []int{8, 8, 1}, nn.Conv2D(4, 3, nn.WithActivation("gelu?")), `unknown activation "gelu?"`)
}

// TestImageLayerNames checks Keras's automatic names for the image layers.
func TestImageLayerNames(t *testing.T) {
	m := nn.NewSequential("m", nn.Input(8, 8, 2),
		nn.Conv2D(2, 3, nn.Padding(nn.Same)), nn.Conv2D(2, 3, nn.Padding(nn.Same)),
		nn.Conv2DTranspose(2, 3, nn.Padding(nn.Same)), nn.MaxPooling2D(2), nn.UpSampling2D(2, 2),
		nn.AveragePooling2D(2), nn.ZeroPadding2D(1, 1, 1, 1), nn.Cropping2D(1, 1, 1, 1), nn.LeakyReLU(0.3))
	if err := m.Build(rand.New(rand.NewPCG(1, 1))); err != nil {
		t.Fatal(err)
	}
	want := []string{"input_layer", "conv2d", "conv2d_1", "conv2d_transpose", "max_pooling2d", "up_sampling2d",
		"average_pooling2d", "zero_padding2d", "cropping2d", "leaky_re_lu"}
	for i, l := range m.Layers() {
		if l.Name() != want[i] {
			t.Errorf("layer %d (%s) is named %q, want %q", i, l.Kind(), l.Name(), want[i])
		}
	}
}
