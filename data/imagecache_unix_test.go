//go:build unix

package data

import (
	"image/color"
	"os"
	"path/filepath"
	"testing"
)

// TestImageCacheSameSizeAndTime: a file replaced by another image of the same size, its
// modification time set back (cp -p, rsync -t, touch -d), is decoded again, as is a
// second folder of the same names, sizes and times, where the cache key, of sizes and
// modification times only, served the first image's pixels.
func TestImageCacheSameSizeAndTime(t *testing.T) {
	cache := t.TempDir()
	write := func(dir string, gray uint8) string {
		p := filepath.Join(dir, "a.bmp") // a BMP's size depends on its width and height only
		writeImage(t, p, uniform("gray", 4, 4, color.Gray{gray}))
		writeImage(t, filepath.Join(dir, "b.bmp"), uniform("gray", 4, 4, color.Gray{50}))
		return p
	}
	load := func(dir string, wantCached bool, wantFirst uint8) {
		t.Helper()
		f, err := LoadImageFolder(dir, ImageFolderOptions{CacheDir: cache})
		if err != nil {
			t.Fatal(err)
		}
		if f.FromCache != wantCached || f.Set.Images.Pixels[0] != wantFirst {
			t.Fatalf("%s: FromCache %v, first pixel %d; want %v and %d", dir, f.FromCache, f.Set.Images.Pixels[0], wantCached, wantFirst)
		}
	}
	dir := t.TempDir()
	p := write(dir, 10)
	load(dir, false, 10)
	load(dir, true, 10)

	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	writeImage(t, p, uniform("gray", 4, 4, color.Gray{200}))
	if err := os.Chtimes(p, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	if now, err := os.Stat(p); err != nil || now.Size() != st.Size() || !now.ModTime().Equal(st.ModTime()) {
		t.Fatalf("the replaced file is not of the same size and time: %v", err)
	}
	load(dir, false, 200)

	// Another folder, its files of the same names, sizes and times.
	other := t.TempDir()
	write(other, 77)
	for _, name := range []string{"a.bmp", "b.bmp"} {
		src, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(filepath.Join(other, name), src.ModTime(), src.ModTime()); err != nil {
			t.Fatal(err)
		}
	}
	load(other, false, 77)
}
