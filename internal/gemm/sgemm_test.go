package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
)

// operands holds one product's inputs, stored with leading dimensions wider than the rows.
type operands struct {
	transA, transB bool
	m, n, k        int
	a, b, c        []float32
	lda, ldb, ldc  int
}

// newOperands fills A, B and C with values in [-1, 1); pad widens every leading dimension.
func newOperands(rng *rand.Rand, transA, transB bool, m, n, k, pad int) *operands {
	o := &operands{transA: transA, transB: transB, m: m, n: n, k: k}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	o.lda, o.ldb, o.ldc = ac+pad, bc+pad, n+pad
	o.a = randFloats(rng, max(ar*o.lda, 1))
	o.b = randFloats(rng, max(br*o.ldb, 1))
	o.c = randFloats(rng, max(m*o.ldc, 1))
	return o
}

func randFloats(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = 2*rng.Float32() - 1
	}
	return s
}

// bound is how far a float32 result may stray from the float64 reference: the error of a
// sum of k rounded products grows like k·eps times the sum of their magnitudes.
func (o *operands) bound(i, j int, alpha, beta float32, c0 float32) float64 {
	var mag float64
	for p := 0; p < o.k; p++ {
		var av, bv float32
		if o.transA {
			av = o.a[p*o.lda+i]
		} else {
			av = o.a[i*o.lda+p]
		}
		if o.transB {
			bv = o.b[j*o.ldb+p]
		} else {
			bv = o.b[p*o.ldb+j]
		}
		mag += math.Abs(float64(av) * float64(bv))
	}
	if beta != 0 {
		mag2 := math.Abs(float64(beta * c0))
		mag = math.Abs(float64(alpha))*mag + mag2
	} else {
		mag = math.Abs(float64(alpha)) * mag
	}
	const eps = 1.0 / (1 << 23)
	return float64(o.k+4)*eps*mag + 1e-30
}

// check runs sgemmWith(ks) and Reference on copies of C and compares every element,
// and that the padding between rows of C is left alone.
func check(t *testing.T, ks *kernelSet, o *operands, alpha, beta float32, nanC bool) {
	t.Helper()
	c0 := append([]float32(nil), o.c...)
	if nanC {
		for i := 0; i < o.m; i++ {
			for j := 0; j < o.n; j++ {
				c0[i*o.ldc+j] = float32(math.NaN())
			}
		}
	}
	got := append([]float32(nil), c0...)
	want := append([]float32(nil), c0...)
	sgemmWith(ks, o.transA, o.transB, o.m, o.n, o.k, alpha, o.a, o.lda, o.b, o.ldb, beta, got, o.ldc, nil)
	Reference(o.transA, o.transB, o.m, o.n, o.k, alpha, o.a, o.lda, o.b, o.ldb, beta, want, o.ldc)
	bad := 0
	for idx := range got {
		i, j := idx/o.ldc, idx%o.ldc
		if i >= o.m || j >= o.n {
			if math.Float32bits(got[idx]) != math.Float32bits(c0[idx]) {
				t.Fatalf("%s: padding C[%d,%d] changed: %v -> %v", ks.name, i, j, c0[idx], got[idx])
			}
			continue
		}
		tol := o.bound(i, j, alpha, beta, c0[idx])
		if d := math.Abs(float64(got[idx]) - float64(want[idx])); !(d <= tol) {
			if bad++; bad <= 3 {
				t.Errorf("%s: C[%d,%d] = %v, want %v (diff %g > %g)", ks.name, i, j, got[idx], want[idx], d, tol)
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%s: %d of %d elements wrong", ks.name, bad, o.m*o.n)
	}
}

// testDims are the sizes whose mixes the tests run: edges around the tiles and the GAN sizes.
var testDims = []int{1, 7, 31, 33, 65, 100}

func TestSgemmMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	type scalars struct {
		alpha, beta float32
		nanC        bool
	}
	variants := []scalars{{1, 0, true}, {1, 1, false}, {0.5, 0.5, false}, {-2, 0, true}, {1.5, -1, false}}
	for _, ks := range families() {
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			name := fmt.Sprintf("%s/transA=%v/transB=%v", ks.name, tr[0], tr[1])
			t.Run(name, func(t *testing.T) {
				n := 0
				for _, m := range testDims {
					for _, nn := range testDims {
						for _, k := range testDims {
							s := variants[n%len(variants)]
							pad := n % 3 * 5
							n++
							o := newOperands(rng, tr[0], tr[1], m, nn, k, pad)
							check(t, ks, o, s.alpha, s.beta, s.nanC)
						}
					}
				}
			})
		}
	}
}

// TestSgemmLarge covers the GAN sizes and the cuts of k, m and n into several blocks.
func TestSgemmLarge(t *testing.T) {
	shapes := [][3]int{ // m, k, n
		{64, 784, 1024}, {64, 1024, 784}, {784, 64, 1024}, {1024, 64, 784}, {64, 100, 256},
		{257, 513, 1100}, {300, 1030, 45}, {1024, 33, 1}, {1, 1024, 1024}, {65, 260, 2050},
	}
	if testing.Short() {
		shapes = shapes[:5]
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, ks := range families() {
		for i, s := range shapes {
			for tr := 0; tr < 4; tr++ {
				transA, transB := tr&1 != 0, tr&2 != 0
				t.Run(fmt.Sprintf("%s/%dx%dx%d/tA=%v/tB=%v", ks.name, s[0], s[1], s[2], transA, transB), func(t *testing.T) {
					o := newOperands(rng, transA, transB, s[0], s[2], s[1], (i+tr)%2*3)
					beta := []float32{0, 1, 0.5, 0}[tr]
					check(t, ks, o, 1, beta, beta == 0)
				})
			}
		}
	}
}

func TestSgemmZeroSizes(t *testing.T) {
	for _, ks := range families() {
		c := []float32{1, 2, 3, 4}
		sgemmWith(ks, false, false, 2, 2, 0, 1, nil, 0, nil, 2, 3, c, 2, nil)
		if c[0] != 3 || c[3] != 12 {
			t.Errorf("%s: k = 0 must scale C by beta, got %v", ks.name, c)
		}
		c = []float32{float32(math.NaN()), 2, 3, 4}
		sgemmWith(ks, false, false, 2, 2, 1, 0, []float32{1, 1}, 1, []float32{1, 1}, 2, 0, c, 2, nil)
		if c[0] != 0 || c[3] != 0 {
			t.Errorf("%s: alpha = 0, beta = 0 must clear C, got %v", ks.name, c)
		}
		sgemmWith(ks, false, false, 0, 5, 5, 1, nil, 5, make([]float32, 25), 5, 0, nil, 5, nil)
	}
}

func TestSgemmPanicsOnShortSlices(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a too short A")
		}
	}()
	Sgemm(false, false, 4, 4, 4, 1, make([]float32, 15), 4, make([]float32, 16), 4, 0, make([]float32, 16), 4)
}

// TestKernelsMatchLoops holds each family's micro-kernel against kernelRef, the loop in its
// doc, and its packing routines against theirs, bit for bit.
func TestKernelsMatchLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, ks := range families() {
		for _, kc := range []int{0, 1, 3, 4, 5, 17, 256} {
			for _, beta := range []float32{0, 1, -0.75} {
				mr, nr, ldc := ks.mr, ks.nr, ks.nr+3
				a, b := randFloats(rng, mr*kc+1), randFloats(rng, nr*kc+1)
				c := randFloats(rng, mr*ldc)
				if beta == 0 {
					for i := range c {
						c[i] = float32(math.NaN())
					}
				}
				got, want := append([]float32(nil), c...), append([]float32(nil), c...)
				ks.kernel(kc, a, b, nr, got, ldc, 1.25, beta)
				kernelRef(mr, nr, kc, a, b, nr, want, ldc, 1.25, beta)
				compareTiles(t, ks.name+" kernel", kc, beta, got, want)
				if ks.kernelRowA == nil {
					continue
				}
				// The same panel of op(A) as rows lda apart, and op(B) with rows ldb apart.
				lda, ldb := kc+3, nr+5
				rows := make([]float32, mr*lda)
				bs := make([]float32, max(kc*ldb, 1))
				for p := 0; p < kc; p++ {
					for i := 0; i < mr; i++ {
						rows[i*lda+p] = a[p*mr+i]
					}
					copy(bs[p*ldb:p*ldb+nr], b[p*nr:p*nr+nr])
				}
				packed := append([]float32(nil), got...)
				got = append(got[:0], c...)
				ks.kernelRowA(kc, rows, lda, bs, ldb, got, ldc, 1.25, beta)
				compareTiles(t, ks.name+" kernelRowA", kc, beta, got, want)
				// Reading op(A) in place or packed gives the same bits, so whichever a
				// product chooses (sgemmWith), or a trial of another rule, its result is the same.
				if !equalBits(got, packed) {
					t.Fatalf("%s kc=%d beta=%v: kernelRowA's bits differ from kernel's", ks.name, kc, beta)
				}
			}
		}
		for _, cp := range []struct {
			w    int
			pack func(kc int, src []float32, ld int, dst []float32, panels int)
		}{{ks.mr, ks.packCopyA}, {ks.nr, ks.packCopyB}} {
			if cp.pack == nil {
				continue
			}
			w := cp.w
			for _, kc := range []int{1, 8, 13, 64} {
				for _, panels := range []int{1, 3} {
					ld := panels*w + kc + 5
					src := randFloats(rng, (max(panels*w, kc)+1)*ld)
					got, want := make([]float32, panels*kc*w), make([]float32, panels*kc*w)
					cp.pack(kc, src, ld, got, panels)
					for q := 0; q < panels; q++ {
						packCopyGo(kc, src[q*w:], ld, want[q*kc*w:], w, w)
					}
					if !equalBits(got, want) {
						t.Fatalf("%s packCopy w=%d kc=%d panels=%d differs from its loop", ks.name, w, kc, panels)
					}
				}
			}
		}
		for _, tp := range []struct {
			w    int
			pack func(kc int, src []float32, ld int, dst []float32)
		}{{ks.mr, ks.packTransA}, {ks.nr, ks.packTransB}} {
			if tp.pack == nil {
				continue
			}
			for _, kc := range []int{8, 16, 64} {
				ld := tp.w + kc + 3
				src := randFloats(rng, tp.w*ld)
				got, want := make([]float32, kc*tp.w), make([]float32, kc*tp.w)
				tp.pack(kc, src, ld, got)
				packTransGo(kc, src, ld, want, tp.w, tp.w)
				if !equalBits(got, want) {
					t.Fatalf("%s packTrans w=%d kc=%d differs from its loop", ks.name, tp.w, kc)
				}
			}
		}
	}
}

// compareTiles checks a kernel's tile against kernelRef's (fused and unfused rounding differ).
func compareTiles(t *testing.T, name string, kc int, beta float32, got, want []float32) {
	t.Helper()
	for i := range got {
		d := math.Abs(float64(got[i] - want[i]))
		if !(d <= 1e-5*float64(kc+1)) && !(math.IsNaN(float64(want[i])) && math.IsNaN(float64(got[i]))) {
			t.Fatalf("%s kc=%d beta=%v: c[%d] = %v, want %v", name, kc, beta, i, got[i], want[i])
		}
	}
}

func equalBits(x, y []float32) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
			return false
		}
	}
	return true
}

// TestThreadsBitIdentical checks that the result does not depend on the thread count, for
// products split along N and along M, with edges and several k slabs, products with one
// column (gemv.go; 1,013 rows end in columns fewer than a vector), and more threads
// than cores (16); the result of a tall product (a convolution's weight gradient) at 16
// threads is also compared with the plain loops.
func TestThreadsBitIdentical(t *testing.T) {
	defer SetThreads(0)
	rng := rand.New(rand.NewPCG(7, 8))
	shapes := [][3]int{{64, 784, 1024}, {1024, 64, 784}, {203, 517, 333}, {64, 1024, 784}, {520, 300, 72}, {512, 784, 1024}, {6272, 128, 1}, {128, 6272, 1}, {1013, 300, 1}, {128, 1, 6272}, {64, 1, 6272}}
	for _, ks := range families() {
		for _, s := range shapes {
			for tr := 0; tr < 4; tr++ {
				o := newOperands(rng, tr&1 != 0, tr&2 != 0, s[0], s[2], s[1], 1)
				var results [][]float32
				counts := []int{1, 2, 3, 16}
				for _, th := range counts {
					SetThreads(th)
					c := append([]float32(nil), o.c...)
					sgemmWith(ks, o.transA, o.transB, o.m, o.n, o.k, 0.75, o.a, o.lda, o.b, o.ldb, 0.5, c, o.ldc, nil)
					results = append(results, c)
				}
				for i := 1; i < len(results); i++ {
					if !equalBits(results[0], results[i]) {
						t.Fatalf("%s %v tr=%d: results differ between 1 and %d threads", ks.name, s, tr, counts[i])
					}
				}
				if s[0] == 520 {
					check(t, ks, o, 0.75, 0.5, false) // with 16 threads, against the plain loops
				}
			}
		}
	}
}

// TestPlan: a shared product's cut uses at most the threads it is given, whole tiles, and a
// grid only with column bands of minGridPanels panels or more: the MLP's 512×1024×784 product
// on 16 threads is cut both ways, the DCGAN's 448×256×1,920 never into bands of 2 panels.
func TestPlan(t *testing.T) {
	ks := kernels
	for _, s := range [][3]int{{512, 1024, 784}, {448, 256, 1920}, {64, 1024, 784}, {1600, 128, 931}, {8, 8, 8}, {1024, 512, 4096}} {
		g := call{ks: ks, m: s[0], n: s[1], k: s[2]}
		tn := (g.n + ks.nr - 1) / ks.nr
		for _, threads := range []int{2, 3, 16} {
			pm, pn := plan(&g, threads)
			if pm < 1 || pn < 1 || pm*pn > threads || pm > (g.m+ks.mr-1)/ks.mr || pn > tn {
				t.Errorf("%v on %d threads: cut %d × %d", s, threads, pm, pn)
			}
			if pm > 1 && pn > 1 && (tn+pn-1)/pn < minGridPanels {
				t.Errorf("%v on %d threads: a %d × %d grid of column bands under %d panels", s, threads, pm, pn, minGridPanels)
			}
		}
	}
	if pm, pn := plan(&call{ks: ks, m: 512, n: 1024, k: 784}, 16); ks.nr == 32 && (pm < 2 || pn < 2) {
		t.Errorf("512×1024×784 on 16 threads cut %d × %d, want a grid", pm, pn)
	}
	// Where a grid's column bands would be too narrow, the rows are still cut alone: more
	// threads never give a product fewer parts (64×64×4096, read in place, was cut 8 × 1
	// on 8 threads and 1 × 2 on 16).
	narrow := &call{ks: ks, m: 64, n: 64, k: 4096, directA: true}
	pm8, pn8 := plan(narrow, 8)
	if pm, pn := plan(narrow, 16); pm*pn < pm8*pn8 {
		t.Errorf("64×64×4096 cut %d × %d on 16 threads, into fewer parts than %d × %d on 8", pm, pn, pm8, pn8)
	}
}

// TestSgemmAllocatesNothing checks the steady state, serial and parallel.
func TestSgemmAllocatesNothing(t *testing.T) {
	defer SetThreads(0)
	SetThreads(2)
	rng := rand.New(rand.NewPCG(9, 10))
	for _, s := range [][3]int{{7, 9, 5}, {64, 784, 1024}, {1024, 64, 784}, {512, 256, 1}, {6272, 128, 1}} {
		for tr := 0; tr < 4; tr++ {
			o := newOperands(rng, tr&1 != 0, tr&2 != 0, s[0], s[2], s[1], 0)
			run := func() {
				Sgemm(o.transA, o.transB, o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c, o.ldc)
			}
			run()
			if allocs := testing.AllocsPerRun(5, run); allocs != 0 {
				t.Errorf("%v tr=%d: %v allocations per call", s, tr, allocs)
			}
		}
	}
}

// TestSgemmConcurrent runs products from several goroutines at once, large and small.
func TestSgemmConcurrent(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	ops := []*operands{
		newOperands(rng, false, false, 64, 784, 1024, 0),
		newOperands(rng, false, true, 64, 256, 100, 2),
		newOperands(rng, true, false, 33, 65, 31, 1),
	}
	want := make([][]float32, len(ops))
	for i, o := range ops {
		want[i] = append([]float32(nil), o.c...)
		Sgemm(o.transA, o.transB, o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, 0, want[i], o.ldc)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for gi := 0; gi < 6; gi++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := ops[gi%len(ops)]
			for r := 0; r < 5; r++ {
				c := append([]float32(nil), o.c...)
				Sgemm(o.transA, o.transB, o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, 0, c, o.ldc)
				if !equalBits(c, want[gi%len(ops)]) {
					errs <- fmt.Sprintf("goroutine %d: result differs from the lone product", gi)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestSetThreads(t *testing.T) {
	defer SetThreads(0)
	SetThreads(3)
	if Threads() != 3 {
		t.Fatalf("Threads() = %d after SetThreads(3)", Threads())
	}
	SetThreads(0)
	if Threads() < 1 {
		t.Fatalf("Threads() = %d after SetThreads(0)", Threads())
	}
}
