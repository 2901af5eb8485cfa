package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// DirPerm is the permission of a folder WriteDir creates; a folder it replaces keeps its own.
const DirPerm fs.FileMode = 0o755

// WriteDir writes a folder whole or not at all. It calls write with the path of a new,
// empty temporary folder beside path ("." + base + ".tmp-*"), fsyncs that folder, puts it
// in path's place and fsyncs the parent folder. write must fsync the files it writes there.
// The parent folder must exist. A path that is a link to a folder replaces that folder;
// a link to nothing is refused.
//
// A folder already at path is replaced only when every entry in it is a regular file that
// owned accepts by name (nil accepts none: only an empty folder), and neither the folder nor
// any of them is write-protected; otherwise WriteDir refuses before calling write, naming
// the entry, so that it never deletes what it would not have written. The new folder gets
// the old one's permission bits, or DirPerm.
//
// On Linux the old folder and the new one are exchanged in one step (renameat2 with
// RENAME_EXCHANGE), and the old one, now under the temporary name, is removed: path names
// the old folder or the new one, whole, at every moment, and a crash leaves one of them
// there (and the other under the temporary name). Where that is not available (other
// systems, a file system or kernel without it) the old folder is renamed aside ("." + base
// + ".tmp-*.old"), the new one into its place, and the old one removed: a crash between
// the two renames leaves no folder at path and the old one, whole, under that name.
//
// What a call cut short by a crash or kill -9 left beside path, the next call for path
// removes first. To tell it from what a call still under way writes, WriteDir holds a
// flock(2) on its temporary folder until it returns, which the kernel drops when the
// process ends in any way: a temporary folder whose lock can be taken is stale and
// removed; a ".old" folder whose temporary folder is gone was to be removed, and is; a
// ".old" beside a stale temporary folder is of a call killed between the two renames, and
// goes back to path if nothing is there (else it is removed). Such folders hold only what
// a WriteDir of path wrote, or would have deleted. Where folders cannot be locked
// (Windows, AIX, NFS mounts) temporary folders are left, as no process can tell a stale
// one from one being written; removing them is then the caller's decision.
//
// On any error, and if write panics, the temporary folder is removed and path is left as
// it was (the panic goes on). The error is an *Error, its Step one of "create temp folder",
// "chmod temp folder", "fsync temp folder", "exchange temp folder with old folder", "move
// old folder aside", "rename temp folder", "fsync folder (the new folder is in place)" or
// "remove old folder (the new folder is in place)"; it wraps write's error as returned.
func WriteDir(path string, owned func(name string) bool, write func(dir string) error) error {
	target, err := resolveDir(path)
	if err != nil {
		return &Error{Path: path, Err: err}
	}
	removeStaleTemps(target)
	mode, exists, err := checkDir(target, owned)
	if err != nil {
		return &Error{Path: path, Err: err}
	}
	parent := filepath.Dir(target)
	tmp, lock, err := makeTempDir(parent, filepath.Base(target))
	if err != nil {
		return stepError(path, "create temp folder", err)
	}
	if lock != nil {
		defer lock.Close() // after the deferred removal below
	}
	placed := false
	defer func() { // on any error, and if write panics
		if !placed {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, mode); err != nil {
		return stepError(path, "chmod temp folder", err)
	}
	if err := write(tmp); err != nil {
		return &Error{Path: path, Err: err}
	}
	if err := syncDir(tmp); err != nil {
		return stepError(path, "fsync temp folder", err)
	}
	old, err := replaceDir(path, tmp, target, exists)
	if err != nil {
		return err
	}
	placed = true
	if err := syncDir(parent); err != nil {
		return stepError(path, "fsync folder (the new folder is in place)", err)
	}
	if old == "" {
		return nil
	}
	if err := os.RemoveAll(old); err != nil {
		return stepError(path, "remove old folder (the new folder is in place)", err)
	}
	return nil
}

// resolveDir is the folder that WriteDir(path) replaces: path cleaned, or the
// folder a link there names. A link to nothing is refused, as there is no folder
// to write whole beside it.
func resolveDir(path string) (target string, err error) {
	target = filepath.Clean(path)
	if base := filepath.Base(target); base == "." || base == ".." || base == string(filepath.Separator) {
		return "", errors.New("names no folder that can be replaced: give the folder by its name")
	}
	fi, err := os.Lstat(target)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return target, nil // checkDir says what is wrong
	}
	real, err := filepath.EvalSymlinks(target)
	if err != nil {
		dest, _ := os.Readlink(target)
		return "", fmt.Errorf("is a link to %s: %w", dest, PathCause(err))
	}
	return real, nil
}

// checkDir checks what is at target for WriteDir: nothing, or a folder that may be
// replaced. It returns the mode of the new folder, and whether a folder is there.
func checkDir(target string, owned func(string) bool) (mode fs.FileMode, exists bool, err error) {
	fi, err := os.Lstat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return DirPerm, false, nil
	case err != nil:
		return 0, false, PathCause(err)
	case !fi.IsDir():
		return 0, false, errors.New("is not a folder")
	case fi.Mode().Perm()&0o222 == 0:
		return 0, false, fmt.Errorf("is write-protected (%v): %w", fi.Mode().Perm(), fs.ErrPermission)
	}
	return fi.Mode().Perm(), true, checkEntries(target, owned)
}

// checkEntries returns an error naming the first entry of dir that WriteDir may not
// delete: one that owned does not accept, is not a regular file, or is write-protected.
func checkEntries(dir string, owned func(string) bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return PathCause(err)
	}
	for _, e := range entries {
		if owned == nil || !owned(e.Name()) || !e.Type().IsRegular() {
			return fmt.Errorf("holds %s, which replacing the folder would delete: only a folder of nothing but earlier output is replaced (give an empty or a new folder)", e.Name())
		}
		if fi, err := e.Info(); err == nil && fi.Mode().Perm()&0o222 == 0 {
			return fmt.Errorf("holds %s, which is write-protected (%v): %w", e.Name(), fi.Mode().Perm(), fs.ErrPermission)
		}
	}
	return nil
}

// errNoExchange is exchangeDirs' error where folders cannot be exchanged in one step.
var errNoExchange = errors.New("exchanging two folders in one step is not supported here")

// replaceDir puts the folder tmp at target and returns where the folder that was
// there (exists) lies now, to be removed: tmp itself when exchangeDirs swapped the
// two, tmp + ".old" when moveAside did; "" when there was none. path is the
// destination as given, for errors.
func replaceDir(path, tmp, target string, exists bool) (old string, err error) {
	if !exists {
		if err := os.Rename(tmp, target); err != nil {
			return "", stepError(path, "rename temp folder", err)
		}
		return "", nil
	}
	switch err := exchangeDirs(tmp, target); {
	case err == nil:
		return tmp, nil
	case !errors.Is(err, errNoExchange):
		return "", stepError(path, "exchange temp folder with old folder", err)
	}
	return moveAside(path, tmp, target)
}

// moveAside replaces the folder at target with tmp in two renames, where they cannot
// be exchanged in one: it moves the old folder aside to tmp + ".old", and back if the
// second rename fails, and returns where it lies.
func moveAside(path, tmp, target string) (old string, err error) {
	old = tmp + ".old"
	if err := os.Rename(target, old); err != nil {
		return "", stepError(path, "move old folder aside", err)
	}
	if err := os.Rename(tmp, target); err != nil {
		os.Rename(old, target)
		return "", stepError(path, "rename temp folder", err)
	}
	return old, nil
}

// PathCause is err without the *fs.PathError around it, whose path would repeat the
// destination or name a temporary file: for an error that names the destination itself.
func PathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
