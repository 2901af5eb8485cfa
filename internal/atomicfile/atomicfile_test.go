package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var errBoom = errors.New("boom")

// writeString is a write callback that writes s.
func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

// ls returns the names in dir, sorted.
func ls(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// checkMessage fails unless err's message is one line that names path exactly once, never
// the temporary file, and contains want.
func checkMessage(t *testing.T, err error, path, want string) {
	t.Helper()
	msg := err.Error()
	if strings.Count(msg, path) != 1 || !strings.Contains(msg, want) || strings.Contains(msg, "\n") || strings.Contains(msg, ".tmp-") {
		t.Errorf("error %q: want one line naming %s once (and no temp file) and containing %q", msg, path, want)
	}
}

func TestWriteFile(t *testing.T) {
	tests := []struct {
		name    string
		old     string // contents before, "" for no file
		write   func(io.Writer) error
		want    string // contents after
		exists  bool   // whether there is a file after
		wantErr error
	}{
		{"new file", "", writeString("hello"), "hello", true, nil},
		{"replace", "old", writeString("new"), "new", true, nil},
		{"empty file", "", writeString(""), "", true, nil},
		{"replace with nothing", "old", writeString(""), "", true, nil},
		{"error keeps old", "old", func(w io.Writer) error { io.WriteString(w, "partial"); return errBoom }, "old", true, errBoom},
		{"error leaves nothing", "", func(w io.Writer) error { return errBoom }, "", false, errBoom},
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
			if err != nil {
				checkMessage(t, err, path, "write "+path+": boom")
			}
			got, rerr := os.ReadFile(path)
			switch {
			case !tt.exists && !errors.Is(rerr, fs.ErrNotExist):
				t.Errorf("file exists after failed write (err %v)", rerr)
			case tt.exists && rerr != nil:
				t.Errorf("read: %v", rerr)
			case tt.exists && string(got) != tt.want:
				t.Errorf("contents = %q, want %q", got, tt.want)
			}
			for _, name := range ls(t, dir) {
				if name != "out.bin" {
					t.Errorf("left behind %s", name)
				}
			}
			if tt.exists {
				fi, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != Perm {
					t.Errorf("mode = %v, want %v", fi.Mode().Perm(), Perm)
				}
			}
		})
	}
}

func TestWriteFileReplacesInTurn(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.bin")
	for i, content := range []string{"first", "second, longer", ""} {
		if err := WriteFile(path, writeString(content)); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != content {
			t.Errorf("write %d: file holds %q, want %q", i, got, content)
		}
		if left := ls(t, dir); !reflect.DeepEqual(left, []string{"f.bin"}) {
			t.Errorf("write %d: folder holds %v, want only f.bin", i, left)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("new file has mode %v, want 0644", fi.Mode().Perm())
	}

	t.Run("keeps the mode of the file it replaces", func(t *testing.T) {
		if err := os.Chmod(path, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := WriteFile(path, writeString("x")); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, want 0600", fi.Mode().Perm())
		}
	})
}

func TestWriteFileRelativePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := WriteFile("out.bin", writeString("here")); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "out.bin")); err != nil || string(got) != "here" {
		t.Errorf("read %q, %v; want \"here\"", got, err)
	}
	if left := ls(t, dir); !reflect.DeepEqual(left, []string{"out.bin"}) {
		t.Errorf("folder holds %v, want only out.bin", left)
	}
}

func TestWriteFileFailedWrite(t *testing.T) {
	big := bytes.Repeat([]byte("new data "), 400_000) // 3.6 MB: past the buffer, so it reaches the temp file
	for _, tc := range []struct {
		name  string
		old   []byte // nil: no file before
		write func(io.Writer) error
	}{
		{"fails midway over an old file", []byte("old content\x00\xff"), func(w io.Writer) error {
			w.Write(big)
			return errBoom
		}},
		{"fails midway, no old file", nil, func(w io.Writer) error {
			w.Write(big)
			return errBoom
		}},
		{"fails before writing", []byte("old"), func(io.Writer) error { return errBoom }},
		{"panics midway", []byte("old"), func(w io.Writer) error {
			w.Write(big)
			panic(errBoom)
		}},
		{"panics midway, no old file", nil, func(w io.Writer) error {
			w.Write(big)
			panic(errBoom)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "ckpt.json")
			if tc.old != nil {
				if err := os.WriteFile(path, tc.old, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			before := ls(t, dir)

			var err error
			panicked := false
			func() {
				defer func() {
					if r := recover(); r != nil {
						panicked = true
						err = r.(error)
					}
				}()
				err = WriteFile(path, tc.write)
			}()
			if panicked != strings.Contains(tc.name, "panics") {
				t.Errorf("panicked = %v, want the panic of write to go on", panicked)
			}
			if !errors.Is(err, errBoom) {
				t.Fatalf("error %v, want one wrapping %v", err, errBoom)
			}
			if !panicked {
				checkMessage(t, err, path, "boom")
			}

			got, rerr := os.ReadFile(path)
			switch {
			case tc.old == nil && !errors.Is(rerr, fs.ErrNotExist):
				t.Errorf("a file appeared at %s (read error %v)", path, rerr)
			case tc.old != nil && !bytes.Equal(got, tc.old):
				t.Errorf("old file now holds %d bytes %.20q, want %q", len(got), got, tc.old)
			}
			if after := ls(t, dir); !reflect.DeepEqual(after, before) {
				t.Errorf("folder holds %v after the failed write, want %v", after, before)
			}
		})
	}
}

func TestWriteFileBadPath(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "a-folder")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	locked := filepath.Join(dir, "locked")
	if err := os.Mkdir(locked, 0o500); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, want string
		step             string // the Step of the *Error
		is               error  // the cause, for errors.Is; nil: not checked
		rootSkips        bool
	}{
		{"folder does not exist", filepath.Join(dir, "missing", "f.json"), "create temp file: no such file or directory", "create temp file", fs.ErrNotExist, false},
		{"parent is a file", filepath.Join(file, "f.json"), "not a directory", "create temp file", nil, false},
		{"path is a folder", sub, "is a folder, not a regular file", "", nil, false},
		{"path ends in a separator", sub + string(filepath.Separator), "is a folder, not a regular file", "", nil, false},
		{"missing path ends in a separator", filepath.Join(dir, "new") + string(filepath.Separator), "ends in a path separator, which names a folder, not a file", "", nil, false},
		{"path is a device", os.DevNull, "not a regular file", "", nil, false},
		{"folder not writable", filepath.Join(locked, "f.json"), "permission denied", "create temp file", fs.ErrPermission, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.rootSkips && os.Geteuid() == 0 {
				t.Skip("root bypasses file permissions")
			}
			if tc.path == os.DevNull {
				if _, err := os.Stat(os.DevNull); err != nil {
					t.Skip(err)
				}
			}
			called := false
			err := WriteFile(tc.path, func(w io.Writer) error {
				called = true
				_, err := io.WriteString(w, "data")
				return err
			})
			if err == nil {
				t.Fatal("wrote, want an error")
			}
			checkMessage(t, err, tc.path, tc.want)
			var ae *Error
			if !errors.As(err, &ae) || ae.Path != tc.path || ae.Step != tc.step {
				t.Errorf("error %#v, want an *Error with Path %q and Step %q", err, tc.path, tc.step)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(%v, %v) is false", err, tc.is)
			}
			if called {
				t.Error("write was called for a path that cannot be written")
			}
		})
	}
	if left := ls(t, sub); len(left) != 0 {
		t.Errorf("%s holds %v, want nothing", sub, left)
	}
	if left := ls(t, locked); len(left) != 0 {
		t.Errorf("%s holds %v, want nothing", locked, left)
	}
	if left := ls(t, dir); !reflect.DeepEqual(left, []string{"a-file", "a-folder", "locked"}) {
		t.Errorf("%s holds %v, want only what the test made", dir, left)
	}
}

// TestWriteFileCallbackError checks that an error of write is kept whole: unlike the
// errors of WriteFile's own steps, its *fs.PathError is about another file, whose name
// must stay in the message.
func TestWriteFileCallbackError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "copy.bin")
	src := filepath.Join(dir, "no-such-source")
	err := WriteFile(path, func(w io.Writer) error {
		f, err := os.Open(src)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("error %v, want fs.ErrNotExist", err)
	}
	checkMessage(t, err, path, "write "+path+": open "+src+": no such file or directory")
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != src {
		t.Errorf("error %v does not wrap the *fs.PathError about %s", err, src)
	}
	if left := ls(t, dir); len(left) != 0 {
		t.Errorf("%s holds %v, want nothing", dir, left)
	}
}

func TestErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		err  *Error
		want string
	}{
		{&Error{Path: "/d/f", Err: errBoom}, "write /d/f: boom"},
		{&Error{Path: "/d/f", Step: "fsync temp file", Err: errBoom}, "write /d/f: fsync temp file: boom"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
		if !errors.Is(tc.err, errBoom) {
			t.Errorf("errors.Is(%v, errBoom) is false", tc.err)
		}
	}
}

// RemoveTemps removes what a crash between create and rename leaves, and
// nothing else: not the files, not dot files of other shapes, not folders.
func TestRemoveTemps(t *testing.T) {
	dir := t.TempDir()
	keep := []string{"step-00000016.safetensors", ".hidden", "latest.json", "x.tmp-1"}
	gone := []string{".step-00000016.safetensors.tmp-123", ".latest.json.tmp-9"}
	for _, name := range append(keep, gone...) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, ".d.tmp-1"), 0o755); err != nil {
		t.Fatal(err)
	}
	keep = append(keep, ".d.tmp-1")
	removed, err := RemoveTemps(dir)
	if err != nil || len(removed) != len(gone) {
		t.Fatalf("removed %v, %v; want %v", removed, err, gone)
	}
	for _, name := range keep {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s was removed", name)
		}
	}
	for _, name := range gone {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s is still there", name)
		}
	}
	// What a real interrupted write leaves matches the pattern.
	f, err := os.CreateTemp(dir, ".latest.json.tmp-*")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if removed, _ := RemoveTemps(dir); len(removed) != 1 || removed[0] != f.Name() {
		t.Errorf("removed %v, want %s", removed, f.Name())
	}
}

// TestWriteFileWriteProtected: a file whose mode lets no one write it is refused,
// not replaced by the rename (which needs only the folder's permission), even for
// root; the file keeps its contents and mode, and nothing else is left.
func TestWriteFileWriteProtected(t *testing.T) {
	for _, mode := range []fs.FileMode{0o444, 0o400, 0o000} {
		t.Run(mode.String(), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.png")
			if err := os.WriteFile(path, []byte("keep"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			called := false
			err := WriteFile(path, func(w io.Writer) error {
				called = true
				_, err := io.WriteString(w, "new")
				return err
			})
			if !errors.Is(err, fs.ErrPermission) {
				t.Fatalf("error %v, want one wrapping fs.ErrPermission", err)
			}
			checkMessage(t, err, path, "is write-protected")
			if called {
				t.Error("write was called for a write-protected file")
			}
			os.Chmod(path, 0o644) // to read it back as any user
			if got, err := os.ReadFile(path); err != nil || string(got) != "keep" {
				t.Errorf("file holds %q (%v), want \"keep\"", got, err)
			}
			if left := ls(t, dir); !reflect.DeepEqual(left, []string{"out.png"}) {
				t.Errorf("folder holds %v, want only out.png", left)
			}
		})
	}
}
