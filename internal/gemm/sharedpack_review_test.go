package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gogan/gogan/internal/parallel"
)

// sharedPlanOf is the plan of sgemmWith and execute for a product: the call it becomes
// (call.arranged: swapped or not, op(A) read in place or not, then an epilogue or not),
// and the cut plan gives it on threads (sharedThreads); shares reports whether it packs
// op(B) once for its parts (when it finds the team free).
func sharedPlanOf(ks *kernelSet, transA, transB bool, m, n, k int, then bool, threads int) (pm, pn int, shares bool) {
	if m == 0 || n <= 1 || k == 0 {
		return 1, 1, false
	}
	g := call{ks: ks, transA: transA, transB: transB, m: m, n: n, k: k}
	if then {
		g.then = epilogueFunc(func([]float32, int) {})
	}
	g = g.arranged()
	t := sharedThreads(&g, threads)
	if t < 2 {
		return 1, 1, false
	}
	pm, pn = plan(&g, t)
	return pm, pn, pm*pn > 1 && sharesPacking(&g, pm, pn)
}

// reviewThreadCounts are the thread counts whose results must agree bit for bit.
var reviewThreadCounts = []int{1, 2, 3, 4, 5, 7, 8, 16}

// TestSharedPackingAcrossThreadCounts: products that pack op(B) once at some thread count
// give the same bits at 1, 2, 3, 4, 5, 7, 8 and 16 threads, and the reference's values, for
// every kernel family, transposition, alpha and beta (beta 0 over NaN in C), padded leading
// dimensions, several slabs of depth, op(B) wider than ncMax (two column blocks, the second
// partial), shallow products, and products Sgemm computes swapped (transB, out != nil).
func TestSharedPackingAcrossThreadCounts(t *testing.T) {
	defer SetThreads(0)
	rng := rand.New(rand.NewPCG(101, 102))
	type variant struct {
		alpha, beta float32
		nanC        bool
	}
	variants := []variant{{0.75, 0.5, false}, {1, 0, true}, {-1.25, 1, false}, {0.5, -2, false}}
	shapes := []struct {
		m, n, k, pad int
		trs          []int // transpositions: bit 0 transA, bit 1 transB
		swapped      bool  // shares only where some family computes it swapped
	}{
		{1000, 100, 600, 3, []int{0, 1, 2, 3}, false}, // three slabs of depth, a partial panel
		{2003, 45, 257, 0, []int{0, 1, 2, 3}, false},  // odd, two slabs (the second thin)
		{1000, 1030, 64, 1, []int{0, 1, 2, 3}, false}, // two column blocks, the second 6 wide
		{3001, 61, 3, 2, []int{0, 1, 2, 3}, false},    // shallow
		{24, 2500, 400, 1, []int{2, 3}, true},         // swapped: Cᵀ = B·op(A)ᵀ into scratch, then out
		{9, 1030, 300, 0, []int{2, 3}, true},          // swapped, 1030 rows of Cᵀ and 9 columns
	}
	sharedShapes := make([]int, len(shapes))
	sharedFamily := map[string]int{}
	defer func() {
		swaps := false
		for _, ks := range families() {
			swaps = swaps || ks.kernelRowA != nil
		}
		for si, c := range sharedShapes {
			if c == 0 && (swaps || !shapes[si].swapped) {
				t.Errorf("%dx%dx%d packs op(B) once for no family and transposition", shapes[si].m, shapes[si].n, shapes[si].k)
			}
		}
		for _, ks := range families() {
			if sharedFamily[ks.name] < 10 {
				t.Errorf("%s: only %d products pack op(B) once", ks.name, sharedFamily[ks.name])
			}
		}
	}()
	for _, ks := range families() {
		for si, s := range shapes {
			for _, tr := range s.trs {
				transA, transB := tr&1 != 0, tr&2 != 0
				sharing := []int{}
				for _, th := range reviewThreadCounts {
					if _, _, sh := sharedPlanOf(ks, transA, transB, s.m, s.n, s.k, false, th); sh {
						sharing = append(sharing, th)
					}
				}
				if len(sharing) == 0 {
					continue // a grid, or not swapped, for this family's kernels: tested elsewhere
				}
				sharedShapes[si]++
				sharedFamily[ks.name]++
				v := variants[(si+tr)%len(variants)]
				o := newOperands(rng, transA, transB, s.m, s.n, s.k, s.pad)
				c0 := append([]float32(nil), o.c...)
				if v.nanC {
					for i := range o.m {
						for j := range o.n {
							c0[i*o.ldc+j] = float32(math.NaN())
						}
					}
				}
				var first []float32
				for _, th := range reviewThreadCounts {
					SetThreads(th)
					c := append([]float32(nil), c0...)
					sgemmWith(ks, transA, transB, o.m, o.n, o.k, v.alpha, o.a, o.lda, o.b, o.ldb, v.beta, c, o.ldc, nil)
					if first == nil {
						first = c
						continue
					}
					if !equalBits(first, c) {
						t.Fatalf("%s %dx%dx%d tr=%d alpha=%v beta=%v: %d threads differ from 1 (sharing at %v)", ks.name, s.m, s.n, s.k, tr, v.alpha, v.beta, th, sharing)
					}
				}
				SetThreads(sharing[len(sharing)-1])
				o.c = c0
				check(t, ks, o, v.alpha, v.beta, false)
			}
		}
	}
}

// TestSharedPackingBufferReuse: a slot's packedB, left by a larger product whose op(B) held
// NaN and infinities (and by another kernel family's layout), does not leak into a smaller
// product's result, whichever slot it takes.
func TestSharedPackingBufferReuse(t *testing.T) {
	defer SetThreads(0)
	SetThreads(16)
	rng := rand.New(rand.NewPCG(105, 106))
	big := newOperands(rng, false, false, 2000, 100, 300, 0)
	for i := range big.b {
		switch i % 3 {
		case 0:
			big.b[i] = float32(math.NaN())
		case 1:
			big.b[i] = float32(math.Inf(1))
		}
	}
	small := newOperands(rng, false, true, 1500, 37, 90, 1)
	fams := families()
	for round := range 3 {
		for _, ks := range fams {
			for _, ks2 := range fams {
				if _, _, sh := sharedPlanOf(ks, false, false, big.m, big.n, big.k, false, 16); !sh {
					t.Fatalf("%s: the large product does not pack op(B) once", ks.name)
				}
				if _, _, sh := sharedPlanOf(ks2, false, true, small.m, small.n, small.k, false, 16); !sh {
					t.Fatalf("%s: the small product does not pack op(B) once", ks2.name)
				}
				c := append([]float32(nil), big.c...)
				sgemmWith(ks, false, false, big.m, big.n, big.k, 1, big.a, big.lda, big.b, big.ldb, 0, c, big.ldc, nil)
				SetThreads(1)
				want := append([]float32(nil), small.c...)
				sgemmWith(ks2, small.transA, small.transB, small.m, small.n, small.k, 0.5, small.a, small.lda, small.b, small.ldb, 2, want, small.ldc, nil)
				SetThreads(16)
				got := append([]float32(nil), small.c...)
				sgemmWith(ks2, small.transA, small.transB, small.m, small.n, small.k, 0.5, small.a, small.lda, small.b, small.ldb, 2, got, small.ldc, nil)
				if !equalBits(got, want) {
					t.Fatalf("round %d, %s after %s: the smaller product differs from 1 thread", round, ks2.name, ks.name)
				}
			}
		}
	}
}

// TestPackedBStaysInBounds: packing op(B) once writes nothing outside packedB (guards on
// both sides, in the same allocation), for every family, transposition and several cuts.
func TestPackedBStaysInBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(107, 108))
	const guard = 64
	for _, ks := range families() {
		for _, s := range [][2]int{{100, 600}, {1030, 300}, {45, 257}, {33, 1}, {61, 3}, {2100, 9}} { // n, k
			for _, transB := range []bool{false, true} {
				for pn := 1; pn <= 3; pn++ {
					o := newOperands(rng, false, transB, 8, s[0], s[1], 0)
					g := &call{ks: ks, transB: transB, m: o.m, n: o.n, k: o.k, b: o.b, ldb: o.ldb, pn: pn}
					need := pn * g.packedBandStride()
					buf := make([]float32, need+2*guard)
					for i := range buf {
						buf[i] = -7
					}
					g.packedB = buf[guard : guard+need : guard+need]
					units := g.packUnits(0, 0)
					for parts := 1; parts <= 5; parts++ {
						for p := range parts {
							g.packUnits(p*units/parts, (p+1)*units/parts)
						}
					}
					for i := range guard {
						if buf[i] != -7 || buf[guard+need+i] != -7 {
							t.Fatalf("%s n=%d k=%d transB=%v pn=%d: packing wrote outside packedB", ks.name, o.n, o.k, transB, pn)
						}
					}
					comparePackedB(t, ks, g)
				}
			}
		}
	}
}

// TestSharedPackingPairAndConcurrent: products that pack op(B) once, two at a time in the
// crews of parallel.Pair (both slots of shared), with other goroutines running products and
// parallel jobs at once, and products nested in an epilogue, give the bits of one thread.
func TestSharedPackingPairAndConcurrent(t *testing.T) {
	defer SetThreads(0)
	for i := range shared {
		shared[i].mu.Lock()
		shared[i].packedB = nil
		shared[i].mu.Unlock()
	}
	rng := rand.New(rand.NewPCG(109, 110))
	ks := kernels
	ops := []*operands{
		newOperands(rng, false, false, 1000, 100, 600, 1),
		newOperands(rng, true, true, 800, 45, 257, 0),
		newOperands(rng, false, true, 24, 2500, 400, 2), // swapped
		newOperands(rng, true, false, 3001, 61, 3, 0),
	}
	SetThreads(1)
	want := make([][]float32, len(ops))
	for i, o := range ops {
		want[i] = append([]float32(nil), o.c...)
		Sgemm(o.transA, o.transB, o.m, o.n, o.k, 0.75, o.a, o.lda, o.b, o.ldb, 0.5, want[i], o.ldc)
	}
	o0 := ops[0]
	wantThen := append([]float32(nil), o0.c...)
	Sgemm(o0.transA, o0.transB, o0.m, o0.n, o0.k, 1, o0.a, o0.lda, o0.b, o0.ldb, 0, wantThen, o0.ldc)
	SetThreads(16)
	for i, o := range ops {
		if _, _, sh := sharedPlanOf(ks, o.transA, o.transB, o.m, o.n, o.k, false, 8); !sh && (i != 2 || ks.kernelRowA != nil) {
			t.Fatalf("operands %d do not pack op(B) once on 8 threads", i)
		}
	}
	var mu sync.Mutex
	var errs []string
	fail := func(format string, args ...any) {
		mu.Lock()
		errs = append(errs, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	run := func(tag string, i int) {
		o := ops[i]
		c := append([]float32(nil), o.c...)
		Sgemm(o.transA, o.transB, o.m, o.n, o.k, 0.75, o.a, o.lda, o.b, o.ldb, 0.5, c, o.ldc)
		if !equalBits(c, want[i]) {
			fail("%s: operands %d differ from one thread", tag, i)
		}
	}
	// nested: an epilogue whose first stretch of some rows runs a whole product.
	nested := func(tag string, i int) {
		o := ops[0]
		got := append([]float32(nil), o.c...)
		then := epilogueFunc(func(row []float32, j int) {
			if j == 0 && len(row) > 0 && (cap(got)-cap(row))/o.ldc%250 == 0 {
				run(tag+" nested", i)
			}
		})
		SgemmThen(o.transA, o.transB, o.m, o.n, o.k, o.a, o.lda, o.b, o.ldb, got, o.ldc, then)
		if !equalBits(got, wantThen) {
			fail("%s: the product around the nested ones differs from one thread", tag)
		}
	}
	const rounds = 6
	// Alone first: the pairs run together, each product on 8 threads packing op(B) once.
	for r := range rounds {
		pa := jobFunc(func(int, int) { run(fmt.Sprintf("lone pair a round %d", r), r%len(ops)) })
		pb := jobFunc(func(int, int) { run(fmt.Sprintf("lone pair b round %d", r), (r+1)%len(ops)) })
		if !parallel.Pair(pa, pb) {
			t.Fatalf("round %d: Pair did not run its jobs together with the team free", r)
		}
	}
	shared[1].mu.Lock()
	both := shared[1].packedB != nil
	shared[1].mu.Unlock()
	t.Logf("the second slot packed op(B) once (two products at once): %v", both)
	for r := range rounds {
		nested(fmt.Sprintf("lone round %d", r), (r+2)%len(ops))
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	// Others: parallel jobs and products grabbing the team between the phases of a product.
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			job := spinJob{n: 2000}
			for x := 0; ; x++ {
				select {
				case <-stop:
					return
				default:
				}
				if w == 0 {
					parallel.Run(&job, 2+x%7)
				} else {
					run("outsider", x%len(ops))
				}
			}
		}()
	}
	// Then with the others at it.
	for r := range rounds {
		pa := jobFunc(func(int, int) { run(fmt.Sprintf("pair a round %d", r), r%len(ops)) })
		pb := jobFunc(func(int, int) { run(fmt.Sprintf("pair b round %d", r), (r+1)%len(ops)) })
		parallel.Pair(pa, pb)
		nested(fmt.Sprintf("round %d", r), (r+2)%len(ops))
	}
	close(stop)
	wg.Wait()
	for _, e := range errs {
		t.Error(e)
	}
}

// jobFunc is a function as a parallel.Job.
type jobFunc func(p, parts int)

func (f jobFunc) Run(p, parts int) { f(p, parts) }

// spinJob is a parallel job of a little arithmetic a part.
type spinJob struct {
	n    int
	sink [64]float64
}

func (j *spinJob) Run(p, parts int) {
	x := float64(p)
	for i := range j.n {
		x = x*0.999 + float64(i)
	}
	if p < len(j.sink) {
		j.sink[p] = x
	}
}

// TestSharedPackingFallbackHammer: goroutines grabbing the team in a tight loop take it, now
// and then, between a product's packing of op(B) and its parts (sharedProduct.run's fallback,
// every part on the caller; a coverage profile shows it taken); every result keeps the bits
// of one thread.
func TestSharedPackingFallbackHammer(t *testing.T) {
	defer SetThreads(0)
	rng := rand.New(rand.NewPCG(111, 112))
	o := newOperands(rng, false, false, 800, 45, 257, 1)
	o2 := newOperands(rng, true, false, 1500, 37, 90, 0)
	SetThreads(1)
	want := append([]float32(nil), o.c...)
	Sgemm(o.transA, o.transB, o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, 0.5, want, o.ldc)
	want2 := append([]float32(nil), o2.c...)
	Sgemm(o2.transA, o2.transB, o2.m, o2.n, o2.k, 1, o2.a, o2.lda, o2.b, o2.ldb, 0, want2, o2.ldc)
	// Few threads, so that the spinner below is often running when the packing ends.
	SetThreads(4)
	products := 300
	if testing.Short() {
		products = 60
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var bad sync.Map
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Spin until the team is taken, then leave it be for a while: a product in
		// flight when the spinning starts is often in its packing, and the spinner takes
		// the team the moment that ends.
		job := spinJob{n: 50}
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			for !parallel.TryRun(&job, 2, true) {
			}
			// then leave the team be for 0 to 60µs (busy: a sleep's wake-up is too coarse)
			until := time.Now().Add(time.Duration(i%13) * 5 * time.Microsecond)
			for time.Now().Before(until) {
			}
		}
	}()
	c := make([]float32, len(o.c))
	for range products {
		copy(c, o.c)
		Sgemm(o.transA, o.transB, o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, 0.5, c, o.ldc)
		if !equalBits(c, want) {
			bad.Store("first", true)
		}
	}
	close(stop)
	wg.Wait()
	bad.Range(func(k, _ any) bool {
		t.Errorf("the %s product differs from one thread", k)
		return true
	})
}

// blockingJob holds the team (part 0, on its caller) from started until release is closed.
type blockingJob struct {
	started, release chan struct{}
	holding          *atomic.Bool
}

func (j *blockingJob) Run(p, _ int) {
	if p != 0 {
		return
	}
	if j.holding != nil {
		j.holding.Store(true)
	}
	if j.started != nil {
		close(j.started)
	}
	<-j.release
	if j.holding != nil {
		j.holding.Store(false)
	}
}

// TestSharedPackingFallbackTeamBusy: a product that packs op(B) once, in one unit (on its
// caller, without the team), while another goroutine holds the team, runs every part on its
// caller (sharedProduct.run's fallback; op(B) packed into a slot's packedB shows it was taken)
// and gives the bits of one thread, Sgemm swapped or not and SgemmThen.
func TestSharedPackingFallbackTeamBusy(t *testing.T) {
	defer SetThreads(0)
	rng := rand.New(rand.NewPCG(113, 114))
	type shape struct {
		m, n, k        int
		transA, transB bool
		then           bool
	}
	shapes := []shape{
		{3000, 30, 200, false, false, false},
		{2001, 17, 100, true, true, false},
		{8, 3000, 200, true, true, false}, // swapped (families with kernelRowA): Cᵀ is 3000×8
		{3000, 30, 200, true, false, true},
	}
	double := epilogueFunc(func(row []float32, j int) {
		for x := range row {
			row[x] = 2*row[x] + float32(j+x)
		}
	})
	for _, ks := range families() {
		for _, s := range shapes {
			_, _, shares := sharedPlanOf(ks, s.transA, s.transB, s.m, s.n, s.k, s.then, 16)
			if !shares {
				continue // the swapped shape, on a family without kernelRowA
			}
			o := newOperands(rng, s.transA, s.transB, s.m, s.n, s.k, 1)
			var then Epilogue
			beta := float32(0.5)
			if s.then {
				then, beta = double, 0
			}
			SetThreads(1)
			want := append([]float32(nil), o.c...)
			sgemmWith(ks, o.transA, o.transB, o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, beta, want, o.ldc, then)
			SetThreads(16)
			for i := range shared {
				shared[i].mu.Lock()
				shared[i].packedB = nil
				shared[i].mu.Unlock()
			}
			job := &blockingJob{started: make(chan struct{}), release: make(chan struct{})}
			held := make(chan struct{})
			go func() {
				parallel.Run(job, 2)
				close(held)
			}()
			<-job.started
			got := append([]float32(nil), o.c...)
			sgemmWith(ks, o.transA, o.transB, o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, beta, got, o.ldc, then)
			close(job.release)
			<-held
			packed := false
			for i := range shared {
				shared[i].mu.Lock()
				packed = packed || shared[i].packedB != nil
				shared[i].mu.Unlock()
			}
			if !packed {
				t.Errorf("%s %+v: op(B) was not packed once: the fallback was not taken", ks.name, s)
			}
			if !equalBits(got, want) {
				t.Fatalf("%s %+v: the fallback's result differs from one thread", ks.name, s)
			}
		}
	}
}

// TestSharedPackingFallbackAfterTeamPacking: a product whose op(B) was packed on the team,
// which another goroutine (spinning on the team from within the packing) takes before the
// product's parts start, computes every part on its caller with op(B) as packed and gives the
// bits of one thread. The packing is paused through the kernel family's packCopyB, so that the
// spinner is running when it ends; the spinner does not always win the team, so this tries
// until it has (a kernel call while the spinner holds the team is the caller's fallback), up to
// 500 times, and only logs if it never did (TestSharedPackingFallbackTeamBusy takes the
// fallback every time).
func TestSharedPackingFallbackAfterTeamPacking(t *testing.T) {
	defer SetThreads(0)
	rng := rand.New(rand.NewPCG(115, 116))
	o := newOperands(rng, false, false, 800, 45, 257, 1)
	for _, base := range families() {
		hooked := *base
		origPack, origKernel, origRowA := base.packCopyB, base.kernel, base.kernelRowA
		if origPack == nil {
			nr := base.nr
			origPack = func(kc int, src []float32, ld int, dst []float32, panels int) {
				for q := range panels {
					packCopyGo(kc, src[q*nr:], ld, dst[q*nr*kc:], nr, nr)
				}
			}
		}
		type attempt struct{ paused, resume chan struct{} }
		var armed atomic.Pointer[attempt]
		var spinnerHolds, fallback atomic.Bool
		hooked.packCopyB = func(kc int, src []float32, ld int, dst []float32, panels int) {
			if a := armed.Swap(nil); a != nil {
				close(a.paused)
				<-a.resume
			}
			origPack(kc, src, ld, dst, panels)
		}
		hooked.kernel = func(kc int, a, b []float32, ldb int, c []float32, ldc int, alpha, beta float32) {
			if spinnerHolds.Load() {
				fallback.Store(true)
			}
			origKernel(kc, a, b, ldb, c, ldc, alpha, beta)
		}
		if origRowA != nil {
			hooked.kernelRowA = func(kc int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32) {
				if spinnerHolds.Load() {
					fallback.Store(true)
				}
				origRowA(kc, a, lda, b, ldb, c, ldc, alpha, beta)
			}
		}
		ks := &hooked
		SetThreads(1)
		want := append([]float32(nil), o.c...)
		sgemmWith(base, o.transA, o.transB, o.m, o.n, o.k, 0.75, o.a, o.lda, o.b, o.ldb, 0.5, want, o.ldc, nil)
		threads := 4
		if _, _, sh := sharedPlanOf(ks, o.transA, o.transB, o.m, o.n, o.k, false, threads); !sh {
			t.Fatalf("%s: the product does not pack op(B) once on %d threads", ks.name, threads)
		}
		SetThreads(threads)
		tries := 0
		for ; tries < 500 && !fallback.Load(); tries++ {
			a := &attempt{paused: make(chan struct{}), resume: make(chan struct{})}
			armed.Store(a)
			got := append([]float32(nil), o.c...)
			done := make(chan struct{})
			go func() {
				sgemmWith(ks, o.transA, o.transB, o.m, o.n, o.k, 0.75, o.a, o.lda, o.b, o.ldb, 0.5, got, o.ldc, nil)
				close(done)
			}()
			<-a.paused // the packing holds the team
			job := &blockingJob{release: make(chan struct{}), holding: &spinnerHolds}
			spinning, spun := make(chan struct{}), make(chan struct{})
			go func() {
				defer close(spun)
				for i := 0; !parallel.TryRun(job, 2, true); i++ {
					if i == 0 {
						close(spinning)
					}
				}
			}()
			<-spinning
			close(a.resume)
			<-done
			close(job.release)
			<-spun
			if !equalBits(got, want) {
				t.Fatalf("%s try %d: the result differs from one thread (fallback taken: %v)", ks.name, tries, fallback.Load())
			}
		}
		if !fallback.Load() {
			// Not a failure of the product: the caller won the team each time.
			t.Logf("%s: the spinner never took the team between the packing and the parts in %d tries", ks.name, tries)
		} else {
			t.Logf("%s: fallback after %d tries", ks.name, tries)
		}
	}
}

// TestSharedPackingBound: op(B) of exactly maxPackedB floats is packed once, one panel's depth
// more is not (each part packs its own, as before), and both give the bits of one thread.
func TestSharedPackingBound(t *testing.T) {
	if testing.Short() {
		t.Skip("four products of up to 4 GFLOP, on 200 MB of operands")
	}
	defer SetThreads(0)
	rng := rand.New(rand.NewPCG(117, 118))
	ks := kernels
	n := 2 * ks.nr // two panels
	for _, k := range []int{maxPackedB / n, maxPackedB/n + 1} {
		m := 16 * ks.mr // more tiles than half the threads: plan cuts rows alone (see TestPlan)
		g := &call{ks: ks, m: m, n: n, k: k}
		pm, pn := plan(g, 16)
		wantShare := n*k <= maxPackedB
		if got := sharesPacking(g, pm, pn); pm < sharedPackMinBands || pn != 1 || got != wantShare {
			t.Fatalf("%s %d×%d×%d on 16 threads: cut %d × %d, packs op(B) once: %v, want %v", ks.name, m, n, k, pm, pn, got, wantShare)
		}
		o := newOperands(rng, false, false, m, n, k, 0)
		var results [2][]float32
		for i, th := range []int{1, 16} {
			SetThreads(th)
			c := append([]float32(nil), o.c...)
			Sgemm(false, false, m, n, k, 1, o.a, o.lda, o.b, o.ldb, 0.5, c, o.ldc)
			results[i] = c
		}
		if !equalBits(results[0], results[1]) {
			t.Fatalf("%s %d×%d×%d: 16 threads differ from 1", ks.name, m, n, k)
		}
	}
}

// TestSharedPackingBuffersSettle: products of several sizes and kernel families that pack
// op(B) once, one after another, reuse the shared slots' buffers once each has run: no
// packedB, workspace or scratch is allocated again. (Counted by the buffers, not by
// testing.AllocsPerRun: that counts the runtime's own allocations too, the sudogs of the
// team's workers parking on their channels, which products longer than the workers' spin,
// as the Go kernels' are on a loaded machine, cause now and then.)
func TestSharedPackingBuffersSettle(t *testing.T) {
	defer SetThreads(0)
	SetThreads(16)
	rng := rand.New(rand.NewPCG(119, 120))
	ops := []*operands{
		newOperands(rng, false, false, 2000, 64, 260, 0),
		newOperands(rng, true, true, 800, 45, 257, 1),
		newOperands(rng, false, true, 3001, 61, 3, 0),
		newOperands(rng, false, false, 2000, 100, 600, 0),
		newOperands(rng, false, true, 24, 2500, 400, 0), // swapped: scratch too
	}
	run := func() {
		for _, ks := range families() {
			for _, o := range ops {
				sgemmWith(ks, o.transA, o.transB, o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c, o.ldc, nil)
			}
		}
	}
	buffers := func() (ptrs []*float32) {
		for i := range shared {
			s := &shared[i]
			s.mu.Lock()
			for _, b := range [][]float32{s.packedB} {
				if len(b) > 0 {
					ptrs = append(ptrs, &b[0])
				}
			}
			for _, ws := range s.ws {
				for _, b := range [][]float32{ws.a, ws.b, ws.tile, ws.ct} {
					if len(b) > 0 {
						ptrs = append(ptrs, &b[0])
					}
				}
			}
			s.mu.Unlock()
		}
		return ptrs
	}
	run()
	before := buffers()
	if len(before) == 0 {
		t.Fatal("no shared product ran")
	}
	for range 3 {
		run()
	}
	after := buffers()
	if len(after) != len(before) {
		t.Fatalf("%d shared buffers after the first round, %d after four", len(before), len(after))
	}
	for i := range before {
		if before[i] != after[i] {
			t.Errorf("shared buffer %d was allocated again", i)
		}
	}
}
