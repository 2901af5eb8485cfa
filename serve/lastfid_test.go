package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// lastFIDWhole is lastFID as it was: reading every line of the log.
func lastFIDWhole(t *testing.T, log []byte) (*float64, *int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "metrics.jsonl")
	if err := os.WriteFile(path, log, 0o644); err != nil {
		t.Fatal(err)
	}
	lines, _, err := readLines(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(lines) - 1; i >= 0; i-- {
		var rec struct {
			FID  *float64 `json:"fid"`
			Step int      `json:"step"`
		}
		if json.Unmarshal(lines[i], &rec) == nil && rec.FID != nil {
			return rec.FID, &rec.Step
		}
	}
	return nil, nil
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r    *bytes.Reader
	read atomic.Int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.read.Add(int64(n))
	return n, err
}

func fidString(fid *float64, step *int) string {
	if fid == nil || step == nil {
		return fmt.Sprintf("%v %v", fid, step)
	}
	return fmt.Sprintf("fid %v at step %d", *fid, *step)
}

// lastFIDAt gives what reading the whole log gave, on logs of many blocks
// with blank, broken, overlong and unfinished lines.
func TestLastFIDMatchesWholeRead(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 24 {
		var log bytes.Buffer
		lines := rng.IntN(8000)
		for step := range lines {
			switch k := rng.IntN(100); {
			case k < 2:
				log.WriteString("\n")
			case k < 4:
				log.WriteString("{not json\n")
			case k < 5 && trial%4 == 0 && rng.IntN(30) == 0:
				log.WriteString(strings.Repeat("x", backMaxLine+rng.IntN(3*backBlock)) + "\n")
			case k < 5+trial%7:
				fmt.Fprintf(&log, "{\"step\":%d,\"fid\":%d.5,\"d_loss\":0.3}\n", step, step)
			default:
				fmt.Fprintf(&log, "{\"step\":%d,\"d_loss\":0.3,\"g_loss\":%d}\n", step, rng.IntN(1000))
			}
		}
		if trial%3 == 0 {
			log.WriteString(`{"step":999999,"fid":1.0`) // being written
		}
		wantFID, wantStep := lastFIDWhole(t, log.Bytes())
		gotFID, gotStep := lastFIDAt(bytes.NewReader(log.Bytes()), int64(log.Len()))
		if want, got := fidString(wantFID, wantStep), fidString(gotFID, gotStep); want != got {
			t.Errorf("trial %d (%d bytes): %s, want %s", trial, log.Len(), got, want)
		}
	}
}

// lastFIDAt reads a big log from its end only: the first 32 MiB here are
// not even lines, and are never read.
func TestLastFIDReadsTheEnd(t *testing.T) {
	var log bytes.Buffer
	log.Write(bytes.Repeat([]byte{0xff}, 32<<20))
	log.WriteString("\n")
	for step := range 3000 {
		if step%500 == 0 {
			fmt.Fprintf(&log, "{\"step\":%d,\"fid\":%d.25}\n", step, step)
		} else {
			fmt.Fprintf(&log, "{\"step\":%d,\"d_loss\":0.5,\"g_loss\":1.5,\"seconds\":0.01}\n", step)
		}
	}
	log.WriteString(`{"step":3000,"fid":`)
	r := &countingReader{r: bytes.NewReader(log.Bytes())}
	fid, step := lastFIDAt(r, int64(log.Len()))
	if got := fidString(fid, step); got != "fid 2500.25 at step 2500" {
		t.Errorf("got %s, want fid 2500.25 at step 2500", got)
	}
	if r.read.Load() > 4*backBlock {
		t.Errorf("read %d bytes of %d to find the last FID", r.read.Load(), log.Len())
	}
}

// lastFID follows a log that grows, and one started again.
func TestLastFIDFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.jsonl")
	if fid, step := lastFID(path); fid != nil || step != nil {
		t.Errorf("no file: %s", fidString(fid, step))
	}
	write := func(content string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("{\"step\":1,\"fid\":40}\n{\"step\":2}\n")
	if got := fidString(lastFID(path)); got != "fid 40 at step 1" {
		t.Errorf("got %s", got)
	}
	write("{\"step\":1,\"fid\":40}\n{\"step\":2}\n{\"step\":3,\"fid\":30.5}\n")
	if got := fidString(lastFID(path)); got != "fid 30.5 at step 3" {
		t.Errorf("after a new FID: got %s", got)
	}
	write("{\"step\":1}\n")
	if fid, step := lastFID(path); fid != nil || step != nil {
		t.Errorf("after a restart: %s", fidString(fid, step))
	}
}

// A stream lists the samples folder only when the folder's time changed (a sample
// renamed into place), or after rescanSamples.
func TestWatcherListsSamplesWhenChanged(t *testing.T) {
	run := t.TempDir()
	dir := filepath.Join(run, "samples")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string, at time.Time) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("png"), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(filepath.Join(dir, name), at, at)
	}
	t0 := time.Now().Add(-time.Hour)
	write("epoch-001.png", t0)
	wt := &watcher{dir: run}
	if f, _ := wt.newestSample(); f != "epoch-001.png" {
		t.Fatalf("first listing: %q", f)
	}
	wt.sample = "epoch-001.png"
	folder, _ := os.Stat(dir)
	write("epoch-002.png", t0.Add(time.Minute))
	os.Chtimes(dir, folder.ModTime(), folder.ModTime()) // as if the folder had not changed
	if f, _ := wt.newestSample(); f != "epoch-001.png" {
		t.Fatalf("the folder unchanged: listed again, found %q", f)
	}
	wt.listed = time.Now().Add(-rescanSamples)
	if f, _ := wt.newestSample(); f != "epoch-002.png" {
		t.Fatalf("after rescanSamples: %q, want epoch-002.png", f)
	}
	write("epoch-003.png", t0.Add(2*time.Minute)) // the folder's time changes
	if f, _ := wt.newestSample(); f != "epoch-003.png" {
		t.Fatalf("the folder changed: %q, want epoch-003.png", f)
	}
}

// A PNG in the samples folder that training does not write (one that gogan sample --out
// put there) is not shown as the run's latest grid, however new it is.
func TestNewestSampleOnlyTrainingGrids(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Now().Add(-time.Hour)
	for i, name := range []string{"epoch-001.png", "epoch-002.png", "mine.png", "epoch-best.png"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte("png"), 0o644); err != nil {
			t.Fatal(err)
		}
		at := t0.Add(time.Duration(i) * time.Minute)
		if err := os.Chtimes(path, at, at); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := newestSample(dir); got != "epoch-best.png" {
		t.Errorf("newest grid: %q, want epoch-best.png (a name the run counts as an epoch grid)", got)
	}
	if err := os.Remove(filepath.Join(dir, "epoch-best.png")); err != nil {
		t.Fatal(err)
	}
	if got, _ := newestSample(dir); got != "epoch-002.png" {
		t.Errorf("newest grid: %q, want epoch-002.png, not the newer mine.png", got)
	}
	final := filepath.Join(dir, "final.png")
	if err := os.WriteFile(final, []byte("png"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, _ := newestSample(dir); got != "final.png" {
		t.Errorf("newest grid: %q, want final.png", got)
	}
}
