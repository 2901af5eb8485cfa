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
