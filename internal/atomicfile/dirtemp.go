package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// lockState is what lockPath found.
type lockState int

const (
	locked          lockState = iota // this call holds the lock
	lockHeld                         // another open folder holds it: a live writer
	lockUnavailable                  // folders cannot be locked here: no one can tell
)

// maxTempTries bounds createLocked's tries; each past the first needs another
// process's removal of stale temporaries to have taken the new one before this one
// locked it.
const maxTempTries = 100

// makeTempDir creates WriteDir's temporary folder for the folder base in parent,
// "." + base + ".tmp-" and a random suffix, and locks it (createLocked), so that
// removeStaleTemps in another call or process knows that a live writer holds it
// until lock is closed. lock is nil where folders cannot be locked.
func makeTempDir(parent, base string) (tmp string, lock *os.File, err error) {
	_, tmp, lock, err = createLocked("folders", func() (*os.File, string, error) {
		tmp, err := os.MkdirTemp(parent, "."+base+".tmp-*")
		return nil, tmp, err
	})
	return tmp, lock, err
}

// createLocked makes a new temporary file or folder with create, which returns its
// path and, for a file, the file open, and locks the path (lockPath), trying again
// while another call's removal of stale temporaries (removeStaleTemps,
// removeStaleTempFiles) takes the new one between its creation and the lock: that
// one is left to it. lock is nil where the file system cannot lock. what names the
// temporaries in the error of too many tries.
func createLocked(what string, create func() (*os.File, string, error)) (f *os.File, tmp string, lock *os.File, err error) {
	for range maxTempTries {
		if f, tmp, err = create(); err != nil {
			return nil, "", nil, err
		}
		lock, state, err := lockPath(tmp)
		switch {
		case errors.Is(err, fs.ErrNotExist): // removed meanwhile
		case err != nil:
			closeIfOpen(f)
			os.Remove(tmp)
			return nil, "", nil, err
		case state == lockUnavailable:
			return f, tmp, nil, nil
		case state == locked && isAt(lock, tmp) && (f == nil || isAt(f, tmp)):
			return f, tmp, lock, nil
		case state == locked: // removed meanwhile: the lock is on one no longer there
			lock.Close()
		}
		// lockHeld: another call's removal took it, and removes it
		closeIfOpen(f)
	}
	return nil, "", nil, fmt.Errorf("another process removed %d new temporary %s before they could be locked", maxTempTries, what)
}

// closeIfOpen closes f unless it is nil.
func closeIfOpen(f *os.File) {
	if f != nil {
		f.Close()
	}
}

// isAt reports whether f is the file that path names now.
func isAt(f *os.File, path string) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	at, err := os.Lstat(path)
	return err == nil && os.SameFile(fi, at)
}

// removeStaleTemps removes, best effort, what WriteDir calls for target that did not
// end (a crash, kill -9) left beside it:
//
//   - a temporary folder "." + base + ".tmp-*" whose lock it can take (see
//     makeTempDir): its writer is gone. It holds a new folder cut short, or, after
//     exchangeDirs, the old folder that was to be removed.
//   - a folder ".tmp-*.old" beside no temporary folder of that name: moveAside put
//     the new folder in place, and this old one was to be removed.
//   - a ".tmp-*.old" beside its temporary folder, whose lock it can take: its writer
//     died between moveAside's two renames. When nothing is at target, the old
//     folder goes back there (it was never replaced), else it is removed; the
//     temporary folder is removed.
//
// A temporary folder whose lock another call or process holds is being written, and
// is left, with its ".old"; so are all where folders cannot be locked.
func removeStaleTemps(target string) {
	parent, base := filepath.Dir(target), filepath.Base(target)
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	prefix := "." + base + ".tmp-"
	for _, e := range entries {
		suffix, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !e.IsDir() {
			continue
		}
		random, old := strings.CutSuffix(suffix, ".old")
		if random == "" || strings.ContainsAny(random, `./\`) {
			continue // another folder's: ".a.tmp-1.tmp-2" is one of "a.tmp-1"
		}
		tmp := filepath.Join(parent, prefix+random)
		fi, err := os.Lstat(tmp)
		switch {
		case old && errors.Is(err, fs.ErrNotExist):
			os.RemoveAll(tmp + ".old")
		case err == nil && fi.IsDir():
			removeUnlocked(tmp, target)
		}
	}
}

// removeUnlocked removes the temporary folder tmp of target if it can take its lock,
// that is, if no live WriteDir writes it. Under the same lock it first moves a folder
// tmp + ".old" back to target if nothing is there, or else removes it.
func removeUnlocked(tmp, target string) {
	lock, state, err := lockPath(tmp)
	if err != nil || state != locked {
		return
	}
	defer lock.Close()
	if !isAt(lock, tmp) {
		return // moved or replaced since it was listed
	}
	old := tmp + ".old"
	if fi, err := os.Lstat(old); err == nil && fi.IsDir() {
		if _, err := os.Lstat(target); !errors.Is(err, fs.ErrNotExist) || os.Rename(old, target) != nil {
			os.RemoveAll(old)
		}
	}
	os.RemoveAll(tmp)
}
