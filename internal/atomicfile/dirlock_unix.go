//go:build unix && !aix

package atomicfile

import (
	"errors"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// lockPath opens the folder or file at path (read-only) and takes an exclusive
// flock(2) on it without waiting. The lock is the open folder's or file's: closing
// f releases it, and so does the end of the process, kill -9 included; another
// descriptor of the same file, closed, does not. state is lockHeld, f nil, when
// another open folder or file holds the lock (another process, or another call in
// this one), and lockUnavailable, f nil, when the file system cannot lock (flock
// fails otherwise: an NFS mount answers EBADF). err is os.Open's. A file that
// may be written but not read (WriteFile gives its temporary file the
// destination's mode, which may be 0o200, before the rename) is opened for
// writing: flock(2) takes any descriptor.
func lockPath(path string) (f *os.File, state lockState, err error) {
	f, err = os.Open(path)
	if errors.Is(err, fs.ErrPermission) {
		if w, werr := os.OpenFile(path, os.O_WRONLY, 0); werr == nil { // neither truncates nor creates
			f, err = w, nil
		}
	}
	if err != nil {
		return nil, lockUnavailable, err
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	switch {
	case err == nil:
		return f, locked, nil
	case errors.Is(err, unix.EWOULDBLOCK):
		f.Close()
		return nil, lockHeld, nil
	}
	f.Close()
	return nil, lockUnavailable, nil
}
