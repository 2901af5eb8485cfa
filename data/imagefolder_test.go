package data

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/image/bmp"
)

// writeImage encodes img into path in the format its extension names, making the folder.
func writeImage(t *testing.T, path string, img image.Image) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	var err error
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		err = png.Encode(&buf, img)
	case ".jpg":
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95})
	case ".gif":
		err = gif.Encode(&buf, img, nil)
	case ".bmp":
		err = bmp.Encode(&buf, img)
	default:
		t.Fatalf("writeImage: no encoder for %s", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// uniform returns a w×h image of one color, of the kind named: "rgba", "nrgba", "gray" or
// "paletted".
func uniform(kind string, w, h int, c color.Color) image.Image {
	r := image.Rect(0, 0, w, h)
	var img interface {
		image.Image
		Set(x, y int, c color.Color)
	}
	switch kind {
	case "nrgba":
		img = image.NewNRGBA(r)
	case "gray":
		img = image.NewGray(r)
	case "paletted":
		img = image.NewPaletted(r, color.Palette{c, color.Black})
	default:
		img = image.NewRGBA(r)
	}
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
	}
	return img
}

// sample is the nth image of a generated folder: its kind, size and color vary with n.
func sample(n int) image.Image {
	sizes := [][2]int{{16, 16}, {20, 12}, {12, 24}, {17, 17}, {40, 30}}
	s := sizes[n%len(sizes)]
	kinds := []string{"rgba", "gray", "nrgba", "paletted"}
	c := color.NRGBA{uint8(30 * n), uint8(200 - n), uint8(7 * n), 255}
	if n%7 == 3 {
		c.A = 100 // partly transparent
	}
	return uniform(kinds[n%len(kinds)], s[0], s[1], c)
}

// classFolder writes a folder of class subfolders ant (40 images), bee (35 images, some in
// a nested folder, and one corrupt file) and cat (30), in PNG, JPEG, GIF and BMP, with a
// hidden file and a text file that are not images. It returns the folder.
func classFolder(t *testing.T) string {
	dir := t.TempDir()
	exts := []string{".png", ".jpg", ".gif", ".bmp"}
	n := 0
	for _, class := range []struct {
		name  string
		count int
	}{{"ant", 40}, {"bee", 35}, {"cat", 30}} {
		for i := range class.count {
			sub := class.name
			if class.name == "bee" && i%3 == 0 {
				sub = filepath.Join(class.name, "nested", "deeper")
			}
			writeImage(t, filepath.Join(dir, sub, fmt.Sprintf("%03d%s", i, exts[n%len(exts)])), sample(n))
			n++
		}
	}
	mustWrite(t, filepath.Join(dir, "bee", "corrupt.png"), []byte("\x89PNG\r\n\x1a\nnot really"))
	mustWrite(t, filepath.Join(dir, "cat", ".DS_Store"), []byte("junk"))
	mustWrite(t, filepath.Join(dir, "cat", "notes.txt"), []byte("not an image"))
	return dir
}

func mustWrite(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadImageFolderClasses(t *testing.T) {
	dir := classFolder(t)
	var calls, lastDone, lastTotal int
	var headerCalls, headerDone, headerTotal int
	f, err := LoadImageFolder(dir, ImageFolderOptions{
		ImageSize: 16, CacheDir: t.TempDir(),
		Progress: func(done, total int) { calls, lastDone, lastTotal = calls+1, done, total },
		HeaderProgress: func(done, total int) {
			if calls > 0 {
				t.Error("a header read after the decoding began")
			}
			headerCalls, headerDone, headerTotal = headerCalls+1, done, total
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	im := f.Set.Images
	if im.N != 105 || im.Rows != 16 || im.Cols != 16 || im.Channels != 3 || len(im.Pixels) != 105*16*16*3 {
		t.Fatalf("images are %dx%dx%dx%d (%d bytes), want 105x16x16x3", im.N, im.Rows, im.Cols, im.Channels, len(im.Pixels))
	}
	if !slices.Equal(f.Classes, []string{"ant", "bee", "cat"}) {
		t.Fatalf("classes %q, want ant, bee, cat", f.Classes)
	}
	if f.Found != 106 || f.Skipped != 1 || len(f.SkippedFiles) != 1 || !strings.HasPrefix(f.SkippedFiles[0], "bee/corrupt.png: ") {
		t.Fatalf("found %d, skipped %d %q; want 106 found, bee/corrupt.png skipped", f.Found, f.Skipped, f.SkippedFiles)
	}
	if rep := f.SkipReport(); !strings.Contains(rep, "skipped 1 of 106") || !strings.Contains(rep, "bee/corrupt.png") {
		t.Fatalf("SkipReport %q", rep)
	}
	count := [3]int{}
	for k, l := range f.Set.Labels {
		count[l]++
		if class := strings.SplitN(f.Files[k], "/", 2)[0]; class != f.Classes[l] {
			t.Fatalf("image %d (%s) has label %d (%s)", k, f.Files[k], l, f.Classes[l])
		}
	}
	if count != [3]int{40, 35, 30} || len(f.Files) != 105 || f.Set.WideLabels != nil {
		t.Fatalf("labels count %v, want [40 35 30]", count)
	}
	if calls == 0 || lastDone != 106 || lastTotal != 106 {
		t.Fatalf("progress called %d times, last with (%d, %d), want (106, 106) last", calls, lastDone, lastTotal)
	}
	if headerCalls == 0 || headerDone != 106 || headerTotal != 106 {
		t.Fatalf("header progress called %d times, last with (%d, %d), want (106, 106) last", headerCalls, headerDone, headerTotal)
	}
	// Each image is one color: its first pixel is its decoded color, composited onto white.
	for k, name := range f.Files {
		if !strings.HasSuffix(name, ".png") && !strings.HasSuffix(name, ".bmp") {
			continue // JPEG is lossy, GIF has a 256-color palette
		}
		px := im.Pixels[k*16*16*3 : (k+1)*16*16*3]
		for p := 0; p < len(px); p += 3 {
			if px[p] != px[0] || px[p+1] != px[1] || px[p+2] != px[2] {
				t.Fatalf("%s: pixel %d is %v, pixel 0 %v: a uniform image must stay uniform", name, p/3, px[p:p+3], px[:3])
			}
		}
	}
}

// TestLoadImageFolderProgressFromZero: the headers' and the decoding's progress are told
// 0 first, when their pass starts, so that a bar made by the first call (gogan train's
// and eval's) counts its rate from the start of the work: the first call came a tick
// (100 ms) in, hundreds of files done, and the bar's first line said those files took no
// time ("reading the headers of DIR 34% (692/2003, 12119302 file/s)").
func TestLoadImageFolderProgressFromZero(t *testing.T) {
	type call struct{ done, total int }
	var headers, decoding []call
	f, err := LoadImageFolder(classFolder(t), ImageFolderOptions{
		ImageSize: 16, CacheDir: t.TempDir(),
		HeaderProgress: func(done, total int) { headers = append(headers, call{done, total}) },
		Progress:       func(done, total int) { decoding = append(decoding, call{done, total}) },
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, pass := range []struct {
		name  string
		calls []call
	}{{"headers", headers}, {"decoding", decoding}} {
		if len(pass.calls) < 2 || pass.calls[0] != (call{0, f.Found}) || pass.calls[len(pass.calls)-1] != (call{f.Found, f.Found}) {
			t.Errorf("the %s pass's progress told %v, want (0, %d) first and (%d, %d) last", pass.name, pass.calls, f.Found, f.Found, f.Found)
		}
	}
}

func TestLoadImageFolderFlat(t *testing.T) {
	dir := t.TempDir()
	// Images at the first level: no classes, and the nested ones count too.
	writeImage(t, filepath.Join(dir, "a.png"), uniform("gray", 8, 8, color.Gray{10}))
	writeImage(t, filepath.Join(dir, "b.PNG"), uniform("gray", 8, 8, color.Gray{20}))
	writeImage(t, filepath.Join(dir, "sub", "c.bmp"), uniform("gray", 8, 8, color.Gray{30}))
	writeImage(t, filepath.Join(dir, "z.gif"), uniform("paletted", 8, 8, color.Gray{40}))
	f, err := LoadImageFolder(dir, ImageFolderOptions{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	im := f.Set.Images
	// All 8×8 and gray: the default keeps 8×8, one channel.
	if im.N != 4 || im.Rows != 8 || im.Cols != 8 || im.Channels != 1 {
		t.Fatalf("images %dx%dx%dx%d, want 4x8x8x1", im.N, im.Rows, im.Cols, im.Channels)
	}
	if f.Classes != nil || f.Set.Labels != nil {
		t.Fatalf("classes %q, labels %v; want none", f.Classes, f.Set.Labels)
	}
	if want := []string{"a.png", "b.PNG", "sub/c.bmp", "z.gif"}; !slices.Equal(f.Files, want) {
		t.Fatalf("files %q, want %q", f.Files, want)
	}
	for k, want := range []uint8{10, 20, 30, 40} {
		if got := im.Pixels[k*64 : (k+1)*64]; slices.Max(got) != want || slices.Min(got) != want {
			t.Fatalf("%s: pixels in [%d, %d], want all %d", f.Files[k], slices.Min(got), slices.Max(got), want)
		}
	}

	// Mixed sizes: the default is 64; asking for gray converts by luma.
	writeImage(t, filepath.Join(dir, "wide.png"), uniform("rgba", 12, 8, color.RGBA{255, 0, 0, 255}))
	f, err = LoadImageFolder(dir, ImageFolderOptions{CacheDir: t.TempDir(), Channels: 1})
	if err != nil {
		t.Fatal(err)
	}
	if im := f.Set.Images; im.N != 5 || im.Rows != DefaultImageSize || im.Channels != 1 || im.Pixels[3*64*64] != 76 {
		t.Fatalf("images %dx%dx%d channels %d, red as gray %d; want 5x64x64, 1 channel, red as 76", im.N, im.Rows, im.Cols, im.Channels, im.Pixels[3*64*64])
	}
}

// TestIsClassFolder: IsClassFolder tells a folder of class folders from a folder of
// images as LoadImageFolder does: images at the first level make a folder of images,
// whatever folders lie beside them.
func TestIsClassFolder(t *testing.T) {
	img := uniform("gray", 8, 8, color.Gray{10})
	for _, tc := range []struct {
		name    string
		files   []string // image files; a name ending in "/" is an empty folder
		classes bool
	}{
		{"images", []string{"a.png", "b.png"}, false},
		{"images and a stray folder", []string{"a.png", "b.png", "old/c.png"}, false},
		{"images and an empty folder", []string{"a.png", "empty/"}, false},
		{"class folders", []string{"ant/a.png", "bee/b.png"}, true},
		{"class folders and a text file", []string{"ant/a.png", "bee/b.png", "notes.txt"}, true},
		{"a dot folder beside images", []string{".thumbs/a.png", "b.png"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tc.files {
				path := filepath.Join(dir, f)
				switch {
				case strings.HasSuffix(f, "/"):
					if err := os.MkdirAll(path, 0o755); err != nil {
						t.Fatal(err)
					}
				case strings.HasSuffix(f, ".png"):
					writeImage(t, path, img)
				default:
					mustWrite(t, path, []byte("text"))
				}
			}
			if got := IsClassFolder(dir); got != tc.classes {
				t.Errorf("IsClassFolder: %v, want %v", got, tc.classes)
			}
			f, err := LoadImageFolder(dir, ImageFolderOptions{CacheDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if (f.Classes != nil) != tc.classes {
				t.Errorf("LoadImageFolder found classes %q, IsClassFolder says %v", f.Classes, tc.classes)
			}
		})
	}
	if IsClassFolder(filepath.Join(t.TempDir(), "missing")) {
		t.Error("a missing folder is a class folder")
	}
}

func TestLoadImageFolderTransparency(t *testing.T) {
	dir := t.TempDir()
	writeImage(t, filepath.Join(dir, "clear.png"), uniform("nrgba", 4, 4, color.NRGBA{0, 255, 0, 0}))
	writeImage(t, filepath.Join(dir, "half.png"), uniform("nrgba", 4, 4, color.NRGBA{255, 0, 0, 128}))
	for _, tc := range []struct {
		bg          Background
		clear, half [3]uint8
	}{
		// over = a·c + (1−a)·bg, a = 128/255: 255·(127/255) = 127.
		{BackgroundWhite, [3]uint8{255, 255, 255}, [3]uint8{255, 127, 127}},
		{BackgroundBlack, [3]uint8{0, 0, 0}, [3]uint8{128, 0, 0}},
	} {
		f, err := LoadImageFolder(dir, ImageFolderOptions{CacheDir: t.TempDir(), Background: tc.bg})
		if err != nil {
			t.Fatal(err)
		}
		px := f.Set.Images.Pixels
		if f.Set.Images.Channels != 3 {
			t.Fatalf("%v: %d channels, want 3 (half.png has color)", tc.bg, f.Set.Images.Channels)
		}
		for k, want := range [][3]uint8{tc.clear, tc.half} {
			for p := range 16 {
				got := [3]uint8(px[(k*16+p)*3:])
				if d := absDiff(got, want); d > 1 {
					t.Fatalf("%v background: %s pixel %d is %v, want %v", tc.bg, f.Files[k], p, got, want)
				}
			}
		}
	}
}

// absDiff is the largest difference between two colors' channels.
func absDiff(a, b [3]uint8) int {
	d := 0
	for i := range a {
		d = max(d, int(a[i])-int(b[i]), int(b[i])-int(a[i]))
	}
	return d
}

func TestParseBackground(t *testing.T) {
	for _, bg := range []Background{BackgroundWhite, BackgroundBlack} {
		if got, err := ParseBackground(bg.String()); err != nil || got != bg {
			t.Fatalf("ParseBackground(%q) = %v, %v", bg.String(), got, err)
		}
	}
	if _, err := ParseBackground("grey"); err == nil || !strings.Contains(err.Error(), `"grey": want white or black`) {
		t.Fatalf("ParseBackground(grey): %v", err)
	}
}

// bombPNG returns a PNG whose header says w×h but that holds no pixel data.
func bombPNG(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8 bits, RGB, deflate, no filter, no interlace
	chunk := append([]byte("IHDR"), ihdr...)
	b := []byte("\x89PNG\r\n\x1a\n")
	b = binary.BigEndian.AppendUint32(b, uint32(len(ihdr)))
	b = append(b, chunk...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(chunk))
}

func TestLoadImageFolderErrors(t *testing.T) {
	good := func(t *testing.T, dir string, n int) {
		for i := range n {
			writeImage(t, filepath.Join(dir, fmt.Sprintf("g%03d.png", i)), uniform("gray", 4, 4, color.Gray{uint8(i)}))
		}
	}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string) string // returns the path to load
		opts  ImageFolderOptions
		want  string
	}{
		{"no such folder", func(t *testing.T, dir string) string { return filepath.Join(dir, "nope") }, ImageFolderOptions{}, "cannot read folder: no such file or directory"},
		{"a file", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "x.png")
			writeImage(t, p, uniform("gray", 4, 4, color.Gray{}))
			return p
		}, ImageFolderOptions{}, "not a folder"},
		{"empty", func(t *testing.T, dir string) string { return dir }, ImageFolderOptions{}, "empty folder"},
		{"no images", func(t *testing.T, dir string) string {
			mustWrite(t, filepath.Join(dir, "a.txt"), []byte("x"))
			mustWrite(t, filepath.Join(dir, "sub", "b.csv"), []byte("x"))
			return dir
		}, ImageFolderOptions{}, "no PNG, JPEG, GIF, BMP, WebP or TIFF images in it or its subfolders, only 2 other files (1 .csv, 1 .txt)"},
		{"only hidden files", func(t *testing.T, dir string) string {
			mustWrite(t, filepath.Join(dir, ".DS_Store"), []byte("x"))
			return dir
		}, ImageFolderOptions{}, "no PNG, JPEG, GIF, BMP, WebP or TIFF images in it or its subfolders"},
		{"empty class", func(t *testing.T, dir string) string {
			good(t, filepath.Join(dir, "a"), 2)
			mustWrite(t, filepath.Join(dir, "b", "readme.txt"), []byte("x"))
			return dir
		}, ImageFolderOptions{}, "b: class folder holds no PNG, JPEG, GIF, BMP, WebP or TIFF images"},
		{"a class of which nothing decodes", func(t *testing.T, dir string) string {
			good(t, filepath.Join(dir, "a"), 200)
			mustWrite(t, filepath.Join(dir, "b", "bad.png"), []byte("junk"))
			return dir
		}, ImageFolderOptions{}, "b: none of the class folder's 1 image file can be decoded, so the class has no image; the first: b/bad.png: not a readable"},
		{"an empty file", func(t *testing.T, dir string) string {
			good(t, dir, 3)
			mustWrite(t, filepath.Join(dir, "empty.png"), nil)
			return dir
		}, ImageFolderOptions{}, "1 of 4 image files (25.0%) cannot be decoded, more than 1%: empty.png: empty file (0 bytes)"},
		{"a name with a line break", func(t *testing.T, dir string) string {
			good(t, dir, 3)
			mustWrite(t, filepath.Join(dir, "new\nline.png"), []byte("junk"))
			return dir
		}, ImageFolderOptions{}, `: "new\nline.png": not a readable`},
		{"a class folder of a bad name", func(t *testing.T, dir string) string {
			good(t, filepath.Join(dir, "a"), 2)
			mustWrite(t, filepath.Join(dir, "b\tc\xff", "readme.txt"), []byte("x"))
			return dir
		}, ImageFolderOptions{}, `/b\tc\xff": class folder holds no`},
		{"nothing decodes", func(t *testing.T, dir string) string {
			mustWrite(t, filepath.Join(dir, "a.jpg"), []byte("junk"))
			mustWrite(t, filepath.Join(dir, "b.png"), []byte("junk"))
			return dir
		}, ImageFolderOptions{}, "none of its 2 image files can be decoded; the first: a.jpg: not a readable"},
		{"more than 1%", func(t *testing.T, dir string) string {
			good(t, dir, 98)
			mustWrite(t, filepath.Join(dir, "bad1.png"), []byte("junk"))
			mustWrite(t, filepath.Join(dir, "bad2.gif"), []byte("junk"))
			return dir
		}, ImageFolderOptions{}, "2 of 100 image files (2.0%) cannot be decoded, more than 1%: bad1.png: "},
		{"strict", func(t *testing.T, dir string) string {
			good(t, dir, 200)
			mustWrite(t, filepath.Join(dir, "g100.png"), []byte("junk"))
			mustWrite(t, filepath.Join(dir, "g150.png"), []byte("junk"))
			return dir
		}, ImageFolderOptions{Strict: true}, "g100.png: not a readable PNG, JPEG, GIF, BMP, WebP or TIFF image: its first bytes match none of them (strict: no file may be skipped)"},
		{"image bomb", func(t *testing.T, dir string) string {
			mustWrite(t, filepath.Join(dir, "bomb.png"), bombPNG(100000, 100000))
			return dir
		}, ImageFolderOptions{}, "bomb.png: png image of 100000x100000 has 10000000000 pixels, more than the 67108864 (8192x8192) gogan decodes"},
		{"bmp bomb", func(t *testing.T, dir string) string {
			var b bytes.Buffer
			if err := bmp.Encode(&b, uniform("rgba", 2, 2, color.White)); err != nil {
				t.Fatal(err)
			}
			bomb := b.Bytes() // its header says 8000×8000, its pixels are 2×2
			binary.LittleEndian.PutUint32(bomb[18:], 8000)
			binary.LittleEndian.PutUint32(bomb[22:], 8000)
			mustWrite(t, filepath.Join(dir, "bomb.bmp"), bomb)
			return dir
		}, ImageFolderOptions{}, "bomb.bmp: bmp image of 8000x8000 in a file of 70 bytes: more pixels than the file can hold (a BMP holds at most 1 a byte): damaged, or made to exhaust memory"},
		{"bad size", func(t *testing.T, dir string) string { return dir }, ImageFolderOptions{ImageSize: -1}, "image size must be within 1..4096"},
		{"bad channels", func(t *testing.T, dir string) string { return dir }, ImageFolderOptions{Channels: 2}, "channels must be 1 or 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.setup(t, t.TempDir())
			tc.opts.CacheDir = t.TempDir()
			_, err := LoadImageFolder(path, tc.opts)
			if strings.HasPrefix(tc.name, "bad ") {
				path = "" // option errors name the option's value, not a path
			}
			checkErr(t, err, path, tc.want)
		})
	}
}

func TestLoadImageFolderBombSkipped(t *testing.T) {
	dir := t.TempDir()
	for i := range 150 {
		writeImage(t, filepath.Join(dir, fmt.Sprintf("g%03d.png", i)), uniform("gray", 4, 4, color.Gray{uint8(i)}))
	}
	mustWrite(t, filepath.Join(dir, "bomb.png"), bombPNG(100000, 100000))
	f, err := LoadImageFolder(dir, ImageFolderOptions{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if f.Set.Images.N != 150 || f.Skipped != 1 || !strings.Contains(f.SkippedFiles[0], "bomb.png: png image of 100000x100000") {
		t.Fatalf("%d images, skipped %d %q; want 150 and the bomb skipped by its header", f.Set.Images.N, f.Skipped, f.SkippedFiles)
	}
}

// TestLoadImageFolderBrokenLinkSkipped: a link to nothing, or to itself, is a file
// that cannot be read: skipped within the 1% budget, as one that cannot be decoded,
// instead of stopping the load; the reason names the link's target, where it said "no
// such file or directory" of a file that a listing of the folder shows.
func TestLoadImageFolderBrokenLinkSkipped(t *testing.T) {
	dir := t.TempDir()
	for i := range 200 {
		writeImage(t, filepath.Join(dir, fmt.Sprintf("g%03d.png", i)), uniform("gray", 4, 4, color.Gray{uint8(i)}))
	}
	if err := os.Symlink(filepath.Join(dir, "gone.png"), filepath.Join(dir, "dangling.png")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("loop.png", filepath.Join(dir, "loop.png")); err != nil {
		t.Fatal(err)
	}
	f, err := LoadImageFolder(dir, ImageFolderOptions{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	wantDangling := "dangling.png: link to " + filepath.Join(dir, "gone.png") + ": no such file or directory"
	if f.Set.Images.N != 200 || f.Skipped != 2 || f.SkippedFiles[0] != wantDangling || !strings.HasPrefix(f.SkippedFiles[1], "loop.png: link to loop.png: ") {
		t.Fatalf("%d images, skipped %d %q; want 200, and the two links skipped naming their targets (%q)", f.Set.Images.N, f.Skipped, f.SkippedFiles, wantDangling)
	}
	if _, err := LoadImageFolder(dir, ImageFolderOptions{CacheDir: t.TempDir(), Strict: true}); err == nil || !strings.Contains(err.Error(), "dangling.png") {
		t.Fatalf("strict: %v, want the dangling link named", err)
	}
}

// TestProbeRefusesBomb checks that probe refuses a bomb from its header: the file ends
// right after IHDR, so nothing past the header could have been decoded.
func TestProbeRefusesBomb(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bomb.png")
	mustWrite(t, path, bombPNG(100000, 100000))
	if _, err := probe(path); err == nil || !strings.Contains(err.Error(), "100000x100000") {
		t.Fatalf("probe: %v, want the size refused", err)
	}
	// Just within the limit: a real PNG of 8192x8192 (1 bit a pixel, flat, 8 KB) is
	// accepted from its header; the bomb of that size, 33 bytes, is refused for its size.
	mustWrite(t, path, pngFlat(8192, 8192))
	if hd, err := probe(path); err != nil || hd.w != 8192 || hd.h != 8192 {
		t.Fatalf("probe of 8192x8192: %dx%d, %v; want accepted", hd.w, hd.h, err)
	}
	mustWrite(t, path, bombPNG(8192, 8192))
	if _, err := probe(path); err == nil || !strings.Contains(err.Error(), "png image of 8192x8192 in a file of 33 bytes: more pixels than the file can hold") {
		t.Fatalf("probe of 8192x8192 in 33 bytes: %v, want refused for its size", err)
	}
}

// webp6x4 is a 6×4 lossless WebP of one color, (200, 30, 60), made by
// `cwebp -lossless` from a PNG (Go has no WebP encoder).
var webp6x4 = []byte{
	0x52, 0x49, 0x46, 0x46, 0x1e, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50,
	0x56, 0x50, 0x38, 0x4c, 0x11, 0x00, 0x00, 0x00, 0x2f, 0x05, 0xc0, 0x00,
	0x00, 0x07, 0x50, 0x8f, 0x22, 0x97, 0xa7, 0xff, 0x81, 0x88, 0xe8, 0x7f,
	0x00, 0x00,
}

func TestLoadImageFolderWebP(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "u.webp"), webp6x4)
	f, err := LoadImageFolder(dir, ImageFolderOptions{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	im := f.Set.Images
	// Not square: the default size is 64, from the center 4×4.
	if im.N != 1 || im.Rows != DefaultImageSize || im.Channels != 3 {
		t.Fatalf("%dx%dx%dx%d, want 1x64x64x3", im.N, im.Rows, im.Cols, im.Channels)
	}
	for p := 0; p < len(im.Pixels); p += 3 {
		if got := [3]uint8(im.Pixels[p:]); got != [3]uint8{200, 30, 60} {
			t.Fatalf("pixel %d is %v, want (200, 30, 60)", p/3, got)
		}
	}
}

// countdown is a context that is done after its Err has been asked left times: a Ctrl-C
// in the middle of a folder's decoding, at a point the test chooses.
type countdown struct {
	context.Context
	left atomic.Int32
}

func (c *countdown) Err() error {
	if c.left.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

// TestLoadImageFolderStopped: a load whose context is done before it starts, or part way
// through the folder's files, stops with an error that wraps the context's and the folder's
// name, and caches nothing; the same folder then loads whole.
func TestLoadImageFolderStopped(t *testing.T) {
	dir, cache := classFolder(t), t.TempDir()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	midway := &countdown{Context: context.Background()}
	midway.left.Store(60) // of 106 files to probe
	for name, ctx := range map[string]context.Context{"before": done, "midway": midway} {
		_, err := LoadImageFolderContext(ctx, dir, ImageFolderOptions{ImageSize: 16, CacheDir: cache})
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), dir) {
			t.Fatalf("%s: error %v, want one that wraps context.Canceled and names %s", name, err, dir)
		}
		if entries, _ := os.ReadDir(cache); len(entries) != 0 {
			t.Fatalf("%s: a stopped load cached %v", name, entries)
		}
	}
	f, err := LoadImageFolderContext(context.Background(), dir, ImageFolderOptions{ImageSize: 16, CacheDir: cache})
	if err != nil || len(f.Files) != 105 { // 105 images and a corrupt file
		t.Fatalf("the whole load after the stopped ones: %v", err)
	}
}

// TestLoadImageFolderNilContext: a nil context panics in the caller, naming the
// function, not in a decoding goroutine (which ended the process).
func TestLoadImageFolderNilContext(t *testing.T) {
	dir := t.TempDir()
	writeImage(t, filepath.Join(dir, "a.png"), sample(1))
	var got any
	func() {
		defer func() { got = recover() }()
		//lint:ignore SA1012 a nil context is the misuse under test
		LoadImageFolderContext(nil, dir, ImageFolderOptions{ImageSize: 16, CacheDir: t.TempDir()})
	}()
	if msg, _ := got.(string); !strings.HasPrefix(msg, "data: LoadImageFolderContext: nil context") {
		t.Fatalf("LoadImageFolderContext(nil, ...) panicked with %v", got)
	}
}

// TestLoadImageFolderThroughLink: a folder given as a symbolic link to it (absolute or
// relative) loads as the folder itself, where filepath.WalkDir, which does not follow a
// link at its root, found no image in it.
func TestLoadImageFolderThroughLink(t *testing.T) {
	for _, tc := range []struct {
		name     string
		files    []string
		relative bool
		classes  int
	}{
		{"flat", []string{"a.png", "b.png", "sub/c.png"}, false, 0},
		{"relative", []string{"a.png", "b.png"}, true, 0},
		{"class folders", []string{"ant/a.png", "bee/b.png", "bee/c.png"}, false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for i, f := range tc.files {
				writeImage(t, filepath.Join(dir, "real", f), uniform("gray", 4, 4, color.Gray{uint8(i)}))
			}
			target := filepath.Join(dir, "real")
			if tc.relative {
				target = "real"
			}
			link := filepath.Join(dir, "link")
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			f, err := LoadImageFolder(link, ImageFolderOptions{CacheDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if f.Set.Images.N != len(tc.files) || len(f.Classes) != tc.classes || f.Files[0] != tc.files[0] {
				t.Fatalf("%d images %q, classes %q; want %d images, %d classes", f.Set.Images.N, f.Files, f.Classes, len(tc.files), tc.classes)
			}
		})
	}
}

// TestLoadImageFolderFollowsLinks: a link to a folder is read as the folder, a class
// folder included (as torchvision's ImageFolder, which walks with followlinks), where
// filepath.WalkDir left it out without a word; a link back to a folder that holds it is
// not followed, and a warning names it.
func TestLoadImageFolderFollowsLinks(t *testing.T) {
	link := func(t *testing.T, target, name string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, name); err != nil {
			t.Fatal(err)
		}
	}
	gray := uniform("gray", 4, 4, color.Gray{9})
	t.Run("class folders", func(t *testing.T) {
		root := t.TempDir()
		dir, elsewhere := filepath.Join(root, "data"), filepath.Join(root, "elsewhere")
		writeImage(t, filepath.Join(dir, "ant", "a.png"), gray)
		writeImage(t, filepath.Join(elsewhere, "bee", "b.png"), gray)
		writeImage(t, filepath.Join(elsewhere, "bee", "c.png"), gray)
		link(t, filepath.Join(elsewhere, "bee"), filepath.Join(dir, "bee"))
		link(t, "..", filepath.Join(dir, "ant", "up"))
		if !IsClassFolder(dir) {
			t.Error("IsClassFolder: false, want true (ant, and bee a link)")
		}
		f, err := LoadImageFolder(dir, ImageFolderOptions{CacheDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(f.Classes, []string{"ant", "bee"}) || !slices.Equal(f.Files, []string{"ant/a.png", "bee/b.png", "bee/c.png"}) || !slices.Equal(f.Set.Labels, []uint8{0, 1, 1}) {
			t.Fatalf("classes %q, files %q, labels %v; want ant and bee, bee's two images through the link", f.Classes, f.Files, f.Set.Labels)
		}
		if len(f.Warnings) != 1 || !strings.Contains(f.Warnings[0], filepath.Join(dir, "ant", "up")+": a link to a folder that holds it, not followed") {
			t.Fatalf("warnings %q, want the loop ant/up named", f.Warnings)
		}
	})
	t.Run("subfolders", func(t *testing.T) {
		root := t.TempDir()
		dir, elsewhere := filepath.Join(root, "data"), filepath.Join(root, "elsewhere")
		writeImage(t, filepath.Join(dir, "a.png"), gray)
		writeImage(t, filepath.Join(elsewhere, "b.png"), gray)
		link(t, elsewhere, filepath.Join(dir, "more"))
		link(t, dir, filepath.Join(dir, "deep", "er", "self"))
		f, err := LoadImageFolder(dir, ImageFolderOptions{CacheDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if f.Classes != nil || !slices.Equal(f.Files, []string{"a.png", "more/b.png"}) || len(f.Warnings) != 1 {
			t.Fatalf("classes %q, files %q, warnings %q; want a.png and more/b.png, and the loop named", f.Classes, f.Files, f.Warnings)
		}
	})
}

// TestLoadImageFolderNotRead: the files not named as images (a folder of iPhone photos in
// HEIC beside a few JPEGs, notes) are counted by extension and reported in one line, where
// they were left out without a word; hidden files are not counted.
func TestLoadImageFolderNotRead(t *testing.T) {
	dir := t.TempDir()
	gray := uniform("gray", 4, 4, color.Gray{9})
	writeImage(t, filepath.Join(dir, "a.png"), gray)
	writeImage(t, filepath.Join(dir, "sub", "b.jpg"), gray)
	for _, name := range []string{"p1.HEIC", "p2.heic", "sub/p3.heic", "notes.txt", "README", "x.psd", "y.raw", "z.svg", "w.avif", ".DS_Store", ".git/config"} {
		mustWrite(t, filepath.Join(dir, name), []byte("x"))
	}
	f, err := LoadImageFolder(dir, ImageFolderOptions{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{".heic": 3, ".txt": 1, "": 1, ".psd": 1, ".raw": 1, ".svg": 1, ".avif": 1}
	if f.Set.Images.N != 2 || !maps.Equal(f.NotRead, want) {
		t.Fatalf("%d images, not read %v; want 2, and %v", f.Set.Images.N, f.NotRead, want)
	}
	got := f.NotReadReport()
	if wantReport := dir + ": 9 files not read, not named as PNG, JPEG, GIF, BMP, WebP or TIFF images: 3 .heic, 1 without extension, 1 .avif, 1 .psd, 1 .raw, 2 of 2 other extensions"; got != wantReport {
		t.Fatalf("report %q,\nwant   %q", got, wantReport)
	}
	if (&ImageFolder{}).NotReadReport() != "" {
		t.Fatal("a report of no file")
	}
}

// costImages are image files of each format and kind, 640×480, for
// TestDecodeCostBoundsAllocation: opaque and translucent, 8 and 16 bits, paletted,
// baseline and progressive.
func costImages(t *testing.T) map[string][]byte {
	const w, h = 640, 480
	r := image.Rect(0, 0, w, h)
	rgba, nrgba, gray, gray16, nrgba64 := image.NewRGBA(r), image.NewNRGBA(r), image.NewGray(r), image.NewGray16(r), image.NewNRGBA64(r)
	pal := image.NewPaletted(r, color.Palette{color.Black, color.White, color.Transparent})
	opaquePal := image.NewPaletted(r, color.Palette{color.Black, color.White})
	for y := range h {
		for x := range w {
			c := color.NRGBA{uint8(x), uint8(y), uint8(x ^ y), uint8(x + y)}
			rgba.Set(x, y, color.RGBA{c.R, c.G, c.B, 255})
			nrgba.Set(x, y, c)
			gray.Set(x, y, color.Gray{c.R})
			gray16.Set(x, y, color.Gray16{uint16(x * y)})
			nrgba64.Set(x, y, color.NRGBA64{uint16(x * 97), uint16(y * 89), 7, uint16(x * y)})
			pal.Pix[pal.PixOffset(x, y)] = uint8((x + y) % 3)
			opaquePal.Pix[opaquePal.PixOffset(x, y)] = uint8((x + y) % 2)
		}
	}
	files := map[string][]byte{}
	add := func(name string, img image.Image) {
		path := filepath.Join(t.TempDir(), name)
		writeImage(t, path, img)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	add("rgba.png", rgba)
	add("nrgba.png", nrgba)
	add("gray.png", gray)
	add("gray16.png", gray16)
	add("nrgba64.png", nrgba64)
	add("paletted.png", pal)
	add("ycbcr.jpg", rgba)
	add("gray.jpg", gray)
	add("opaque.gif", opaquePal)
	add("transparent.gif", pal)
	add("rgba.bmp", rgba)
	blocks := (w / 8) * (h / 8)
	files["progressive-gray.jpg"] = jpegFile(w, h, 1, true, make([]byte, blocks/8+1))
	files["progressive-444.jpg"] = jpegFile(w, h, 3, true, make([]byte, 3*blocks/8+1))
	files["baseline-444.jpg"] = jpegFile(w, h, 3, false, make([]byte, 3*blocks/4+1))
	files["lossless.webp"] = riffWebP([]byte("VP8L"), vp8lFlat(w, h, color.NRGBA{9, 8, 7, 255}))
	files["lossy.webp"] = webpLossy12x8
	files["alpha.webp"] = webpAlpha12x8
	tiffs, _ := tiffTestImages()
	files["rgb.tif"] = tiffs["rgb"]
	return files
}

// TestDecodeCostBoundsAllocation: decodeFile allocates at most what decodeCost counts for
// the file's header, with 512 KB for the decoders' tables and buffers (Deflate's window,
// Huffman tables, a few rows), whether it shrinks the image or enlarges it, of every
// format and kind; and, for the images whose pixels outweigh those tables, at least half
// of it, so that the budget does not hold back the decoding for nothing.
func TestDecodeCostBoundsAllocation(t *testing.T) {
	dir := t.TempDir()
	for name, file := range costImages(t) {
		path := filepath.Join(dir, name)
		mustWrite(t, path, file)
		hd, err := probe(path)
		if err != nil {
			t.Fatalf("%s: probe: %v", name, err)
		}
		for _, size := range []int{64, 1024} {
			spec := decodeSpec{size: size, rgb: true, bg: color.RGBA{255, 255, 255, 255}}
			dst := make([]uint8, spec.bytesPerImage())
			alloc := int64(allocated(func() { decodeFile(dst, path, spec) }))
			cost := decodeCost(hd, spec)
			if alloc > cost+512<<10 {
				t.Errorf("%s to %d: decodeFile allocated %d KB, more than decodeCost's %d KB", name, size, alloc>>10, cost>>10)
			}
			if cost > 1<<20 && alloc < cost/2 {
				t.Errorf("%s to %d: decodeFile allocated %d KB, less than half decodeCost's %d KB", name, size, alloc>>10, cost>>10)
			}
		}
	}
}
