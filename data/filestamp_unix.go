//go:build unix

package data

import (
	"io/fs"
	"time"

	"golang.org/x/sys/unix"
)

// stampFile fills in f's size, modification time, inode number and time of last change
// (its ctime, in nanoseconds since 1970) from one stat(2) of the file at path, following
// links. Writing a file, replacing it, renaming it or setting its modification time back
// (touch -d, cp -p, rsync -t) all set its ctime to now, which no call can set back; the
// inode tells a file from another of the same name, size and times.
func stampFile(f *imageFile, path string) error {
	var st unix.Stat_t
	err := unix.Stat(path, &st)
	for err == unix.EINTR { // as os.Stat does
		err = unix.Stat(path, &st)
	}
	if err != nil {
		return &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	f.size, f.modTime = st.Size, time.Unix(st.Mtim.Unix())
	f.inode, f.change = st.Ino, st.Ctim.Nano()
	return nil
}
