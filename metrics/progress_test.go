package metrics

import (
	"bytes"
	"runtime"
	"testing"
)

// checkProgress runs call, on one goroutine and on four (GOMAXPROCS), with a progress
// function that checks it is told (0, total) first, then counts that grow, and
// (total, total) last, always from the goroutine that ran call; on one goroutine, once
// an item and once first. call checks its own results.
func checkProgress(t *testing.T, total int, call func(progress func(done, total int))) {
	t.Helper()
	for _, procs := range []int{1, 4} {
		func() {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			caller := goroutineID()
			var calls [][2]int
			call(func(done, total int) {
				if id := goroutineID(); id != caller {
					t.Errorf("GOMAXPROCS %d: progress called from goroutine %s, not the caller's %s", procs, id, caller)
				}
				calls = append(calls, [2]int{done, total})
			})
			if len(calls) < 2 || calls[0] != [2]int{0, total} || calls[len(calls)-1] != [2]int{total, total} {
				t.Fatalf("GOMAXPROCS %d: calls %v, want (0, %d) first and (%d, %d) last", procs, calls, total, total, total)
			}
			for i := 1; i < len(calls); i++ {
				if calls[i][1] != total || calls[i][0] <= calls[i-1][0] {
					t.Fatalf("GOMAXPROCS %d: calls %v do not grow to %d", procs, calls, total)
				}
			}
			if procs == 1 && len(calls) != total+1 {
				t.Errorf("on one goroutine: %d calls, want one per item and the first: %v", len(calls), calls)
			}
		}()
	}
}

// goroutineID is the number of the calling goroutine, from its stack trace's first line,
// "goroutine N [running]:".
func goroutineID() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	return string(bytes.Fields(buf)[1])
}
