package tensor

import (
	"fmt"
	"strings"
)

// Shape lists the sizes of a tensor's dimensions, outermost first.
type Shape []int

// Size is the number of elements: the product of the dimensions (1 for a scalar).
func (s Shape) Size() int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// Equal reports whether s and t have the same dimensions.
func (s Shape) Equal(t Shape) bool {
	if len(s) != len(t) {
		return false
	}
	for i := range s {
		if s[i] != t[i] {
			return false
		}
	}
	return true
}

// Valid reports an error when a dimension is not positive.
func (s Shape) Valid() error {
	for _, d := range s {
		if d <= 0 {
			return fmt.Errorf("shape %v has a non-positive dimension", s)
		}
	}
	return nil
}

// Clone returns a copy that does not share storage with s.
func (s Shape) Clone() Shape { return append(Shape(nil), s...) }

// String prints the shape as Keras does, e.g. "(28, 28, 1)"; with a leading
// batch dimension use WithBatch.
func (s Shape) String() string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	if len(s) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// Dims writes the sizes as people write an image's, joined by ×: "28×28×1", for
// messages ("got samples of 32×32×3"); "" for a scalar.
func (s Shape) Dims() string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return strings.Join(parts, "×")
}

// WithBatch prints the shape with Keras's unknown batch dimension: "(None, 28, 28, 1)".
func (s Shape) WithBatch() string {
	parts := []string{"None"}
	for _, d := range s {
		parts = append(parts, fmt.Sprint(d))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
