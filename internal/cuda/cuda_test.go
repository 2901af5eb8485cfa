package cuda

import (
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
)

// -ptx loads that PTX instead of the embedded kernels.ptx: the GPU machine compiles
// kernels.cu and tests it in one call, before the PTX is committed.
var ptxFlag = flag.String("ptx", "", "load the kernels from this PTX file instead of the embedded one")

func TestMain(m *testing.M) {
	flag.Parse()
	if *ptxFlag != "" {
		ptxFile = *ptxFlag
	}
	os.Exit(m.Run())
}

// testDevice is device 0, opened once for the package's tests.
var testDevice struct {
	once sync.Once
	d    *Device
	err  error
}

// openOrSkip returns device 0, or skips the test with the one line naming what is
// missing.
func openOrSkip(t *testing.T) *Device {
	t.Helper()
	testDevice.once.Do(func() { testDevice.d, testDevice.err = Open(0) })
	if testDevice.err != nil {
		t.Skip(testDevice.err)
	}
	return testDevice.d
}

// upload copies x to new device memory.
func upload(t *testing.T, d *Device, x []float32) Ptr {
	t.Helper()
	p, err := d.Alloc(len(x))
	if err != nil {
		t.Fatal(err)
	}
	d.CopyToDevice(p, x)
	t.Cleanup(func() { d.Free(p) })
	return p
}

// download returns n float32s from p, after a Sync.
func download(t *testing.T, d *Device, p Ptr, n int) []float32 {
	t.Helper()
	out := make([]float32, n)
	d.CopyToHost(out, p)
	if err := d.Sync(); err != nil {
		t.Fatal(err)
	}
	return out
}

// randoms returns n values uniform in [-2, 2).
func randoms(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = 4*rng.Float32() - 2
	}
	return x
}

// maxError is max |got − want|/max(1, |want|), +Inf where one is NaN and not both.
func maxError(got, want []float32) float64 {
	var e float64
	for i := range want {
		g, w := float64(got[i]), float64(want[i])
		if math.IsNaN(g) || math.IsNaN(w) {
			if math.IsNaN(g) != math.IsNaN(w) {
				return math.Inf(1)
			}
			continue
		}
		e = max(e, math.Abs(g-w)/max(1, math.Abs(w)))
	}
	return e
}

// The tests below need no GPU.

func TestBindMissingLibrary(t *testing.T) {
	err := bind([]string{"libgogan-missing.so.1", "libgogan-missing.so.2"}, "is it installed?", nil)
	want := "cuda: libgogan-missing.so.1 or libgogan-missing.so.2 not found (is it installed?)"
	if err == nil || err.Error() != want {
		t.Fatalf("bind of a missing library: %v, want %q", err, want)
	}
}

func TestOpenReturnsOneLineError(t *testing.T) {
	for _, ordinal := range []int{-1, 1 << 20} {
		d, err := Open(ordinal)
		if err == nil {
			d.Close()
			t.Fatalf("Open(%d) succeeded", ordinal)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "cuda: ") || strings.Contains(msg, "\n") {
			t.Errorf("Open(%d): %q, want one line starting with \"cuda: \"", ordinal, msg)
		}
		t.Logf("Open(%d): %v", ordinal, err)
	}
}

func TestNegativeSizesPanic(t *testing.T) {
	d := &Device{}
	for name, call := range map[string]func(){
		"Scale":           func() { d.Scale(0, 0, -1, 1) },
		"AddBias":         func() { d.AddBias(0, 0, 0, -2, 3) },
		"SumRows":         func() { d.SumRows(0, 0, 3, -1, 0) },
		"Sum":             func() { d.Sum(0, 0, -5, 1, 0) },
		"BatchNormGrad":   func() { d.BatchNormGrad(0, 0, 0, 0, 0, 0, 0, 0, -1, 4, false) },
		"Copy":            func() { d.Copy(0, 0, -1) },
		"Fill":            func() { d.Fill(0, -1, 0) },
		"Alloc":           func() { d.Alloc(-1) },
		"Sgemm negative":  func() { d.Sgemm(false, false, -1, 2, 2, 1, 0, 2, 0, 2, 0, 0, 2) },
		"Sgemm short lda": func() { d.Sgemm(false, false, 2, 2, 3, 1, 0, 2, 0, 2, 0, 0, 2) },
		"Sgemm short ldc": func() { d.Sgemm(true, true, 2, 4, 3, 1, 0, 2, 0, 3, 0, 0, 3) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			call()
		}()
	}
}

func TestKernelTableComplete(t *testing.T) {
	for k, name := range kernelNames {
		if name == "" {
			t.Errorf("kernel %d has no name", k)
		}
	}
}

// TestPTXHasEveryKernel checks, without a GPU, that every kernel of the table
// is an entry of the embedded PTX under its C name: a kernel that kernels.cu
// leaves outside extern "C" is there only under its C++-mangled name, which
// Open would not find.
func TestPTXHasEveryKernel(t *testing.T) {
	for k, name := range kernelNames {
		if !strings.Contains(kernelsPTX, ".entry "+name+"(") {
			t.Errorf("kernel %d: kernels.ptx has no entry %q (is it inside extern \"C\"? run go generate)", k, name)
		}
	}
}
