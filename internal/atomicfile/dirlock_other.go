//go:build !unix || aix

package atomicfile

import "os"

// lockPath locks nothing where flock(2) is not available (Windows, AIX): no
// process can tell whether another one is writing a temporary folder or file.
func lockPath(string) (f *os.File, state lockState, err error) { return nil, lockUnavailable, nil }
