package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFile(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		old     string // contents before, "" for no file
		write   func(io.Writer) error
		want    string // contents after
		wantErr error
	}{
		{"new file", "", func(w io.Writer) error { _, err := io.WriteString(w, "hello"); return err }, "hello", nil},
		{"replace", "old", func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }, "new", nil},
		{"error keeps old", "old", func(w io.Writer) error { io.WriteString(w, "partial"); return boom }, "old", boom},
		{"error leaves nothing", "", func(w io.Writer) error { return boom }, "", boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.bin")
			if tt.old != "" {
				if err := os.WriteFile(path, []byte(tt.old), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := WriteFile(path, tt.write)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name %s", err, path)
			}
			got, rerr := os.ReadFile(path)
			switch {
			case tt.want == "" && !os.IsNotExist(rerr):
				t.Errorf("file exists after failed write (err %v)", rerr)
			case tt.want != "" && string(got) != tt.want:
				t.Errorf("contents = %q, want %q", got, tt.want)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if e.Name() != "out.bin" {
					t.Errorf("left behind %s", e.Name())
				}
			}
			if tt.want != "" {
				fi, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != Perm {
					t.Errorf("mode = %v, want %v", fi.Mode().Perm(), os.FileMode(Perm))
				}
			}
		})
	}
}

func TestWriteFileMissingFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "out.bin")
	err := WriteFile(path, func(io.Writer) error { return nil })
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want an error naming %s", err, path)
	}
}
