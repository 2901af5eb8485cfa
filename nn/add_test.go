package nn_test

import (
	"testing"

	"github.com/gogan/gogan/nn"
)

func TestAddShapes(t *testing.T) {
	checkMergeShapes(t, []mergeCase{
		{nn.Add(), [][]int{{5}, {5}}, []int{5}},
		{nn.Add(), [][]int{{4, 4, 2}, {4, 4, 2}, {4, 4, 2}}, []int{4, 4, 2}},
	})
}

func TestAddGradients(t *testing.T) {
	checkMergeGradients(t, nn.Add(), []int{3}, []int{3})
	checkMergeGradients(t, nn.Add(), []int{2, 3}, []int{2, 3}, []int{2, 3})
}

func TestAddValues(t *testing.T) {
	y := callMerge(t, nn.Add(), []float32{1, 2}, []float32{10, 20}, []float32{100, 200})
	if y[0] != 111 || y[1] != 222 {
		t.Fatalf("Add gave %v, want [111 222]", y)
	}
}

func TestAddBuildErrors(t *testing.T) {
	wantMergeError(t, nn.Add(), [][]int{{3}, {4}}, "add (Add): expects inputs of the same shape, got [(None, 3), (None, 4)]")
	wantMergeError(t, nn.Add(), [][]int{{3}}, "add (Add): expects at least 2 inputs, got [(None, 3)]")
}
