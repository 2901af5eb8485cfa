//go:build unix && !aix

package atomicfile

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// TestWriteDirRemovesStaleTemps: WriteDir removes the temporary folders of the
// same folder that no live call holds, and a ".old" whose temporary folder is
// gone; it leaves one a live call holds (with its ".old"), those of other
// folders, and files.
func TestWriteDirRemovesStaleTemps(t *testing.T) {
	parent := t.TempDir()
	path := filepath.Join(parent, "out")
	makeDir(t, path, 0o755, "a.txt")
	for _, name := range []string{".out.tmp-11", ".out.tmp-22.old", ".out.tmp-33", ".out.tmp-33.old", ".other.tmp-44", ".out.tmp-5.tmp-6"} {
		makeDir(t, filepath.Join(parent, name), 0o755, "b.txt")
	}
	if err := os.WriteFile(filepath.Join(parent, ".out.tmp-77"), []byte("a file"), 0o644); err != nil {
		t.Fatal(err)
	}
	live, state, err := lockPath(filepath.Join(parent, ".out.tmp-33")) // as a call under way holds it
	if err != nil || state != locked {
		t.Fatalf("lockPath: %v %v", state, err)
	}
	defer live.Close()
	if err := WriteDir(path, ownedTxt, writeFiles("c.txt")); err != nil {
		t.Fatal(err)
	}
	want := []string{".other.tmp-44", ".out.tmp-33", ".out.tmp-33.old", ".out.tmp-5.tmp-6", ".out.tmp-77", "out"}
	if got := ls(t, parent); !reflect.DeepEqual(got, want) {
		t.Errorf("%s holds %v, want %v", parent, got, want)
	}
	if got := contents(t, filepath.Join(parent, ".out.tmp-33.old")); !reflect.DeepEqual(got, map[string]string{"b.txt": "old b.txt"}) {
		t.Errorf("the live call's old folder holds %v", got)
	}
}

// TestWriteDirRestoresOldFolder: a call killed between moveAside's two renames
// left the old folder under ".old" and nothing at path: the next call puts the
// old folder back before anything else, so that a failed write leaves it there.
// Where something is at path again, both are removed.
func TestWriteDirRestoresOldFolder(t *testing.T) {
	for _, atPath := range []bool{false, true} {
		parent := t.TempDir()
		path := filepath.Join(parent, "out")
		makeDir(t, filepath.Join(parent, ".out.tmp-9"), 0o755, "new.txt")
		makeDir(t, filepath.Join(parent, ".out.tmp-9.old"), 0o755, "old.txt")
		want := map[string]string{"old.txt": "old old.txt"}
		if atPath {
			makeDir(t, path, 0o755, "later.txt")
			want = map[string]string{"later.txt": "old later.txt"}
		}
		if err := WriteDir(path, ownedTxt, func(string) error { return errBoom }); !errors.Is(err, errBoom) {
			t.Fatalf("error %v, want %v", err, errBoom)
		}
		if got := ls(t, parent); !reflect.DeepEqual(got, []string{"out"}) {
			t.Errorf("something at path %v: %s holds %v, want only out", atPath, parent, got)
		}
		if got := contents(t, path); !reflect.DeepEqual(got, want) {
			t.Errorf("something at path %v: %s holds %v, want %v", atPath, path, got, want)
		}
	}
}

// childEnv names the folder a child process of TestWriteDirAfterKill writes.
const childEnv = "ATOMICFILE_TEST_WRITEDIR_CHILD"

// TestWriteDirAfterKill: a WriteDir in another process, under way, keeps its
// temporary folder when this one writes the same folder; once that process is
// killed (kill -9), the next WriteDir removes it.
func TestWriteDirAfterKill(t *testing.T) {
	if path := os.Getenv(childEnv); path != "" {
		writeForever(path)
		return
	}
	parent := t.TempDir()
	path := filepath.Join(parent, "out")
	child := startWriter(t, "TestWriteDirAfterKill", childEnv, path)
	temps, _ := filepath.Glob(filepath.Join(parent, ".out.tmp-*"))
	if len(temps) != 1 {
		t.Fatalf("the writer has %v, want one temporary folder", temps)
	}
	if err := WriteDir(path, ownedTxt, writeFiles("a.txt")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(temps[0]); err != nil {
		t.Errorf("the live writer's temporary folder was removed: %v", err)
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	if err := WriteDir(path, ownedTxt, writeFiles("b.txt")); err != nil {
		t.Fatal(err)
	}
	if got := ls(t, parent); !reflect.DeepEqual(got, []string{"out"}) {
		t.Errorf("after the writer was killed %s holds %v, want only out", parent, got)
	}
}

// startWriter starts this test's binary as a process that runs test with env set
// to path, which writes path and never ends, and returns once it is writing.
func startWriter(t *testing.T, test, env, path string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(os.Environ(), env+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ready := make(chan bool)
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			if s.Text() == "writing" {
				ready <- true
				return
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("the writer ended before it wrote")
		}
	case <-time.After(time.Minute):
		t.Fatal("the writer did not start writing within a minute")
	}
	return cmd
}

// writeForever is the child process: a WriteDir of path whose write writes a
// file, says "writing" and never returns.
func writeForever(path string) {
	WriteDir(path, ownedTxt, func(dir string) error {
		if err := writeFiles("partial.txt")(dir); err != nil {
			return err
		}
		os.Stdout.WriteString("writing\n")
		for {
			time.Sleep(time.Hour) // until killed (select {} would end it: all goroutines asleep)
		}
	})
}
