package parallel

import (
	"runtime"
	"sync/atomic"
	"testing"
)

type countJob struct {
	seen []atomic.Int32
}

func (j *countJob) Run(part, parts int) {
	lo, hi := Range(len(j.seen), part, parts, 16)
	for i := lo; i < hi; i++ {
		j.seen[i].Add(1)
	}
}

// TestRunCoversEveryElementOnce: for any number of parts, every element is visited once.
func TestRunCoversEveryElementOnce(t *testing.T) {
	for _, n := range []int{0, 1, 15, 16, 17, 1000, 1 << 16} {
		for parts := 1; parts <= 5; parts++ {
			j := &countJob{seen: make([]atomic.Int32, n)}
			Run(j, parts)
			for i := range j.seen {
				if c := j.seen[i].Load(); c != 1 {
					t.Fatalf("n %d, %d parts: element %d visited %d times", n, parts, i, c)
				}
			}
		}
	}
}

// TestRangeCutsOnAlignment: the cuts fall on multiples of align, and the parts tile [0, n).
func TestRangeCutsOnAlignment(t *testing.T) {
	for _, n := range []int{0, 5, 100, 4099} {
		for parts := 1; parts <= 4; parts++ {
			next := 0
			for p := range parts {
				lo, hi := Range(n, p, parts, 16)
				if lo != next || hi < lo || (hi != n && hi%16 != 0) {
					t.Fatalf("n %d, part %d of %d: [%d, %d)", n, p, parts, lo, hi)
				}
				next = hi
			}
			if next != n {
				t.Fatalf("n %d, %d parts end at %d", n, parts, next)
			}
		}
	}
}

// TestRunAllocatesNothing: a warm Run hands its parts over without allocating.
func TestRunAllocatesNothing(t *testing.T) {
	j := &countJob{seen: make([]atomic.Int32, 1<<10)}
	Run(j, 2)
	if a := testing.AllocsPerRun(100, func() { Run(j, 2) }); a != 0 {
		t.Fatalf("%v allocations per Run", a)
	}
}

// nestedJob's parts each run a job of their own on the team, which is busy with the
// outer job: the inner jobs must run on their callers, and every element once.
type nestedJob struct {
	inner []*countJob
}

func (j *nestedJob) Run(part, parts int) { Run(j.inner[part], 4) }

// TestRunNestedAndOversubscribed: a job whose parts ask for the team, and a job cut into
// more parts than GOMAXPROCS, both finish with every element visited once.
func TestRunNestedAndOversubscribed(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	for _, parts := range []int{2, 16} {
		j := &nestedJob{}
		for range parts {
			j.inner = append(j.inner, &countJob{seen: make([]atomic.Int32, 1000)})
		}
		Run(j, parts)
		for p, in := range j.inner {
			for i := range in.seen {
				if c := in.seen[i].Load(); c != 1 {
					t.Fatalf("%d parts: inner job %d, element %d visited %d times", parts, p, i, c)
				}
			}
		}
	}
}
