package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tarball returns a gzipped tarball of the named files, in order.
func tarball(t *testing.T, files ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f[0], Mode: 0o644, Size: int64(len(f[1]))}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(f[1]))
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

// pngBytes returns a 2×2 PNG.
func pngBytes(t *testing.T) string {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestArrange(t *testing.T) {
	p := pngBytes(t)
	emoji := `[{"image":"1f600.png","category":"Smileys & Emotion","has_img_twitter":true},
	 {"image":"1f385.png","category":"People & Body","has_img_twitter":true,
	  "skin_variations":{"1F3FB":{"image":"1f385-1f3fb.png","has_img_twitter":true}}}]`
	tgz := tarball(t,
		[2]string{"package/img/twitter/64/1f600.png", p}, // before emoji.json: held until it comes
		[2]string{"package/emoji.json", emoji},
		[2]string{"package/img/twitter/64/1f385.png", p},
		[2]string{"package/img/twitter/64/1f385-1f3fb.png", p},
		[2]string{"package/img/twitter/32/1f385.png", p}, // another size: ignored
	)
	out := t.TempDir()
	n, classes, err := arrange(bytes.NewReader(tgz), "x.tgz", out)
	if err != nil || n != 3 || classes != 2 {
		t.Fatalf("arrange: %d images, %d classes, %v; want 3, 2", n, classes, err)
	}
	var got []string
	filepath.WalkDir(out, func(path string, d os.DirEntry, err error) error {
		if !d.IsDir() {
			rel, _ := filepath.Rel(out, path)
			got = append(got, filepath.ToSlash(rel))
		}
		return nil
	})
	want := []string{"people-body/1f385-1f3fb.png", "people-body/1f385.png", "smileys-emotion/1f600.png"}
	if !slices.Equal(got, want) {
		t.Fatalf("wrote %q, want %q", got, want)
	}

	// An image without a category, and a tarball without emoji.json, are errors.
	for _, tc := range []struct {
		tgz  []byte
		want string
	}{
		{tarball(t, [2]string{"package/emoji.json", emoji}, [2]string{"package/img/twitter/64/ffff.png", p}), "ffff.png has no category"},
		{tarball(t, [2]string{"package/img/twitter/64/1f600.png", p}), "no package/emoji.json"},
		{[]byte("this is not a gzip stream"), "x.tgz: gzip: invalid header"},
	} {
		_, _, err := arrange(bytes.NewReader(tc.tgz), "x.tgz", t.TempDir())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("arrange: %v, want an error containing %q", err, tc.want)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{"Smileys & Emotion": "smileys-emotion", "Flags": "flags", "  Food & Drink!": "food-drink"} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}
