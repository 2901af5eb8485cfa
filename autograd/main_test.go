package autograd_test

import (
	"os"
	"testing"

	"github.com/gogan/gogan/internal/cuda"
)

// TestMain keeps the GPU tests' timed convolution choices out of the user's
// cache.
func TestMain(m *testing.M) { os.Exit(cuda.RunWithTempChoices(m)) }
