package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// sameTensor compares two tensors, float32 values by their bits (so NaN equals NaN
// and -0 differs from +0), treating nil and empty data slices alike.
func sameTensor(a, b Tensor) bool {
	if a.DType != b.DType || len(a.Shape) != len(b.Shape) ||
		len(a.F32) != len(b.F32) || len(a.F64) != len(b.F64) || len(a.I64) != len(b.I64) || len(a.U8) != len(b.U8) {
		return false
	}
	for i := range a.Shape {
		if a.Shape[i] != b.Shape[i] {
			return false
		}
	}
	for i := range a.F32 {
		if math.Float32bits(a.F32[i]) != math.Float32bits(b.F32[i]) {
			return false
		}
	}
	for i := range a.F64 {
		if math.Float64bits(a.F64[i]) != math.Float64bits(b.F64[i]) {
			return false
		}
	}
	return slices.Equal(a.I64, b.I64) && bytes.Equal(a.U8, b.U8)
}

func TestLen(t *testing.T) {
	for _, tc := range []struct {
		shape []int
		want  int
	}{
		{nil, 1},
		{[]int{}, 1},
		{[]int{5}, 5},
		{[]int{2, 3, 4}, 24},
		{[]int{2, 0, 3}, 0},
	} {
		if got := F32(tc.shape, nil).Len(); got != tc.want {
			t.Errorf("Len of shape %v = %d, want %d", tc.shape, got, tc.want)
		}
	}
}

func TestSafetensorsRoundTrip(t *testing.T) {
	nan := math.Float32frombits(0x7fc00001) // a NaN with a payload, to check bits survive
	for _, tc := range []struct {
		name     string
		tensors  map[string]Tensor
		metadata map[string]string
	}{
		{"nothing", map[string]Tensor{}, nil},
		{"all dtypes with metadata", map[string]Tensor{
			"gen/dense/kernel": F32([]int{2, 3}, []float32{1, -2, 3.5, float32(math.Inf(1)), nan, float32(math.Copysign(0, -1))}),
			"opt/step":         I64([]int{}, []int64{12345}),
			"rng/state":        I64([]int{3}, []int64{math.MinInt64, -1, math.MaxInt64}),
			"data/perm":        U8([]int{5}, []uint8{0, 1, 127, 128, 255}),
			"loss":             F32([]int{}, []float32{0.693}),
			"stats/cov":        F64([]int{2, 2}, []float64{1.0000000000000002, -1e-300, math.Inf(-1), math.Float64frombits(0x7ff8000000000001)}),
		}, map[string]string{"format": "gogan", "step": "100", "note": "ünïcode, \"quotes\" <&>"}},
		{"empty tensors", map[string]Tensor{
			"empty":    F32([]int{0}, nil),
			"empty3d":  I64([]int{2, 0, 3}, []int64{}),
			"emptyU8":  U8([]int{0, 0}, nil),
			"scalarU8": U8([]int{}, []uint8{7}),
		}, map[string]string{"k": ""}},
		{"odd sizes, alignment", map[string]Tensor{
			"a": U8([]int{3}, []uint8{1, 2, 3}),
			"b": F32([]int{1, 1, 1}, []float32{4}),
			"c": I64([]int{1}, []int64{5}),
			"d": U8([]int{1}, []uint8{6}),
			"e": F64([]int{1}, []float64{7}),
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ckpt.safetensors")
			if err := SaveSafetensors(path, tc.tensors, tc.metadata); err != nil {
				t.Fatal(err)
			}
			got, meta, err := LoadSafetensors(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.tensors) {
				t.Fatalf("loaded %d tensors, want %d", len(got), len(tc.tensors))
			}
			for name, want := range tc.tensors {
				g, ok := got[name]
				if !ok {
					t.Errorf("tensor %q missing", name)
					continue
				}
				if !sameTensor(g, want) {
					t.Errorf("tensor %q = %+v, want %+v", name, g, want)
				}
				if g.Shape == nil {
					t.Errorf("tensor %q: loaded Shape is nil, want non-nil", name)
				}
				if (g.DType == "F32") != (g.F32 != nil) || (g.DType == "F64") != (g.F64 != nil) ||
					(g.DType == "I64") != (g.I64 != nil) || (g.DType == "U8") != (g.U8 != nil) {
					t.Errorf("tensor %q: want exactly the %s slice non-nil, got %+v", name, g.DType, g)
				}
			}
			if len(tc.metadata) == 0 {
				if meta != nil {
					t.Errorf("metadata = %v, want nil", meta)
				}
			} else if !reflect.DeepEqual(meta, tc.metadata) {
				t.Errorf("metadata = %v, want %v", meta, tc.metadata)
			}
			checkAligned(t, path)
		})
	}
}

// checkAligned checks that the data buffer starts at a multiple of 8 and that every
// tensor starts at a multiple of its element size.
func checkAligned(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(b)
	if n%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", n)
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &header); err != nil {
		t.Fatal(err)
	}
	for name, raw := range header {
		if name == "__metadata__" {
			continue
		}
		var info struct {
			DType       string `json:"dtype"`
			DataOffsets [2]int `json:"data_offsets"`
		}
		if err := json.Unmarshal(raw, &info); err != nil {
			t.Fatal(err)
		}
		size := map[string]int{"F32": 4, "F64": 8, "I64": 8, "U8": 1}[info.DType]
		if info.DataOffsets[0]%size != 0 {
			t.Errorf("tensor %q (%s) starts at %d, not aligned to %d", name, info.DType, info.DataOffsets[0], size)
		}
	}
}

func TestSafetensorsDeterministic(t *testing.T) {
	tensors := map[string]Tensor{}
	for i := range 30 {
		tensors[fmt.Sprintf("t%02d", i)] = F32([]int{2}, []float32{float32(i), -float32(i)})
		tensors[fmt.Sprintf("u%02d", i)] = U8([]int{1}, []uint8{uint8(i)})
	}
	dir := t.TempDir()
	var files [][]byte
	for i := range 3 {
		path := filepath.Join(dir, fmt.Sprint(i))
		if err := SaveSafetensors(path, tensors, map[string]string{"a": "1", "b": "2"}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b)
	}
	if !bytes.Equal(files[0], files[1]) || !bytes.Equal(files[0], files[2]) {
		t.Error("saving the same tensors twice gave different bytes")
	}
}

// handBuilt is a tiny safetensors file written byte by byte from the specification:
// an I64 scalar, a F32 vector and a U8 vector, with metadata. The header keys are
// sorted, the data is laid out by alignment then name (I64 "c", F32 "a", U8 "b").
func handBuilt() []byte {
	header := `{"__metadata__":{"step":"7"},` +
		`"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},` +
		`"b":{"dtype":"U8","shape":[3],"data_offsets":[16,19]},` +
		`"c":{"dtype":"I64","shape":[],"data_offsets":[0,8]}}`
	for len(header)%8 != 0 {
		header += " "
	}
	var b []byte
	b = append(b, byte(len(header)), 0, 0, 0, 0, 0, 0, 0) // the header is under 256 bytes
	b = append(b, header...)
	b = append(b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff) // c = -1
	b = append(b, 0x00, 0x00, 0x80, 0x3f)                         // a[0] = 1.0
	b = append(b, 0x00, 0x00, 0x00, 0xc0)                         // a[1] = -2.0
	b = append(b, 0x01, 0x02, 0x03)                               // b = 1, 2, 3
	return b
}

func TestSafetensorsStandardLayout(t *testing.T) {
	want := handBuilt()
	if len(want) != 8+189+3+19 { // length, JSON, 3 spaces of padding, data
		t.Fatalf("hand-built file is %d bytes; the test itself is wrong", len(want))
	}
	tensors := map[string]Tensor{
		"a": F32([]int{2}, []float32{1, -2}),
		"b": U8([]int{3}, []uint8{1, 2, 3}),
		"c": I64([]int{}, []int64{-1}),
	}
	meta := map[string]string{"step": "7"}
	dir := t.TempDir()

	t.Run("written bytes match", func(t *testing.T) {
		path := filepath.Join(dir, "written.safetensors")
		if err := SaveSafetensors(path, tensors, meta); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("written file differs from the hand-built one:\n got %q\nwant %q", got, want)
		}
	})

	// Other writers order keys and pad differently; the reader must not care.
	other := `{ "c" : {"shape": [], "data_offsets": [0, 8], "dtype": "I64"}, ` +
		`"b": {"data_offsets": [16, 19], "dtype": "U8", "shape": [3]}, ` +
		`"__metadata__": {"step": "7"}, "a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}`
	otherFile := binary.LittleEndian.AppendUint64(nil, uint64(len(other)))
	otherFile = append(otherFile, other...)
	otherFile = append(otherFile, want[len(want)-19:]...)

	for name, file := range map[string][]byte{"hand-built": want, "other key order, no padding": otherFile} {
		t.Run("read "+name, func(t *testing.T) {
			path := filepath.Join(dir, "hand.safetensors")
			if err := os.WriteFile(path, file, 0o644); err != nil {
				t.Fatal(err)
			}
			got, gotMeta, err := LoadSafetensors(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tensors) {
				t.Fatalf("loaded %d tensors, want %d", len(got), len(tensors))
			}
			for n, w := range tensors {
				if !sameTensor(got[n], w) {
					t.Errorf("tensor %q = %+v, want %+v", n, got[n], w)
				}
			}
			if !reflect.DeepEqual(gotMeta, meta) {
				t.Errorf("metadata = %v, want %v", gotMeta, meta)
			}
		})
	}
}

// file builds a safetensors file from a header, padded with spaces, and a data buffer.
func file(header string, data []byte) []byte {
	for len(header)%8 != 0 {
		header += " "
	}
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, data...)
}

// withLength is a header length followed by some bytes, to test the length prefix.
func withLength(n uint64, rest string) []byte {
	return append(binary.LittleEndian.AppendUint64(nil, n), rest...)
}

func TestLoadSafetensorsRejects(t *testing.T) {
	const a2 = `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`
	data8 := []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0}
	data12 := append(append([]byte{}, data8...), 1, 2, 3, 4)
	for _, tc := range []struct {
		name string
		file []byte
		want string // part of the error message
	}{
		{"empty file", nil, "too short"},
		{"shorter than 8 bytes", []byte{1, 2, 3, 4, 5}, "too short"},
		{"header length beyond the file", withLength(1000, `{}      `), "larger than the 8 bytes"},
		{"header length absurd", withLength(200_000_000, `{}      `), "over the 100000000-byte limit"},
		{"header length max uint64", withLength(math.MaxUint64, `{}      `), "over the"},
		{"a JSON file", []byte(`{"format": "gogan-checkpoint/1", "step": 20}`), "not a safetensors file: it starts with text (\"{\\\"format\"), where a safetensors file starts with its header's length"},
		{"header length zero", withLength(0, ""), "does not start with '{'"},
		{"header not JSON", file(`not json`, nil), "does not start with '{'"},
		{"header JSON array", file(`[1, 2]`, nil), "does not start with '{'"},
		{"header leading space", file(` {}`, nil), "does not start with '{'"},
		{"header truncated JSON", file(`{"a":{"dtype":"F32"`, data8), "invalid safetensors"},
		{"header JSON then junk", file(a2+`xx`, data8), "invalid safetensors"},
		{"tensor entry null", file(`{"a":null}`, nil), "expected 3 keys"},
		{"tensor entry not object", file(`{"a":5}`, nil), "invalid safetensors"},
		{"missing shape", file(`{"a":{"dtype":"F32","data_offsets":[0,8]}}`, data8), "expected 3 keys"},
		{"extra key", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}}`, data8), "expected 3 keys"},
		{"unknown dtype", file(`{"a":{"dtype":"F99","shape":[2],"data_offsets":[0,8]}}`, data8), `"F99"`},
		{"dtype not a string", file(`{"a":{"dtype":4,"shape":[2],"data_offsets":[0,8]}}`, data8), "dtype"},
		{"unsupported dtype", file(`{"a":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}}`, data8), "F16 is not supported"},
		{"negative dimension", file(`{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, data8), "shape"},
		{"fractional dimension", file(`{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}`, data8), "shape"},
		{"dimension beyond int", file(`{"a":{"dtype":"F32","shape":[0,10000000000000000000],"data_offsets":[0,0]}}`, nil), "too large"},
		{"element count overflows", file(`{"a":{"dtype":"U8","shape":[4294967296,4294967296],"data_offsets":[0,8]}}`, data8), "overflow"},
		{"offsets out of range", file(`{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, data8), "offsets do not end there"},
		{"offsets overlap", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, data12), "offset"},
		{"offsets leave a gap", file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}`, data12), "offset"},
		{"offsets do not start at 0", file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, data8), "offset"},
		{"offsets reversed", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}`, data8), "offset"},
		{"offsets negative", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}`, data8), "data_offsets"},
		{"offsets three numbers", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4,8]}}`, data8), "data_offsets"},
		{"offsets disagree with shape", file(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, data8), "do not span its dtype size"},
		{"offsets disagree with dtype", file(`{"a":{"dtype":"I64","shape":[2],"data_offsets":[0,8]}}`, data8), "do not span its dtype size"},
		{"trailing bytes", file(a2, data12), "offsets do not end there"},
		{"missing bytes", file(a2, data8[:4]), "offsets do not end there"},
		{"metadata value not a string", file(`{"__metadata__":{"k":1}}`, nil), "__metadata__"},
		{"metadata not an object", file(`{"__metadata__":"x"}`, nil), "invalid safetensors"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.safetensors")
			if err := os.WriteFile(path, tc.file, 0o644); err != nil {
				t.Fatal(err)
			}
			tensors, meta, err := LoadSafetensors(path)
			if err == nil {
				t.Fatalf("loaded %v %v, want an error", tensors, meta)
			}
			msg := err.Error()
			t.Log(msg)
			if !strings.Contains(msg, path) || !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line naming %s and containing %q", msg, path, tc.want)
			}
			// The same bytes in memory give the same error, under the name given.
			if _, _, perr := ParseSafetensors(path, tc.file); perr == nil || perr.Error() != msg {
				t.Errorf("ParseSafetensors: error %v, want %q", perr, msg)
			}
		})
	}

	t.Run("the valid file these corrupt loads", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "good.safetensors")
		if err := os.WriteFile(path, file(a2, data8), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := LoadSafetensors(path); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("missing file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "none.safetensors")
		_, _, err := LoadSafetensors(path)
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
			t.Errorf("error %v: want fs.ErrNotExist naming %s", err, path)
		}
	})
}

func TestSaveSafetensorsRejects(t *testing.T) {
	for _, tc := range []struct {
		name     string
		tensors  map[string]Tensor
		metadata map[string]string
		want     string
	}{
		{"unknown dtype", map[string]Tensor{"a": {DType: "F16", Shape: []int{1}}}, nil, `unknown dtype "F16"`},
		{"empty dtype", map[string]Tensor{"a": {Shape: []int{1}, F32: []float32{1}}}, nil, "unknown dtype"},
		{"too few values", map[string]Tensor{"a": F32([]int{2, 3}, make([]float32, 5))}, nil, "holds 6 elements but F32 has 5"},
		{"too many values", map[string]Tensor{"a": U8([]int{2}, make([]uint8, 3))}, nil, "holds 2 elements but U8 has 3"},
		{"scalar without a value", map[string]Tensor{"a": I64([]int{}, nil)}, nil, "holds 1 elements but I64 has 0"},
		{"negative dimension", map[string]Tensor{"a": F32([]int{-1, -2}, make([]float32, 2))}, nil, "negative dimension"},
		{"overflowing shape", map[string]Tensor{"a": U8([]int{1 << 40, 1 << 40}, nil)}, nil, "too many elements"},
		{"two data slices", map[string]Tensor{"a": {DType: "F32", Shape: []int{1}, F32: []float32{1}, U8: []uint8{1}}}, nil, "another data slice"},
		{"wrong data slice", map[string]Tensor{"a": {DType: "I64", Shape: []int{1}, F32: []float32{1}}}, nil, "another data slice"},
		{"reserved name", map[string]Tensor{"__metadata__": F32([]int{}, []float32{1})}, nil, "reserved"},
		{"empty name", map[string]Tensor{"": F32([]int{}, []float32{1})}, nil, "empty name"},
		{"name not UTF-8", map[string]Tensor{"a\xff": F32([]int{}, []float32{1})}, nil, "UTF-8"},
		{"metadata not UTF-8", map[string]Tensor{}, map[string]string{"k": "\xfe"}, "UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "x.safetensors")
			err := SaveSafetensors(path, tc.tensors, tc.metadata)
			if err == nil {
				t.Fatal("saved, want an error")
			}
			msg := err.Error()
			if !strings.Contains(msg, path) || !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line naming %s and containing %q", msg, path, tc.want)
			}
			if left := ls(t, dir); len(left) != 0 {
				t.Errorf("folder holds %v after a rejected save, want nothing", left)
			}
		})
	}
}

// ls lists the names in dir.
func ls(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
