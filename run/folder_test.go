package run

import (
	"errors"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gogan/gogan/internal/runlock"
)

// A new run refused once it made its folders (here its config.json cannot be
// written) removes them, and the folders above that it made: the file system
// is as it found it. A folder another process holds is left as it is.
func TestRefusedNewRunRemovesWhatItMade(t *testing.T) {
	bad := toyOptions("").Config
	bad.LR = float32(math.NaN()) // json.Marshal refuses it
	for _, tc := range []struct {
		name   string
		before []string // folders (ending in /) and files under the working folder
		out    string
		hold   bool // another process holds out's lock
	}{
		{"new folders", nil, "a/b/run", false},
		{"default folder, no runs/", nil, "", false},
		{"default folder, runs/ there", []string{"runs/mlp2d-old/config.json"}, "", false},
		{"a folder being made by another process", []string{"a/run/"}, "a/run", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			t.Chdir(root)
			for _, p := range tc.before {
				writeOrMkdir(t, p)
			}
			if tc.hold {
				l, err := runlock.Acquire(tc.out)
				if err != nil {
					t.Fatal(err)
				}
				defer l.Release()
			}
			before := folderState(t, root)
			var r runFolder
			_, err := r.create(tc.out, bad, io.Discard)
			r.end()
			if err == nil {
				t.Fatal("not refused")
			}
			if tc.hold && !errors.Is(err, runlock.ErrHeld) {
				t.Errorf("error %v, want %v", err, runlock.ErrHeld)
			}
			if after := folderState(t, root); !maps.Equal(before, after) {
				t.Errorf("refused (%v): the working folder went from %v to %v", err, slices.Sorted(maps.Keys(before)), slices.Sorted(maps.Keys(after)))
			}
		})
	}
}

// writeOrMkdir makes path, a folder if it ends in /, else a file.
func writeOrMkdir(t *testing.T, path string) {
	t.Helper()
	if strings.HasSuffix(path, "/") {
		if err := os.MkdirAll(path, 0o755); err != nil {
			t.Fatal(err)
		}
		return
	}
	writeFile(t, path, "keep")
}

// Runs started in the same second get folders of their own, and each says
// which folders it made: runs/ only the first time.
func TestNewRunDir(t *testing.T) {
	t.Chdir(t.TempDir())
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	want := [][]string{
		{"runs/mlp-20250304-050607", "runs"},
		{"runs/mlp-20250304-050607-2"},
		{"runs/mlp-20250304-050607-3"},
	}
	for _, w := range want {
		dir, made, err := newRunDir("mlp", now)
		if err != nil {
			t.Fatal(err)
		}
		for i := range w {
			w[i] = filepath.FromSlash(w[i])
		}
		if dir != w[0] || !reflect.DeepEqual(made, w) {
			t.Errorf("newRunDir made %s (%v), want %s (%v)", dir, made, w[0], w)
		}
	}
}
