package data

import (
	"bytes"
	"strings"
	"testing"
)

// idxSeeds adds to f real-ish IDX files of the given magic and dimensions, raw and
// gzipped, whole and cut, and the crafted headers the parser must refuse before
// allocating: a count of 4·10⁹ images of 4096×4096, and the same in a tiny gzip.
func idxSeeds(f *testing.F, magic uint32, dims []uint32, body []byte) {
	whole := idxBytes(magic, dims, body)
	for _, b := range [][]byte{whole, gz(whole)} {
		f.Add(b)
		f.Add(b[:len(b)/2])
		f.Add(append(bytes.Clone(b), 0))
	}
	huge := make([]uint32, len(dims))
	for i := range huge {
		huge[i] = 4096
	}
	huge[0] = 4_000_000_000
	f.Add(idxBytes(magic, huge, nil))
	f.Add(gz(idxBytes(magic, huge, make([]byte, 100))))
	f.Add(idxBytes(idx3Magic+idx1Magic-magic, dims, body)) // the other kind
	f.Add([]byte{0x1f, 0x8b})
	f.Add([]byte{})
}

// fuzzIDX checks what decodeIDX makes of b: an error naming the file, or a body
// of exactly the size its header announces.
func fuzzIDX(t *testing.T, b []byte, magic uint32) {
	dims, body, err := decodeIDX("fuzz-idx", bytes.NewReader(b), int64(len(b)), magic)
	if err != nil {
		if !strings.HasPrefix(err.Error(), "data: fuzz-idx: ") || strings.Contains(err.Error(), "\n") {
			t.Fatalf("error %q: want one line starting with data: fuzz-idx: ", err)
		}
		return
	}
	want := 1
	for i, d := range dims {
		if d <= 0 || (i > 0 && d > maxSide) {
			t.Fatalf("accepted dimensions %v", dims)
		}
		want *= d
	}
	if len(dims) != int(magic&0xff) || len(body) != want {
		t.Fatalf("dimensions %v with %d body bytes", dims, len(body))
	}
}

// FuzzIDXImages feeds arbitrary bytes, raw or gzip, to the IDX image parser.
func FuzzIDXImages(f *testing.F) {
	im := testImages(3, 4, 5)
	idxSeeds(f, idx3Magic, []uint32{3, 4, 5}, im.Pixels)
	f.Fuzz(func(t *testing.T, b []byte) { fuzzIDX(t, b, idx3Magic) })
}

// FuzzIDXLabels feeds arbitrary bytes, raw or gzip, to the IDX label parser.
func FuzzIDXLabels(f *testing.F) {
	idxSeeds(f, idx1Magic, []uint32{12}, testLabels(12))
	f.Fuzz(func(t *testing.T, b []byte) { fuzzIDX(t, b, idx1Magic) })
}
