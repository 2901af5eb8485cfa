package nn_test

import (
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/nn"
)

func TestZeroPadding2DShapes(t *testing.T) {
	checkShapes(t, []shapeCase{
		{[]int{28, 28, 1}, nn.ZeroPadding2D(2, 2, 2, 2), []int{32, 32, 1}, 0},
		{[]int{3, 4, 5}, nn.ZeroPadding2D(0, 1, 2, 3), []int{4, 9, 5}, 0},
	})
}

func TestZeroPadding2DComputes(t *testing.T) {
	m := buildModel(t, []int{1, 1, 1}, nn.ZeroPadding2D(1, 0, 0, 1))
	g := autograd.NewGraph(nil)
	y := m.Call(g, g.Input([]float32{3}, false, 1, 1, 1, 1), false)
	want := []float32{0, 0, 3, 0}
	for i, v := range want {
		if y.Data[i] != v {
			t.Fatalf("zero padding gave %v, want %v", y.Data, want)
		}
	}
}

func TestZeroPadding2DGradients(t *testing.T) {
	checkLayerGradients(t, []int{3, 2, 2}, true, nn.ZeroPadding2D(1, 2, 0, 1))
}

func TestZeroPadding2DBuildErrors(t *testing.T) {
	wantBuildError(t, []int{4, 4, 1}, nn.ZeroPadding2D(1, -1, 0, 0), "zero_padding2d (ZeroPadding2D): padding must not be negative, got ((1, -1), (0, 0))")
	wantBuildError(t, []int{4, 4}, nn.ZeroPadding2D(1, 1, 1, 1), "expects input of shape (None, height, width, channels), got (None, 4, 4)")
}
