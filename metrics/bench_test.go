package metrics

import (
	"fmt"
	"sync"
	"testing"
)

// The benchmark shape: 10,000 samples of dimension 128, a typical penultimate layer.
const benchN, benchD, benchClasses = 10_000, 128, 10

var benchSets = sync.OnceValues(func() (real, fake Features) {
	rng := newRand(100)
	return gaussian(rng, benchN, benchD, 0, 1), gaussian(rng, benchN, benchD, 0.05, 1.1)
})

// measure runs body in b.Loop and reports, beside ns/op, the processor seconds per op
// (cpu-s/op): on an idle machine of P cores a parallel metric takes about cpu-s/op ÷ P.
func measure(b *testing.B, body func()) {
	start := cpuSeconds()
	n := 0
	for b.Loop() {
		body()
		n++
	}
	b.ReportMetric((cpuSeconds()-start)/float64(n), "cpu-s/op")
}

func benchProbs() []float64 {
	rng := newRand(101)
	return posteriors(benchN, benchClasses, func(_ int, p []float64) {
		sum := 0.0
		for c := range p {
			p[c] = rng.ExpFloat64()
			sum += p[c]
		}
		for c := range p {
			p[c] /= sum
		}
	})
}

func BenchmarkFID(b *testing.B) {
	real, fake := benchSets()
	b.Run(fmt.Sprintf("ComputeStats/n=%d,d=%d", benchN, benchD), func(b *testing.B) {
		measure(b, func() {
			if _, err := ComputeStats(real); err != nil {
				b.Fatal(err)
			}
		})
	})
	sr, _ := ComputeStats(real)
	sf, _ := ComputeStats(fake)
	b.Run(fmt.Sprintf("FID/d=%d", benchD), func(b *testing.B) {
		measure(b, func() {
			if _, err := FID(sr, sf); err != nil {
				b.Fatal(err)
			}
		})
	})
}

func BenchmarkKID(b *testing.B) {
	real, fake := benchSets()
	for _, subsets := range []int{2, DefaultKIDSubsets} {
		b.Run(fmt.Sprintf("fast/%dx%d", subsets, DefaultKIDSubsetSize), func(b *testing.B) {
			measure(b, func() {
				if _, _, err := KID(real, fake, subsets, DefaultKIDSubsetSize, 1); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
	// The float64 definition, beside the fast path on the same 2 subsets.
	ia, ib := drawSubsets(benchN, benchN, 2, DefaultKIDSubsetSize, 1)
	b.Run(fmt.Sprintf("naive/2x%d", DefaultKIDSubsetSize), func(b *testing.B) {
		measure(b, func() {
			for s := range ia {
				refMMD2(real, fake, ia[s], ib[s])
			}
		})
	})
}

func BenchmarkPrecisionRecall(b *testing.B) {
	real, fake := benchSets()
	for _, n := range []int{2000, benchN} {
		r, f := Features{N: n, D: benchD, Data: real.Data[:n*benchD]}, Features{N: n, D: benchD, Data: fake.Data[:n*benchD]}
		b.Run(fmt.Sprintf("fast/n=%d", n), func(b *testing.B) {
			measure(b, func() {
				if _, _, err := PrecisionRecall(r, f, DefaultPRNeighbours); err != nil {
					b.Fatal(err)
				}
			})
		})
		if n <= 2000 {
			b.Run(fmt.Sprintf("naive/n=%d", n), func(b *testing.B) {
				measure(b, func() {
					refPrecisionRecall(r, f, DefaultPRNeighbours)
				})
			})
		}
	}
}

// BenchmarkAll is every metric of one evaluation of 10,000 generated samples against
// 10,000 real ones (the real set's stats not cached).
func BenchmarkAll(b *testing.B) {
	real, fake := benchSets()
	probs := benchProbs()
	measure(b, func() {
		sr, err := ComputeStats(real)
		if err != nil {
			b.Fatal(err)
		}
		sf, err := ComputeStats(fake)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := FID(sr, sf); err != nil {
			b.Fatal(err)
		}
		if _, _, err := KID(real, fake, DefaultKIDSubsets, DefaultKIDSubsetSize, 1); err != nil {
			b.Fatal(err)
		}
		if _, _, err := PrecisionRecall(real, fake, DefaultPRNeighbours); err != nil {
			b.Fatal(err)
		}
		if _, _, err := InceptionScore(probs, benchN, benchClasses, DefaultISSplits); err != nil {
			b.Fatal(err)
		}
		counts, err := ClassHistogram(probs, benchN, benchClasses)
		if err != nil {
			b.Fatal(err)
		}
		ClassesOver(counts, DefaultClassFraction)
	})
}
