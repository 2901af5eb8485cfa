package data

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
)

// encodedImages returns small real image files of every format the folder loader reads
// (WebP's made by cwebp, as Go cannot encode it), and the crafted ones it must refuse
// without decoding: PNG headers of 100000×100000 and of 8193×8193, a TIFF header of
// 100000×100000, and shortFiles' headers of 8192×8192 in a few dozen bytes.
func encodedImages(t testing.TB) [][]byte {
	img := image.NewNRGBA(image.Rect(0, 0, 7, 5))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 37)
	}
	var out [][]byte
	for _, enc := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return png.Encode(b, img) },
		func(b *bytes.Buffer) error { return jpeg.Encode(b, img, nil) },
		func(b *bytes.Buffer) error { return gif.Encode(b, img, nil) },
		func(b *bytes.Buffer) error { return bmp.Encode(b, img) },
		func(b *bytes.Buffer) error {
			return png.Encode(b, image.NewGray(image.Rect(0, 0, 3, 9)))
		},
		func(b *bytes.Buffer) error {
			translucent := image.NewRGBA(image.Rect(0, 0, 4, 4))
			for i := range translucent.Pix {
				translucent.Pix[i] = 4
			}
			return png.Encode(b, translucent)
		},
	} {
		var b bytes.Buffer
		if err := enc(&b); err == nil {
			out = append(out, b.Bytes())
		}
	}
	tiffs, _ := tiffTestImages()
	for _, name := range []string{"rgb", "gray", "gray16"} {
		out = append(out, tiffs[name])
	}
	out = append(out, bombPNG(100000, 100000), bombPNG(8193, 8193), tiffFile(100000, 100000, 1, 8, []byte{0x80}), []byte("GIF89a"), nil)
	out = append(out, webp6x4, webpLossy12x8, webpAlpha12x8)
	for _, f := range shortFiles(8192) {
		out = append(out, f.file)
	}
	return out
}

// FuzzDecodeImageFile feeds arbitrary bytes through what the folder loader does with each
// file: the header probe against MaxImagePixels, then the decode, crop and resize into a
// 16×16 RGB image. It must never panic, and an error is one line.
func FuzzDecodeImageFile(f *testing.F) {
	for _, b := range encodedImages(f) {
		f.Add(b)
	}
	dir := f.TempDir()
	path := filepath.Join(dir, "fuzz.img")
	spec := decodeSpec{size: 16, rgb: true, bg: color.RGBA{255, 255, 255, 255}}
	dst := make([]uint8, spec.bytesPerImage())
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		hd, err := probe(path)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("probe's error is not one line: %q", err)
			}
			return
		}
		if int64(hd.w)*int64(hd.h) > MaxImagePixels {
			t.Fatalf("probe accepted %dx%d", hd.w, hd.h)
		}
		if _, err := decodeFile(dst, path, spec); err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("decode's error is not one line: %q", err)
		}
	})
}

// FuzzImageCache feeds arbitrary bytes to the image cache's reader, seeded with a real
// cache file and damaged copies of it: it must return an error or a folder whose images,
// labels and file names agree, never panic.
func FuzzImageCache(f *testing.F) {
	dir := f.TempDir()
	src := filepath.Join(dir, "src")
	for i, b := range encodedImages(f)[:4] {
		class := []string{"a", "b"}[i%2]
		if err := os.MkdirAll(filepath.Join(src, class), 0o755); err != nil {
			f.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, class, "img"+string(rune('0'+i))+".png"), b, 0o644); err != nil {
			f.Fatal(err)
		}
	}
	cacheDir := filepath.Join(dir, "cache")
	loaded, err := LoadImageFolder(src, ImageFolderOptions{ImageSize: 8, CacheDir: cacheDir})
	if err != nil {
		f.Fatal(err)
	}
	real, err := os.ReadFile(loaded.Cache)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(real)
	f.Add(real[:len(real)/2])
	f.Add(append(bytes.Clone(real), 0))
	flipped := bytes.Clone(real)
	flipped[len(flipped)-1] ^= 0xff
	f.Add(flipped)
	f.Add([]byte{})
	path := filepath.Join(dir, "fuzz.cache")
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		got := &ImageFolder{Found: loaded.Found, Classes: loaded.Classes, listing: loaded.listing}
		if err := readImageCache(path, got); err != nil {
			return
		}
		im := got.Set.Images
		if im == nil || im.check() != nil || len(got.Files) != im.N {
			t.Fatalf("accepted a cache with %d files and images %+v", len(got.Files), im)
		}
	})
}
