//go:build unix && !aix

package atomicfile

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestWriteFileRemovesStaleTemps: WriteFile removes the temporary files of the
// same file that no live call holds; it leaves one a live call holds, those of
// other files, names that os.CreateTemp does not make, and WriteDir's folders.
func TestWriteFileRemovesStaleTemps(t *testing.T) {
	parent := t.TempDir()
	path := filepath.Join(parent, "out.bin")
	for _, name := range []string{".out.bin.tmp-11", ".out.bin.tmp-33", ".other.tmp-44", ".out.bin.tmp-5.tmp-6", ".out.bin.tmp-x1", ".out.bin.tmp-"} {
		if err := os.WriteFile(filepath.Join(parent, name), []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	makeDir(t, filepath.Join(parent, ".out.bin.tmp-77"), 0o755, "a.txt")
	live, state, err := lockPath(filepath.Join(parent, ".out.bin.tmp-33")) // as a call under way holds it
	if err != nil || state != locked {
		t.Fatalf("lockPath: %v %v", state, err)
	}
	defer live.Close()
	if err := WriteFile(path, writeString("new")); err != nil {
		t.Fatal(err)
	}
	want := []string{".other.tmp-44", ".out.bin.tmp-", ".out.bin.tmp-33", ".out.bin.tmp-5.tmp-6", ".out.bin.tmp-77", ".out.bin.tmp-x1", "out.bin"}
	if got := ls(t, parent); !reflect.DeepEqual(got, want) {
		t.Errorf("%s holds %v, want %v", parent, got, want)
	}
}

// TestWriteFileLeavesLiveTemp: a WriteFile of the same file made while another is
// in its write (here from within it) leaves the other's temporary file, and both
// complete, the later rename last.
func TestWriteFileLeavesLiveTemp(t *testing.T) {
	parent := t.TempDir()
	path := filepath.Join(parent, "out.bin")
	err := WriteFile(path, func(w io.Writer) error {
		if err := WriteFile(path, writeString("inner")); err != nil {
			return err
		}
		_, err := io.WriteString(w, "outer")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "outer" {
		t.Errorf("%s holds %q, %v; want the outer call's", path, b, err)
	}
	if got := ls(t, parent); !reflect.DeepEqual(got, []string{"out.bin"}) {
		t.Errorf("%s holds %v, want only out.bin", parent, got)
	}
}

// fileChildEnv names the file a child process of TestWriteFileAfterKill writes.
const fileChildEnv = "ATOMICFILE_TEST_WRITEFILE_CHILD"

// TestWriteFileAfterKill: a WriteFile in another process, under way, keeps its
// temporary file when this one writes the same file; once that process is
// killed (kill -9), the next WriteFile removes it, as gogan export --out
// model.onnx or gogan sample --out x.png does after one of them was killed.
func TestWriteFileAfterKill(t *testing.T) {
	if path := os.Getenv(fileChildEnv); path != "" {
		writeFileForever(path)
		return
	}
	parent := t.TempDir()
	path := filepath.Join(parent, "out.bin")
	child := startWriter(t, "TestWriteFileAfterKill", fileChildEnv, path)
	temps, _ := filepath.Glob(filepath.Join(parent, ".out.bin.tmp-*"))
	if len(temps) != 1 {
		t.Fatalf("the writer has %v, want one temporary file", temps)
	}
	if err := WriteFile(path, writeString("a")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(temps[0]); err != nil {
		t.Errorf("the live writer's temporary file was removed: %v", err)
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	if err := WriteFile(path, writeString("b")); err != nil {
		t.Fatal(err)
	}
	if got := ls(t, parent); !reflect.DeepEqual(got, []string{"out.bin"}) {
		t.Errorf("after the writer was killed %s holds %v, want only out.bin", parent, got)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "b" {
		t.Errorf("%s holds %q, %v; want the last write's", path, b, err)
	}
}

// writeFileForever is the child process: a WriteFile of path whose write writes,
// says "writing" and never returns.
func writeFileForever(path string) {
	WriteFile(path, func(w io.Writer) error {
		if _, err := io.WriteString(w, "partial"); err != nil {
			return err
		}
		os.Stdout.WriteString("writing\n")
		for {
			time.Sleep(time.Hour) // until killed (select {} would end it: all goroutines asleep)
		}
	})
}

// removeTempsChildEnv names the file a child process of
// TestRemoveTempsLeavesLiveTemps writes.
const removeTempsChildEnv = "ATOMICFILE_TEST_REMOVETEMPS_CHILD"

// TestRemoveTempsLeavesLiveTemps: RemoveTemps, as gogan train calls it on a
// run folder, removes a stale temporary file but leaves those of writes under
// way, in this process and in another (gogan sample --out RUN/x.png), which
// then complete; once the other process is killed, its temporary file is
// stale and removed.
func TestRemoveTempsLeavesLiveTemps(t *testing.T) {
	if path := os.Getenv(removeTempsChildEnv); path != "" {
		writeFileForever(path)
		return
	}
	parent := t.TempDir()
	stale := filepath.Join(parent, ".latest.json.tmp-12")
	if err := os.WriteFile(stale, []byte("partial"), 0o600); err != nil {
		t.Fatal(err)
	}
	child := startWriter(t, "TestRemoveTempsLeavesLiveTemps", removeTempsChildEnv, filepath.Join(parent, "other.png"))
	theirs, _ := filepath.Glob(filepath.Join(parent, ".other.png.tmp-*"))
	if len(theirs) != 1 {
		t.Fatalf("the writer has %v, want one temporary file", theirs)
	}
	path := filepath.Join(parent, "grid.png")
	err := WriteFile(path, func(w io.Writer) error {
		removed, err := RemoveTemps(parent) // while this write's temporary file is open
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(removed, []string{stale}) {
			t.Errorf("RemoveTemps during two live writes removed %v, want only %s", removed, stale)
		}
		_, err = io.WriteString(w, "grid")
		return err
	})
	if err != nil {
		t.Fatalf("the write under way when RemoveTemps ran: %v", err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "grid" {
		t.Errorf("%s holds %q, %v; want the write's", path, b, err)
	}
	if _, err := os.Stat(theirs[0]); err != nil {
		t.Errorf("the other process's live temporary file was removed: %v", err)
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	if removed, err := RemoveTemps(parent); err != nil || !reflect.DeepEqual(removed, theirs) {
		t.Errorf("after the writer was killed RemoveTemps removed %v, %v; want %v", removed, err, theirs)
	}
	if got := ls(t, parent); !reflect.DeepEqual(got, []string{"grid.png"}) {
		t.Errorf("%s holds %v, want only grid.png", parent, got)
	}
}

// TestRemoveTempsUnreadableTemps: a temporary file that this process may write
// but not read (WriteFile gives it the mode of a destination of mode 0o200
// before its rename) is locked all the same: RemoveTemps leaves it while a
// live write holds its lock, and removes it once stale. As root every file
// can be read, and there is nothing to test.
func TestRemoveTempsUnreadableTemps(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads files whatever their mode")
	}
	parent := t.TempDir()
	live, stale := filepath.Join(parent, ".out.bin.tmp-1"), filepath.Join(parent, ".out.bin.tmp-2")
	for _, p := range []string{live, stale} {
		if err := os.WriteFile(p, []byte("partial"), 0o200); err != nil {
			t.Fatal(err)
		}
	}
	held, err := os.OpenFile(live, os.O_WRONLY, 0) // as the live WriteFile holds it
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := unix.Flock(int(held.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		t.Skipf("files cannot be locked here: %v", err)
	}
	removed, err := RemoveTemps(parent)
	if err != nil || !reflect.DeepEqual(removed, []string{stale}) {
		t.Errorf("RemoveTemps removed %v, %v; want only the stale %s", removed, err, stale)
	}
	if _, err := os.Lstat(live); err != nil {
		t.Errorf("the live write's temporary file was removed: %v", err)
	}
}
