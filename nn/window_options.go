package nn

import (
	"fmt"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// PaddingMode is how a convolution or pooling layer treats the image borders,
// Keras's padding argument: Valid or Same (TensorFlow's rules, see autograd.Padding).
type PaddingMode = autograd.Padding

const (
	// Valid uses only the windows that fit in the image (Keras's default).
	Valid = autograd.Valid
	// Same pads with zeros so that the output is ⌈input/stride⌉ long.
	Same = autograd.Same
)

// windowOptions are the options of the layers that slide a window over images.
type windowOptions struct {
	strides []int
	padding PaddingMode
	size    [2]int // KernelSize or PoolSize, for a rectangular window
}

// Strides sets a convolution's or pooling's step: one value for both axes, or
// (rows, cols). Default 1 for convolutions, the pool size for pooling.
func Strides(s ...int) Option {
	return func(o *options) { o.window.strides = append([]int(nil), s...); o.given["strides"] = true }
}

// Padding sets a convolution's or pooling's border rule, Valid (the default) or Same.
func Padding(p PaddingMode) Option {
	return func(o *options) { o.window.padding = p; o.given["padding"] = true }
}

// KernelSize sets a rectangular convolution kernel of rows × cols, in place of
// the square size given to Conv2D or Conv2DTranspose.
func KernelSize(rows, cols int) Option {
	return func(o *options) { o.window.size = [2]int{rows, cols}; o.given["kernel_size"] = true }
}

// PoolSize sets a rectangular pooling window of rows × cols, in place of the
// square size given to MaxPooling2D or AveragePooling2D.
func PoolSize(rows, cols int) Option {
	return func(o *options) { o.window.size = [2]int{rows, cols}; o.given["pool_size"] = true }
}

// windowConfig resolves a layer's window size, strides and padding from its square
// size, its options and its default strides, and checks them: what for error
// messages is "kernel size" or "pool size".
func (o *options) windowConfig(what string, square int, defaultStrides [2]int) (size, strides [2]int, padding PaddingMode, err error) {
	size = [2]int{square, square}
	if o.given["kernel_size"] || o.given["pool_size"] {
		size = o.window.size
	}
	if size[0] <= 0 || size[1] <= 0 {
		return size, strides, padding, fmt.Errorf("%s must be positive, got %s", what, pair(size))
	}
	strides = defaultStrides
	switch s := o.window.strides; {
	case !o.given["strides"]:
	case len(s) == 1:
		strides = [2]int{s[0], s[0]}
	case len(s) == 2:
		strides = [2]int{s[0], s[1]}
	default:
		return size, strides, padding, fmt.Errorf("strides takes 1 or 2 values, got %v", s)
	}
	if strides[0] <= 0 || strides[1] <= 0 {
		return size, strides, padding, fmt.Errorf("strides must be positive, got %s", pair(strides))
	}
	padding = o.window.padding
	if padding != Valid && padding != Same {
		return size, strides, padding, fmt.Errorf("padding must be Valid or Same, got %v", padding)
	}
	return size, strides, padding, nil
}

// imageInput checks that a layer's input is an image (height, width, channels).
func imageInput(l Layer, in tensor.Shape) error {
	if len(in) != 3 {
		return shapeError(l, in, "(None, height, width, channels)")
	}
	return nil
}

// windowOutput is the (height, width) a window of the given size, strides and
// padding gives on an input, or an error naming the layer when none fits.
func windowOutput(l Layer, in tensor.Shape, what string, size, strides [2]int, padding PaddingMode) (oh, ow int, err error) {
	oh = autograd.ConvOutputSize(in[0], size[0], strides[0], padding)
	ow = autograd.ConvOutputSize(in[1], size[1], strides[1], padding)
	if oh <= 0 || ow <= 0 {
		return 0, 0, fmt.Errorf("%s (%s): %s %s does not fit input %s with %q padding",
			l.Name(), l.Kind(), what, pair(size), in.WithBatch(), padding)
	}
	return oh, ow, nil
}

// pair prints (a, b) as Keras prints a tuple.
func pair(p [2]int) string { return fmt.Sprintf("(%d, %d)", p[0], p[1]) }

// addChannelBias adds b (C) to every pixel of y (N, H, W, C).
func addChannelBias(g *autograd.Graph, y, b *autograd.Var) *autograd.Var {
	c := len(b.Data)
	return g.Reshape(g.AddBias(g.Reshape(y, y.Len()/c, c), b), y.Shape...)
}
