package nn_test

import (
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/nn"
)

func TestConv2DTransposeShapes(t *testing.T) {
	checkShapes(t, []shapeCase{
		// Keras: 'same' multiplies by the stride; stride 2 doubles the size.
		{[]int{7, 7, 256}, nn.Conv2DTranspose(128, 5, nn.Padding(nn.Same), nn.UseBias(false)), []int{7, 7, 128}, 819200},
		{[]int{7, 7, 128}, nn.Conv2DTranspose(64, 5, nn.Strides(2), nn.Padding(nn.Same), nn.UseBias(false)), []int{14, 14, 64}, 204800},
		{[]int{14, 14, 64}, nn.Conv2DTranspose(1, 5, nn.Strides(2), nn.Padding(nn.Same)), []int{28, 28, 1}, 1601},
		// 'valid': in·s + max(k − s, 0).
		{[]int{7, 7, 3}, nn.Conv2DTranspose(2, 3), []int{9, 9, 2}, 56},
		{[]int{7, 7, 3}, nn.Conv2DTranspose(2, 5, nn.Strides(2)), []int{17, 17, 2}, 152},
		{[]int{4, 5, 1}, nn.Conv2DTranspose(2, 1, nn.Strides(3, 2)), []int{12, 10, 2}, 4},
		{[]int{4, 5, 1}, nn.Conv2DTranspose(2, 0, nn.KernelSize(2, 4), nn.Strides(3, 2), nn.Padding(nn.Same)), []int{12, 10, 2}, 18},
	})
}

func TestConv2DTransposeGradients(t *testing.T) {
	t.Run("same stride 2 bias", func(t *testing.T) {
		checkLayerGradients(t, []int{3, 4, 2}, true, nn.Conv2DTranspose(3, 3, nn.Strides(2), nn.Padding(nn.Same), nn.BiasInitializer(nn.Normal{0, 1})))
	})
	t.Run("valid rectangular tanh", func(t *testing.T) {
		checkLayerGradients(t, []int{3, 2, 3}, true, nn.Conv2DTranspose(2, 0, nn.KernelSize(4, 2), nn.Strides(1, 2), nn.WithActivation("tanh")))
	})
}

// TestConv2DTransposeComputes: one pixel of value 2 through a 3×3 kernel of
// ones, stride 2, 'same', gives a 2×2 output (TensorFlow pads the matching
// Conv2D by max(0·2 + 3 − 2, 0) = 1, none of it before), every pixel covered
// once by the kernel: 2 + bias.
func TestConv2DTransposeComputes(t *testing.T) {
	m := buildModel(t, []int{1, 1, 1}, nn.Conv2DTranspose(1, 3, nn.Strides(2), nn.Padding(nn.Same),
		nn.KernelInitializer(nn.Ones), nn.BiasInitializer(nn.Constant{0.25})))
	g := autograd.NewGraph(nil)
	y := m.Call(g, g.Constant(2, 1, 1, 1, 1), false)
	if y.Shape.String() != "(1, 2, 2, 1)" {
		t.Fatalf("shape %v", y.Shape)
	}
	for _, v := range y.Data {
		if v != 2.25 {
			t.Fatalf("outputs %v, want all 2.25", y.Data)
		}
	}
}

// TestConv2DTransposeUndoesConv2DShape: a Conv2DTranspose with the strides and
// padding of a Conv2D maps the Conv2D's output shape back to its input shape
// (for 'same' when the input is a multiple of the stride).
func TestConv2DTransposeUndoesConv2DShape(t *testing.T) {
	for _, pad := range []nn.PaddingMode{nn.Same, nn.Valid} {
		m := nn.NewSequential("m", nn.Input(12, 8, 3),
			nn.Conv2D(4, 4, nn.Strides(2), nn.Padding(pad)), nn.Conv2DTranspose(3, 4, nn.Strides(2), nn.Padding(pad)))
		if err := m.Build(rand.New(rand.NewPCG(1, 1))); err != nil {
			t.Fatal(err)
		}
		if got := m.OutputShape().String(); got != "(12, 8, 3)" {
			t.Errorf("%v: Conv2D then Conv2DTranspose gives %s, want (12, 8, 3)", pad, got)
		}
	}
}

func TestConv2DTransposeBuildErrors(t *testing.T) {
	wantBuildError(t, []int{7, 7, 4}, nn.Conv2DTranspose(-2, 3), "conv2d_transpose (Conv2DTranspose): filters must be positive, got -2")
	wantBuildError(t, []int{7, 7, 4}, nn.Conv2DTranspose(2, 3, nn.Strides(2, -1)), "strides must be positive, got (2, -1)")
	wantBuildError(t, []int{49}, nn.Conv2DTranspose(2, 3), "expects input of shape (None, height, width, channels), got (None, 49)")
	wantBuildError(t, []int{7, 7, 4}, nn.Conv2DTranspose(2, 3, nn.PoolSize(2, 2)), "Conv2DTranspose does not take the option pool_size")
}
