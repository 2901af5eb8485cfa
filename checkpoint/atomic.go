package checkpoint

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/gogan/gogan/internal/atomicfile"
)

// WriteFileAtomic writes path through a temp file in the same folder: write, fsync,
// close, rename, fsync the folder.
// If write fails, panics or the process dies midway, the previous file at path is
// untouched, and no temp file is left behind (except after a crash, or kill -9: the next
// WriteFileAtomic of path removes that one, where files can be locked). The writer given to
// write is buffered; write need not buffer itself. A new file gets mode 0644, a replaced
// one keeps its permission bits, and a path that is a folder is refused.
//
// It is internal/atomicfile's WriteFile, with errors prefixed "checkpoint: ".
func WriteFileAtomic(path string, write func(w io.Writer) error) error {
	if err := atomicfile.WriteFile(path, write); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// WriteJSONAtomic writes v as indented JSON followed by a newline, atomically.
// If v cannot be encoded, nothing is written.
func WriteJSONAtomic(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("checkpoint: write %s: %v", path, err)
	}
	b = append(b, '\n')
	return WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// ReadJSON decodes the JSON file at path into v. Fields of the file that v lacks are
// ignored. A syntax or type error names the file, line and column.
func ReadJSON(path string, v any) error {
	b, err := ReadFile(path)
	if err != nil {
		return fileErr(path, err)
	}
	return DecodeJSON(path, b, v)
}

// DecodeJSON is ReadJSON on the bytes b of the file at path.
func DecodeJSON(path string, b []byte, v any) error {
	err := json.Unmarshal(b, v)
	if err == nil {
		return nil
	}
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 {
		return fmt.Errorf("checkpoint: %s: %w", path, err)
	}
	line, col := position(b, off)
	return fmt.Errorf("checkpoint: %s:%d:%d: %w", path, line, col, err)
}

// position returns the 1-based line and column of the byte where a JSON decoder that
// had read off bytes of b stopped.
func position(b []byte, off int64) (line, col int) {
	i := int(min(max(off-1, 0), int64(len(b))))
	before := b[:i]
	line = 1 + bytes.Count(before, []byte{'\n'})
	col = i - bytes.LastIndexByte(before, '\n')
	return line, col
}

// Checksum returns a short hex digest (first 12 hex chars of SHA-256) of a file's bytes,
// for printing.
func Checksum(path string) (string, error) {
	f, err := openRegular(path)
	if err != nil {
		return "", fileErr(path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fileErr(path, err)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

// fileErr prefixes an error about path with the package name, adding the path when
// the error does not already carry it.
func fileErr(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == path {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return fmt.Errorf("checkpoint: %s: %w", path, err)
}
