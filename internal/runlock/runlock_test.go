package runlock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestAcquireExcludesASecondHolder(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "aix" {
		t.Skip("no flock here: Acquire locks nothing")
	}
	dir := t.TempDir()
	first, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(dir) // another open file description: flock says no, even in one process
	want := fmt.Sprintf("run folder %s is in use by another gogan process (pid %d)", dir, os.Getpid())
	if !errors.Is(err, ErrHeld) || !strings.Contains(err.Error(), want) {
		t.Fatalf("second Acquire: %v, want ErrHeld and %q", err, want)
	}
	first.Release()
	first.Release() // twice is harmless
	again, err := Acquire(dir)
	if err != nil {
		t.Fatalf("after Release: %v", err)
	}
	again.Release()
}

// A lock file left by a killed process (garbage in it, even) is not a lock.
func TestStaleLockFileIgnored(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("not a pid"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil || strings.TrimSpace(string(b)) != fmt.Sprint(os.Getpid()) {
		t.Errorf("lock file holds %q (%v), want this process's id", b, err)
	}
}

func TestAcquireMissingFolder(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	if _, err := Acquire(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("error %v, want one naming %s", err, missing)
	}
}

// TestLockFileWaits: a second LockFile on the same file waits until the first
// is released.
func TestLockFileWaits(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "aix" {
		t.Skip("no flock here: LockFile locks nothing")
	}
	path := filepath.Join(t.TempDir(), "cache.lock")
	release, err := LockFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan struct{})
	go func() {
		r, err := LockFile(path)
		if err != nil {
			t.Error(err)
		} else {
			r()
		}
		close(got)
	}()
	select {
	case <-got:
		t.Fatal("a second LockFile did not wait for the first")
	case <-time.After(100 * time.Millisecond):
	}
	release()
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the second LockFile still waits after the first was released")
	}
	if _, err := LockFile(filepath.Join(t.TempDir(), "missing", "x.lock")); err == nil {
		t.Error("LockFile in a missing folder: no error")
	}
}

// Discard removes the lock file its Acquire created, and only that one: a
// stale file found in the folder stays, and Release removes nothing.
func TestDiscardLeavesTheFolderAsFound(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	l.Discard()
	l.Discard() // twice is harmless
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("after Discard the folder holds %v, want nothing", entries)
	}

	stale := filepath.Join(dir, FileName)
	if err := os.WriteFile(stale, []byte("12345\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if l, err = Acquire(dir); err != nil {
		t.Fatal(err)
	}
	l.Discard()
	if _, err := os.Stat(stale); err != nil {
		t.Errorf("Discard removed a lock file it found: %v", err)
	}

	other := t.TempDir()
	if l, err = Acquire(other); err != nil {
		t.Fatal(err)
	}
	l.Release()
	l.Discard() // after Release: nothing to remove
	if _, err := os.Stat(filepath.Join(other, FileName)); err != nil {
		t.Errorf("Release, then Discard, removed the lock file: %v", err)
	}
}

// A process that opened the lock file before another's Discard removed it
// does not hold the folder with a lock on the removed file; and Discard
// never removes a file that another process locked in its place.
func TestDiscardRaces(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "aix" {
		t.Skip("no flock here: Acquire locks nothing")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	a, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	f, created, err := openLockFile(path) // a second process opens the file a holds...
	if err != nil || created {
		t.Fatalf("openLockFile: created %v, %v", created, err)
	}
	a.Discard()            // ...a is refused and removes it...
	c, err := Acquire(dir) // ...a third process makes a new one and holds it...
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockOpened(f, dir, path, false); !errors.Is(err, errMoved) { // ...and the second must not hold the folder too
		t.Fatalf("locking the removed file: %v, want errMoved", err)
	}
	if _, err := Acquire(dir); !errors.Is(err, ErrHeld) {
		t.Fatalf("Acquire while the third process holds the new file: %v, want ErrHeld", err)
	}

	// c's file replaced behind its back (by hand), then locked by d:
	// c's Discard leaves d's file.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	d, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Release()
	c.Discard()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("Discard removed the lock file another process holds: %v", err)
	}
	if _, err := Acquire(dir); !errors.Is(err, ErrHeld) {
		t.Errorf("after the other's Discard: %v, want ErrHeld", err)
	}
}
