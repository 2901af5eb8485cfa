package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogan/gogan/internal/atomicfile"
)

// testImages returns n images of rows×cols whose pixels differ from image to image.
func testImages(n, rows, cols int) *Images {
	im := &Images{N: n, Rows: rows, Cols: cols, Pixels: make([]uint8, n*rows*cols)}
	for i := range im.Pixels {
		im.Pixels[i] = uint8(i*7 + i/(rows*cols)*13)
	}
	return im
}

// testLabels returns n labels, 0..9 in turn.
func testLabels(n int) []uint8 {
	l := make([]uint8, n)
	for i := range l {
		l[i] = uint8(i % 10)
	}
	return l
}

// writeLabels writes an IDX1 label file, gzipped when path ends in .gz.
func writeLabels(t *testing.T, path string, labels []uint8) {
	t.Helper()
	hdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, idx1Magic), uint32(len(labels)))
	err := atomicfile.WriteFile(path, func(w io.Writer) error {
		return writeMaybeGzip(w, strings.HasSuffix(path, ".gz"), hdr, labels)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// idxBytes returns a raw IDX file: magic, dims, body.
func idxBytes(magic uint32, dims []uint32, body []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, body...)
}

// gz returns b gzipped.
func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// checkErr fails unless err is one line that starts with "data: ", names path and contains want.
func checkErr(t *testing.T, err error, path, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", want)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "data: ") || strings.Contains(msg, "\n") || !strings.Contains(msg, path) || !strings.Contains(msg, want) {
		t.Fatalf("error %q: want one line starting with \"data: \", naming %s and containing %q", msg, path, want)
	}
}

func TestIDXImagesRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name           string
		n, rows, cols  int
		file           string
		wantGzipOnDisk bool
	}{
		{"one pixel raw", 1, 1, 1, "a-idx3-ubyte", false},
		{"odd sizes raw", 3, 5, 7, "b-idx3-ubyte", false},
		{"odd sizes gzip", 3, 5, 7, "b-idx3-ubyte.gz", true},
		{"mnist-like gzip", 10, 28, 28, "c-idx3-ubyte.gz", true},
		{"wide raw", 2, 1, 4096, "d-idx3-ubyte", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			want := testImages(tc.n, tc.rows, tc.cols)
			if err := WriteIDXImages(path, want); err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if isGz := len(raw) > 2 && raw[0] == 0x1f && raw[1] == 0x8b; isGz != tc.wantGzipOnDisk {
				t.Fatalf("file is gzip: %v, want %v", isGz, tc.wantGzipOnDisk)
			}
			if !tc.wantGzipOnDisk && len(raw) != 16+tc.n*tc.rows*tc.cols {
				t.Fatalf("raw file has %d bytes, want %d", len(raw), 16+tc.n*tc.rows*tc.cols)
			}
			got, err := ReadIDXImages(path)
			if err != nil {
				t.Fatal(err)
			}
			if got.N != want.N || got.Rows != want.Rows || got.Cols != want.Cols || !bytes.Equal(got.Pixels, want.Pixels) {
				t.Fatalf("read back %dx%dx%d, differs from the %dx%dx%d written", got.N, got.Rows, got.Cols, want.N, want.Rows, want.Cols)
			}
		})
	}
}

func TestIDXGzipDetectedByContent(t *testing.T) {
	dir := t.TempDir()
	want := testImages(4, 3, 2)
	gzPath := filepath.Join(dir, "x.gz")
	if err := WriteIDXImages(gzPath, want); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "gzipped-but-named-raw")
	if err := os.Rename(gzPath, plain); err != nil {
		t.Fatal(err)
	}
	got, err := ReadIDXImages(plain)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Pixels, want.Pixels) {
		t.Fatal("pixels differ")
	}
	// And a raw file named .gz reads as raw.
	rawGz := filepath.Join(dir, "raw.gz")
	if err := os.WriteFile(rawGz, idxBytes(idx3Magic, []uint32{4, 3, 2}, want.Pixels), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err = ReadIDXImages(rawGz); err != nil || !bytes.Equal(got.Pixels, want.Pixels) {
		t.Fatalf("raw file named .gz: err %v", err)
	}
}

func TestIDXLabelsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"l-idx1-ubyte", "l-idx1-ubyte.gz"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			want := testLabels(23)
			writeLabels(t, path, want)
			got, err := ReadIDXLabels(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("labels %v, want %v", got, want)
			}
		})
	}
}

func TestIDXBadInput(t *testing.T) {
	pix := make([]byte, 3*4*4)
	good := idxBytes(idx3Magic, []uint32{3, 4, 4}, pix)
	goodGz := gz(good)
	badCRC := bytes.Clone(goodGz)
	badCRC[len(badCRC)-8] ^= 0xff // the CRC-32 in the gzip trailer
	badGzHeader := bytes.Clone(goodGz)
	badGzHeader[2] = 0x07 // compression method: not deflate
	badDeflate := bytes.Clone(goodGz)
	badDeflate[10] = 0xff // first byte of the deflate stream: reserved block type
	labels := idxBytes(idx1Magic, []uint32{5}, []byte{1, 2, 3, 4, 5})

	for _, tc := range []struct {
		name   string
		file   []byte
		labels bool // read with ReadIDXLabels
		want   string
	}{
		{"empty file", nil, false, "truncated: file has 0 bytes, an IDX3 header needs 16"},
		{"short header", good[:9], false, "truncated: file has 9 bytes"},
		{"labels magic in images", labels, false, "bad magic number 0x00000801, want 0x00000803 (IDX images, unsigned bytes); this is an IDX labels file"},
		{"images magic in labels", good, true, "bad magic number 0x00000803, want 0x00000801 (IDX labels, unsigned bytes); this is an IDX images file"},
		{"float elements", idxBytes(0x00000d03, []uint32{3, 4, 4}, pix), false, "element type 0x0d is not unsigned bytes"},
		{"text file", []byte("hello, world, this is not IDX"), false, "bad magic number 0x68656c6c"},
		{"zero images", idxBytes(idx3Magic, []uint32{0, 4, 4}, nil), false, "header says 0 images of 4x4 (0 bytes): every dimension must be positive"},
		{"zero cols", idxBytes(idx3Magic, []uint32{3, 4, 0}, nil), false, "every dimension must be positive"},
		{"huge rows", idxBytes(idx3Magic, []uint32{1, 5000, 1}, nil), false, "rows and cols must be at most 4096"},
		{"truncated body", good[:len(good)-8], false, "truncated: header says 3 images of 4x4 (48 bytes), file has 40 bytes after the header"},
		{"trailing bytes", append(bytes.Clone(good), 1, 2), false, "2 trailing bytes: header says 3 images of 4x4 (48 bytes), file has 50 bytes"},
		{"huge count", idxBytes(idx3Magic, []uint32{4000000000, 28, 28}, pix), false, "truncated: header says 4000000000 images of 28x28"},
		{"gzip truncated body", gz(good[:len(good)-1]), false, "truncated: header says 3 images of 4x4 (48 bytes), decompressed file has 47 bytes after the header"},
		{"gzip trailing bytes", gz(append(bytes.Clone(good), 9)), false, "1 trailing bytes: header says 3 images of 4x4 (48 bytes), decompressed file has 49 bytes"},
		{"gzip cut short", goodGz[:len(goodGz)-12], false, "corrupt or truncated gzip stream: unexpected EOF"},
		{"gzip bad crc", badCRC, false, "corrupt or truncated gzip stream: gzip: invalid checksum"},
		{"gzip bad header", badGzHeader, false, "corrupt gzip stream: gzip: invalid header"},
		{"gzip bad deflate", badDeflate, false, "corrupt or truncated gzip stream: flate: corrupt input"},
		{"gzip only magic", []byte{0x1f, 0x8b}, false, "corrupt gzip stream"},
		{"gzip bomb header", gz(idxBytes(idx3Magic, []uint32{4000000000, 4096, 4096}, nil)), false, "more than a"},
		{"labels truncated", labels[:len(labels)-1], true, "truncated: header says 5 labels (5 bytes), file has 4 bytes after the header"},
		{"labels trailing", append(bytes.Clone(labels), 0), true, "1 trailing bytes: header says 5 labels (5 bytes)"},
		{"labels gzip bad crc", func() []byte { b := gz(labels); b[len(b)-8] ^= 1; return b }(), true, "invalid checksum"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad-idx-ubyte")
			if err := os.WriteFile(path, tc.file, 0o644); err != nil {
				t.Fatal(err)
			}
			var err error
			if tc.labels {
				_, err = ReadIDXLabels(path)
			} else {
				_, err = ReadIDXImages(path)
			}
			checkErr(t, err, path, tc.want)
		})
	}
}

func TestIDXNotAFile(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "train-images-idx3-ubyte.gz")
	_, err := ReadIDXImages(missing)
	checkErr(t, err, missing, "cannot open: no such file or directory")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(%v, fs.ErrNotExist) is false", err)
	}
	_, err = ReadIDXLabels(dir)
	checkErr(t, err, dir, "is a folder, not an IDX file")
}

func TestWriteIDXImagesErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		im   *Images
		path string
		want string
	}{
		{"nil", nil, filepath.Join(dir, "a"), "nil Images"},
		{"zero images", &Images{N: 0, Rows: 2, Cols: 2}, filepath.Join(dir, "a"), "image count must be in [1, 4294967295], got 0"},
		{"negative rows", &Images{N: 1, Rows: -2, Cols: 2, Pixels: make([]uint8, 4)}, filepath.Join(dir, "a"), "got -2x2"},
		{"too wide", &Images{N: 1, Rows: 1, Cols: 5000, Pixels: make([]uint8, 5000)}, filepath.Join(dir, "a"), "within 1..4096"},
		{"short pixels", &Images{N: 2, Rows: 2, Cols: 2, Pixels: make([]uint8, 7)}, filepath.Join(dir, "a"), "2 images of 2x2 need 8 pixels, got 7"},
		{"no such folder", testImages(1, 1, 1), filepath.Join(dir, "nope", "a.gz"), "cannot write: create temp file: no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, WriteIDXImages(tc.path, tc.im), tc.path, tc.want)
		})
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("failed writes left %d files in %s", len(ents), dir)
	}
}

func TestWriteIDXImagesReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x-idx3-ubyte.gz")
	for _, n := range []int{5, 2} {
		if err := WriteIDXImages(path, testImages(n, 3, 3)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ReadIDXImages(path)
	if err != nil || got.N != 2 {
		t.Fatalf("after overwrite: %v images, err %v; want 2", got, err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("%s holds %d entries, want only the file (no temporary left)", dir, len(ents))
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
}
