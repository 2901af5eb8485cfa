package gan

import (
	"os"
	"testing"

	"github.com/gogan/gogan/internal/cuda"
)

// TestMain keeps the GPU tests' timed convolution choices out of the user's
// cache (cuda.TempChoicesFile).
func TestMain(m *testing.M) {
	remove := cuda.TempChoicesFile()
	code := m.Run()
	remove()
	os.Exit(code)
}
