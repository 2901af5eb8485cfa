package checkpoint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadFileRefusesNonRegular: a device (read without end), a folder, or a link
// to a device is refused with its name, by ReadFile and by the readers built on it.
func TestReadFileRefusesNonRegular(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("needs /dev/zero")
	}
	link := filepath.Join(t.TempDir(), "latest.json")
	if err := os.Symlink("/dev/zero", link); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, tc := range []struct{ path, want string }{
		{"/dev/zero", "/dev/zero: is not a regular file"},
		{link, link + ": is not a regular file"},
		{dir, dir + ": is a folder, not a file"},
	} {
		if _, err := ReadFile(tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ReadFile(%s): %v, want %q", tc.path, err, tc.want)
		}
		if _, _, err := LoadSafetensors(tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadSafetensors(%s): %v, want %q", tc.path, err, tc.want)
		}
		var v map[string]any
		if err := ReadJSON(tc.path, &v); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ReadJSON(%s): %v, want %q", tc.path, err, tc.want)
		}
		if _, err := Checksum(tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Checksum(%s): %v, want %q", tc.path, err, tc.want)
		}
	}
	path := filepath.Join(dir, "x.json")
	if err := os.WriteFile(path, []byte(`{"a": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(path); err != nil || string(b) != `{"a": 1}` {
		t.Errorf("ReadFile of a regular file: %q, %v", b, err)
	}
}
