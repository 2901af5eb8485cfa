package runlock

import (
	"errors"
	"fmt"
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

// Lock is a held lock on a folder.
type Lock struct {
	f *os.File // nil where flock is not available
}

// Acquire takes the lock on dir, which must exist, without waiting.
func Acquire(dir string) (*Lock, error) {
	path := filepath.Join(dir, FileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, unwrapPath(err))
	}
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
	// Best effort: the pid only makes the message above more useful.
	if f.Truncate(0) == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f}, nil
}

// Release lets the lock go. It may be called more than once.
func (l *Lock) Release() {
	if l != nil && l.f != nil {
		l.f.Close() // closing the last descriptor releases the flock
		l.f = nil
	}
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
