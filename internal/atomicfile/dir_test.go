package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeFiles is a WriteDir callback that writes each name, holding its own name.
func writeFiles(names ...string) func(dir string) error {
	return func(dir string) error {
		for _, name := range names {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(name), 0o644); err != nil {
				return err
			}
		}
		return nil
	}
}

// ownedTxt accepts the names a test's earlier output has: *.txt.
func ownedTxt(name string) bool { return strings.HasSuffix(name, ".txt") }

// makeDir makes dir with mode perm, holding each name (a name ending in / is a folder).
func makeDir(t *testing.T, dir string, perm fs.FileMode, names ...string) {
	t.Helper()
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		var err error
		if strings.HasSuffix(name, "/") {
			err = os.Mkdir(filepath.Join(dir, name), 0o755)
		} else {
			err = os.WriteFile(filepath.Join(dir, name), []byte("old "+name), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, perm); err != nil {
		t.Fatal(err)
	}
}

func TestWriteDir(t *testing.T) {
	for _, tc := range []struct {
		name string
		old  []string // nil: no folder before
		perm fs.FileMode
	}{
		{"new folder", nil, DirPerm},
		{"empty folder", []string{}, 0o700},
		{"folder of earlier output", []string{"a.txt", "b.txt", "c.txt", ".b.txt.tmp-1.txt"}, 0o750},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			path := filepath.Join(parent, "out")
			if tc.old != nil {
				makeDir(t, path, tc.perm, tc.old...)
			}
			if err := WriteDir(path, ownedTxt, writeFiles("a.txt", "z.txt")); err != nil {
				t.Fatal(err)
			}
			if got := ls(t, path); !reflect.DeepEqual(got, []string{"a.txt", "z.txt"}) {
				t.Errorf("%s holds %v, want [a.txt z.txt]", path, got)
			}
			if b, err := os.ReadFile(filepath.Join(path, "a.txt")); err != nil || string(b) != "a.txt" {
				t.Errorf("a.txt holds %q (%v)", b, err)
			}
			if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != tc.perm {
				t.Errorf("mode %v (%v), want %v", fi.Mode().Perm(), err, tc.perm)
			}
			if got := ls(t, parent); !reflect.DeepEqual(got, []string{"out"}) {
				t.Errorf("%s holds %v, want only out", parent, got)
			}
		})
	}
}

// TestWriteDirLink: a link to a folder has the folder replaced, and stays a link.
func TestWriteDirLink(t *testing.T) {
	parent := t.TempDir()
	real, link := filepath.Join(parent, "real"), filepath.Join(parent, "link")
	makeDir(t, real, 0o755, "old.txt")
	if err := os.Symlink("real", link); err != nil {
		t.Skip(err)
	}
	if err := WriteDir(link+string(filepath.Separator), ownedTxt, writeFiles("new.txt")); err != nil {
		t.Fatal(err)
	}
	if got := ls(t, real); !reflect.DeepEqual(got, []string{"new.txt"}) {
		t.Errorf("%s holds %v, want [new.txt]", real, got)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("%s is no longer a link: %v %v", link, fi.Mode(), err)
	}
}

// TestWriteDirRefuses: what WriteDir may not replace is refused before write is
// called, with the destination and the reason, and left as it was.
func TestWriteDirRefuses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		old   []string
		perm  fs.FileMode
		owned func(string) bool
		want  string
		is    error
	}{
		{"a file it does not write", []string{"a.txt", "notes.md"}, 0o755, ownedTxt, "holds notes.md, which replacing the folder would delete", nil},
		{"a folder inside", []string{"a.txt", "sub.txt/"}, 0o755, ownedTxt, "holds sub.txt, which replacing the folder would delete", nil},
		{"nil owned, a file", []string{"a.txt"}, 0o755, nil, "holds a.txt", nil},
		{"write-protected folder", []string{"a.txt"}, 0o555, ownedTxt, "is write-protected", fs.ErrPermission},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			path := filepath.Join(parent, "out")
			makeDir(t, path, tc.perm, tc.old...)
			defer os.Chmod(path, 0o755) // so that TempDir can remove it
			refused(t, path, tc.owned, tc.want, tc.is)
			before := append([]string(nil), tc.old...)
			for i, name := range before {
				before[i] = strings.TrimSuffix(name, "/")
			}
			if got := ls(t, path); !reflect.DeepEqual(got, before) {
				t.Errorf("%s holds %v, want %v", path, got, before)
			}
		})
	}
	t.Run("write-protected file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "out")
		makeDir(t, path, 0o755, "a.txt")
		if err := os.Chmod(filepath.Join(path, "a.txt"), 0o444); err != nil {
			t.Fatal(err)
		}
		refused(t, path, ownedTxt, "holds a.txt, which is write-protected", fs.ErrPermission)
	})
	t.Run("a file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "out")
		if err := os.WriteFile(path, []byte("keep"), 0o644); err != nil {
			t.Fatal(err)
		}
		refused(t, path, ownedTxt, "is not a folder", nil)
		refused(t, filepath.Join(path, "sub"), ownedTxt, "not a directory", nil)
	})
	t.Run("a link to nothing", func(t *testing.T) {
		parent := t.TempDir()
		t.Chdir(parent)
		link := filepath.Join(parent, "out")
		if err := os.Symlink("missing", link); err != nil {
			t.Skip(err)
		}
		refused(t, link, ownedTxt, "is a link to missing: no such file or directory", fs.ErrNotExist)
		if got := ls(t, parent); !reflect.DeepEqual(got, []string{"out"}) {
			t.Errorf("%s holds %v, want the link alone", parent, got)
		}
	})
	t.Run("no parent", func(t *testing.T) {
		refused(t, filepath.Join(t.TempDir(), "no", "out"), ownedTxt, "create temp folder: no such file or directory", fs.ErrNotExist)
	})
	for _, path := range []string{".", "..", "a/..", string(filepath.Separator)} {
		t.Run(path, func(t *testing.T) {
			t.Chdir(t.TempDir())
			refused(t, path, ownedTxt, "names no folder that can be replaced", nil)
		})
	}
}

// refused fails unless WriteDir(path, owned, ...) fails without calling write, with
// an *Error for path whose message holds want, wrapping is when it is not nil.
func refused(t *testing.T, path string, owned func(string) bool, want string, is error) {
	t.Helper()
	called := false
	err := WriteDir(path, owned, func(string) error { called = true; return nil })
	var ae *Error
	if !errors.As(err, &ae) || ae.Path != path {
		t.Fatalf("error %v, want an *Error for %s", err, path)
	}
	checkMessage(t, err, path, want)
	if is != nil && !errors.Is(err, is) {
		t.Errorf("errors.Is(%v, %v) is false", err, is)
	}
	if called {
		t.Error("write was called")
	}
}

// TestWriteDirFails: when write fails or panics, the folder at path is as it was
// (or there is none), and no temporary folder is left.
func TestWriteDirFails(t *testing.T) {
	for _, tc := range []struct {
		name  string
		old   bool
		write func(string) error
	}{
		{"error, no folder before", false, func(dir string) error { writeFiles("a.txt")(dir); return errBoom }},
		{"error over a folder", true, func(dir string) error { writeFiles("a.txt")(dir); return errBoom }},
		{"panic over a folder", true, func(dir string) error { writeFiles("a.txt")(dir); panic(errBoom) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			path := filepath.Join(parent, "out")
			if tc.old {
				makeDir(t, path, 0o755, "a.txt", "b.txt")
			}
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						err = r.(error)
					}
				}()
				err = WriteDir(path, ownedTxt, tc.write)
			}()
			if !errors.Is(err, errBoom) {
				t.Fatalf("error %v, want %v", err, errBoom)
			}
			want := []string(nil)
			if tc.old {
				want = []string{"out"}
				if got := ls(t, path); !reflect.DeepEqual(got, []string{"a.txt", "b.txt"}) {
					t.Errorf("%s holds %v, want its old files", path, got)
				}
				if b, _ := os.ReadFile(filepath.Join(path, "a.txt")); string(b) != "old a.txt" {
					t.Errorf("a.txt holds %q, want the old contents", b)
				}
			}
			if got := ls(t, parent); !reflect.DeepEqual(got, want) {
				t.Errorf("%s holds %v, want %v", parent, got, want)
			}
		})
	}
}

// contents is what dir holds: each file's name and contents.
func contents(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, name := range ls(t, dir) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got[name] = string(b)
	}
	return got
}

// TestMoveAside: where folders cannot be exchanged in one step, the old folder
// goes aside whole and the new one into its place; when the second rename
// fails, the old one goes back.
func TestMoveAside(t *testing.T) {
	parent := t.TempDir()
	path, tmp := filepath.Join(parent, "out"), filepath.Join(parent, ".out.tmp-1")
	makeDir(t, path, 0o755, "a.txt", "b.txt")
	makeDir(t, tmp, 0o755, "c.txt")
	old, err := moveAside(path, tmp, path)
	if err != nil {
		t.Fatal(err)
	}
	if want := tmp + ".old"; old != want {
		t.Errorf("old folder at %s, want %s", old, want)
	}
	if got := contents(t, path); !reflect.DeepEqual(got, map[string]string{"c.txt": "old c.txt"}) {
		t.Errorf("%s holds %v, want the new folder", path, got)
	}
	if got := contents(t, old); !reflect.DeepEqual(got, map[string]string{"a.txt": "old a.txt", "b.txt": "old b.txt"}) {
		t.Errorf("%s holds %v, want the old folder", old, got)
	}

	os.RemoveAll(old)
	_, err = moveAside(path, filepath.Join(parent, ".out.tmp-missing"), path)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "rename temp folder") {
		t.Errorf("error %v, want rename temp folder: no such file", err)
	}
	if got := ls(t, parent); !reflect.DeepEqual(got, []string{"out"}) {
		t.Errorf("after a failed rename %s holds %v, want the old folder back at out", parent, got)
	}
}
