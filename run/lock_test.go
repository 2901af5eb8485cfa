package run

import (
	"context"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/internal/atomicfile"
	"github.com/gogan/gogan/internal/runlock"
)

// folderState is what a folder holds: each path under it, with a file's
// content or "/" for a folder.
func folderState(t *testing.T, dir string) map[string]string {
	t.Helper()
	state := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			state[rel] = "/"
			return nil
		}
		b, err := os.ReadFile(path)
		state[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return state
}

// toyOptions are a 2-step run of mlp2d on ring8 into out.
func toyOptions(out string) Options {
	cfg := gan.DefaultConfig()
	cfg.Model, cfg.Data, cfg.Steps, cfg.Batch = "mlp2d", "ring8", 2, 64
	return Options{Config: cfg, Out: out, Log: io.Discard, Progress: io.Discard}
}

// A run refused after it took its folder's lock (a new run whose --out holds
// a file where a run keeps a folder, or a run; a resume refused for its
// settings, or for want of a checkpoint) leaves the folder as it found it:
// no lock file where there was none, and a stale one left in place.
func TestRefusedRunLeavesFolderAsFound(t *testing.T) {
	trained := filepath.Join(t.TempDir(), "trained")
	if _, err := Train(context.Background(), toyOptions(trained)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(trained, runlock.FileName)); err != nil {
		t.Fatal(err) // as in a run copied without its hidden files
	}
	evalEvery := toyOptions("")
	evalEvery.Resume, evalEvery.Config.Steps, evalEvery.Config.EvalEvery = trained, 10, 2
	evalEvery.ResumeOverrides = map[string]bool{"steps": true, "eval-every": true}
	for _, tc := range []struct {
		name  string
		files map[string]string // the folder's files before; nil: trained
		opts  func(dir string) Options
	}{
		{"new run, samples is a file", map[string]string{gan.SamplesDir: "keep"}, toyOptions},
		{"new run, over a run", map[string]string{filepath.Join(gan.CheckpointsDir, gan.LatestFile): "{}"}, toyOptions},
		// refused once it made samples/, checkpoints/ and config.json: metrics.jsonl cannot be read
		{"new run, metrics.jsonl is a folder", map[string]string{filepath.Join(gan.MetricsFile, "keep"): "keep"}, toyOptions},
		// refused once it set the earlier attempt's metrics.jsonl aside: config.json is a folder
		{"new run, restart, config.json is a folder", map[string]string{filepath.Join(gan.ConfigFile, "keep"): "keep", gan.MetricsFile: `{"step": 1}` + "\n"}, toyOptions},
		{"resume, no checkpoint", map[string]string{gan.ConfigFile: "{}"}, func(dir string) Options {
			return Options{Resume: dir, Log: io.Discard, Progress: io.Discard}
		}},
		{"resume, already at its last step", nil, func(string) Options {
			return Options{Resume: trained, Log: io.Discard, Progress: io.Discard}
		}},
		{"resume, --eval-every on points", nil, func(string) Options { return evalEvery }},
	} {
		for _, stale := range []bool{false, true} {
			dir := trained
			if tc.files != nil {
				dir = t.TempDir()
				for name, body := range tc.files {
					writeFile(t, filepath.Join(dir, name), body)
				}
			}
			lockFile := filepath.Join(dir, runlock.FileName)
			if stale {
				writeFile(t, lockFile, "12345\n")
			}
			before := folderState(t, dir)
			if _, err := Train(context.Background(), tc.opts(dir)); err == nil {
				t.Fatalf("%s: not refused", tc.name)
			}
			after := folderState(t, dir)
			if stale {
				after[runlock.FileName] = before[runlock.FileName] // it holds the refused process's pid now
			}
			if !maps.Equal(before, after) {
				t.Errorf("%s (stale lock file %v): the folder went from %v to %v", tc.name, stale, slices.Sorted(maps.Keys(before)), slices.Sorted(maps.Keys(after)))
			}
			os.Remove(lockFile)
		}
	}
}

// writeFile writes body to path, making its folder.
func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The run folder's lock keeps out other trainers, not every writer: gogan
// sample --out RUN/samples/x.png or gogan export --out RUN/g.onnx may be
// writing there, through a temporary file, when a resumed run takes the lock
// and removes the temporary files that a crash left. Those writes complete;
// a stale temporary file, which no write holds, is removed.
func TestResumeLeavesLiveWritesTemps(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "aix" {
		t.Skip("no flock here: a live write cannot be told from a stale one")
	}
	dir := filepath.Join(t.TempDir(), "run")
	if _, err := Train(context.Background(), toyOptions(dir)); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, gan.CheckpointsDir, ".latest.json.tmp-42")
	writeFile(t, stale, "partial")
	outputs := []string{filepath.Join(dir, "grid.png"), filepath.Join(dir, gan.SamplesDir, "x.png")}
	resumed := make(chan struct{})
	writing := make(chan string, len(outputs))
	errs := make(chan error, len(outputs))
	for _, out := range outputs {
		go func() {
			errs <- atomicfile.WriteFile(out, func(w io.Writer) error {
				writing <- out
				<-resumed // the write is under way while the run resumes
				_, err := io.WriteString(w, out)
				return err
			})
		}()
	}
	for range outputs {
		<-writing
	}
	opts := toyOptions("")
	opts.Resume, opts.Config.Steps, opts.ResumeOverrides = dir, 4, map[string]bool{"steps": true}
	_, err := Train(context.Background(), opts)
	close(resumed)
	if err != nil {
		t.Fatal(err)
	}
	for range outputs {
		if err := <-errs; err != nil {
			t.Errorf("a write under way in the run folder when it resumed: %v", err)
		}
	}
	for _, out := range outputs {
		if b, err := os.ReadFile(out); err != nil || string(b) != out {
			t.Errorf("%s holds %q, %v; want the write's", out, b, err)
		}
	}
	if _, err := os.Stat(stale); err == nil {
		t.Errorf("the stale temporary file %s is still there", stale)
	}
}
