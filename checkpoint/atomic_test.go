package checkpoint

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

var errBoom = errors.New("boom")

// writeBytes is a write callback that writes b.
func writeBytes(b []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	}
}

// The mechanism (modes, buffering, panics, every kind of bad path) is tested in
// internal/atomicfile; these tests check what this package adds: its error prefix, and
// that its writers are atomic.

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.bin")
	for i, content := range []string{"first", "second, longer"} {
		if err := WriteFileAtomic(path, writeBytes([]byte(content))); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		if got, err := os.ReadFile(path); err != nil || string(got) != content {
			t.Errorf("write %d: file holds %q (%v), want %q", i, got, err, content)
		}
	}
	if left := ls(t, dir); !reflect.DeepEqual(left, []string{"f.bin"}) {
		t.Errorf("folder holds %v, want only f.bin", left)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("stat: %v, %v; want mode 0644", fi, err)
	}
}

func TestWriteFileAtomicFailedWrite(t *testing.T) {
	big := bytes.Repeat([]byte("new data "), 400_000) // 3.6 MB: past the buffer, so it reaches the temp file
	for _, tc := range []struct {
		name  string
		write func(io.Writer) error
	}{
		{"fails midway", func(w io.Writer) error {
			w.Write(big)
			return errBoom
		}},
		{"panics midway", func(w io.Writer) error {
			w.Write(big)
			panic(errBoom)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "ckpt.json")
			old := []byte("old content\x00\xff")
			if err := os.WriteFile(path, old, 0o644); err != nil {
				t.Fatal(err)
			}

			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						err = r.(error)
					}
				}()
				err = WriteFileAtomic(path, tc.write)
			}()
			if !errors.Is(err, errBoom) {
				t.Fatalf("error %v, want one wrapping %v", err, errBoom)
			}
			if want := "checkpoint: write " + path + ": boom"; !strings.Contains(tc.name, "panics") && err.Error() != want {
				t.Errorf("error %q, want %q", err, want)
			}
			if got, _ := os.ReadFile(path); !bytes.Equal(got, old) {
				t.Errorf("old file now holds %d bytes %.20q, want %q", len(got), got, old)
			}
			if left := ls(t, dir); !reflect.DeepEqual(left, []string{"ckpt.json"}) {
				t.Errorf("folder holds %v after the failed write, want only ckpt.json", left)
			}
		})
	}
}

func TestWriteFileAtomicBadPath(t *testing.T) {
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
		is               error // nil: not checked
		rootSkips        bool
	}{
		{"folder does not exist", filepath.Join(dir, "missing", "f.json"), "no such file", fs.ErrNotExist, false},
		{"parent is a file", filepath.Join(file, "f.json"), "not a directory", nil, false},
		{"path is a folder", sub, "not a regular file", nil, false},
		{"folder not writable", filepath.Join(locked, "f.json"), "permission denied", fs.ErrPermission, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.rootSkips && os.Geteuid() == 0 {
				t.Skip("root bypasses file permissions")
			}
			for _, w := range []struct {
				name  string
				write func() error
			}{
				{"WriteFileAtomic", func() error { return WriteFileAtomic(tc.path, writeBytes([]byte("data"))) }},
				{"WriteJSONAtomic", func() error { return WriteJSONAtomic(tc.path, 1) }},
				{"SaveSafetensors", func() error { return SaveSafetensors(tc.path, nil, nil) }},
			} {
				err := w.write()
				if err == nil {
					t.Fatalf("%s wrote, want an error", w.name)
				}
				msg := err.Error()
				if !strings.HasPrefix(msg, "checkpoint: ") || strings.Count(msg, tc.path) != 1 || !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
					t.Errorf("%s: error %q: want one line starting \"checkpoint: \", naming %s once and containing %q", w.name, msg, tc.path, tc.want)
				}
				if tc.is != nil && !errors.Is(err, tc.is) {
					t.Errorf("%s: errors.Is(%v, %v) is false", w.name, err, tc.is)
				}
			}
		})
	}
	if left := ls(t, sub); len(left) != 0 {
		t.Errorf("%s holds %v, want nothing", sub, left)
	}
	if left := ls(t, dir); !reflect.DeepEqual(left, []string{"a-file", "a-folder", "locked"}) {
		t.Errorf("%s holds %v, want only what the test made", dir, left)
	}
}

// TestStrayTempFile simulates a crash during a save: a half-written temp file is left
// next to the checkpoint. Reads must still see the old checkpoint, and later saves
// must work, and remove it.
func TestStrayTempFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	old := map[string]Tensor{"w": F32([]int{2}, []float32{1, 2})}
	if err := SaveSafetensors(path, old, nil); err != nil {
		t.Fatal(err)
	}
	full, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	stray := filepath.Join(dir, ".model.safetensors.tmp-123456789") // what WriteFileAtomic names its temp files
	if err := os.WriteFile(stray, full[:len(full)/2], 0o600); err != nil {
		t.Fatal(err)
	}

	got, _, err := LoadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	if !sameTensor(got["w"], old["w"]) {
		t.Errorf("after the crash, w = %v, want the old %v", got["w"], old["w"])
	}

	updated := map[string]Tensor{"w": F32([]int{3}, []float32{3, 4, 5})}
	if err := SaveSafetensors(path, updated, map[string]string{"step": "2"}); err != nil {
		t.Fatal(err)
	}
	got, meta, err := LoadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	if !sameTensor(got["w"], updated["w"]) || meta["step"] != "2" {
		t.Errorf("after a new save, w = %v, meta %v, want %v and step 2", got["w"], meta, updated["w"])
	}
	// The save removed the stray file, which no write under way holds (locks it), where
	// files can be locked.
	want := []string{"model.safetensors"}
	if runtime.GOOS == "windows" || runtime.GOOS == "aix" {
		want = []string{".model.safetensors.tmp-123456789", "model.safetensors"}
	}
	if left := ls(t, dir); !reflect.DeepEqual(left, want) {
		t.Errorf("folder holds %v, want %v", left, want)
	}

	// The same for a JSON file whose only trace is a stray temp file: it does not exist yet.
	jsonPath := filepath.Join(dir, "state.json")
	if err := os.WriteFile(filepath.Join(dir, ".state.json.tmp-42"), []byte(`{"step":`), 0o600); err != nil {
		t.Fatal(err)
	}
	var state struct{ Step int }
	if err := ReadJSON(jsonPath, &state); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadJSON with only a stray temp file: error %v, want fs.ErrNotExist", err)
	}
	if err := WriteJSONAtomic(jsonPath, map[string]int{"step": 3}); err != nil {
		t.Fatal(err)
	}
	if err := ReadJSON(jsonPath, &state); err != nil || state.Step != 3 {
		t.Errorf("ReadJSON = %+v, %v, want step 3", state, err)
	}
}

type trainState struct {
	Step    int                `json:"step"`
	LR      float64            `json:"lr"`
	Losses  map[string]float64 `json:"losses"`
	Comment string             `json:"comment,omitempty"`
}

func TestJSONRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	want := trainState{Step: 42, LR: 2e-4, Losses: map[string]float64{"d": 0.5, "g": 1.25}}
	if err := WriteJSONAtomic(path, want); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const text = "{\n  \"step\": 42,\n  \"lr\": 0.0002,\n  \"losses\": {\n    \"d\": 0.5,\n    \"g\": 1.25\n  }\n}\n"
	if string(b) != text {
		t.Errorf("file holds\n%s\nwant\n%s", b, text)
	}
	var got trainState
	if err := ReadJSON(path, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read %+v, want %+v", got, want)
	}
}

func TestReadJSON(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       string // part of the error; "" for success
	}{
		{"unknown fields are accepted", `{"step": 1, "future_field": [1, 2]}`, ""},
		{"syntax error names line and column", "{\n  \"step\": 1,\n  \"lr\": ,\n}", ":3:9: invalid character ','"},
		{"trailing comma", "{\"step\": 1,}\n", ":1:12: invalid character '}'"},
		{"empty file", "", ":1:1: unexpected end of JSON input"},
		{"truncated", `{"step": 1`, "unexpected end of JSON input"},
		{"two values", `{} {}`, "after top-level value"},
		{"wrong type", "{\n\"step\": \"one\"}", ":2:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			var s trainState
			err := ReadJSON(path, &s)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("read %+v, want an error", s)
			}
			msg, want := err.Error(), tc.want
			t.Log(msg)
			if strings.HasPrefix(want, ":") { // a position, right after the file name
				want = path + want
			}
			if !strings.Contains(msg, path) || !strings.Contains(msg, want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line naming %s and containing %q", msg, path, want)
			}
		})
	}

	t.Run("missing file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "none.json")
		var s trainState
		err := ReadJSON(path, &s)
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
			t.Errorf("error %v: want fs.ErrNotExist naming %s", err, path)
		}
	})
}

func TestWriteJSONAtomicUnencodable(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
	}{
		{"channel", make(chan int)},
		{"NaN", map[string]float64{"loss": math.NaN()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "state.json")
			if err := os.WriteFile(path, []byte("{}\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			err := WriteJSONAtomic(path, tc.v)
			if err == nil || !strings.Contains(err.Error(), path) {
				t.Fatalf("error %v, want one naming %s", err, path)
			}
			if b, _ := os.ReadFile(path); string(b) != "{}\n" {
				t.Errorf("old file now holds %q", b)
			}
			if left := ls(t, dir); !reflect.DeepEqual(left, []string{"state.json"}) {
				t.Errorf("folder holds %v, want only state.json", left)
			}
		})
	}
}

func TestChecksum(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		content, want string
	}{
		{"", "e3b0c44298fc"},
		{"hello world", "b94d27b9934d"},
	} {
		path := filepath.Join(dir, "f")
		if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := Checksum(path)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("Checksum(%q) = %s, want %s", tc.content, got, tc.want)
		}
	}
	missing := filepath.Join(dir, "missing")
	if _, err := Checksum(missing); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("error %v, want fs.ErrNotExist naming %s", err, missing)
	}
	if _, err := Checksum(dir); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("Checksum of a folder: error %v, want one naming %s", err, dir)
	}
}
