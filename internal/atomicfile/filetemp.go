package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
)

// createTemp creates WriteFile's temporary file for the file base in dir, "." +
// base + ".tmp-" and a random suffix, and locks it (createLocked, through a
// descriptor of its own, so that closing f before the rename keeps the lock), so
// that removeStaleTempFiles in another call or process knows that a live writer
// holds it until lock is closed. lock is nil where files cannot be locked.
func createTemp(dir, base string) (f, lock *os.File, err error) {
	f, _, lock, err = createLocked("files", func() (*os.File, string, error) {
		f, err := os.CreateTemp(dir, "."+base+".tmp-*")
		if err != nil {
			return nil, "", err
		}
		return f, f.Name(), nil
	})
	return f, lock, err
}

// removeStaleTempFiles removes, best effort, the temporary files that WriteFile
// calls for dir/base that did not end (a crash, kill -9) left: a regular file "."
// + base + ".tmp-" and digits (os.CreateTemp's suffix) whose lock it can take
// (see createTemp): its writer is gone. One whose lock another call or process
// holds is being written, and is left; so are all where files cannot be locked.
// The folder is read by name alone, so that a large one costs little.
func removeStaleTempFiles(dir, base string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1) // those read before an error, if any
	d.Close()
	prefix := "." + base + ".tmp-"
	for _, name := range names {
		if random, ok := strings.CutPrefix(name, prefix); ok && isDigits(random) {
			removeUnlockedFile(filepath.Join(dir, name))
		}
	}
}

// removeUnlockedFile removes the temporary file tmp if it is a regular file and it
// can take its lock, that is, if no live WriteFile writes it.
func removeUnlockedFile(tmp string) {
	if fi, err := os.Lstat(tmp); err != nil || !fi.Mode().IsRegular() {
		return
	}
	lock, state, err := lockPath(tmp)
	if err != nil || state != locked {
		return
	}
	defer lock.Close()
	if isAt(lock, tmp) { // not moved or replaced since it was listed
		os.Remove(tmp)
	}
}

// isDigits reports whether s is one or more ASCII digits.
func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
