package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Job is work cut into parts: Run(p, parts) does part p of parts. Parts must not
// depend on each other, and a job's result must not depend on how it is cut
// (or, where it does, only on the number of parts).
type Job interface {
	Run(part, parts int)
}

// MinPerPart is the least work, in floats touched, worth handing a worker: below it,
// handing it over costs more than it saves. With the workers spinning between jobs
// (spinFor) that is about 16K floats: 1<<14 took the DCGAN on 16 cores from 870–940
// img/s to 1,050 against 1<<16, with the 2-thread figures unchanged.
const MinPerPart = 1 << 14

// threads is how many goroutines share one job, the caller included; 0 (the default)
// follows runtime.GOMAXPROCS(0).
var threads atomic.Int64

// SetThreads sets how many goroutines share one job, the calling one included;
// n <= 0 means runtime.GOMAXPROCS(0), read at each job (the default).
func SetThreads(n int) { threads.Store(int64(max(n, 0))) }

// Threads reports how many goroutines share one job: while Pair runs two jobs at
// once, half of them.
func Threads() int {
	if n := pairThreads.Load(); n > 0 {
		return int(n)
	}
	if n := threads.Load(); n > 0 {
		return int(n)
	}
	return runtime.GOMAXPROCS(0)
}

// Parts is how many parts to cut work of n floats into: Threads(), fewer when
// the work is small.
func Parts(n int) int {
	return max(1, min(Threads(), n/MinPerPart))
}

// spinFor is how long a worker waits for its next part, and a caller for a worker's
// end, before parking on a channel. A training step's serial stretches between two
// parallel jobs are shorter than this, so the workers stay awake through a step and
// park between steps' pauses. Waking a parked worker costs tens of microseconds, paid
// by every job on many cores: at 16 threads a spin of 50µs left the MLP at batch 64 at
// 5,600–6,100 img/s and 250µs at 10,100–10,500; a millisecond gave 10,300–10,800 (13,700–14,000
// with the products' wake-up threshold lowered too, internal/gemm), and the same at
// 2 threads.
const spinFor = time.Millisecond

// team is the set of persistent workers; one job uses them at a time (mu). While
// Pair runs, it holds mu and its two jobs share the workers in two crews.
var team struct {
	mu      sync.Mutex
	workers []*worker
	crews   [2]crew
}

// crew is a share of the team's workers that one job of a Pair may use (mu).
type crew struct {
	mu      sync.Mutex
	workers []*worker
}

// pairThreads is the threads of each crew while Pair runs, else 0.
var pairThreads atomic.Int64

// worker is one persistent goroutine. Parts are handed over through counters: the
// caller writes the part and bumps posted; the worker bumps finished. A side that
// waits spins for spinFor, then parks on its channel, having said so in a flag that
// the other side checks after bumping its counter.
type worker struct {
	job               Job
	part, parts       int
	posted, finished  atomic.Uint64
	idle, callerAwait atomic.Bool
	yield             atomic.Bool   // spin politely: the team outnumbers GOMAXPROCS
	wake, fin         chan struct{} // capacity 1
}

func newWorker() *worker {
	w := &worker{wake: make(chan struct{}, 1), fin: make(chan struct{}, 1)}
	go w.loop()
	return w
}

func (w *worker) loop() {
	for seen := uint64(0); ; seen++ {
		await(&w.posted, seen, &w.idle, w.wake, w.yield.Load())
		w.job.Run(w.part, w.parts)
		w.job = nil // drop the reference to the caller's data
		w.finished.Store(seen + 1)
		if signal(&w.callerAwait, w.fin) {
			// The caller was parked and is now queued on this thread: let it run
			// now rather than after this worker's spin.
			runtime.Gosched()
		}
	}
}

// post hands part p of parts of job to the worker.
func (w *worker) post(job Job, p, parts int, yield bool) {
	w.job, w.part, w.parts = job, p, parts
	w.yield.Store(yield)
	w.posted.Add(1)
	signal(&w.idle, w.wake)
}

// wait returns when the worker has finished its last part.
func (w *worker) wait(yield bool) {
	await(&w.finished, w.posted.Load()-1, &w.callerAwait, w.fin, yield)
}

// await returns once counter has moved past seen: spinning first, then parked on ch
// with parked set (the other side sends on ch after moving the counter if it finds
// parked set).
//
// While spinning it yields its thread to other goroutines only when asked to (yield:
// the team has more threads than the Go scheduler runs at once, GOMAXPROCS): otherwise
// every spinning thread would take the scheduler's lock at each yield, which at 16
// threads cost a fifth of the CPU time of a training step (measured).
func await(counter *atomic.Uint64, seen uint64, parked *atomic.Bool, ch chan struct{}, yield bool) {
	start := time.Now()
	for i := 0; counter.Load() == seen; i++ {
		if i%64 == 63 {
			if time.Since(start) > spinFor {
				break
			}
			if yield {
				runtime.Gosched()
			}
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

// signal wakes the other side if it is parked (a stale token only costs it one more
// check), and reports whether it sent a token.
func signal(parked *atomic.Bool, ch chan struct{}) bool {
	if parked.Load() {
		select {
		case ch <- struct{}{}:
			return true
		default:
		}
	}
	return false
}

// Run does every part of job and returns when all are done: part 0 on the calling
// goroutine, the others on workers. A Run that finds the team busy does its parts
// itself, one after another.
func Run(job Job, parts int) {
	if !TryRun(job, parts, true) {
		parts = max(parts, 1)
		for p := range parts {
			job.Run(p, parts)
		}
	}
}

// TryRun does every part of job on the team, as Run, and reports true; or it does
// nothing and reports false when parts < 2, when the team is busy, or, unless
// wakeParked, when one of the workers it needs is parked (waking a parked thread
// costs tens of microseconds, more than a small job saves). While Pair runs, a job
// takes a free crew of the team, and parts may be at most Threads().
func TryRun(job Job, parts int, wakeParked bool) bool {
	if parts < 2 {
		return false
	}
	if team.mu.TryLock() {
		defer team.mu.Unlock()
		if !wakeParked && len(team.workers) < parts-1 {
			return false
		}
		for len(team.workers) < parts-1 {
			team.workers = append(team.workers, newWorker())
		}
		return runOn(team.workers[:parts-1], job, wakeParked)
	}
	if pairThreads.Load() == 0 {
		return false
	}
	for i := range team.crews {
		c := &team.crews[i]
		if !c.mu.TryLock() {
			continue
		}
		done := parts-1 <= len(c.workers) && runOn(c.workers[:parts-1], job, wakeParked)
		c.mu.Unlock()
		return done
	}
	return false
}

// runOn does part 0 of job on the caller and part p on workers[p-1], and reports true;
// or, unless wakeParked, it does nothing and reports false when one of them is parked.
// The caller holds the lock that gives it the workers.
func runOn(workers []*worker, job Job, wakeParked bool) bool {
	if !wakeParked && !awake(workers) {
		return false
	}
	parts := len(workers) + 1
	yield := parts > runtime.GOMAXPROCS(0)
	for p, w := range workers {
		w.post(job, p+1, parts, yield)
	}
	job.Run(0, parts)
	for _, w := range workers {
		w.wait(yield)
	}
	return true
}

// awake reports whether none of workers is parked.
func awake(workers []*worker) bool {
	for _, w := range workers {
		if w.idle.Load() {
			return false
		}
	}
	return true
}

// Range is part p of [0, n) cut into parts, the cuts on multiples of align (a cache
// line of floats, say, so that no two parts write to one line).
func Range(n, p, parts, align int) (lo, hi int) {
	cut := func(q int) int {
		if q >= parts {
			return n
		}
		return min(n, n*q/parts/align*align)
	}
	return cut(p), cut(p + 1)
}
