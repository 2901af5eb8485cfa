package data

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// colorImages returns n images of rows×cols×c whose bytes differ from image to image.
func colorImages(n, rows, cols, c int) *Images {
	im := &Images{N: n, Rows: rows, Cols: cols, Channels: c, Pixels: make([]uint8, n*rows*cols*c)}
	for i := range im.Pixels {
		im.Pixels[i] = uint8(i*11 + i/(rows*cols*c)*17)
	}
	return im
}

func TestIDX4RoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"rgb.idx", "rgb.idx.gz"} {
		want := colorImages(4, 5, 3, 3)
		path := filepath.Join(dir, name)
		if err := WriteIDXImages(path, want); err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if name == "rgb.idx" {
			if want := idxBytes(idx4Magic, []uint32{4, 5, 3, 3}, want.Pixels); !slices.Equal(raw, want) {
				t.Fatalf("%s: file is not magic 0x804, dims (4, 5, 3, 3), then the pixels", name)
			}
		}
		got, err := ReadIDXImages(path)
		if err != nil {
			t.Fatal(err)
		}
		if got.N != 4 || got.Rows != 5 || got.Cols != 3 || got.Channels != 3 || !slices.Equal(got.Pixels, want.Pixels) {
			t.Fatalf("%s: read back %dx%dx%dx%d, want 4x5x3x3 and the same pixels", name, got.N, got.Rows, got.Cols, got.Channels)
		}
	}
}

func TestIDXGrayStaysIDX3(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []int{0, 1} {
		im := colorImages(2, 3, 4, 1)
		im.Channels = c
		path := filepath.Join(dir, "gray.idx")
		if err := WriteIDXImages(path, im); err != nil {
			t.Fatal(err)
		}
		raw, _ := os.ReadFile(path)
		if !slices.Equal(raw, idxBytes(idx3Magic, []uint32{2, 3, 4}, im.Pixels)) {
			t.Fatalf("Channels %d: not written as IDX3", c)
		}
		got, err := ReadIDXImages(path)
		if err != nil {
			t.Fatal(err)
		}
		if got.Channels != 0 || got.NumChannels() != 1 {
			t.Fatalf("Channels %d: read back Channels %d, want 0 (gray)", c, got.Channels)
		}
	}
}

func TestIDX4BadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		file []byte
		want string
	}{
		{"five channels", idxBytes(idx4Magic, []uint32{1, 2, 2, 5}, make([]byte, 20)), "1 images of 2x2x5 (20 bytes): channels must be at most 4"},
		{"truncated", idxBytes(idx4Magic, []uint32{2, 2, 2, 3}, make([]byte, 23)), "truncated: header says 2 images of 2x2x3 (24 bytes)"},
		{"zero channels", idxBytes(idx4Magic, []uint32{1, 2, 2, 0}, nil), "every dimension must be positive"},
		{"labels", idxBytes(idx1Magic, []uint32{3}, make([]byte, 3)), "this is an IDX labels file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			if err := os.WriteFile(path, tc.file, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadIDXImages(path)
			checkErr(t, err, path, tc.want)
		})
	}
}

func TestImagesChannelsCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		im   *Images
		want string
	}{
		{"rgb short", &Images{N: 2, Rows: 2, Cols: 2, Channels: 3, Pixels: make([]uint8, 23)}, "2 images of 2x2x3 need 24 bytes, got 23"},
		{"gray given rgb bytes", &Images{N: 2, Rows: 2, Cols: 2, Pixels: make([]uint8, 24)}, "need 8 pixels, got 24"},
		{"negative", &Images{N: 1, Rows: 1, Cols: 1, Channels: -1, Pixels: make([]uint8, 1)}, "channels must be within 0..4 (0 means 1), got -1"},
		{"five", &Images{N: 1, Rows: 1, Cols: 1, Channels: 5, Pixels: make([]uint8, 5)}, "got 5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := WriteIDXImages(filepath.Join(t.TempDir(), "x.idx"), tc.im)
			checkErr(t, err, "x.idx", tc.want)
		})
	}
}
