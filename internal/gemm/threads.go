package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parallelMinFlops is the smallest product (2·m·n·k floating-point operations) worth handing
// to the workers: below it, waking a worker costs more than it saves (measured; see doc.go).
const parallelMinFlops = 4_000_000

// packWeight is what packing one float costs, in multiply-adds of the kernel (about a cycle
// per float against 32 multiply-adds per cycle, measured): the split cost model charges each
// part its packing as well as its tiles.
const packWeight = 32

// threads is how many goroutines share one large product, the caller included;
// 0 (the default) follows runtime.GOMAXPROCS(0).
var threads atomic.Int64

// SetThreads sets how many goroutines share one large product, the calling one included;
// n <= 0 means runtime.GOMAXPROCS(0), read at each product (the default). The results do
// not depend on it, bit for bit.
func SetThreads(n int) { threads.Store(int64(max(n, 0))) }

// Threads reports how many goroutines share one large product.
func Threads() int {
	if n := threads.Load(); n > 0 {
		return int(n)
	}
	return runtime.GOMAXPROCS(0)
}

// team is the set of persistent workers, started on the first parallel product and fed through
// channels; one product uses them at a time (mu). The caller computes the first part itself.
var team struct {
	mu      sync.Mutex
	workers []*worker
	call    call       // the product being shared, so that no job allocates
	ws      *workspace // the caller's buffers while it holds mu
}

// worker is one persistent goroutine with its own packing buffers.
type worker struct {
	jobs chan job
	done chan struct{}
	ws   workspace
}

// job is the block C[i0:i1, j0:j1] of the product g.
type job struct {
	g              *call
	i0, i1, j0, j1 int
}

func (w *worker) loop() {
	for j := range w.jobs {
		j.g.run(&w.ws, j.i0, j.i1, j.j0, j.j1)
		w.done <- struct{}{}
	}
}

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

// execute runs the product serially, or split among the workers when it is large. The split
// cuts C into whole micro-tiles, each computed by one goroutine exactly as the serial path
// would, so the result does not depend on the number of threads.
func execute(g *call) {
	t := Threads()
	if t > 1 && 2*float64(g.m)*float64(g.n)*float64(g.k) >= parallelMinFlops {
		if parts, alongM := plan(g, t); parts > 1 {
			parallel(g, parts, alongM)
			return
		}
	}
	ws := getWorkspace()
	if g.out != nil {
		g.c = ws.scratch(g.m * g.ldc)
	}
	g.run(ws, 0, g.m, 0, g.n)
	putWorkspace(ws)
}

// plan picks how many parts to cut C into (at most t, at least one micro-tile each) and
// along which dimension: the one whose busiest part costs least, counting its tiles and the
// packing it does (a part along N packs all of op(A) and its share of op(B); along M the
// reverse; op(A) read in place costs nothing).
func plan(g *call, t int) (parts int, alongM bool) {
	mr, nr := g.ks.mr, g.ks.nr
	tm, tn := (g.m+mr-1)/mr, (g.n+nr-1)/nr
	pm, pn := min(t, tm), min(t, tn)
	k := float64(g.k)
	packA := packWeight * k
	if g.directA {
		packA = 0
	}
	rowsN, colsN := float64(tm*mr), float64(((tn+pn-1)/pn)*nr)
	costN := k*rowsN*colsN + packWeight*k*colsN + packA*float64(g.m)
	rowsM, colsM := float64(((tm+pm-1)/pm)*mr), float64(tn*nr)
	costM := k*rowsM*colsM + packWeight*k*float64(g.n) + packA*rowsM
	if costM < costN {
		return pm, true
	}
	return pn, false
}

// parallel shares the product among the caller and parts-1 workers.
func parallel(g *call, parts int, alongM bool) {
	team.mu.Lock()
	defer team.mu.Unlock()
	for len(team.workers) < parts-1 {
		w := &worker{jobs: make(chan job), done: make(chan struct{})}
		go w.loop()
		team.workers = append(team.workers, w)
	}
	if team.ws == nil {
		team.ws = new(workspace)
	}
	team.call = *g
	gc := &team.call
	if gc.out != nil {
		gc.c = team.ws.scratch(gc.m * gc.ldc)
	}
	unit, total := g.ks.nr, g.n
	if alongM {
		unit, total = g.ks.mr, g.m
	}
	tiles := (total + unit - 1) / unit
	bounds := func(p int) (lo, hi int) {
		lo = (p*(tiles/parts) + min(p, tiles%parts)) * unit
		hi = ((p+1)*(tiles/parts) + min(p+1, tiles%parts)) * unit
		return min(lo, total), min(hi, total)
	}
	for p := 1; p < parts; p++ {
		lo, hi := bounds(p)
		j := job{g: gc, i0: 0, i1: g.m, j0: lo, j1: hi}
		if alongM {
			j = job{g: gc, i0: lo, i1: hi, j0: 0, j1: g.n}
		}
		team.workers[p-1].jobs <- j
	}
	lo, hi := bounds(0)
	if alongM {
		gc.run(team.ws, lo, hi, 0, g.n)
	} else {
		gc.run(team.ws, 0, g.m, lo, hi)
	}
	for p := 1; p < parts; p++ {
		<-team.workers[p-1].done
	}
	team.call = call{} // drop the references to the caller's matrices
}
