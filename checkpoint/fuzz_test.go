package checkpoint

import (
	"math"
	"strings"
	"testing"
)

// FuzzSafetensors feeds arbitrary bytes to the strict safetensors parser: it must
// return tensors whose data matches their shapes, or an error naming the file,
// never panic.
func FuzzSafetensors(f *testing.F) {
	f.Add(handBuilt())
	f.Add(handBuilt()[:50])
	f.Add(file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0}))
	f.Add(file(`{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}`, make([]byte, 8)))
	f.Add(file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}`, make([]byte, 8)))
	f.Add(file(`{"a":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}}`, make([]byte, 2)))
	f.Add(file(`{"__metadata__":{"k":7}}`, nil))
	f.Add(withLength(math.MaxUint64, `{}      `))
	f.Add(withLength(200_000_000, `{}`))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		tensors, _, err := ParseSafetensors("fuzz.safetensors", b)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.safetensors") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		for name, ts := range tensors {
			if err := ts.check(); err != nil {
				t.Fatalf("tensor %q: %v", name, err)
			}
		}
	})
}
