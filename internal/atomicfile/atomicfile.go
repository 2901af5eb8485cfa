package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
)

// Perm is the permission of a file WriteFile creates; a file it replaces keeps its own.
const Perm fs.FileMode = 0o644

// bufSize is the size of the buffer between write and the temporary file. Larger writes
// go straight through.
const bufSize = 1 << 16

// Error is the error WriteFile returns. Its message is one line, "write PATH: STEP: CAUSE"
// (or "write PATH: CAUSE" without a step), and names the destination once, never the
// temporary file.
type Error struct {
	Path string // the destination, as given to WriteFile
	// Step is what failed: "create temp file", "write temp file", "chmod temp file",
	// "fsync temp file", "close temp file", "rename temp file" or "fsync folder (the new
	// file is in place)". It is "" when path was refused or write returned an error.
	Step string
	// Err is the cause: write's error as returned, or, for the steps WriteFile takes
	// itself, the reason without the *fs.PathError or *os.LinkError around it (whose
	// operation and temporary file name would only repeat Step).
	Err error
}

// Error says which file, which step and why: "write PATH: STEP: CAUSE".
func (e *Error) Error() string {
	if e.Step == "" {
		return "write " + e.Path + ": " + e.Err.Error()
	}
	return "write " + e.Path + ": " + e.Step + ": " + e.Err.Error()
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// WriteFile calls write with a buffered writer on a temporary file beside path, then
// flushes, fsyncs, closes and renames the temporary file onto path, and fsyncs the folder,
// so that readers see either the old file or the new one, never a mix. write need not
// buffer. A new file gets mode Perm; a file it replaces keeps its permission bits. A path
// that names a folder or another non-regular file is refused before anything is written,
// and so is a write-protected file (one whose mode lets no one write it, or that this
// process may not open for writing): its error wraps fs.ErrPermission and says "is
// write-protected", and the file is left as it is.
//
// What a call cut short by a crash or kill -9 left beside path, the next call for path
// removes first. To tell it from what a call still under way writes, WriteFile holds a
// flock(2) on its temporary file until it returns, which the kernel drops when the
// process ends in any way: a temporary file of path whose lock can be taken is stale and
// removed, one whose lock is held is left. Where files cannot be locked (Windows, AIX,
// NFS mounts) temporary files are left, as no process can tell a stale one from one
// being written (RemoveTemps removes them for a caller who knows).
//
// On any error, and if write panics, the temporary file is removed and path is left as it
// was (the panic goes on). The error is an *Error.
func WriteFile(path string, write func(w io.Writer) error) error {
	dir, base := filepath.Split(path)
	if base == "" {
		if fi, err := os.Stat(path); err == nil && fi.IsDir() {
			return &Error{Path: path, Err: errors.New("is a folder, not a regular file")}
		}
		return &Error{Path: path, Err: errors.New("ends in a path separator, which names a folder, not a file")}
	}
	if dir == "" {
		dir = "."
	}
	mode := Perm
	if fi, err := os.Stat(path); err == nil { // other errors show up when creating the temp file
		switch {
		case fi.IsDir():
			return &Error{Path: path, Err: errors.New("is a folder, not a regular file")}
		case !fi.Mode().IsRegular():
			return &Error{Path: path, Err: errors.New("not a regular file")}
		}
		if err := checkWritable(path, fi); err != nil {
			return &Error{Path: path, Err: err}
		}
		mode = fi.Mode().Perm()
	}

	removeStaleTempFiles(dir, base)
	f, lock, err := createTemp(dir, base)
	if err != nil {
		return stepError(path, "create temp file", err)
	}
	if lock != nil {
		defer lock.Close() // after the deferred removal below, and after the rename
	}
	tmp := f.Name()
	renamed := false
	defer func() { // on any error, and if write panics
		if !renamed {
			f.Close()
			os.Remove(tmp)
		}
	}()

	bw := bufio.NewWriterSize(f, bufSize)
	if err := write(bw); err != nil {
		return &Error{Path: path, Err: err}
	}
	if err := bw.Flush(); err != nil {
		return stepError(path, "write temp file", err)
	}
	if err := f.Chmod(mode); err != nil {
		return stepError(path, "chmod temp file", err)
	}
	if err := f.Sync(); err != nil {
		return stepError(path, "fsync temp file", err)
	}
	if err := f.Close(); err != nil {
		return stepError(path, "close temp file", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return stepError(path, "rename temp file", err)
	}
	renamed = true
	if err := syncDir(dir); err != nil {
		return stepError(path, "fsync folder (the new file is in place)", err)
	}
	return nil
}

// checkWritable refuses to replace the file at path (fi is its Stat) when it could
// not be written in place: its permission bits let no one write it (chmod a-w, which
// root could still write), or this process may not open it for writing. The rename
// needs only the folder's permission, so without this a write-protected file would
// be replaced. The error wraps fs.ErrPermission.
func checkWritable(path string, fi fs.FileInfo) error {
	if fi.Mode().Perm()&0o222 == 0 {
		return fmt.Errorf("is write-protected (%v): %w", fi.Mode().Perm(), fs.ErrPermission)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0) // neither truncates nor creates
	if errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("is write-protected: %w", fs.ErrPermission)
	}
	if err == nil {
		f.Close()
	}
	return nil
}

// stepError is the *Error for a step WriteFile takes itself. It drops the *fs.PathError or
// *os.LinkError around the cause: their operation says what Step says, and their paths are
// the temporary file's.
func stepError(path, step string, err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &le):
		err = le.Err
	}
	return &Error{Path: path, Step: step, Err: err}
}

// syncDir makes a rename in dir durable. Where the system cannot fsync a folder (Windows
// cannot open one for it; some file systems answer EINVAL or "not supported") there is
// nothing more to do, and that is not an error.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, errors.ErrUnsupported) {
		return nil
	}
	return err
}

// TempPattern is the glob pattern of the temporary files WriteFile creates (in the
// destination's folder): "." + base + ".tmp-" + a random suffix.
const TempPattern = ".*.tmp-*"

// RemoveTemps deletes the temporary files that WriteFile calls cut short by a crash or
// kill -9 left in dir, and returns their paths. Only regular files whose names match
// TempPattern are removed, and of those only the stale ones: a temporary file whose
// flock(2) another open file holds is being written by a WriteFile under way, in this
// process or another, and is left to it (removed, its writer's rename would fail);
// so is one that cannot be opened to take its lock (another user's).
// Where files cannot be locked (Windows, AIX, NFS mounts) no process can tell the two
// apart and every one is removed: the caller must then know that no WriteFile into dir
// is under way. gogan train calls it holding the run folder's lock, which keeps out
// other trainers but not gogan sample, export or bench writing an output there.
func RemoveTemps(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		if ok, _ := filepath.Match(TempPattern, e.Name()); !ok || !e.Type().IsRegular() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		gone, err := removeTemp(p)
		if err != nil {
			return removed, err
		}
		if gone {
			removed = append(removed, p)
		}
	}
	return removed, nil
}

// removeTemp removes the temporary file tmp for RemoveTemps, unless a live
// WriteFile holds its lock; gone reports that it did. A file removed meanwhile
// is not an error, and neither is one that cannot be opened to take its lock
// (another user's, or no descriptor left): whether a write holds it cannot be
// told, so it is left, as WriteFile leaves it.
func removeTemp(tmp string) (gone bool, err error) {
	lock, state, err := lockPath(tmp)
	switch {
	case err != nil:
		return false, nil
	case state == lockHeld:
		return false, nil
	case state == locked:
		defer lock.Close()
		if !isAt(lock, tmp) {
			return false, nil // replaced since it was listed: by a new writer, which holds it
		}
	}
	// Locked by this call, or no one can tell (files cannot be locked): the
	// caller knows.
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	return true, nil
}
