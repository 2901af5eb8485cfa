package data

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image/color"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// sameFolder fails unless two loads of a folder agree on everything but where they came from.
func sameFolder(t *testing.T, got, want *ImageFolder) {
	t.Helper()
	g, w := got.Set.Images, want.Set.Images
	if g.N != w.N || g.Rows != w.Rows || g.Cols != w.Cols || g.Channels != w.Channels || !slices.Equal(g.Pixels, w.Pixels) {
		t.Fatalf("images %dx%dx%dx%d differ from %dx%dx%dx%d or their pixels do", g.N, g.Rows, g.Cols, g.Channels, w.N, w.Rows, w.Cols, w.Channels)
	}
	if !slices.Equal(got.Set.Labels, want.Set.Labels) || !slices.Equal(got.Classes, want.Classes) || !slices.Equal(got.Files, want.Files) {
		t.Fatal("labels, classes or files differ")
	}
	if got.Found != want.Found || got.Skipped != want.Skipped || !slices.Equal(got.SkippedFiles, want.SkippedFiles) {
		t.Fatalf("found/skipped %d/%d %q, want %d/%d %q", got.Found, got.Skipped, got.SkippedFiles, want.Found, want.Skipped, want.SkippedFiles)
	}
}

func TestImageCache(t *testing.T) {
	dir := classFolder(t)
	cache := t.TempDir()
	progressed := false
	opts := ImageFolderOptions{ImageSize: 12, CacheDir: cache, Progress: func(int, int) { progressed = true }}
	load := func(wantCached bool) *ImageFolder {
		t.Helper()
		progressed = false
		f, err := LoadImageFolder(dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		if f.FromCache != wantCached || progressed == wantCached {
			t.Fatalf("FromCache %v, progress called %v; want FromCache %v", f.FromCache, progressed, wantCached)
		}
		if filepath.Dir(f.Cache) != cache {
			t.Fatalf("cache file %s is not in %s", f.Cache, cache)
		}
		return f
	}

	first := load(false)
	if len(first.Warnings) != 0 {
		t.Fatalf("warnings %q", first.Warnings)
	}
	sameFolder(t, load(true), first)

	// Another size is another cache file.
	opts.ImageSize = 10
	load(false)
	opts.ImageSize = 12
	load(true)

	// A newer modification time: decoded again, same images.
	p := filepath.Join(dir, "ant", "000.png")
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(p, later, later); err != nil {
		t.Fatal(err)
	}
	sameFolder(t, load(false), first)
	load(true)

	// A file changed: decoded again, and its image is the new one.
	writeImage(t, p, uniform("rgba", 12, 12, color.RGBA{1, 2, 3, 255}))
	changed := load(false)
	if got := [3]uint8(changed.Set.Images.Pixels); got != [3]uint8{1, 2, 3} {
		t.Fatalf("after the change, image 0 starts with %v, want (1, 2, 3)", got)
	}
	// A file added: decoded again.
	writeImage(t, filepath.Join(dir, "cat", "new.png"), uniform("gray", 12, 12, color.Gray{9}))
	if f := load(false); f.Set.Images.N != first.Set.Images.N+1 {
		t.Fatalf("%d images after adding one to %d", f.Set.Images.N, first.Set.Images.N)
	}
}

func TestImageCacheDamaged(t *testing.T) {
	dir := t.TempDir()
	for i := range 5 {
		writeImage(t, filepath.Join(dir, fmt.Sprintf("%d.png", i)), uniform("rgba", 6, 6, color.RGBA{uint8(40 * i), 9, 9, 255}))
	}
	opts := ImageFolderOptions{CacheDir: t.TempDir()}
	want, err := LoadImageFolder(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(want.Cache)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		damage func(b []byte) []byte
		reason string
	}{
		{"pixel flipped", func(b []byte) []byte { b[len(b)-7] ^= 1; return b }, "pixel checksum mismatch"},
		{"metadata flipped", func(b []byte) []byte { b[cacheHeaderSize+3] ^= 1; return b }, "metadata checksum mismatch"},
		{"length changed", func(b []byte) []byte { b[14] ^= 1; return b }, "header checksum mismatch"},
		{"truncated", func(b []byte) []byte { return b[:len(b)-1] }, "file has"},
		{"empty", func(b []byte) []byte { return nil }, "header: EOF"},
		{"not a cache", func(b []byte) []byte { return []byte(strings.Repeat("x", 100)) }, "bad magic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(want.Cache, tc.damage(slices.Clone(good)), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := LoadImageFolder(dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			if f.FromCache || len(f.Warnings) != 1 || !strings.Contains(f.Warnings[0], "damaged cache") || !strings.Contains(f.Warnings[0], tc.reason) || !strings.Contains(f.Warnings[0], want.Cache) {
				t.Fatalf("FromCache %v, warnings %q; want one naming the cache, saying damaged cache and %q", f.FromCache, f.Warnings, tc.reason)
			}
			sameFolder(t, f, want)
			// Rebuilt: the next load reads it.
			again, err := LoadImageFolder(dir, opts)
			if err != nil || !again.FromCache || len(again.Warnings) != 0 {
				t.Fatalf("after the rebuild: FromCache %v, warnings %q, %v", again.FromCache, again.Warnings, err)
			}
		})
	}
}

func TestImageCacheStrictRemembersSkips(t *testing.T) {
	dir := t.TempDir()
	for i := range 120 {
		writeImage(t, filepath.Join(dir, fmt.Sprintf("%03d.png", i)), uniform("gray", 4, 4, color.Gray{uint8(i)}))
	}
	mustWrite(t, filepath.Join(dir, "050.png"), []byte("junk"))
	opts := ImageFolderOptions{CacheDir: t.TempDir()}
	f, err := LoadImageFolder(dir, opts)
	if err != nil || f.Skipped != 1 {
		t.Fatalf("first load: %v, skipped %d", err, f.Skipped)
	}
	f, err = LoadImageFolder(dir, opts)
	if err != nil || !f.FromCache || f.Skipped != 1 || !strings.HasPrefix(f.SkippedFiles[0], "050.png: ") {
		t.Fatalf("cached load: %v, skipped %q", err, f.SkippedFiles)
	}
	opts.Strict = true
	_, err = LoadImageFolder(dir, opts)
	checkErr(t, err, filepath.Join(dir, "050.png"), "(strict: no file may be skipped)")
}

func TestImageCacheUnwritable(t *testing.T) {
	dir := t.TempDir()
	writeImage(t, filepath.Join(dir, "a.png"), uniform("gray", 4, 4, color.Gray{1}))
	blocker := filepath.Join(t.TempDir(), "file")
	mustWrite(t, blocker, []byte("x"))
	f, err := LoadImageFolder(dir, ImageFolderOptions{CacheDir: filepath.Join(blocker, "cache")})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Warnings) != 1 || !strings.Contains(f.Warnings[0], "cannot be cached") {
		t.Fatalf("warnings %q, want one saying the images cannot be cached", f.Warnings)
	}
}

func TestImageFolderWideLabels(t *testing.T) {
	dir := t.TempDir()
	const classes = 300
	for c := range classes {
		writeImage(t, filepath.Join(dir, fmt.Sprintf("c%03d", c), "x.png"), uniform("gray", 2, 2, color.Gray{uint8(c)}))
	}
	opts := ImageFolderOptions{CacheDir: t.TempDir()}
	for _, cached := range []bool{false, true} {
		f, err := LoadImageFolder(dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		if f.FromCache != cached || len(f.Classes) != classes || f.Set.Labels != nil || len(f.Set.WideLabels) != classes {
			t.Fatalf("FromCache %v, %d classes, %d labels, %d wide labels; want %d wide labels", f.FromCache, len(f.Classes), len(f.Set.Labels), len(f.Set.WideLabels), classes)
		}
		for k, l := range f.Set.WideLabels {
			if int(l) != k || f.Classes[l] != fmt.Sprintf("c%03d", k) {
				t.Fatalf("image %d has label %d (%s)", k, l, f.Classes[l])
			}
		}
	}
}

// TestImageCacheOneFilePerFolder: the cache holds one file per folder and options, which a
// load of the folder changed replaces, where each version of the folder left a file of all
// its images behind for good; the folder through a link finds the same file.
func TestImageCacheOneFilePerFolder(t *testing.T) {
	dir := t.TempDir()
	for i := range 3 {
		writeImage(t, filepath.Join(dir, fmt.Sprintf("%d.png", i)), uniform("gray", 4, 4, color.Gray{uint8(i)}))
	}
	cache := t.TempDir()
	count := func(want int) {
		t.Helper()
		entries, err := os.ReadDir(cache)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != want {
			t.Fatalf("%d cache files, want %d", len(entries), want)
		}
	}
	load := func(path string, size int, wantCached bool) {
		t.Helper()
		f, err := LoadImageFolder(path, ImageFolderOptions{ImageSize: size, CacheDir: cache})
		if err != nil {
			t.Fatal(err)
		}
		if f.FromCache != wantCached {
			t.Fatalf("%s at %d: FromCache %v, want %v", path, size, f.FromCache, wantCached)
		}
	}
	load(dir, 4, false)
	for i := range 3 { // three versions of the folder
		later := time.Now().Add(time.Duration(i+1) * time.Hour)
		if err := os.Chtimes(filepath.Join(dir, "0.png"), later, later); err != nil {
			t.Fatal(err)
		}
		load(dir, 4, false)
		load(dir, 4, true)
	}
	count(1)
	load(dir, 8, false) // other options, another file
	count(2)
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	load(link, 8, true)
	count(2)
}

// olderCache returns the cache file good as version would have written it: that version
// in its header, and pixels decoded otherwise (here inverted), each checksum right.
func olderCache(good []byte, version uint32) []byte {
	b := slices.Clone(good)
	be := binary.BigEndian
	pix := b[cacheHeaderSize+int(be.Uint64(b[12:])):]
	for i := range pix {
		pix[i] = 255 - pix[i]
	}
	be.PutUint32(b[8:], version)
	be.PutUint32(b[32:], crc32.ChecksumIEEE(pix))
	be.PutUint32(b[36:], crc32.ChecksumIEEE(b[:36]))
	return b
}

// TestImageCacheOlderVersion: a folder that the previous cache version cached is decoded
// again, not read from that file (whose bytes are the previous decoding's), with a note
// that says why and is no warning of damage; the old file is removed, the new one read
// by the next load.
func TestImageCacheOlderVersion(t *testing.T) {
	dir := t.TempDir()
	for i := range 3 {
		writeImage(t, filepath.Join(dir, fmt.Sprintf("%d.png", i)), uniform("rgba", 6, 6, color.RGBA{uint8(60 * i), 9, 200, 255}))
	}
	cache := t.TempDir()
	opts := ImageFolderOptions{CacheDir: cache}
	want, err := LoadImageFolder(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(want.Cache)
	if err != nil {
		t.Fatal(err)
	}
	oldPath, _ := cachePathFor(dir, opts, cacheVersion-1)
	if oldPath == want.Cache {
		t.Fatalf("versions %d and %d share the cache file %s", cacheVersion-1, cacheVersion, oldPath)
	}
	mustWrite(t, oldPath, olderCache(good, cacheVersion-1))
	if err := os.Remove(want.Cache); err != nil {
		t.Fatal(err)
	}

	f, err := LoadImageFolder(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if f.FromCache {
		t.Fatalf("read the cache of version %d", cacheVersion-1)
	}
	sameFolder(t, f, want)
	note := fmt.Sprintf("cached by an earlier gogan (cache format %d, now %d: decoding has changed since), so decoded again", cacheVersion-1, cacheVersion)
	if len(f.Warnings) != 1 || !strings.Contains(f.Warnings[0], note) || !strings.Contains(f.Warnings[0], dir) {
		t.Fatalf("warnings %q, want one naming the folder and saying %q", f.Warnings, note)
	}
	if _, err := os.Stat(oldPath); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the file of version %d is still there (%v)", cacheVersion-1, err)
	}
	again, err := LoadImageFolder(dir, opts)
	if err != nil || !again.FromCache || len(again.Warnings) != 0 {
		t.Fatalf("after the rebuild: FromCache %v, warnings %q, %v", again.FromCache, again.Warnings, err)
	}
	if entries, err := os.ReadDir(cache); err != nil || len(entries) != 1 {
		t.Fatalf("%d cache files (%v), want 1", len(entries), err)
	}
}

// TestRemoveOlderCachesTogether: loads of one folder at once (two gogan trains on it)
// each remove its earlier format's file; one that finds it gone between its look and its
// removal, removed by the other, notes the decoding again but no failure to remove it,
// where it said "cannot be removed: no such file or directory".
func TestRemoveOlderCachesTogether(t *testing.T) {
	dir, cache := t.TempDir(), t.TempDir()
	opts := ImageFolderOptions{CacheDir: cache}
	oldPath, _ := cachePathFor(dir, opts, cacheVersion-1)
	const loads = 4
	for range 300 {
		mustWrite(t, oldPath, []byte("GOGANIMG"))
		start := make(chan bool)
		notes := make(chan []string, loads)
		for range loads {
			go func() {
				<-start
				notes <- removeOlderCaches(dir, opts)
			}()
		}
		close(start)
		for range loads {
			for _, note := range <-notes {
				if strings.Contains(note, "cannot be removed") {
					t.Fatalf("a load at once with others: %s", note)
				}
			}
		}
		if _, err := os.Lstat(oldPath); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("the file of version %d is still there (%v)", cacheVersion-1, err)
		}
	}
}
