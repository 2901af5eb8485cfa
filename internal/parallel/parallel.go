// Package parallel shares element-wise work (an optimizer's update over all the
// weights) among the threads that gemm uses for its products: the calling goroutine
// and persistent workers, started on first use, so that a training step starts no
// goroutine and allocates nothing.
package parallel

import (
	"sync"

	"github.com/gogan/gogan/internal/gemm"
)

// Job is work cut into parts: Run(p, parts) does part p of parts. Parts must not
// depend on each other, and a job's result must not depend on how it is cut.
type Job interface {
	Run(part, parts int)
}

// MinPerPart is the least work, in floats touched, worth handing a worker: below it,
// waking one costs more than it saves.
const MinPerPart = 1 << 16

// Parts is how many parts to cut work of n floats into: gemm's threads, fewer when
// the work is small.
func Parts(n int) int {
	return max(1, min(gemm.Threads(), n/MinPerPart))
}

// team is the set of persistent workers; one Run uses them at a time.
var team struct {
	mu      sync.Mutex
	workers []*worker
}

type task struct {
	job         Job
	part, parts int
}

type worker struct {
	tasks chan task
	done  chan struct{}
}

func (w *worker) loop() {
	for t := range w.tasks {
		t.job.Run(t.part, t.parts)
		w.done <- struct{}{}
	}
}

// Run does every part of job and returns when all are done: part 0 on the calling
// goroutine, the others on workers. A Run that finds the workers busy with another
// does its parts itself, one after another.
func Run(job Job, parts int) {
	if parts <= 1 || !team.mu.TryLock() {
		for p := range max(parts, 1) {
			job.Run(p, max(parts, 1))
		}
		return
	}
	defer team.mu.Unlock()
	for len(team.workers) < parts-1 {
		w := &worker{tasks: make(chan task), done: make(chan struct{})}
		go w.loop()
		team.workers = append(team.workers, w)
	}
	for p := 1; p < parts; p++ {
		team.workers[p-1].tasks <- task{job, p, parts}
	}
	job.Run(0, parts)
	for p := 1; p < parts; p++ {
		<-team.workers[p-1].done
	}
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
