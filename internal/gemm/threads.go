package gemm

import (
	"sync"

	"github.com/gogan/gogan/internal/parallel"
)

// The smallest products (2·m·n·k floating-point operations) worth sharing, measured on
// Sapphire Rapids cores: with the workers still spinning after a previous product, two
// threads win from about 0.5 MFLOP. Workers spin for a millisecond before they park
// (internal/parallel), so within a training step they are awake, and a product of this size
// wakes parked ones too: on 16 cores, running the smaller products alone while the
// workers slept cost more than the wake-ups (the MLP at batch 64: 10,300–10,800 img/s
// against 13,700–14,000 when they are woken).
const (
	parallelMinFlops = 1_000_000
	// partMinFlops is the least work of one part: a product is cut into at most
	// flops/partMinFlops parts, so that on many cores a small product is not cut into
	// parts of a few microseconds, each waited for.
	partMinFlops = parallelMinFlops / 2
)

// minWorkK is the least depth a product's work is counted at when it is cut among the
// threads: writing C costs about as much as this many multiply-adds an element, so a
// shallow product (k = 1: a one-unit Dense layer's input gradient, dy·wᵀ, an outer product
// that writes 128×6,272 floats in the DCGAN) is cut by the size of C, not by its few flops.
// Counted by its flops, that product was cut into 3 parts on 16 threads and took 68–75 µs;
// cut into 16, 26–28 µs (BenchmarkSgemmNarrow on the 16-core Xeon,
// bench/manycore/outer-2026-12-03.sh).
const minWorkK = 16

// shallowMinWork is the least work, so counted, of a shallow product (flops under
// parallelMinFlops) that is shared: the DCGAN's 64×1×6,272 (12.8 M) is, and took 34 µs on
// 2 AMD threads against 39 alone; the MLP's 512×1×256 (4.2 M) is not: shared on 2 threads
// it took 20 µs against 10 alone.
const shallowMinWork = 8 * parallelMinFlops

// packWeight is what packing one float costs, in multiply-adds of the kernel (about a cycle
// per float against 32 multiply-adds per cycle, measured): the split cost model charges each
// part its packing as well as its tiles.
const packWeight = 32

// SetThreads sets how many goroutines share one large product, the calling one included;
// n <= 0 means runtime.GOMAXPROCS(0), read at each product (the default). The results do
// not depend on it, bit for bit. It is parallel.SetThreads: the products share that
// package's team of workers with the rest of a training step.
func SetThreads(n int) { parallel.SetThreads(n) }

// Threads reports how many goroutines share one large product (parallel.Threads).
func Threads() int { return parallel.Threads() }

// sharedProduct is a product being shared among threads of internal/parallel's team,
// kept in shared so that no product allocates; one product uses it at a time (mu).
type sharedProduct struct {
	mu   sync.Mutex
	call call
	ws   []*workspace // part p's packing buffers
	// packedB holds op(B) packed once for all the parts (sharedpack.go), packer the job
	// that packs it.
	packedB []float32
	packer  bPacker
}

// shared are the products that can be shared at once: one, or two while
// parallel.Pair runs two jobs on halves of the team.
var shared [2]sharedProduct

// spare holds the buffers of serial products, one per product running at the same time.
var spare struct {
	mu   sync.Mutex
	list []*workspace
}

func getWorkspace() *workspace {
	spare.mu.Lock()
	defer spare.mu.Unlock()
	if n := len(spare.list); n > 0 {
		ws := spare.list[n-1]
		spare.list = spare.list[:n-1]
		return ws
	}
	return new(workspace)
}

func putWorkspace(ws *workspace) {
	spare.mu.Lock()
	spare.list = append(spare.list, ws)
	spare.mu.Unlock()
}

// execute runs the product serially, or split among the team's threads when it is large.
// The split cuts C into whole micro-tiles, each computed by one goroutine exactly as the
// serial path would, so the result does not depend on the number of threads.
func execute(g *call) {
	if t := sharedThreads(g, Threads()); t > 1 {
		// A product that finds the team busy with another job runs serially.
		if pm, pn := plan(g, t); pm*pn > 1 && shareProduct(g, pm, pn) {
			return
		}
	}
	ws := getWorkspace()
	if g.out != nil {
		g.c = ws.scratch(g.m * g.ldc)
	}
	g.run(ws, 0, g.m, 0, g.n, 0)
	putWorkspace(ws)
}

// sharedThreads is how many of t threads the product g may be shared among: 1 (it runs
// alone) when it is too small, by its flops and by its work (its depth counted as
// minWorkK at least), else at most one part of partMinFlops of work each.
func sharedThreads(g *call, t int) int {
	flops := 2 * float64(g.m) * float64(g.n) * float64(g.k)
	work := 2 * float64(g.m) * float64(g.n) * float64(max(g.k, minWorkK))
	if t < 2 || (flops < parallelMinFlops && work < shallowMinWork) {
		return 1
	}
	return min(t, int(work/partMinFlops))
}

// plan picks how to cut C among at most t parts: a grid of pm bands of rows by pn bands of
// columns, each band whole micro-tiles, the grid whose busiest part costs least, counting its
// tiles and the packing it does: a part packs its rows of op(A) (nothing when op(A) is read in
// place) and its columns of op(B). Cutting one way only, along N, makes every part pack all of
// op(A), and along M all of op(B); a grid packs each fewer times over, which matters on many
// cores, where a part's arithmetic is small beside the operands it packs. A grid's column
// bands keep minGridPanels panels of op(B) at least: narrower ones reuse each packed block of
// op(A) too few times.
func plan(g *call, t int) (pm, pn int) {
	mr, nr := g.ks.mr, g.ks.nr
	tm, tn := (g.m+mr-1)/mr, (g.n+nr-1)/nr
	k := float64(g.k)
	packA := packWeight * k
	if g.directA {
		packA = 0
	}
	best := -1.0
	for m := 1; m <= min(t, tm); m++ {
		n := min(t/m, tn)
		if m > 1 && n > 1 && (tn+n-1)/n < minGridPanels {
			// Bands that narrow are not worth it: as many as keep minGridPanels panels,
			// or the rows alone.
			n = max(1, tn/minGridPanels)
		}
		bandTiles := (tn + n - 1) / n
		rows, cols := float64(((tm+m-1)/m)*mr), float64(bandTiles*nr)
		cost := k*rows*cols + packWeight*k*cols + packA*rows
		if best < 0 || cost < best {
			best, pm, pn = cost, m, n
		}
	}
	return pm, pn
}

// minGridPanels is the fewest panels of op(B) (nr columns each) in a column band of a grid.
// Measured on 16 cores (medians of 6 runs, the runs of three plans alternated; ms per training
// iteration in products and convolutions): the MLP at batch 256 took 11.4 cut one way only, 10.5
// in any grid and 10.1 with this bound; the DCGAN 48.0, 48.7 and 45.2; the 64×64×3 DCGAN 236, 227
// and 231; the MLP at batch 64, whose products are cut along N alone, 3.1, 3.3 and 3.2. Narrow
// bands cost most in the 28×28 DCGAN's stride-1 convolution (448×256×1,920 products, cut 4 × 4:
// 8.1 ms against 7.2 cut along M and 6.4 cut 8 × 2).
const minGridPanels = 4

// shareProduct shares the product among pm·pn threads of the team, if a slot of shared
// and the team are free, and reports whether it did.
func shareProduct(g *call, pm, pn int) bool {
	for i := range shared {
		s := &shared[i]
		if s.mu.TryLock() {
			done := s.run(g, pm, pn)
			s.mu.Unlock()
			return done
		}
	}
	return false
}

// run shares the product among pm·pn threads of the team, if it is free, and reports
// whether it did; s.mu is held.
func (s *sharedProduct) run(g *call, pm, pn int) bool {
	parts := pm * pn
	gc := s.setUp(g, pm, pn)
	if sharesPacking(gc, pm, pn) && !s.packShared(gc, parts) {
		s.call = call{}
		return false
	}
	done := parallel.TryRun(gc, parts, true)
	if !done && gc.packedB != nil {
		// The team was taken between the packing and the product: this goroutine does
		// every part, with op(B) as packed.
		for p := range parts {
			gc.Run(p, parts)
		}
		done = true
	}
	s.call = call{} // drop the references to the caller's matrices
	return done
}

// setUp makes s.call the product g cut pm × pn, with a workspace for each part; s.mu is
// held.
func (s *sharedProduct) setUp(g *call, pm, pn int) *call {
	for len(s.ws) < pm*pn {
		s.ws = append(s.ws, new(workspace))
	}
	s.call = *g
	gc := &s.call
	gc.pm, gc.pn, gc.ws = pm, pn, s.ws
	if gc.out != nil {
		gc.c = s.ws[0].scratch(gc.m * gc.ldc)
	}
	return gc
}

// Run computes part p of the shared product: the block of C in band p/pn of the pm bands of
// rows and band p%pn of the pn bands of columns, each band whole micro-tiles.
func (g *call) Run(p, _ int) {
	i0, i1 := band(g.m, g.ks.mr, p/g.pn, g.pm)
	j0, j1 := band(g.n, g.ks.nr, p%g.pn, g.pn)
	g.run(g.ws[p], i0, i1, j0, j1, p%g.pn)
}

// band is band b of [0, total) cut into parts bands of whole units (the last may be partial).
func band(total, unit, b, parts int) (lo, hi int) {
	tiles := (total + unit - 1) / unit
	lo = min((b*(tiles/parts)+min(b, tiles%parts))*unit, total)
	hi = min(((b+1)*(tiles/parts)+min(b+1, tiles%parts))*unit, total)
	return lo, hi
}
