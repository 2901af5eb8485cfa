package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"github.com/gogan/gogan/internal/cuda"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"

	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/nn"
)

// The tests drive the command in-process through runMain, on a tiny MNIST-format
// dataset, with runs short enough that the package takes seconds.

// fixture sizes: 256 training images of 28×28 make 16 steps per epoch at --batch 16.
const (
	nTrain   = 256
	nTest    = 64
	trainArg = "--batch 16 --steps 20 --log-every 5"
)

// result is what one gogan invocation did.
type result struct {
	args           []string
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("gogan %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// gogan runs the command line in-process. It fails the test if runMain panics or
// if stderr shows a stack trace.
func gogan(t *testing.T, args ...string) result {
	t.Helper()
	return runWith(t, false, args)
}

// goganTTY is gogan with stderr taken for a terminal, so that train draws its
// progress bar.
func goganTTY(t *testing.T, args ...string) result {
	t.Helper()
	return runWith(t, true, args)
}

func runWith(t *testing.T, tty bool, args []string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &environment{stdout: &stdout, stderr: &stderr, stderrIsTTY: tty}
	r := result{args: args}
	func() {
		defer func() {
			if p := recover(); p != nil { // Errorf, not Fatalf: TestTrainInterrupt runs gogan in a goroutine
				t.Errorf("gogan %s panicked: %v\n%s", strings.Join(args, " "), p, debug.Stack())
				r.code = -1
			}
		}()
		r.code = runMain(env, args)
	}()
	r.stdout, r.stderr = stdout.String(), stderr.String()
	if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
		t.Errorf("stack trace in stderr of %s", r)
	}
	return r
}

// split turns "--a 1 --b 2" into arguments, for the common flags.
func split(s string) []string { return strings.Fields(s) }

// args joins argument lists.
func args(parts ...[]string) []string {
	var all []string
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}

// wantExit fails unless r exited with code.
func wantExit(t *testing.T, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("want exit %d, got %s", code, r)
	}
}

// wantError checks a failed command: exit code, a first stderr line
// "gogan CMD: ..." holding every string of want, and for exit 1 nothing else
// on stderr (exit 2 adds the usage).
func wantError(t *testing.T, r result, code int, want ...string) {
	t.Helper()
	wantExit(t, r, code)
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	msg := lines[0]
	if !strings.HasPrefix(msg, "gogan") {
		t.Errorf("error line does not start with \"gogan\": %q\n%s", msg, r)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error line %q does not contain %q\n%s", msg, w, r)
		}
	}
	if code == 1 && len(lines) != 1 {
		t.Errorf("want a one-line error, got %d lines\n%s", len(lines), r)
	}
	if code == 2 && !strings.Contains(r.stderr, "Usage:") {
		t.Errorf("usage error without the usage\n%s", r)
	}
}

// writeLabels writes an IDX1 unsigned-byte label file.
func writeLabels(path string, labels []uint8) error {
	b := binary.BigEndian.AppendUint32(nil, 0x00000801)
	b = binary.BigEndian.AppendUint32(b, uint32(len(labels)))
	return os.WriteFile(path, append(b, labels...), 0o644)
}

// patterns makes n 28×28 images of simple shapes: image i is a bright bar,
// horizontal or vertical, at a position set by its label i%10.
func patterns(n int) (*data.Images, []uint8) {
	im := &data.Images{N: n, Rows: 28, Cols: 28, Pixels: make([]uint8, n*28*28)}
	labels := make([]uint8, n)
	for i := range n {
		label := i % 10
		labels[i] = uint8(label)
		px := im.Pixels[i*784 : (i+1)*784]
		at := 4 + 2*label
		for k := range 28 {
			for w := range 3 {
				if i%2 == 0 {
					px[(at+w)*28+k] = 255
				} else {
					px[k*28+at+w] = 255
				}
			}
		}
	}
	return im, labels
}

// writeDataset writes the four MNIST files, nTrain and nTest images, into dir.
func writeDataset(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, s := range []struct {
		prefix string
		n      int
	}{{"train", nTrain}, {"t10k", nTest}} {
		im, labels := patterns(s.n)
		if err := data.WriteIDXImages(filepath.Join(dir, s.prefix+"-images-idx3-ubyte"), im); err != nil {
			return err
		}
		if err := writeLabels(filepath.Join(dir, s.prefix+"-labels-idx1-ubyte"), labels); err != nil {
			return err
		}
	}
	return nil
}

// writeFixture writes the dataset into a new folder and returns it.
func writeFixture(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "digits")
	if err := writeDataset(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// shared holds a dataset and a finished run that read-only tests share, so
// that the package trains once for them.
var shared struct {
	once      sync.Once
	dir       string // a temporary folder removed by TestMain
	data, run string
	err       error
}

// trainedRun returns the fixture folder and a run trained on it with trainArg.
// Tests must not change either.
func trainedRun(t *testing.T) (dataDir, runDir string) {
	t.Helper()
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "gogan-cmd-test-")
		if shared.err != nil {
			return
		}
		shared.data = filepath.Join(shared.dir, "digits")
		shared.run = filepath.Join(shared.dir, "run")
		if shared.err = writeDataset(shared.data); shared.err != nil {
			return
		}
		var stdout, stderr bytes.Buffer
		code := runMain(&environment{stdout: &stdout, stderr: &stderr},
			args(split("train --data"), []string{shared.data, "--out", shared.run}, split(trainArg)))
		if code != 0 {
			shared.err = fmt.Errorf("training the shared run: exit %d\n%s%s", code, stdout.String(), stderr.String())
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.data, shared.run
}

func TestMain(m *testing.M) {
	removeChoices := cuda.TempChoicesFile() // the GPU tests' timed choices stay out of the user's cache
	code := m.Run()
	removeChoices()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // in the first line of stderr
	}{
		{nil, "gogan builds"},
		{[]string{"fly"}, `unknown command "fly"`},
		{split("train --epochs x"), `invalid value "x" for flag -epochs`},
		{split("train --batch 0"), "batch must be positive, got 0"},
		{split("train --batch -3"), "got -3"},
		{split("train --steps -1"), "got -1"},
		{split("train --lr 2"), "got 2"},
		{split("train --log-every 0"), "got 0"},
		{split("train --lr-decay cosine"), `unknown learning-rate decay "cosine"`},
		{split("train --resume x --lr-decay linear"), "--lr-decay cannot change a resumed run"},
		{split("train --lr 1e-50"), "1e-50"},
		{split("train --model nope"), `"nope"`},
		{split("train --threads -1"), "--threads must not be negative, got -1"},
		{split("train --batch 100000000"), "--batch must be at most 65536, got 100000000"},
		{split("train --epochs 9223372036854775807"), "got 9223372036854775807"},
		{split("train --resume x --epochs 9223372036854775807"), "got 9223372036854775807"},
		{split("sample --run x --n 9223372036854775807"), "got 9223372036854775807"},
		{split("sample --run x --cols -1"), "--cols must not be negative, got -1"},
		{split("summary --latent 10000000000"), "got 10000000000"},
		{split("train --bogus"), "flag provided but not defined: -bogus"},
		{split("train extra"), `unexpected argument "extra"`},
		{split("sample"), "--run is required"},
		{split("sample --run x --n 0"), "--n must be in [1, 100000], got 0"},
		{split("sample --run x --format jpeg"), `"jpeg"`},
		{split("sample --seed -1"), `invalid value "-1" for flag -seed`},
		{split("summary --model nope"), `unknown model "nope"`},
		{split("help nope"), `unknown command "nope"`},
		{split("bench --iters 0"), "--iters must be positive, got 0"},
		{split("bench --batch 0"), "got 0"},
		{split("bench --batch 100000000"), "--batch must be at most 65536, got 100000000"},
		{split("bench --model nope"), `"nope"`},
		{split("summary --latent 0"), "--latent must be in [1, 65536], got 0"},
		{split("train --model mlp2d --pack 3"), "batch 512 is not divisible by pack 3"},
		{split("train --model cae --pack 2"), "pack 2 needs a GAN's discriminator; cae is not a GAN"},
		{split("train --model cae --loss lsgan --ema 0.999"), "model cae is an autoencoder, not a GAN: it has no use for loss, EMA decay"},
		{split("train --model classifier --label-smoothing 0.1"), "model classifier is a classifier, not a GAN: it has no use for label smoothing"},
		{split("train --model mlp2d --pack 17"), "pack must be in [0, 16], got 17"},
		{split("train --resume x --pack 2"), "--pack cannot change a resumed run"},
		{split("train --init he"), `unknown initializer "he" (want glorot, pytorch, orthogonal)`},
		{split("train --resume x --init pytorch"), "--init cannot change a resumed run"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := gogan(t, tc.args...)
			wantError(t, r, 2, tc.want)
			if r.stdout != "" {
				t.Errorf("usage error wrote to stdout\n%s", r)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	r := gogan(t, "help", "train")
	wantExit(t, r, 0)
	for _, flag := range []string{"-epochs", "-steps", "-batch", "-data", "-out", "-resume", "-lr", "-seed"} {
		if !strings.Contains(r.stdout, flag) {
			t.Errorf("help train does not list %s\n%s", flag, r)
		}
	}
	for _, name := range nn.InitSchemeNames() {
		if !strings.Contains(r.stdout, name) {
			t.Errorf("help train does not list the initializer %s\n%s", name, r)
		}
	}
	r = gogan(t, "help")
	wantExit(t, r, 0)
	for _, cmd := range []string{"train", "sample", "summary"} {
		if !strings.Contains(r.stdout, cmd) {
			t.Errorf("help does not list %s\n%s", cmd, r)
		}
	}
	r = gogan(t, "sample", "-h")
	wantExit(t, r, 2)
	if !strings.Contains(r.stderr, "-latents") {
		t.Errorf("sample -h does not list -latents\n%s", r)
	}
}

// TestHelpDefaultOnce: no flag's help says its default twice, in its text and in the
// "(default X)" that package flag adds for a flag whose value starts non-zero: --beta1
// read "Adam β1 (default 0.5, or the recipe's) (default 0.5)".
func TestHelpDefaultOnce(t *testing.T) {
	for _, c := range commands() {
		r := gogan(t, "help", c.name)
		wantExit(t, r, 0)
		for line := range strings.Lines(r.stdout) {
			if strings.Count(line, "(default") > 1 {
				t.Errorf("gogan help %s: %q says its default twice", c.name, strings.TrimSpace(line))
			}
		}
	}
}

// TestHelpStreams: every command's help agrees with the go tool's: "gogan help" and
// "gogan help CMD" print on stdout and exit 0; "gogan", "gogan -h" and "gogan CMD -h"
// (-help, --help) print the same text on stderr and exit 2, as go build -h does.
func TestHelpStreams(t *testing.T) {
	check := func(t *testing.T, help []string, asked [][]string) {
		t.Helper()
		h := gogan(t, help...)
		if h.code != 0 || h.stderr != "" || !strings.HasPrefix(h.stdout, "Usage: gogan") && !strings.HasPrefix(h.stdout, "gogan builds") {
			t.Errorf("want the usage on stdout and exit 0, got %s", h)
		}
		for _, a := range asked {
			r := gogan(t, a...)
			if r.code != 2 || r.stdout != "" || r.stderr != h.stdout {
				t.Errorf("want on stderr what gogan %s prints on stdout, and exit 2; got %s", strings.Join(help, " "), r)
			}
		}
	}
	check(t, []string{"help"}, [][]string{nil, {"-h"}, {"--help"}})
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			check(t, []string{"help", c.name}, [][]string{{c.name, "-h"}, {c.name, "-help"}, {c.name, "--help"}})
		})
	}
}
