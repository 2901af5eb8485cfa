package run

import (
	"context"
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

	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/gan"
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
		{"a run that stopped before its first checkpoint", []string{"a/run/config.json", "a/run/metrics.jsonl"}, "a/run", false},
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

// A new run in a folder whose run stopped before its first checkpoint starts
// it again, and keeps what the earlier attempt wrote: its config.json (the
// flags it was started with, which the restart may change) and its
// metrics.jsonl, as config.attempt-N.json and metrics.attempt-N.jsonl, N
// after those of earlier restarts. The folder's config.json is the new run's,
// the config of its checkpoint.
func TestRestartKeepsEarlierAttempt(t *testing.T) {
	earlier := `{"model": "mlp2d", "lr": 0.5}` + "\n"
	lines := `{"step": 5, "d_loss": "NaN"}` + "\n"
	for _, tc := range []struct {
		name   string
		before map[string]string // the folder's files
		kept   map[string]string // files after: earlier attempts
	}{
		{"config and metrics", map[string]string{gan.ConfigFile: earlier, gan.MetricsFile: lines},
			map[string]string{"config.attempt-1.json": earlier, "metrics.attempt-1.jsonl": lines}},
		{"config alone", map[string]string{gan.ConfigFile: earlier},
			map[string]string{"config.attempt-1.json": earlier}},
		{"after a restart", map[string]string{gan.ConfigFile: earlier, gan.MetricsFile: lines, "metrics.attempt-1.jsonl": "first"},
			map[string]string{"metrics.attempt-1.jsonl": "first", "config.attempt-2.json": earlier, "metrics.attempt-2.jsonl": lines}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tc.before {
				writeFile(t, filepath.Join(dir, name), body)
			}
			opts := toyOptions(dir)
			var log strings.Builder
			opts.Log = &log
			if _, err := Train(context.Background(), opts); err != nil {
				t.Fatal(err)
			}
			for name, body := range tc.kept {
				if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(b) != body {
					t.Errorf("%s holds %q, %v; want the earlier attempt's %q", name, b, err, body)
				}
			}
			var config gan.Config
			var state struct{ Config gan.Config }
			if err := checkpoint.ReadJSON(filepath.Join(dir, gan.ConfigFile), &config); err != nil {
				t.Fatal(err)
			}
			if err := checkpoint.ReadJSON(filepath.Join(dir, gan.CheckpointsDir, gan.LatestFile), &state); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(config, state.Config) {
				t.Errorf("config.json holds %+v, the checkpoint's config is %+v", config, state.Config)
			}
			for name := range tc.kept {
				if _, ok := tc.before[name]; !ok && !strings.Contains(log.String(), name) {
					t.Errorf("the log does not name %s:\n%s", name, log.String())
				}
			}
		})
	}
}

// TestSetAsideLookupFails: an attempt's name that cannot be looked up is an
// error of the restart, where it was taken for a name in use, for every
// number, and the restart never ended. Here the earlier attempt's config.json
// lies at a path that fits in PATH_MAX (4,096 bytes with its NUL) and
// config.attempt-1.json's does not: Lstat says "file name too long".
func TestSetAsideLookupFails(t *testing.T) {
	dir := t.TempDir()
	for want := 4095 - len("/config.json"); len(dir) < want; {
		dir = filepath.Join(dir, strings.Repeat("d", min(200, want-len(dir)-1)))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Skipf("cannot make a folder at a path of %d bytes: %v", len(dir), err)
	}
	writeFile(t, filepath.Join(dir, gan.ConfigFile), `{"model": "mlp2d"}`)
	done := make(chan error, 1)
	go func() {
		var r runFolder
		_, err := r.setAside(dir)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "file name too long") {
			t.Errorf("setAside: %v, want the lookup's error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("setAside did not return within 10 s")
	}
	if _, err := os.Stat(filepath.Join(dir, gan.ConfigFile)); err != nil {
		t.Errorf("the earlier attempt's config.json: %v", err)
	}
}
