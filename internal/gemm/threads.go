package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The smallest products (2·m·n·k floating-point operations) worth sharing, measured on
// Sapphire Rapids cores: with the workers still spinning after a previous product, two
// threads win from about 0.5 MFLOP; waking a parked worker costs tens of microseconds, which
// two threads win back only from about 25 MFLOP.
const (
	parallelMinFlops     = 1_000_000
	parallelMinFlopsCold = 24_000_000
)

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

// team is the set of persistent workers, started on the first parallel product; one product
// uses them at a time (mu). The caller computes the first part itself.
var team struct {
	mu      sync.Mutex
	workers []*worker
	call    call       // the product being shared, so that no job allocates
	ws      *workspace // the caller's buffers while it holds mu
}

// spinFor is how long a worker waits for its next job, and the caller for a worker's end,
// before parking on a channel: waking a parked goroutine's thread costs tens of
// microseconds (measured), while the products of a training step follow each other closely.
const spinFor = 50 * time.Microsecond

// worker is one persistent goroutine with its own packing buffers. Jobs are handed over
// through counters: the caller writes job and bumps posted; the worker bumps finished.
// A side that waits spins for spinFor, then parks on its channel, having said so in a flag
// that the other side checks after bumping its counter.
type worker struct {
	job               job
	posted, finished  atomic.Uint64
	idle, callerAwait atomic.Bool
	wake, fin         chan struct{} // capacity 1
	ws                workspace
}

// job is the block C[i0:i1, j0:j1] of the product g.
type job struct {
	g              *call
	i0, i1, j0, j1 int
}

func newWorker() *worker {
	w := &worker{wake: make(chan struct{}, 1), fin: make(chan struct{}, 1)}
	go w.loop()
	return w
}

func (w *worker) loop() {
	for seen := uint64(0); ; seen++ {
		await(&w.posted, seen, &w.idle, w.wake)
		j := w.job
		j.g.run(&w.ws, j.i0, j.i1, j.j0, j.j1)
		w.finished.Store(seen + 1)
		signal(&w.callerAwait, w.fin)
	}
}

// post hands j to the worker.
func (w *worker) post(j job) {
	w.job = j
	w.posted.Add(1)
	signal(&w.idle, w.wake)
}

// wait returns when the worker has finished its last job.
func (w *worker) wait() { await(&w.finished, w.posted.Load()-1, &w.callerAwait, w.fin) }

// await returns once counter has moved past seen: spinning first, then parked on ch with
// parked set (the other side sends on ch after moving the counter if it finds parked set).
func await(counter *atomic.Uint64, seen uint64, parked *atomic.Bool, ch chan struct{}) {
	start := time.Now()
	for i := 0; counter.Load() == seen; i++ {
		if i%64 == 63 {
			if time.Since(start) > spinFor {
				break
			}
			runtime.Gosched()
		}
	}
	for counter.Load() == seen {
		parked.Store(true)
		if counter.Load() != seen {
			parked.Store(false)
			return
		}
		<-ch
		parked.Store(false)
	}
}

// signal wakes the other side if it is parked (a stale token only costs it one more check).
func signal(parked *atomic.Bool, ch chan struct{}) {
	if parked.Load() {
		select {
		case ch <- struct{}{}:
		default:
		}
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
	if t := Threads(); t > 1 {
		if flops := 2 * float64(g.m) * float64(g.n) * float64(g.k); flops >= parallelMinFlops {
			// A product that finds the workers busy with another runs serially.
			if parts, alongM := plan(g, t); parts > 1 && team.mu.TryLock() {
				if flops >= parallelMinFlopsCold || awake(parts-1) {
					parallel(g, parts, alongM)
					team.mu.Unlock()
					return
				}
				team.mu.Unlock()
			}
		}
	}
	ws := getWorkspace()
	if g.out != nil {
		g.c = ws.scratch(g.m * g.ldc)
	}
	g.run(ws, 0, g.m, 0, g.n)
	putWorkspace(ws)
}

// awake reports whether the first n workers exist and are not parked; team.mu is held.
func awake(n int) bool {
	if len(team.workers) < n {
		return false
	}
	for _, w := range team.workers[:n] {
		if w.idle.Load() {
			return false
		}
	}
	return true
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

// parallel shares the product among the caller and parts-1 workers; team.mu is held.
func parallel(g *call, parts int, alongM bool) {
	for len(team.workers) < parts-1 {
		team.workers = append(team.workers, newWorker())
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
		team.workers[p-1].post(j)
	}
	lo, hi := bounds(0)
	if alongM {
		gc.run(team.ws, lo, hi, 0, g.n)
	} else {
		gc.run(team.ws, 0, g.m, lo, hi)
	}
	for p := 1; p < parts; p++ {
		team.workers[p-1].wait()
	}
	team.call = call{} // drop the references to the caller's matrices
}
