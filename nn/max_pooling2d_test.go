package nn_test

import (
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/nn"
)

func TestMaxPooling2DShapes(t *testing.T) {
	checkShapes(t, []shapeCase{
		// Keras: strides default to the pool size, padding to 'valid'.
		{[]int{28, 28, 8}, nn.MaxPooling2D(2), []int{14, 14, 8}, 0},
		{[]int{7, 7, 8}, nn.MaxPooling2D(2), []int{3, 3, 8}, 0},
		{[]int{7, 7, 8}, nn.MaxPooling2D(2, nn.Padding(nn.Same)), []int{4, 4, 8}, 0},
		{[]int{7, 7, 8}, nn.MaxPooling2D(3, nn.Strides(1)), []int{5, 5, 8}, 0},
		{[]int{7, 6, 1}, nn.MaxPooling2D(0, nn.PoolSize(2, 3)), []int{3, 2, 1}, 0},
		{[]int{7, 6, 1}, nn.MaxPooling2D(3, nn.Strides(2, 1), nn.Padding(nn.Same)), []int{4, 6, 1}, 0},
	})
}

func TestMaxPooling2DComputes(t *testing.T) {
	m := buildModel(t, []int{2, 4, 1}, nn.MaxPooling2D(2))
	g := autograd.NewGraph(nil)
	y := m.Call(g, g.Input([]float32{1, 5, 2, 0, 3, -1, 7, 8}, false, 1, 2, 4, 1), false)
	if y.Shape.String() != "(1, 1, 2, 1)" || y.Data[0] != 5 || y.Data[1] != 8 {
		t.Fatalf("max pooling gave %v %v, want (1, 1, 2, 1) [5 8]", y.Shape, y.Data)
	}
}

func TestMaxPooling2DGradients(t *testing.T) {
	// A Dense layer first, so the pooled values are distinct and away from ties.
	checkLayerGradients(t, []int{5, 5, 3}, true, nn.Dense(3), nn.MaxPooling2D(2, nn.Strides(1), nn.Padding(nn.Same)))
}

func TestMaxPooling2DBuildErrors(t *testing.T) {
	wantBuildError(t, []int{8, 8, 1}, nn.MaxPooling2D(0), "max_pooling2d (MaxPooling2D): pool size must be positive, got (0, 0)")
	wantBuildError(t, []int{1, 8, 1}, nn.MaxPooling2D(2), `max_pooling2d (MaxPooling2D): pool (2, 2) does not fit input (None, 1, 8, 1) with "valid" padding`)
	wantBuildError(t, []int{8, 8}, nn.MaxPooling2D(2), "expects input of shape (None, height, width, channels), got (None, 8, 8)")
	wantBuildError(t, []int{8, 8, 1}, nn.MaxPooling2D(2, nn.UseBias(true)), "MaxPooling2D does not take the option use_bias")
	wantBuildError(t, []int{8, 8, 1}, nn.MaxPooling2D(2, nn.KernelSize(2, 2)), "MaxPooling2D does not take the option kernel_size")
}
