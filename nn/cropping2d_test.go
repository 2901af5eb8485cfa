package nn_test

import (
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/nn"
)

func TestCropping2DShapes(t *testing.T) {
	checkShapes(t, []shapeCase{
		{[]int{32, 32, 1}, nn.Cropping2D(2, 2, 2, 2), []int{28, 28, 1}, 0},
		{[]int{5, 6, 3}, nn.Cropping2D(0, 1, 2, 3), []int{4, 1, 3}, 0},
	})
}

func TestCropping2DComputes(t *testing.T) {
	m := buildModel(t, []int{2, 3, 1}, nn.Cropping2D(1, 0, 1, 1))
	g := autograd.NewGraph(nil)
	y := m.Call(g, g.Input([]float32{1, 2, 3, 4, 5, 6}, false, 1, 2, 3, 1), false)
	if y.Shape.String() != "(1, 1, 1, 1)" || y.Data[0] != 5 {
		t.Fatalf("cropping gave %v %v, want (1, 1, 1, 1) [5]", y.Shape, y.Data)
	}
}

func TestCropping2DGradients(t *testing.T) {
	checkLayerGradients(t, []int{5, 4, 2}, true, nn.Cropping2D(1, 2, 0, 1))
}

func TestCropping2DBuildErrors(t *testing.T) {
	wantBuildError(t, []int{4, 4, 1}, nn.Cropping2D(2, 2, 0, 0), "cropping2d (Cropping2D): cropping ((2, 2), (0, 0)) leaves nothing of input (None, 4, 4, 1)")
	wantBuildError(t, []int{4, 4, 1}, nn.Cropping2D(0, 0, -1, 0), "cropping must not be negative, got ((0, 0), (-1, 0))")
}
