package nn_test

import (
	"testing"

	"github.com/gogan/gogan/nn"
)

func TestMultiplyShapes(t *testing.T) {
	checkMergeShapes(t, []mergeCase{
		{nn.Multiply(), [][]int{{5}, {5}}, []int{5}},
		{nn.Multiply(), [][]int{{2, 3}, {2, 3}, {2, 3}}, []int{2, 3}},
	})
}

func TestMultiplyGradients(t *testing.T) {
	checkMergeGradients(t, nn.Multiply(), []int{3}, []int{3})
	checkMergeGradients(t, nn.Multiply(), []int{2, 2}, []int{2, 2}, []int{2, 2})
}

func TestMultiplyValues(t *testing.T) {
	y := callMerge(t, nn.Multiply(), []float32{1, 2}, []float32{3, -4}, []float32{2, 0.5})
	if y[0] != 6 || y[1] != -4 {
		t.Fatalf("Multiply gave %v, want [6 -4]", y)
	}
}

func TestMultiplyBuildErrors(t *testing.T) {
	wantMergeError(t, nn.Multiply(), [][]int{{2, 3}, {3, 2}}, "multiply (Multiply): expects inputs of the same shape, got [(None, 2, 3), (None, 3, 2)]")
}
