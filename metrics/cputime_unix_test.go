//go:build unix

package metrics

import "syscall"

// cpuSeconds is the processor time (user and system, all threads) this process has used.
// On a shared machine it says what a benchmark costs better than the wall clock does.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	sec := func(t syscall.Timeval) float64 { return float64(t.Sec) + 1e-6*float64(t.Usec) }
	return sec(ru.Utime) + sec(ru.Stime)
}
