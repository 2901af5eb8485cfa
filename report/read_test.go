package report

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gogan/gogan/internal/pngbound"
)

// pngHeader returns the start of a PNG file whose IHDR claims w×h pixels of the
// given bit depth and color type (6: RGBA), followed by an empty IDAT and IEND:
// a few dozen bytes that DecodeConfig accepts and Decode would allocate
// w·h·bytes-per-pixel for.
func pngHeader(w, h uint32, depth, colorType byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(kind string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		crc := crc32.NewIEEE()
		crc.Write([]byte(kind))
		crc.Write(data)
		b.WriteString(kind)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = depth, colorType
	chunk("IHDR", ihdr)
	chunk("IDAT", nil)
	chunk("IEND", nil)
	return b.Bytes()
}

// encodePNG returns the bytes of img as a PNG.
func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestReadPNGsRefusesHugeHeaders: an image over the limits in any position is
// refused, naming the file and its size, before any file is decoded (the
// claimed sizes would take 80 GB and 3.2 GB to decode).
func TestReadPNGsRefusesHugeHeaders(t *testing.T) {
	for _, tc := range []struct {
		name    string
		w, h    uint32
		at      int // position among three 28×28 files
		wantMsg string
	}{
		{"bomb first", 100000, 100000, 0, "100000x100000 pixels, over the limit of 8192 on a side"},
		{"bomb second", 100000, 100000, 1, "100000x100000 pixels, over the limit of 8192 on a side"},
		{"too many pixels last", 8000, 8000, 3, "8000x8000 pixels (64000000), over the limit of 16777216 pixels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			small := encodePNG(t, image.NewGray(image.Rect(0, 0, 28, 28)))
			names := []string{"a.png", "b.png", "c.png", "d.png"}
			for i, name := range names {
				b := small
				if i == tc.at {
					b = pngHeader(tc.w, tc.h, 16, 6)
				}
				if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, _, _, _, err := ReadPNGs(dir, 1)
			bad := filepath.Join(dir, names[tc.at])
			if err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("error %v, want one naming %s and %q", err, bad, tc.wantMsg)
			}
		})
	}
}

// TestReadPNGsTotalLimit: a folder whose images together exceed MaxReadValues
// is refused from the headers alone (the files here are headers, padded to the bytes
// that 4096×4096 RGB pixels take at least, and would not decode).
func TestReadPNGsTotalLimit(t *testing.T) {
	dir := t.TempDir()
	header := append(pngHeader(4096, 4096, 8, 2), make([]byte, 4096*4096/pngbound.PerByte(24)+1)...)
	for i := range 20 { // 20 × 4096 × 4096 × 3 values > 2^28
		if err := os.WriteFile(filepath.Join(dir, string(rune('a'+i))+".png"), header, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, _, _, _, err := ReadPNGs(dir, 3)
	if err == nil || !strings.Contains(err.Error(), "20 images of 4096x4096") || !strings.Contains(err.Error(), "over the limit of 268435456") {
		t.Fatalf("error %v, want the total over the limit", err)
	}
}

// FuzzDecodePNG decodes arbitrary bytes as a PNG with the size limits: it must
// return an image within them or an error, never panic or allocate beyond them.
func FuzzDecodePNG(f *testing.F) {
	gray := image.NewGray(image.Rect(0, 0, 3, 2))
	gray.Pix = []uint8{0, 64, 128, 192, 255, 7}
	rgba := image.NewRGBA64(image.Rect(0, 0, 2, 2))
	rgba.Set(1, 1, color.RGBA64{65535, 0, 30000, 40000})
	pal := image.NewPaletted(image.Rect(0, 0, 4, 1), color.Palette{color.Black, color.White})
	for _, img := range []image.Image{gray, rgba, pal, image.NewNRGBA(image.Rect(0, 0, 1, 5))} {
		b := encodePNG(f, img)
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add(pngHeader(100000, 100000, 16, 6))
	f.Add(pngHeader(8192, 8192, 8, 0))
	f.Add(pngHeader(0, 5, 8, 0))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		img, err := decodeBounded("fuzz.png", bytes.NewReader(b))
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.png") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		r := img.Bounds()
		if r.Dx() > MaxImageSide || r.Dy() > MaxImageSide || r.Dx()*r.Dy() > MaxImagePixels {
			t.Fatalf("decoded %v, over the limits", r)
		}
		for _, c := range []int{1, 3} {
			if got := len(appendImage(nil, img, c)); got != r.Dx()*r.Dy()*c {
				t.Fatalf("%d values for %v with %d channels", got, r, c)
			}
		}
	})
}

// TestReadPNGsRefusesShortFiles: a PNG header announcing more pixels than its file can
// hold (59 bytes for 4096×4096 16-bit RGBA, which image/png would allocate 128 MiB for
// before it found the pixels missing) is refused, naming the file; so is one read
// through decodeBounded, with little allocated.
func TestReadPNGsRefusesShortFiles(t *testing.T) {
	dir := t.TempDir()
	short := pngHeader(4096, 4096, 16, 6)
	if err := os.WriteFile(filepath.Join(dir, "short.png"), short, 0o644); err != nil {
		t.Fatal(err)
	}
	const want = "4096x4096 pixels in a file of"
	_, _, _, _, err := ReadPNGs(dir, 1)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "short.png")) || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want one naming short.png and %q", err, want)
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	before := m.TotalAlloc
	if _, err := decodeBounded("short.png", bytes.NewReader(short)); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("decodeBounded: error %v, want %q", err, want)
	}
	runtime.ReadMemStats(&m)
	if got := m.TotalAlloc - before; got > 1<<20 {
		t.Errorf("decodeBounded allocated %d bytes refusing a 59-byte file", got)
	}
}
