package bar

import (
	"bytes"
	"strings"
	"testing"
)

// TestNew: a bar shows its description, the count and the units per second, and a
// bar without a description starts with the bar itself.
func TestNew(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "decoding imgs", "img", 10)
	b.Set(10)
	b.Finish()
	for _, want := range []string{"decoding imgs", "(10/10, ", " img/s)"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("bar %q lacks %q", buf.String(), want)
		}
	}
	buf.Reset()
	b = New(&buf, "", "it", 3)
	b.Set(3)
	b.Finish()
	if got := strings.TrimLeft(buf.String(), "\r "); !strings.HasPrefix(got, "100% |") || !strings.Contains(got, "(3/3, ") {
		t.Errorf("bar without a description: %q, want it to start with the percentage and bar", got)
	}
}
