//go:build unix

package data

import "golang.org/x/sys/unix"

// changeStamp returns the inode number of the file at path and the time of its last
// change (its ctime, in nanoseconds since 1970), following links, or zeros when they
// cannot be read. Writing a file, replacing it, renaming it or setting its modification
// time back (touch -d, cp -p, rsync -t) all set its ctime to now, which no call can set
// back; the inode tells a file from another of the same name, size and times.
func changeStamp(path string) (inode uint64, change int64) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0, 0
	}
	return st.Ino, st.Ctim.Nano()
}
