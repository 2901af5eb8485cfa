package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

// TestExchangeDirs: renameat2's exchange swaps two folders, each whole.
func TestExchangeDirs(t *testing.T) {
	parent := t.TempDir()
	a, b := filepath.Join(parent, "a"), filepath.Join(parent, "b")
	makeDir(t, a, 0o700, "1.txt", "2.txt")
	makeDir(t, b, 0o755, "3.txt")
	skipWithoutExchange(t, parent)
	if err := exchangeDirs(a, b); err != nil {
		t.Fatal(err)
	}
	if got := contents(t, b); !reflect.DeepEqual(got, map[string]string{"1.txt": "old 1.txt", "2.txt": "old 2.txt"}) {
		t.Errorf("b holds %v, want a's files", got)
	}
	if got := contents(t, a); !reflect.DeepEqual(got, map[string]string{"3.txt": "old 3.txt"}) {
		t.Errorf("a holds %v, want b's files", got)
	}
	if fi, err := os.Stat(b); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("b's mode %v (%v), want a's 0700", fi.Mode().Perm(), err)
	}
	if err := exchangeDirs(a, filepath.Join(parent, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("exchange with a missing folder: %v, want no such file", err)
	}
}

// skipWithoutExchange skips the test where the file system of dir cannot
// exchange two folders in one step.
func skipWithoutExchange(t *testing.T, dir string) {
	t.Helper()
	a, b := filepath.Join(dir, ".probe-a"), filepath.Join(dir, ".probe-b")
	if err := errors.Join(os.Mkdir(a, 0o755), os.Mkdir(b, 0o755)); err != nil {
		t.Fatal(err)
	}
	err := exchangeDirs(a, b)
	if err := errors.Join(os.Remove(a), os.Remove(b)); err != nil {
		t.Fatal(err)
	}
	if errors.Is(err, errNoExchange) {
		t.Skipf("%s: %v", dir, err)
	}
}

// TestExchangeError: the errors that say exchanging is not available make
// replaceDir fall back to two renames; the others are errors.
func TestExchangeError(t *testing.T) {
	for _, errno := range []unix.Errno{unix.ENOSYS, unix.EINVAL, unix.EOPNOTSUPP, unix.EPERM} {
		if err := exchangeError(errno); err != errNoExchange {
			t.Errorf("%v gives %v, want errNoExchange", errno, err)
		}
	}
	for _, err := range []error{nil, unix.ENOENT, unix.EXDEV, unix.EIO, unix.ENOTEMPTY} {
		if got := exchangeError(err); got != err {
			t.Errorf("%v gives %v", err, got)
		}
	}
}

// TestWriteDirAlwaysThere: while WriteDir replaces a folder over and over, a
// reader finds a folder at path at every moment, holding one version whole.
// (With two renames it finds none between them.)
func TestWriteDirAlwaysThere(t *testing.T) {
	parent := t.TempDir()
	path := filepath.Join(parent, "out")
	skipWithoutExchange(t, parent)
	versions := [][]string{{"a.txt", "b.txt", "c.txt"}, {"d.txt", "e.txt", "f.txt", "g.txt"}}
	if err := WriteDir(path, ownedTxt, writeFiles(versions[0]...)); err != nil {
		t.Fatal(err)
	}
	var done atomic.Bool
	var wg sync.WaitGroup
	var problem error
	var seen int
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !done.Load() {
			ok, err := observe(path, versions)
			if err != nil {
				problem = err
				return
			}
			if ok {
				seen++
			}
		}
	}()
	for i := range 300 {
		if err := WriteDir(path, ownedTxt, writeFiles(versions[(i+1)%2]...)); err != nil {
			t.Error(err)
			break
		}
	}
	done.Store(true)
	wg.Wait()
	if problem != nil {
		t.Fatal(problem)
	}
	t.Logf("%d whole listings seen", seen)
	if got := ls(t, parent); !reflect.DeepEqual(got, []string{"out"}) {
		t.Errorf("%s holds %v, want only out", parent, got)
	}
}

// observe opens the folder at path and lists it. It returns an error when there
// is none, or when the listing is not one of versions while the folder listed
// was still the one at path (a folder replaced meanwhile is being removed, and
// its listing may be partial: ok is false then).
func observe(path string, versions [][]string) (ok bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("no folder at %s: %v", path, err)
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return false, nil
	}
	fi, err1 := f.Stat()
	at, err2 := os.Stat(path)
	if err2 != nil {
		return false, fmt.Errorf("no folder at %s: %v", path, err2)
	}
	if err1 != nil || !os.SameFile(fi, at) {
		return false, nil
	}
	slices.Sort(names)
	for _, v := range versions {
		if slices.Equal(names, v) {
			return true, nil
		}
	}
	return false, fmt.Errorf("%s held %v, neither version whole", path, names)
}
