package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/generator"
)

// sample runs gogan sample on the shared run.
func sample(t *testing.T, extra ...string) result {
	t.Helper()
	_, run := trainedRun(t)
	return gogan(t, append([]string{"sample", "--run", run}, extra...)...)
}

// readFile fails the test if path cannot be read.
func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeLatents writes a safetensors file holding tensors.
func writeLatents(t *testing.T, tensors map[string]checkpoint.Tensor) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "z.safetensors")
	if err := checkpoint.SaveSafetensors(path, tensors, nil); err != nil {
		t.Fatal(err)
	}
	return path
}

// latents3 are three latent vectors of 100.
func latents3() []float32 {
	z := make([]float32, 300)
	for i := range z {
		z[i] = float32(i%17)/8 - 1
	}
	return z
}

func TestSampleGrid(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.png")
	r := sample(t, "--n", "6", "--out", out)
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, "wrote 6 images from step 20") || !strings.Contains(r.stdout, out) {
		t.Errorf("stdout does not say what was written\n%s", r)
	}
	// √6 rounds up to 3 columns, so 2 rows.
	if w, h := decodePNG(t, out); w != 3*28+2*2 || h != 2*28+2 {
		t.Errorf("grid of 6 is %dx%d, want 3 columns and 2 rows", w, h)
	}
	// Columns past n would only be padding.
	wide := filepath.Join(t.TempDir(), "wide.png")
	wantExit(t, sample(t, "--n", "2", "--cols", "100000000000", "--out", wide), 0)
	if w, h := decodePNG(t, wide); w != 2*28+2 || h != 28 {
		t.Errorf("grid of 2 in many columns is %dx%d", w, h)
	}
	out2 := filepath.Join(t.TempDir(), "y.png")
	wantExit(t, sample(t, "--n", "6", "--cols", "6", "--out", out2), 0)
	if w, h := decodePNG(t, out2); w != 6*28+5*2 || h != 28 {
		t.Errorf("grid of 6 in 6 columns is %dx%d", w, h)
	}
}

func TestSampleFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pngs")
	wantExit(t, sample(t, "--n", "5", "--out", dir), 0)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 5 {
		t.Fatalf("%s holds %d files, want 5", dir, len(entries))
	}
	for _, e := range entries {
		if w, h := decodePNG(t, filepath.Join(dir, e.Name())); w != 28 || h != 28 {
			t.Errorf("%s is %dx%d, want 28x28", e.Name(), w, h)
		}
	}
}

func TestSampleIDX(t *testing.T) {
	for _, name := range []string{"x-idx3-ubyte", "x.idx", "x-idx3-ubyte.gz"} {
		out := filepath.Join(t.TempDir(), name)
		wantExit(t, sample(t, "--n", "7", "--out", out), 0)
		im, err := data.ReadIDXImages(out)
		if err != nil {
			t.Fatal(err)
		}
		if im.N != 7 || im.Rows != 28 || im.Cols != 28 {
			t.Errorf("%s holds %d images of %dx%d, want 7 of 28x28", name, im.N, im.Rows, im.Cols)
		}
	}
	// --format names the kind of a file whose extension does not.
	out := filepath.Join(t.TempDir(), "x.bin")
	wantExit(t, sample(t, "--n", "2", "--out", out, "--format", "idx"), 0)
	if _, err := data.ReadIDXImages(out); err != nil {
		t.Error(err)
	}
}

func TestSampleSeeds(t *testing.T) {
	dir := t.TempDir()
	out := func(name string) string { return filepath.Join(dir, name) }
	wantExit(t, sample(t, "--n", "4", "--seed", "7", "--out", out("a.png")), 0)
	wantExit(t, sample(t, "--n", "4", "--seed", "7", "--out", out("b.png")), 0)
	wantExit(t, sample(t, "--n", "4", "--seed", "8", "--out", out("c.png")), 0)
	a, b, c := readFile(t, out("a.png")), readFile(t, out("b.png")), readFile(t, out("c.png"))
	if !bytes.Equal(a, b) {
		t.Error("the same --seed gave different images")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds gave the same images")
	}
}

func TestSampleLatents(t *testing.T) {
	z := writeLatents(t, map[string]checkpoint.Tensor{"latents": checkpoint.F32([]int{3, 100}, latents3())})
	dir := t.TempDir()
	first, second := filepath.Join(dir, "a-idx3-ubyte"), filepath.Join(dir, "b-idx3-ubyte")
	for _, out := range []string{first, second} {
		r := sample(t, "--latents", z, "--out", out)
		wantExit(t, r, 0)
		if !strings.Contains(r.stdout, "wrote 3 images") {
			t.Errorf("stdout does not say 3 images\n%s", r)
		}
	}
	im, err := data.ReadIDXImages(first)
	if err != nil {
		t.Fatal(err)
	}
	if im.N != 3 {
		t.Errorf("%d images from 3 latent vectors", im.N)
	}
	if !bytes.Equal(readFile(t, first), readFile(t, second)) {
		t.Error("the same latents gave different images")
	}
	// The latents, not --seed, decide the images.
	third := filepath.Join(dir, "c-idx3-ubyte")
	wantExit(t, sample(t, "--latents", z, "--seed", "99", "--out", third), 0)
	if !bytes.Equal(readFile(t, first), readFile(t, third)) {
		t.Error("--seed changed the images made from --latents")
	}
}

func TestSampleBadLatents(t *testing.T) {
	missingTensor := writeLatents(t, map[string]checkpoint.Tensor{"z": checkpoint.F32([]int{3, 100}, latents3())})
	wrongWidth := writeLatents(t, map[string]checkpoint.Tensor{"latents": checkpoint.F32([]int{3, 50}, latents3()[:150])})
	oneDim := writeLatents(t, map[string]checkpoint.Tensor{"latents": checkpoint.F32([]int{300}, latents3())})
	nan := latents3()
	nan[5] = float32(zero() / zero())
	withNaN := writeLatents(t, map[string]checkpoint.Tensor{"latents": checkpoint.F32([]int{3, 100}, nan)})
	notSafetensors := filepath.Join(t.TempDir(), "z.safetensors")
	if err := os.WriteFile(notSafetensors, []byte("hello, world"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "none.safetensors")
	for _, tc := range []struct {
		name, path string
		want       []string
	}{
		{"no latents tensor", missingTensor, []string{`"latents"`}},
		{"wrong width", wrongWidth, []string{"[3 50]", "100"}},
		{"one dimension", oneDim, []string{"[300]", "100"}},
		{"NaN", withNaN, []string{"NaN"}},
		{"not safetensors", notSafetensors, nil},
		{"missing", missing, []string{"no such file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "x.png")
			r := sample(t, "--latents", tc.path, "--out", out)
			wantError(t, r, 1, append(tc.want, tc.path)...)
			if _, err := os.Stat(out); err == nil {
				t.Errorf("a failed sample wrote %s", out)
			}
		})
	}
	// Latents whose products overflow: no image of NaN, an error.
	huge := make([]float32, 300)
	for i := range huge {
		huge[i] = 3e38
	}
	out := filepath.Join(t.TempDir(), "x.idx")
	r := sample(t, "--latents", writeLatents(t, map[string]checkpoint.Tensor{"latents": checkpoint.F32([]int{3, 100}, huge)}), "--out", out)
	wantError(t, r, 1, "NaN or ±Inf")
	// --n beside --latents, which sets the count itself: a usage error.
	r = sample(t, "--latents", writeLatents(t, map[string]checkpoint.Tensor{"latents": checkpoint.F32([]int{3, 100}, latents3())}), "--n", "10", "--out", out)
	wantError(t, r, 2, "--n and --latents")
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a failed sample wrote %s", out)
	}
}

// zero hides a zero from the compiler's constant folding.
func zero() float64 { return 0 }

func TestSampleBadRun(t *testing.T) {
	_, run := trainedRun(t)
	empty := t.TempDir()
	missing := filepath.Join(empty, "nope")

	// A copy of the run's checkpoint, with the tensor file changed.
	copyCheckpoint := func(t *testing.T, change func(tensorPath string) error) string {
		t.Helper()
		dir := filepath.Join(t.TempDir(), "checkpoints")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		src := filepath.Join(run, "checkpoints")
		var tensors string
		for _, name := range []string{"latest.json", "step-00000020.safetensors"} {
			if err := os.WriteFile(filepath.Join(dir, name), readFile(t, filepath.Join(src, name)), 0o644); err != nil {
				t.Fatal(err)
			}
			tensors = filepath.Join(dir, name)
		}
		if err := change(tensors); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	flipped := copyCheckpoint(t, func(p string) error {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		b[len(b)/2] ^= 0xff
		return os.WriteFile(p, b, 0o644)
	})
	truncated := copyCheckpoint(t, func(p string) error { return os.Truncate(p, 1000) })
	gone := copyCheckpoint(t, os.Remove)
	badJSON := copyCheckpoint(t, func(string) error { return nil })
	if err := os.WriteFile(filepath.Join(badJSON, "latest.json"), []byte(`{"format": 3`), 0o644); err != nil {
		t.Fatal(err)
	}
	notOurs := filepath.Join(t.TempDir(), "latest.json")
	if err := os.WriteFile(notOurs, []byte(`{"format": "other"}`), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, run string
		want      []string
	}{
		{"missing", missing, []string{missing, "no such file"}},
		{"no checkpoint", empty, []string{empty, "no checkpoint"}},
		{"corrupted tensors", flipped, []string{filepath.Join(flipped, "step-00000020.safetensors"), "checksum"}},
		{"truncated tensors", truncated, []string{filepath.Join(truncated, "step-00000020.safetensors")}},
		{"tensor file gone", gone, []string{filepath.Join(gone, "step-00000020.safetensors")}},
		{"bad JSON", badJSON, []string{filepath.Join(badJSON, "latest.json")}},
		{"not a gogan checkpoint", notOurs, []string{notOurs, "not a gogan checkpoint"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "x.png")
			r := gogan(t, "sample", "--run", tc.run, "--out", out)
			wantError(t, r, 1, tc.want...)
		})
	}
}

func TestSampleBadOut(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	noFolder := filepath.Join(t.TempDir(), "no", "such", "folder", "x.png")
	for _, tc := range []struct{ out, want, why string }{
		{filepath.Join(file, "x.png"), filepath.Join(file, "x.png"), "not a directory"},
		{filepath.Join(file, "pngs"), file, "not a directory"}, // the error names the file in the way
		{filepath.Join(file, "x-idx3-ubyte"), filepath.Join(file, "x-idx3-ubyte"), "not a directory"},
		{file, file, "is not a folder"}, // a folder of PNGs does not replace a file
		{noFolder, noFolder, "no such file or directory"},
	} {
		r := sample(t, "--n", "2", "--out", tc.out)
		wantError(t, r, 1, tc.want, tc.why)
	}
	if got := string(readFile(t, file)); got != "keep" {
		t.Errorf("the file in the way now holds %q", got)
	}
	// Usage: an empty --out, and an extension that names no output kind (a folder
	// of PNGs called samples.jpg was made before).
	jpg := filepath.Join(t.TempDir(), "samples.jpg")
	wantError(t, sample(t, "--n", "2", "--out", ""), 2, "--out must not be empty")
	wantError(t, sample(t, "--n", "2", "--out", jpg), 2, "--out "+jpg, "a .png file", "--format")
	if _, err := os.Stat(jpg); err == nil {
		t.Errorf("%s was made", jpg)
	}
	wantExit(t, sample(t, "--n", "2", "--format", "pngs", "--out", jpg), 0)
	// A --format that the extension contradicts: IDX bytes in a .png, a folder called .idx.
	png, idx := filepath.Join(t.TempDir(), "x.png"), filepath.Join(t.TempDir(), "pp.idx")
	wantError(t, sample(t, "--n", "2", "--format", "idx", "--out", png), 2, "--format idx, but --out "+png+" names a PNG grid")
	wantError(t, sample(t, "--n", "2", "--format", "pngs", "--out", idx), 2, "names an IDX file")
	for _, p := range []string{png, idx} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was made", p)
		}
	}
}

// TestSampleFolderReplaced: a folder of PNGs is replaced as a whole, so fewer images
// leave no earlier ones beside them; a folder holding other files is refused, naming
// one, and left as it was; nothing is left beside the folder.
func TestSampleFolderReplaced(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "pngs")
	wantExit(t, sample(t, "--n", "5", "--out", dir), 0)
	wantExit(t, sample(t, "--n", "2", "--out", dir+string(filepath.Separator)), 0)
	if got := lsNames(t, dir); strings.Join(got, " ") != "sample-00000.png sample-00001.png" {
		t.Errorf("%s holds %v, want the 2 new images", dir, got)
	}
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantError(t, sample(t, "--n", "3", "--out", dir), 1, dir, "holds notes.txt", "give an empty or a new folder")
	if got := lsNames(t, dir); len(got) != 3 || string(readFile(t, notes)) != "mine" {
		t.Errorf("%s holds %v after a refused sample, want what it held", dir, got)
	}
	if got := lsNames(t, parent); len(got) != 1 {
		t.Errorf("%s holds %v, want only pngs", parent, got)
	}
}

// TestSampleInterrupted: Ctrl-C while a folder of PNGs is written exits 130 saying
// that nothing was written, and leaves the earlier folder whole and no temporary one.
func TestSampleInterrupted(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "pngs")
	wantExit(t, sample(t, "--n", "3", "--out", dir), 0)
	before := map[string][]byte{}
	for _, name := range lsNames(t, dir) {
		before[name] = readFile(t, filepath.Join(dir, name))
	}
	done := make(chan result)
	go func() { done <- sample(t, "--n", "20000", "--out", dir) }()
	// The temporary folder appears after gogan sample has set up its signal handler.
	deadline := time.Now().Add(60 * time.Second)
	for {
		if tmp, _ := filepath.Glob(filepath.Join(parent, ".pngs.tmp-*")); len(tmp) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("gogan sample did not start writing")
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	r := <-done
	wantError(t, r, exitInterrupted, "interrupted before "+dir+" was written: nothing was written or replaced")
	if got := lsNames(t, dir); len(got) != len(before) {
		t.Errorf("%s holds %v, want the earlier %d images", dir, got, len(before))
	}
	for name, b := range before {
		if !bytes.Equal(readFile(t, filepath.Join(dir, name)), b) {
			t.Errorf("%s changed", name)
		}
	}
	if got := lsNames(t, parent); len(got) != 1 {
		t.Errorf("%s holds %v, want only pngs", parent, got)
	}
}

// TestSampleProgressBar: on a terminal, generating and writing more images than one
// batch of the generator draw a bar on stderr; fewer images, or stderr not a
// terminal, draw none.
func TestSampleProgressBar(t *testing.T) {
	_, run := trainedRun(t)
	dir := t.TempDir()
	n := fmt.Sprint(generator.BatchSize + 1)
	r := goganTTY(t, "sample", "--run", run, "--n", n, "--out", filepath.Join(dir, "pngs"))
	wantExit(t, r, 0)
	for _, want := range []string{"generating", "writing PNGs", n + "/" + n, "img/s"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr does not show %q\n%s", want, r)
		}
	}
	// Each bar is drawn at 0 first: its rate counts from the start of the work, not
	// from the end of the first batch (where it said millions of img/s).
	for _, desc := range []string{"generating", "writing PNGs"} {
		first := ""
		for _, frame := range strings.FieldsFunc(r.stderr, func(c rune) bool { return c == '\r' || c == '\n' }) {
			if strings.HasPrefix(frame, desc) {
				first = frame
				break
			}
		}
		if !strings.Contains(first, "(0/"+n+", ") {
			t.Errorf("the bar of %s starts at %q, want 0 of %s\n%s", desc, first, n, r)
		}
	}
	r = goganTTY(t, "sample", "--run", run, "--n", n, "--out", filepath.Join(dir, "x.idx"))
	wantExit(t, r, 0)
	if !strings.Contains(r.stderr, "generating") || strings.Contains(r.stderr, "writing") {
		t.Errorf("want the bar of generating only\n%s", r)
	}
	for _, r := range []result{
		goganTTY(t, "sample", "--run", run, "--n", fmt.Sprint(generator.BatchSize), "--out", filepath.Join(dir, "few")),
		gogan(t, "sample", "--run", run, "--n", n, "--out", filepath.Join(dir, "pngs")),
	} {
		wantExit(t, r, 0)
		if r.stderr != "" {
			t.Errorf("a bar where none is wanted\n%s", r)
		}
	}
}

// lsNames returns the names in dir, sorted.
func lsNames(t *testing.T, dir string) []string {
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

// The run folder's own files are not touched by sampling.
func TestSampleLeavesRunAlone(t *testing.T) {
	_, run := trainedRun(t)
	before := readFile(t, filepath.Join(run, "checkpoints", "latest.json"))
	wantExit(t, sample(t, "--n", "1", "--out", filepath.Join(t.TempDir(), "x.png")), 0)
	var state map[string]any
	after := readFile(t, filepath.Join(run, "checkpoints", "latest.json"))
	if !bytes.Equal(before, after) || json.Unmarshal(after, &state) != nil {
		t.Error("sampling changed the checkpoint")
	}
}

// TestSampleAutoencoder: an autoencoder's sample writes its reconstructions beside
// --out, and only once the samples are written: a failed sample replaces nothing.
func TestSampleAutoencoder(t *testing.T) {
	dataDir, _ := trainedRun(t)
	dir := t.TempDir()
	ae := filepath.Join(dir, "ae")
	wantExit(t, gogan(t, "train", "--model", "cae", "--data", dataDir, "--steps", "2", "--batch", "8", "--out", ae), 0)
	out := filepath.Join(dir, "s.png")
	wantExit(t, gogan(t, "sample", "--run", ae, "--n", "4", "--out", out), 0)
	if _, err := os.Stat(filepath.Join(dir, "s-reconstructions.png")); err != nil {
		t.Errorf("no reconstructions beside %s: %v", out, err)
	}
	folder := filepath.Join(dir, "f.png") // a folder where the grid should go
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	precious := filepath.Join(dir, "f-reconstructions.png")
	if err := os.WriteFile(precious, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantExit(t, gogan(t, "sample", "--run", ae, "--n", "4", "--out", folder), 1)
	if b := readFile(t, precious); string(b) != "precious" {
		t.Errorf("a failed sample replaced %s", precious)
	}
}

// TestSampleRelativeData: gogan train --data ./digits stores the folder's absolute
// path in config.json, so that an autoencoder's sample, which fits its codes to the
// test images, finds them from another working directory, where it said "no such
// folder"; a run of an earlier gogan, which stored ./digits, is found from the folder
// it was trained in, and elsewhere refused in one line naming the stored path and
// the working directory.
func TestSampleRelativeData(t *testing.T) {
	proj, elsewhere := t.TempDir(), t.TempDir()
	if err := writeDataset(filepath.Join(proj, "digits")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(proj)
	wantExit(t, gogan(t, "train", "--model", "cae", "--data", "./digits", "--steps", "2", "--batch", "8", "--out", "ae"), 0)
	ae := filepath.Join(proj, "ae")
	var cfg map[string]any
	if err := json.Unmarshal(readFile(t, filepath.Join(ae, "config.json")), &cfg); err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(proj, "digits"); cfg["data"] != want {
		t.Errorf("config.json stores data %q, want %q", cfg["data"], want)
	}
	t.Chdir(elsewhere)
	wantExit(t, gogan(t, "sample", "--run", ae, "--n", "4", "--out", "s.png"), 0)

	state := filepath.Join(ae, "checkpoints", "latest.json") // as an earlier gogan wrote it
	var s map[string]any
	if err := json.Unmarshal(readFile(t, state), &s); err != nil {
		t.Fatal(err)
	}
	s["config"].(map[string]any)["data"] = "./digits"
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(state, b, 0o644); err != nil {
		t.Fatal(err)
	}
	wantError(t, gogan(t, "sample", "--run", ae, "--n", "4", "--out", "s.png"), 1,
		"data ./digits: no such folder in the working directory "+elsewhere+": ", "run gogan from the folder the run was trained in")
	t.Chdir(proj)
	wantExit(t, gogan(t, "sample", "--run", ae, "--n", "4", "--out", "s.png"), 0)
}

// TestWriteProtectedOutput: an output file that no one may write (chmod 444) is
// refused with its name, exit 1, and left as it was, by sample and export alike
// (the rename of an atomic write would replace it, as it needs only the folder's
// permission).
func TestWriteProtectedOutput(t *testing.T) {
	_, run := trainedRun(t)
	dir := t.TempDir()
	for _, tc := range [][]string{
		{"sample", "--run", run, "--n", "2", "--out", filepath.Join(dir, "grid.png")},
		{"sample", "--run", run, "--n", "2", "--out", filepath.Join(dir, "x.idx")},
		{"export", "--run", run, "--out", filepath.Join(dir, "g.onnx")},
	} {
		out := tc[len(tc)-1]
		t.Run(filepath.Base(out), func(t *testing.T) {
			if err := os.WriteFile(out, []byte("keep"), 0o444); err != nil {
				t.Fatal(err)
			}
			wantError(t, gogan(t, tc...), 1, out, "is write-protected", "permission denied")
			if got := string(readFile(t, out)); got != "keep" {
				t.Errorf("%s now holds %q", out, got)
			}
			if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o444 {
				t.Errorf("%s: mode %v (%v), want 0444", out, fi.Mode(), err)
			}
		})
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Errorf("left behind %v", left)
	}
}

// TestFormatAnyCase: --format is read in any case, as --out's extension is, by
// sample and export alike.
func TestFormatAnyCase(t *testing.T) {
	_, run := trainedRun(t)
	dir := t.TempDir()
	idx, folder, grid := filepath.Join(dir, "x.bin"), filepath.Join(dir, "pngs"), filepath.Join(dir, "x.PNG")
	wantExit(t, sample(t, "--n", "2", "--format", "IDX", "--out", idx), 0)
	if _, err := data.ReadIDXImages(idx); err != nil {
		t.Error(err)
	}
	wantExit(t, sample(t, "--n", "2", "--format", "Pngs", "--out", folder), 0)
	if names, err := filepath.Glob(filepath.Join(folder, "sample-*.png")); err != nil || len(names) != 2 {
		t.Errorf("%s holds %v (%v), want 2 PNGs", folder, names, err)
	}
	wantExit(t, sample(t, "--n", "2", "--format", "GRID", "--out", grid), 0)
	decodePNG(t, grid)
	wantError(t, sample(t, "--n", "2", "--format", "IDX", "--out", filepath.Join(dir, "y.png")), 2, "--format idx, but --out")
	wantError(t, sample(t, "--format", "JPEG"), 2, `got "JPEG"`)

	onnx, st := filepath.Join(dir, "G.ONNX"), filepath.Join(dir, "g.st")
	wantExit(t, gogan(t, "export", "--run", run, "--format", "ONNX", "--out", onnx), 0)
	wantExit(t, gogan(t, "export", "--run", run, "--format", "SafeTensors", "--out", st), 0)
	if _, _, err := checkpoint.LoadSafetensors(st); err != nil {
		t.Error(err)
	}
	wantError(t, gogan(t, "export", "--run", run, "--format", "SAFETENSORS", "--out", onnx), 2, "is a .onnx file, but --format is safetensors")
	wantError(t, gogan(t, "export", "--run", run, "--format", "TFLite"), 2, `got "TFLite"`)
}

// TestSampleAutoencoderFewTestImages: an autoencoder's run whose data folder now holds
// fewer test images than a row of its reconstructions picture is an error naming the
// picture and the count, exit 1, not a panic.
func TestSampleAutoencoderFewTestImages(t *testing.T) {
	dataDir := writeFixture(t)
	dir := t.TempDir()
	ae := filepath.Join(dir, "ae")
	wantExit(t, gogan(t, "train", "--model", "cae", "--data", dataDir, "--steps", "2", "--batch", "8", "--out", ae), 0)
	im, labels := patterns(5)
	if err := data.WriteIDXImages(filepath.Join(dataDir, "t10k-images-idx3-ubyte"), im); err != nil {
		t.Fatal(err)
	}
	if err := writeLabels(filepath.Join(dataDir, "t10k-labels-idx1-ubyte"), labels); err != nil {
		t.Fatal(err)
	}
	res := gogan(t, "sample", "--run", ae, "--n", "4", "--out", filepath.Join(dir, "s.png"))
	wantExit(t, res, 1)
	if !strings.Contains(res.stderr, "s-reconstructions.png: 5 test images to reconstruct: the picture needs 8 at least") {
		t.Errorf("stderr does not name the picture and the count:\n%s", res.stderr)
	}
}
