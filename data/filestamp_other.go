//go:build !unix

package data

import "os"

// stampFile fills in f's size and modification time from the file at path, following
// links; outside Unix the cache key has no inode or change time (they stay 0).
func stampFile(f *imageFile, path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	f.size, f.modTime = info.Size(), info.ModTime()
	return nil
}
