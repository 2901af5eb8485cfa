package runlock

import (
	"fmt"
	"os"
)

// LockFile takes an exclusive flock(2) on the file at path, created if missing,
// waiting while another process holds it, and returns the function that releases
// it: for a file that several processes read, change and write back (a cache),
// around the read and the write. The lock file is never removed (see the package
// comment). Where flock is not available it locks nothing.
func LockFile(path string) (release func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := waitLock(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
