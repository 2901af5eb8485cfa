package checkpoint

import (
	"fmt"
	"io"
	"os"
)

// ReadFile is os.ReadFile for an input: it refuses what is not a regular file (a
// device such as /dev/zero, a FIFO, a folder), which would be read without end or
// not at all, and names the file.
func ReadFile(path string) ([]byte, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// openRegular opens path for reading if it is a regular file (after symbolic links).
func openRegular(path string) (*os.File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		what := "not a regular file"
		if st.IsDir() {
			what = "a folder, not a file"
		}
		return nil, &os.PathError{Op: "read", Path: path, Err: fmt.Errorf("is %s", what)}
	}
	return os.Open(path)
}
