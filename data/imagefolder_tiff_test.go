package data

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// tiffFile is an uncompressed little-endian TIFF of one w×h image of samples samples
// (1: gray, 3: RGB) of bits bits a pixel (8 or 16, 16-bit samples little-endian) in one
// strip: pix, which may be shorter than the header says. The tests write their TIFF
// files with it, not with golang.org/x/image/tiff, whose import would register the
// decoder in the test binary whether or not package data does.
func tiffFile(w, h, samples, bits int, pix []byte) []byte {
	return tiffCompressed(w, h, samples, bits, 1, w*h*samples*bits/8, pix)
}

// tiffDeflate is tiffFile of pix compressed with Deflate (zlib), whole.
func tiffDeflate(w, h, samples, bits int, pix []byte) []byte {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zw.Write(pix)
	zw.Close()
	return tiffCompressed(w, h, samples, bits, 8, z.Len(), z.Bytes())
}

// tiffCompressed is tiffFile with the compression and the strip's byte count given.
func tiffCompressed(w, h, samples, bits, compression, count int, data []byte) []byte {
	const short, long = 3, 4
	type entry struct {
		tag, kind uint16
		count     int
		value     int
	}
	nEntries := 9
	ifdEnd := 8 + 2 + nEntries*12 + 4
	bitsAt, pixAt := ifdEnd, ifdEnd+2*samples
	bitsValue := bits
	if samples > 2 {
		bitsValue = bitsAt // the samples' sizes do not fit in the entry: an offset to them
	}
	photometric := 1
	if samples == 3 {
		photometric = 2
	}
	entries := []entry{
		{256, long, 1, w}, {257, long, 1, h}, {258, short, samples, bitsValue}, {259, short, 1, compression},
		{262, short, 1, photometric}, {273, long, 1, pixAt}, {277, short, 1, samples},
		{278, long, 1, h}, {279, long, 1, count},
	}
	le := binary.LittleEndian
	b := []byte("II")
	b = le.AppendUint16(b, 42)
	b = le.AppendUint32(b, 8)
	b = le.AppendUint16(b, uint16(len(entries)))
	for _, e := range entries {
		b = le.AppendUint16(b, e.tag)
		b = le.AppendUint16(b, e.kind)
		b = le.AppendUint32(b, uint32(e.count))
		if e.kind == short && e.count <= 2 {
			b = le.AppendUint16(b, uint16(e.value))
			b = le.AppendUint16(b, uint16(e.value))
		} else {
			b = le.AppendUint32(b, uint32(e.value))
		}
	}
	b = le.AppendUint32(b, 0) // no next image
	for range samples {
		b = le.AppendUint16(b, uint16(bits))
	}
	return append(b, data...)
}

// tiffTestImages are the images of TestLoadImageFolderTIFF, not square, of varied
// pixels, as TIFF files and as the same images for png.Encode: 8-bit color, 8-bit gray
// and 16-bit gray.
func tiffTestImages() (tiffs map[string][]byte, images map[string]image.Image) {
	rgb := image.NewRGBA(image.Rect(0, 0, 20, 12))
	gray := image.NewGray(image.Rect(0, 0, 16, 16))
	gray16 := image.NewGray16(image.Rect(0, 0, 9, 14))
	var rgbPix, grayPix, gray16Pix []byte
	for y := range 16 {
		for x := range 20 {
			c := color.RGBA{uint8(13 * x), uint8(21 * y), uint8(7 * (x + y)), 255}
			g, g16 := color.Gray{uint8(x * y)}, color.Gray16{uint16(4099*x + 811*y)}
			if y < 12 {
				rgb.Set(x, y, c)
				rgbPix = append(rgbPix, c.R, c.G, c.B)
			}
			if x < 16 {
				gray.Set(x, y, g)
				grayPix = append(grayPix, g.Y)
			}
			if x < 9 && y < 14 {
				gray16.Set(x, y, g16)
				gray16Pix = binary.LittleEndian.AppendUint16(gray16Pix, g16.Y)
			}
		}
	}
	tiffs = map[string][]byte{
		"rgb":    tiffFile(20, 12, 3, 8, rgbPix),
		"gray":   tiffFile(16, 16, 1, 8, grayPix),
		"gray16": tiffFile(9, 14, 1, 16, gray16Pix),
	}
	return tiffs, map[string]image.Image{"rgb": rgb, "gray": gray, "gray16": gray16}
}

// TestLoadImageFolderTIFF: a folder of TIFF images (.tif and .TIFF) loads to the same
// pixels as the same images in PNG, in color and in gray, classes included.
func TestLoadImageFolderTIFF(t *testing.T) {
	tiffDir, pngDir := t.TempDir(), t.TempDir()
	tiffs, images := tiffTestImages()
	for name, file := range tiffs {
		ext := ".tif"
		if name == "gray" {
			ext = ".TIFF"
		}
		for _, class := range []string{"a", "b"} {
			mustWrite(t, filepath.Join(tiffDir, class, name+ext), file)
			writeImage(t, filepath.Join(pngDir, class, name+".png"), images[name])
		}
	}
	for _, channels := range []int{3, 1} {
		opts := ImageFolderOptions{ImageSize: 12, Channels: channels, CacheDir: t.TempDir()}
		fromTIFF, err := LoadImageFolder(tiffDir, opts)
		if err != nil {
			t.Fatal(err)
		}
		fromPNG, err := LoadImageFolder(pngDir, opts)
		if err != nil {
			t.Fatal(err)
		}
		got, want := fromTIFF.Set.Images, fromPNG.Set.Images
		if got.N != 6 || fromTIFF.Skipped != 0 || !slices.Equal(fromTIFF.Classes, []string{"a", "b"}) {
			t.Fatalf("%d images, %d skipped (%q), classes %q; want 6, none, a and b", got.N, fromTIFF.Skipped, fromTIFF.SkippedFiles, fromTIFF.Classes)
		}
		if got.Rows != want.Rows || got.Channels != want.Channels || !bytes.Equal(got.Pixels, want.Pixels) {
			t.Fatalf("%d channels: the TIFF images load to other pixels than the same images in PNG", channels)
		}
		if !slices.Equal(fromTIFF.Set.Labels, fromPNG.Set.Labels) {
			t.Fatalf("labels %v, want %v", fromTIFF.Set.Labels, fromPNG.Set.Labels)
		}
	}
}

// TestLoadImageFolderTIFFRefused: a TIFF announcing 100000×100000 pixels is refused from
// its header, as one of 8192×8192 in 129 bytes is, and a TIFF short of its pixels is
// skipped with its reason, as the other formats are.
func TestLoadImageFolderTIFFRefused(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "bomb.tif"), tiffFile(100000, 100000, 1, 8, []byte{0x80}))
	_, err := LoadImageFolder(dir, ImageFolderOptions{CacheDir: t.TempDir()})
	want := "bomb.tif: tiff image of 100000x100000 has 10000000000 pixels, more than the 67108864 (8192x8192) gogan decodes"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want it to say %q", err, want)
	}

	dir = t.TempDir()
	mustWrite(t, filepath.Join(dir, "bomb.tif"), tiffFile(8192, 8192, 3, 16, []byte{0x80}))
	_, err = LoadImageFolder(dir, ImageFolderOptions{CacheDir: t.TempDir()})
	want = "bomb.tif: tiff image of 8192x8192 in a file of 129 bytes: more pixels than the file can hold (a TIFF holds at most 4096 a byte)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want it to say %q", err, want)
	}

	dir = t.TempDir()
	tiffs, _ := tiffTestImages()
	for i := range 120 {
		mustWrite(t, filepath.Join(dir, fmt.Sprintf("g%03d.tif", i)), tiffs["gray"])
	}
	mustWrite(t, filepath.Join(dir, "short.tif"), tiffFile(4, 4, 1, 8, []byte{0x80})) // 16 pixels announced, 1 given
	f, err := LoadImageFolder(dir, ImageFolderOptions{ImageSize: 8, Channels: 1, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if f.Set.Images.N != 120 || f.Skipped != 1 || len(f.SkippedFiles) != 1 || !strings.HasPrefix(f.SkippedFiles[0], "short.tif: ") {
		t.Fatalf("%d images, %d skipped (%q); want 120 and short.tif named", f.Set.Images.N, f.Skipped, f.SkippedFiles)
	}
}

// TestLoadImageFolderTIFFFlat: a TIFF of one flat gray, Deflate at its best (about 1,000
// pixels a byte), is not taken for an image bomb.
func TestLoadImageFolderTIFFFlat(t *testing.T) {
	const side = 2048
	pix := bytes.Repeat([]byte{77}, side*side)
	file := tiffDeflate(side, side, 1, 8, pix)
	if ratio := side * side / len(file); ratio < 900 {
		t.Fatalf("the flat TIFF has %d pixels a byte, want the most Deflate gives (about 1,000)", ratio)
	}
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "flat.tif"), file)
	f, err := LoadImageFolder(dir, ImageFolderOptions{ImageSize: 8, Channels: 1, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if f.Set.Images.N != 1 || !bytes.Equal(f.Set.Images.Pixels, bytes.Repeat([]byte{77}, 64)) {
		t.Fatalf("%d images, pixels %v; want one of gray 77", f.Set.Images.N, f.Set.Images.Pixels)
	}
}

// TestProbeTIFFFarOffset: a TIFF whose header names its first directory 3.75 GiB into a
// file of 16 bytes is refused without allocating up to that offset, as the TIFF decoder
// does when it is handed a reader without ReadAt.
func TestProbeTIFFFarOffset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "far.tif")
	mustWrite(t, path, []byte("II*\x00\x08\x00\x00\xf0\x00\x00\x00\x00\x00\x00\x00\x00"))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := probe(path)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.HasPrefix(err.Error(), "not a readable") {
		t.Fatalf("probe: %v, want not a readable image", err)
	}
	if mb := (after.TotalAlloc - before.TotalAlloc) >> 20; mb > 16 {
		t.Fatalf("probe allocated %d MB for a file of 16 bytes", mb)
	}
}
