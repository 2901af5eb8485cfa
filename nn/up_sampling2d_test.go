package nn_test

import (
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/nn"
)

func TestUpSampling2DShapes(t *testing.T) {
	checkShapes(t, []shapeCase{
		{[]int{7, 7, 64}, nn.UpSampling2D(2, 2), []int{14, 14, 64}, 0},
		{[]int{3, 5, 1}, nn.UpSampling2D(1, 3), []int{3, 15, 1}, 0},
	})
}

func TestUpSampling2DComputes(t *testing.T) {
	m := buildModel(t, []int{1, 2, 1}, nn.UpSampling2D(2, 2))
	g := autograd.NewGraph(nil)
	y := m.Call(g, g.Input([]float32{1, 2}, false, 1, 1, 2, 1), false)
	want := []float32{1, 1, 2, 2, 1, 1, 2, 2}
	for i, v := range want {
		if y.Data[i] != v {
			t.Fatalf("upsampling gave %v, want %v", y.Data, want)
		}
	}
}

func TestUpSampling2DGradients(t *testing.T) {
	checkLayerGradients(t, []int{3, 2, 2}, true, nn.UpSampling2D(2, 3))
}

func TestUpSampling2DBuildErrors(t *testing.T) {
	wantBuildError(t, []int{4, 4, 1}, nn.UpSampling2D(0, 2), "up_sampling2d (UpSampling2D): size must be positive, got (0, 2)")
	wantBuildError(t, []int{16}, nn.UpSampling2D(2, 2), "expects input of shape (None, height, width, channels), got (None, 16)")
}
