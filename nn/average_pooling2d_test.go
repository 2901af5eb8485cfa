package nn_test

import (
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/nn"
)

func TestAveragePooling2DShapes(t *testing.T) {
	checkShapes(t, []shapeCase{
		{[]int{28, 28, 8}, nn.AveragePooling2D(2), []int{14, 14, 8}, 0},
		{[]int{5, 5, 2}, nn.AveragePooling2D(2), []int{2, 2, 2}, 0},
		{[]int{5, 5, 2}, nn.AveragePooling2D(2, nn.Padding(nn.Same)), []int{3, 3, 2}, 0},
		{[]int{5, 4, 2}, nn.AveragePooling2D(3, nn.Strides(1, 2)), []int{3, 1, 2}, 0},
	})
}

// TestAveragePooling2DComputes: 'same' pooling of a 3×3 image by 2×2 windows;
// the border windows average only the pixels inside the image, as TensorFlow.
func TestAveragePooling2DComputes(t *testing.T) {
	m := buildModel(t, []int{3, 3, 1}, nn.AveragePooling2D(2, nn.Padding(nn.Same)))
	g := autograd.NewGraph(nil)
	y := m.Call(g, g.Input([]float32{1, 2, 3, 4, 5, 6, 7, 8, 9}, false, 1, 3, 3, 1), false)
	want := []float32{3, 4.5, 7.5, 9}
	for i, v := range want {
		if y.Data[i] != v {
			t.Fatalf("average pooling gave %v, want %v", y.Data, want)
		}
	}
}

func TestAveragePooling2DGradients(t *testing.T) {
	checkLayerGradients(t, []int{5, 6, 2}, true, nn.AveragePooling2D(3, nn.Strides(2), nn.Padding(nn.Same)))
	checkLayerGradients(t, []int{5, 6, 2}, true, nn.AveragePooling2D(2))
}

func TestAveragePooling2DBuildErrors(t *testing.T) {
	wantBuildError(t, []int{8, 8, 1}, nn.AveragePooling2D(2, nn.Strides(0, 1)), "average_pooling2d (AveragePooling2D): strides must be positive, got (0, 1)")
	wantBuildError(t, []int{8, 1, 1}, nn.AveragePooling2D(0, nn.PoolSize(1, 2)), `pool (1, 2) does not fit input (None, 8, 1, 1) with "valid" padding`)
}
