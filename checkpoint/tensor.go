package checkpoint

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/nlpodyssey/safetensors"
)

// Tensor is a named array stored in a safetensors file. Shape is row-major.
// Exactly one of F32, F64, I64, U8 is set, according to DType ("F32", "F64", "I64", "U8").
type Tensor struct {
	DType string
	Shape []int
	F32   []float32
	F64   []float64
	I64   []int64
	U8    []uint8
}

// F32 returns a float32 tensor of the given shape. It keeps shape and data, without copying.
func F32(shape []int, data []float32) Tensor {
	return Tensor{DType: "F32", Shape: shape, F32: data}
}

// CheckFinite returns an error naming the first NaN or ±Inf of a float32
// tensor's values, "tensor NAME[i] is NaN", or nil. Every reader of weights
// and latent vectors (checkpoints, feature networks, latents files) checks
// them with it.
func CheckFinite(name string, data []float32) error {
	for i, v := range data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("tensor %s[%d] is %v", name, i, v)
		}
	}
	return nil
}

// F64 returns a float64 tensor of the given shape. It keeps shape and data, without copying.
func F64(shape []int, data []float64) Tensor {
	return Tensor{DType: "F64", Shape: shape, F64: data}
}

// I64 returns an int64 tensor of the given shape. It keeps shape and data, without copying.
func I64(shape []int, data []int64) Tensor {
	return Tensor{DType: "I64", Shape: shape, I64: data}
}

// U8 returns a uint8 tensor of the given shape. It keeps shape and data, without copying.
func U8(shape []int, data []uint8) Tensor {
	return Tensor{DType: "U8", Shape: shape, U8: data}
}

// Len returns the number of elements the shape holds: the product of Shape, 1 for a
// scalar (Shape []), 0 when a dimension is 0.
func (t Tensor) Len() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// check reports whether t is a well-formed tensor: a known dtype, non-negative
// dimensions whose product fits in an int, and a data slice of exactly that length
// (the others empty).
func (t Tensor) check() error {
	n := 1
	for _, d := range t.Shape {
		if d < 0 {
			return fmt.Errorf("shape %v has a negative dimension", t.Shape)
		}
		if d != 0 && n > math.MaxInt/d {
			return fmt.Errorf("shape %v has too many elements", t.Shape)
		}
		n *= d
	}
	lens := map[string]int{"F32": len(t.F32), "F64": len(t.F64), "I64": len(t.I64), "U8": len(t.U8)}
	got, known := lens[t.DType]
	if !known {
		return fmt.Errorf("unknown dtype %q, want F32, F64, I64 or U8", t.DType)
	}
	others := false
	for dt, l := range lens {
		others = others || (dt != t.DType && l != 0)
	}
	if others {
		return fmt.Errorf("dtype is %s but another data slice is also set", t.DType)
	}
	if got != n {
		return fmt.Errorf("shape %v holds %d elements but %s has %d", t.Shape, n, t.DType, got)
	}
	return nil
}

// view adapts a checked Tensor to the library's View interface. The little-endian
// bytes are produced when the writer asks for them, one tensor at a time.
type view struct {
	t     Tensor
	dtype safetensors.DType
	shape []uint64 // never nil, so a scalar's shape is written as [] and not null
}

func newView(t Tensor) view {
	dt, _ := safetensors.ParseDType(t.DType) // t is checked: the dtype is known
	shape := make([]uint64, len(t.Shape))
	for i, d := range t.Shape {
		shape[i] = uint64(d)
	}
	return view{t: t, dtype: dt, shape: shape}
}

func (v view) DType() safetensors.DType { return v.dtype }
func (v view) Shape() []uint64          { return v.shape }
func (v view) DataLen() uint64          { return uint64(v.t.Len()) * v.dtype.Size() }

// Data encodes the tensor's elements, little-endian.
func (v view) Data() []byte {
	b := make([]byte, 0, v.DataLen())
	switch v.t.DType {
	case "F32":
		for _, x := range v.t.F32 {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
		}
	case "F64":
		for _, x := range v.t.F64 {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
		}
	case "I64":
		for _, x := range v.t.I64 {
			b = binary.LittleEndian.AppendUint64(b, uint64(x))
		}
	case "U8":
		b = append(b, v.t.U8...)
	}
	return b
}

// decode builds a Tensor from a header entry and its bytes, which the library has
// already checked to be exactly dtype×shape long.
func decode(info *safetensors.TensorInfo, raw []byte) (Tensor, error) {
	shape := make([]int, len(info.Shape))
	for i, d := range info.Shape {
		if d > math.MaxInt {
			return Tensor{}, fmt.Errorf("shape %v has a dimension too large for an int", info.Shape)
		}
		shape[i] = int(d)
	}
	t := Tensor{DType: info.DType.String(), Shape: shape}
	switch info.DType {
	case safetensors.F32:
		t.F32 = make([]float32, len(raw)/4)
		for i := range t.F32 {
			t.F32[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	case safetensors.F64:
		t.F64 = make([]float64, len(raw)/8)
		for i := range t.F64 {
			t.F64[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		}
	case safetensors.I64:
		t.I64 = make([]int64, len(raw)/8)
		for i := range t.I64 {
			t.I64[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
		}
	case safetensors.U8:
		t.U8 = make([]uint8, len(raw))
		copy(t.U8, raw)
	default:
		return Tensor{}, fmt.Errorf("dtype %s is not supported here, want F32, F64, I64 or U8", info.DType)
	}
	return t, nil
}
