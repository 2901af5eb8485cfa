//go:build !unix || aix

package runlock

import "os"

// tryLock locks nothing where flock is not available.
func tryLock(*os.File) (held bool, err error) { return false, nil }

// waitLock locks nothing where flock is not available.
func waitLock(*os.File) error { return nil }
