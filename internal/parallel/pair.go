package parallel

import "runtime"

// Pair does two independent jobs at once, each on half of the team: a's one part on
// the calling goroutine, b's on a worker, and every job that a or b starts in turn (a
// product, a gathering of patches) on a crew of the others, with Threads() reporting
// half the team's threads until both are done. A backward pass's two gradients of a
// product or a convolution (of its input and of its weights) are such a pair: each
// shared by 8 threads instead of 16 costs less in hand-overs and packing, and 8 cores
// give more each than 16.
//
// a and b must not touch the same memory, nor anything that is not safe for
// concurrent use. Where the team has fewer than 4 threads, or is busy (Pair within a
// job or a Pair), Pair runs a, then b, on its caller. Jobs whose results depend on
// nothing but their inputs (gemm's, vec's) give the same bits either way. Pair reports
// whether it ran the two at once.
func Pair(a, b Job) (together bool) {
	if !PairsTogether() || !team.mu.TryLock() {
		a.Run(0, 1)
		b.Run(0, 1)
		return false
	}
	// Read the threads with the team held, once: no other pair halves them now, and a
	// SetThreads since PairsTogether must not leave fewer than minPairThreads to split.
	t := Threads()
	if t < minPairThreads {
		team.mu.Unlock()
		a.Run(0, 1)
		b.Run(0, 1)
		return false
	}
	defer team.mu.Unlock()
	half := t / 2
	for len(team.workers) < 2*half-1 {
		team.workers = append(team.workers, newWorker())
	}
	for i := range team.crews {
		team.crews[i].mu.Lock()
	}
	team.crews[0].workers = team.workers[:half-1]
	team.crews[1].workers = team.workers[half-1 : 2*half-2]
	for i := range team.crews {
		team.crews[i].mu.Unlock()
	}
	leader := team.workers[2*half-2]
	pairThreads.Store(int64(half))
	yield := 2*half > runtime.GOMAXPROCS(0)
	leader.post(b, 0, 1, yield)
	a.Run(0, 1)
	leader.wait(yield)
	// Another goroutine's job may still hold a crew (it found the team split): wait for
	// it, and leave the crews empty for any that comes later.
	for i := range team.crews {
		team.crews[i].mu.Lock()
	}
	pairThreads.Store(0)
	for i := range team.crews {
		team.crews[i].workers = nil
		team.crews[i].mu.Unlock()
	}
	return true
}

// minPairThreads is the fewest threads on which Pair runs its jobs at once.
const minPairThreads = 4

// PairsTogether reports whether Pair, called now, may run its jobs at once: whether
// there are threads enough. (It still runs them one after the other if the team is busy.)
// A caller that must prepare a pair can leave it aside when it would not.
func PairsTogether() bool { return Threads() >= minPairThreads }
