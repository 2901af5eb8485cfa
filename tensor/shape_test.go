package tensor

import "testing"

// TestShapeDims: Dims joins the sizes by ×, where String writes Keras's tuple.
func TestShapeDims(t *testing.T) {
	for _, c := range []struct {
		s           Shape
		dims, keras string
	}{
		{Shape{28, 28, 1}, "28×28×1", "(28, 28, 1)"},
		{Shape{2}, "2", "(2,)"},
		{Shape{}, "", "()"},
	} {
		if got := c.s.Dims(); got != c.dims {
			t.Errorf("%v.Dims() = %q, want %q", []int(c.s), got, c.dims)
		}
		if got := c.s.String(); got != c.keras {
			t.Errorf("%v.String() = %q, want %q", []int(c.s), got, c.keras)
		}
	}
}
