package vec

import "sync"

// float64 scratch rows for reductions, pooled so that steady-state kernels allocate nothing.
var pool64 sync.Pool

func make64(n int) []float64 {
	if p, ok := pool64.Get().(*[]float64); ok && cap(*p) >= n {
		s := (*p)[:n]
		clear(s)
		return s
	}
	return make([]float64, n)
}

func put64(s []float64) { pool64.Put(&s) }
