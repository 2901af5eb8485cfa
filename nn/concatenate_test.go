package nn_test

import (
	"testing"

	"github.com/gogan/gogan/nn"
)

func TestConcatenateShapes(t *testing.T) {
	checkMergeShapes(t, []mergeCase{
		{nn.Concatenate(), [][]int{{100}, {50}}, []int{150}},
		{nn.Concatenate(), [][]int{{28, 28, 1}, {28, 28, 10}}, []int{28, 28, 11}},
		{nn.Concatenate(), [][]int{{3}, {1}, {4}, {2}}, []int{10}},
	})
}

func TestConcatenateGradients(t *testing.T) {
	checkMergeGradients(t, nn.Concatenate(), []int{3}, []int{2})
	checkMergeGradients(t, nn.Concatenate(), []int{2, 2, 1}, []int{2, 2, 3}, []int{2, 2, 2})
}

func TestConcatenateBuildErrors(t *testing.T) {
	wantMergeError(t, nn.Concatenate(), [][]int{{3, 4}, {2, 5}},
		"concatenate (Concatenate): expects inputs whose shapes match except on the last axis, got [(None, 3, 4), (None, 2, 5)]")
	wantMergeError(t, nn.Concatenate(), [][]int{{3}, {3, 1}}, "shapes match except on the last axis, got [(None, 3), (None, 3, 1)]")
	wantMergeError(t, nn.Concatenate(), [][]int{{3}}, "concatenate (Concatenate): expects at least 2 inputs, got [(None, 3)]")
	wantMergeError(t, nn.Concatenate(nn.UseBias(true)), [][]int{{3}, {3}}, "Concatenate does not take the option use_bias")
}
