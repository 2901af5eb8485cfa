package data

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
)

// writeAtomic creates path with the bytes that fill writes: it writes a temporary file in
// path's folder, fsyncs it, renames it onto path and fsyncs the folder. On any error the
// temporary file is removed and path is left as it was.
func writeAtomic(path string, fill func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fileError(path, "cannot write", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err := fill(bw); err != nil {
		return fileError(path, "cannot write", err)
	}
	if err := bw.Flush(); err != nil {
		return fileError(path, "cannot write", err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fileError(path, "cannot write", err)
	}
	if err := f.Sync(); err != nil {
		return fileError(path, "cannot write", err)
	}
	if err := f.Close(); err != nil {
		return fileError(path, "cannot write", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fileError(path, "cannot write", err)
	}
	// Make the rename itself durable; not every system can fsync a folder, so this is
	// best effort.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
