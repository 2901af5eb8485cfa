package runlock

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FileName is the lock file in a locked folder.
const FileName = ".gogan.lock"

// ErrHeld is wrapped by the error of Acquire when another process holds the lock.
var ErrHeld = errors.New("held by another process")

// heldError is Acquire's error when another process holds the lock: it is
// ErrHeld for errors.Is, with a message naming the folder and the holder.
type heldError struct{ msg string }

func (e heldError) Error() string      { return e.msg }
func (heldError) Is(target error) bool { return target == ErrHeld }

// errMoved is lockOpened's answer when the file it locked is no longer the
// one at the path (a holder's Discard removed it meanwhile): Acquire tries
// again with the file there now.
var errMoved = errors.New("lock file removed while it was being locked")

// maxTries bounds Acquire's tries; each past the first needs another process
// to have removed the file between this one's open and its lock.
const maxTries = 100

// Lock is a held lock on a folder.
type Lock struct {
	f       *os.File // the lock file, open; nil once released
	path    string
	created bool // Acquire made the file, so Discard removes it
}

// Acquire takes the lock on dir, which must exist, without waiting.
func Acquire(dir string) (*Lock, error) {
	path := filepath.Join(dir, FileName)
	for range maxTries {
		f, created, err := openLockFile(path)
		if errors.Is(err, errMoved) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", path, unwrapPath(err))
		}
		l, err := lockOpened(f, dir, path, created)
		if !errors.Is(err, errMoved) {
			return l, err
		}
	}
	return nil, fmt.Errorf("lock %s: the file was removed %d times while being locked", path, maxTries)
}

// openLockFile opens the lock file at path, creating it if missing; created
// reports that it did. A file removed between the two opens is errMoved.
func openLockFile(path string) (f *os.File, created bool, err error) {
	f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err == nil || !errors.Is(err, fs.ErrExist) {
		return f, err == nil, err
	}
	f, err = os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, errMoved
	}
	return f, false, err
}

// lockOpened takes the lock on f, the file opened at path in dir, and checks
// that f is still the file at path: a holder's Discard may have removed it
// after f was opened, and a lock on a removed file locks nothing (errMoved).
// f is closed unless the lock is returned.
func lockOpened(f *os.File, dir, path string, created bool) (*Lock, error) {
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if held {
		pid := readPID(f)
		f.Close()
		by := "another process"
		if pid > 0 {
			by = fmt.Sprintf("another gogan process (pid %d)", pid)
		}
		return nil, heldError{fmt.Sprintf("run folder %s is in use by %s", dir, by)}
	}
	if !isFileAt(f, path) {
		f.Close()
		return nil, errMoved
	}
	// Best effort: the pid only makes the message above more useful.
	if f.Truncate(0) == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f, path: path, created: created}, nil
}

// isFileAt reports whether f is the file that path names now.
func isFileAt(f *os.File, path string) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	at, err := os.Stat(path)
	return err == nil && os.SameFile(fi, at)
}

// Release lets the lock go. It may be called more than once.
func (l *Lock) Release() {
	if l != nil && l.f != nil {
		l.f.Close() // closing the last descriptor releases the flock
		l.f = nil
	}
}

// Discard lets the lock go as Release does, after removing the lock file if
// Acquire created it: for a lock taken for nothing (a run refused before it
// began), so that the folder is left as it was found. The file is removed
// while the lock is held, and only if it is still the one locked, so a lock
// file another process holds is never removed. It may be called more than
// once, and after Release (then it removes nothing).
func (l *Lock) Discard() {
	if l != nil && l.f != nil && l.created && isFileAt(l.f, l.path) {
		os.Remove(l.path)
	}
	l.Release()
}

// readPID reads the process id a holder wrote into f, or 0.
func readPID(f *os.File) int {
	b := make([]byte, 32)
	n, _ := f.ReadAt(b, 0)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b[:n])))
	if err != nil {
		return 0
	}
	return pid
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
