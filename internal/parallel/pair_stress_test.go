package parallel

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestPairWhileThreadsChange: pairs while another goroutine flips SetThreads between 1 and
// 8 neither panic nor split a team of fewer than 4 (Pair reads Threads() once, holding the
// team: a SetThreads between two reads split one of 1, a slice [:-1]).
func TestPairWhileThreadsChange(t *testing.T) {
	defer SetThreads(0)
	SetThreads(8)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if i%2 == 0 {
				SetThreads(1)
			} else {
				SetThreads(8)
			}
		}
	}()
	defer func() { close(stop); <-done }()
	for start := time.Now(); time.Since(start) < time.Second; {
		a := &countJob{seen: make([]atomic.Int32, 4)}
		b := &countJob{seen: make([]atomic.Int32, 4)}
		Pair(a, b)
	}
}

// nestJob is a job of a pair that asks for more parts than its crew has, and
// for a pair of its own within its parts.
type nestJob struct{ seen []atomic.Int32 }

func (j *nestJob) Run(_, _ int) {
	inner := &countJob{seen: j.seen}
	Run(inner, 3*Threads()+1)
	Pair(&countJob{seen: make([]atomic.Int32, 64)}, &countJob{seen: make([]atomic.Int32, 64)})
	Run(&pairInPart{}, Threads())
}

type pairInPart struct{}

func (pairInPart) Run(_, _ int) {
	Pair(&countJob{seen: make([]atomic.Int32, 64)}, &countJob{seen: make([]atomic.Int32, 64)})
}

// TestNestedInPair: jobs of a pair that over-ask, pair again, and pair inside
// their parts finish, every element visited once, on 4..16 threads, odd ones too.
func TestNestedInPair(t *testing.T) {
	defer SetThreads(0)
	for _, n := range []int{4, 5, 6, 7, 8, 9, 16} {
		SetThreads(n)
		for range 50 {
			a := &nestJob{seen: make([]atomic.Int32, 1<<10)}
			b := &nestJob{seen: make([]atomic.Int32, 1<<10)}
			if !Pair(a, b) {
				t.Fatalf("%d threads: pair did not run together", n)
			}
			for _, j := range []*nestJob{a, b} {
				for i := range j.seen {
					if c := j.seen[i].Load(); c != 1 {
						t.Fatalf("%d threads: element %d visited %d times", n, i, c)
					}
				}
			}
			if Threads() != n {
				t.Fatalf("Threads() %d after pair, want %d", Threads(), n)
			}
		}
	}
}
