package data

import (
	"slices"
	"testing"
	"time"
)

// TestListImagesCounts: a listing tells its counter the image files found so far (the
// text file and the dot file aside), each one as it comes, then the total once more at
// the end; reports at most once in every (the first and the end here); none before
// after; and LoadImageFolder's ListProgress hears nothing of a folder listed in under
// half a second (listProgressDelay).
func TestListImagesCounts(t *testing.T) {
	dir := classFolder(t)
	list := func(after, every time.Duration) []int {
		t.Helper()
		var calls []int
		c := newListCounter(func(found int) { calls = append(calls, found) })
		c.after, c.every = after, every
		l, err := listImages(dir, c)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(l.files); n != 106 {
			t.Fatalf("%d image files, want 106", n)
		}
		return calls
	}
	each := make([]int, 106)
	for i := range each {
		each[i] = i + 1
	}
	for _, tc := range []struct {
		name         string
		after, every time.Duration
		want         []int
	}{
		{"each", 0, 0, append(each, 106)},
		{"the first and the end", 0, time.Hour, []int{1, 106}},
		{"none before after", time.Hour, 0, nil},
	} {
		if got := list(tc.after, tc.every); !slices.Equal(got, tc.want) {
			t.Errorf("%s: calls %v, want %v", tc.name, got, tc.want)
		}
	}

	called := false
	if _, err := LoadImageFolder(dir, ImageFolderOptions{CacheDir: t.TempDir(), ListProgress: func(int) { called = true }}); err != nil || called {
		t.Errorf("a folder of 106 files: error %v, ListProgress called %v; want no call", err, called)
	}
}
