package parallel

import (
	"sync/atomic"
	"testing"
)

// crewJob is one job of a pair: it records Threads() as its part 0 sees it, then runs
// a job of its own on the team, cut into that many parts, and reports whether the team
// (a crew of it) took that job.
type crewJob struct {
	inner   *countJob
	threads int
	shared  bool
}

func (j *crewJob) Run(_, _ int) {
	j.threads = Threads()
	j.shared = TryRun(j.inner, j.threads, true)
	if !j.shared {
		Run(j.inner, j.threads)
	}
}

// TestPairSplitsTheTeam: on 4, 8 and 16 threads, each job of a pair sees half of them and
// shares its own jobs with a crew, every element visited once; afterwards the whole team
// is back. On 2 or 3 threads the two jobs run one after the other, each seeing them all.
func TestPairSplitsTheTeam(t *testing.T) {
	defer SetThreads(0)
	for _, threads := range []int{2, 3, 4, 8, 16} {
		SetThreads(threads)
		a := &crewJob{inner: &countJob{seen: make([]atomic.Int32, 1<<12)}}
		b := &crewJob{inner: &countJob{seen: make([]atomic.Int32, 1<<12)}}
		together := Pair(a, b)
		want, wantShared := threads/2, true
		if threads < 4 {
			want = threads
		}
		if together != (threads >= 4) {
			t.Errorf("%d threads: Pair reports together %v", threads, together)
		}
		for name, j := range map[string]*crewJob{"a": a, "b": b} {
			if j.threads != want || j.shared != wantShared {
				t.Errorf("%d threads: job %s saw %d threads, shared %v; want %d, %v", threads, name, j.threads, j.shared, want, wantShared)
			}
			for i := range j.inner.seen {
				if c := j.inner.seen[i].Load(); c != 1 {
					t.Fatalf("%d threads: job %s, element %d visited %d times", threads, name, i, c)
				}
			}
		}
		if got := Threads(); got != threads {
			t.Fatalf("after a pair on %d threads, Threads() = %d", threads, got)
		}
	}
}

// TestPairAllocatesNothing: a warm Pair, and the crews' jobs within it, allocate nothing.
func TestPairAllocatesNothing(t *testing.T) {
	defer SetThreads(0)
	SetThreads(4)
	a := &crewJob{inner: &countJob{seen: make([]atomic.Int32, 1<<10)}}
	b := &crewJob{inner: &countJob{seen: make([]atomic.Int32, 1<<10)}}
	Pair(a, b)
	if n := testing.AllocsPerRun(50, func() { Pair(a, b) }); n != 0 {
		t.Fatalf("%v allocations per Pair", n)
	}
}

// TestPairWithinAJob: a pair asked for by a part of a job that holds the team runs its
// two jobs one after the other on that part's goroutine.
func TestPairWithinAJob(t *testing.T) {
	defer SetThreads(0)
	SetThreads(8)
	j := &pairingJob{}
	Run(j, 2)
	for p, pair := range j.pairs {
		for name, c := range map[string]*crewJob{"a": pair[0], "b": pair[1]} {
			if c.shared || c.threads != 8 {
				t.Errorf("part %d, job %s: shared %v on %d threads, want alone on 8", p, name, c.shared, c.threads)
			}
		}
	}
}

type pairingJob struct{ pairs [2][2]*crewJob }

func (j *pairingJob) Run(p, _ int) {
	j.pairs[p] = [2]*crewJob{
		{inner: &countJob{seen: make([]atomic.Int32, 64)}},
		{inner: &countJob{seen: make([]atomic.Int32, 64)}},
	}
	if Pair(j.pairs[p][0], j.pairs[p][1]) {
		panic("a pair within a job ran on the team")
	}
}

// TestPairBesideOtherCallers: goroutines that run jobs of their own while pairs come and
// go, some taking a crew of a split team, some the whole team, some none, each visit every
// element once (run with -race, this also checks the crews' hand-over).
func TestPairBesideOtherCallers(t *testing.T) {
	defer SetThreads(0)
	SetThreads(8)
	stop := make(chan struct{})
	errs := make(chan string, 4)
	for g := range 3 {
		go func() {
			j := &countJob{seen: make([]atomic.Int32, 1<<10)}
			for round := int32(1); ; round++ {
				select {
				case <-stop:
					errs <- ""
					return
				default:
				}
				Run(j, 2+g)
				for i := range j.seen {
					if c := j.seen[i].Load(); c != round {
						errs <- "a caller's element visited a wrong number of times"
						return
					}
				}
			}
		}()
	}
	for range 200 {
		a := &crewJob{inner: &countJob{seen: make([]atomic.Int32, 1<<12)}}
		b := &crewJob{inner: &countJob{seen: make([]atomic.Int32, 1<<12)}}
		Pair(a, b)
		for _, j := range []*crewJob{a, b} {
			for i := range j.inner.seen {
				if c := j.inner.seen[i].Load(); c != 1 {
					t.Fatalf("a pair's element %d visited %d times", i, c)
				}
			}
		}
	}
	close(stop)
	for range 3 {
		if e := <-errs; e != "" {
			t.Fatal(e)
		}
	}
}
