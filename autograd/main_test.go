package autograd_test

import (
	"os"
	"testing"

	"github.com/gogan/gogan/internal/cuda"
)

// TestMain keeps the GPU tests' timed convolution choices out of the user's
// cache: they go to a file of their own, removed at the end.
func TestMain(m *testing.M) { os.Exit(runWithOwnChoices(m)) }

func runWithOwnChoices(m *testing.M) int {
	dir, err := os.MkdirTemp("", "gogan-choices-")
	if err == nil {
		os.Setenv(cuda.EnvConvChoices, dir+"/conv-choices.json")
		defer os.RemoveAll(dir)
	}
	return m.Run()
}
