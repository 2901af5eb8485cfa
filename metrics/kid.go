package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// kidStream is the second word of the PCG state that KID's subsets are drawn with (the
// first is the caller's seed), fixed so that a seed names one sequence of subsets.
const kidStream = 0x6b69645f73756273 // "kid_subs"

// KID returns the Kernel Inception Distance between the samples' features (samples,
// the generated set scored) and the reference's (ref, the real set) (Bińkowski et al.
// 2018): the unbiased estimate of the squared MMD with the cubic polynomial kernel
//
//	k(x, y) = (xᵀy/D + 1)³
//
//	MMD²ᵤ = Σ_{i≠j} k(xᵢ,xⱼ)/(m(m−1)) + Σ_{i≠j} k(yᵢ,yⱼ)/(m(m−1)) − 2 Σ_{i,j} k(xᵢ,yⱼ)/m²
//
// computed on subsets random subsets of subsetSize rows of samples (the xᵢ) and of ref
// (the yᵢ), each drawn without replacement; mean and std are the mean and the
// population standard deviation (denominator subsets) of the subsets' estimates, as
// TF-GAN and torch-fidelity report them. The standard protocol uses DefaultKIDSubsets
// subsets of DefaultKIDSubsetSize. The mean can be slightly negative when samples and ref
// come from one distribution: it is unbiased, not clamped.
//
// The subsets come from math/rand/v2's PCG seeded with (seed, kidStream), so one seed
// gives the same result on every run, whatever the number of goroutines.
//
// Errors, naming samples or ref: shapes, NaN or ±Inf, dimensions that differ,
// subsets < 1, subsetSize < 2, and a set with fewer than subsetSize rows.
func KID(samples, ref Features, subsets, subsetSize int, seed uint64) (mean, std float64, err error) {
	return KIDProgress(samples, ref, subsets, subsetSize, seed, nil)
}

// KIDProgress is KID telling progress, when not nil, how many of its subsets are done:
// total is subsets (100 by default, about 1.4 s for two sets of 10,000 rows on two
// cores). It is called with done = 0 once the arguments are checked, then as subsets
// are done, done growing, and last with done = total, always from the goroutine that
// called KIDProgress. The results are KID's, bit for bit.
func KIDProgress(samples, ref Features, subsets, subsetSize int, seed uint64, progress func(done, total int)) (mean, std float64, err error) {
	if subsets < 1 {
		return 0, 0, fmt.Errorf("metrics: KID: %w: subsets must be positive, got %d", ErrArgument, subsets)
	}
	if subsetSize < 2 {
		return 0, 0, fmt.Errorf("metrics: KID: %w: subsetSize must be at least 2, got %d", ErrArgument, subsetSize)
	}
	if err := checkPair("KID", samples, ref, "samples", "ref", subsetSize, subsetSize); err != nil {
		return 0, 0, err
	}
	rs, err := toRows32(samples, nil, "KID", "samples")
	if err != nil {
		return 0, 0, err
	}
	rr, err := toRows32(ref, nil, "KID", "ref")
	if err != nil {
		return 0, 0, err
	}
	is, ir := drawSubsets(samples.N, ref.N, subsets, subsetSize, seed)
	mmd := mmdSubsets(rs, rr, is, ir, newProgressCounter(progress, subsets))
	mean, std = meanStd(mmd)
	return mean, std, nil
}

// drawSubsets returns subsets index sets of m rows of a set of na rows and as many of nb
// rows, each without replacement: subset s is ia[s] with ib[s]. They are drawn in the order
// ia[0], ib[0], ia[1], ... by partial Fisher–Yates shuffles of two permutations that carry
// over from one subset to the next.
func drawSubsets(na, nb, subsets, m int, seed uint64) (ia, ib [][]int) {
	rng := rand.New(rand.NewPCG(seed, kidStream))
	permA, permB := identity(na), identity(nb)
	draw := func(perm []int) []int {
		for i := range m {
			j := i + rng.IntN(len(perm)-i)
			perm[i], perm[j] = perm[j], perm[i]
		}
		return append([]int(nil), perm[:m]...)
	}
	ia, ib = make([][]int, subsets), make([][]int, subsets)
	for s := range subsets {
		ia[s] = draw(permA)
		ib[s] = draw(permB)
	}
	return ia, ib
}

func identity(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return p
}

// mmdSubsets returns the unbiased MMD² of each subset: rows ia[s] of a against rows ib[s]
// of b (all of one length m). The subsets are spread over goroutines, each computed whole by
// one of them, in a fixed order. done (nil for none) counts them.
func mmdSubsets(a, b rows32, ia, ib [][]int, done *progressCounter) []float64 {
	m, d := len(ia[0]), a.d
	out := make([]float64, len(ia))
	nw := workers(len(ia))
	type scratch struct{ z, g []float32 }
	bufs := make([]scratch, nw)
	for w := range bufs {
		bufs[w] = scratch{z: make([]float32, 2*m*d), g: make([]float32, tile*tile)}
	}
	parallelFor(nw, len(ia), func(w, s int) {
		z := bufs[w].z
		a.gather(z[:m*d], ia[s])
		b.gather(z[m*d:], ib[s])
		out[s] = mmd2(z, m, d, bufs[w].g)
		done.add(w)
	})
	done.flush()
	return out
}

// mmd2 is the unbiased MMD² of the rows of z (2m, d): x = rows [0, m), y = rows [m, 2m).
// It sums the kernel over the tiles (I, J ≥ I) of z·zᵀ, the diagonal tiles above their
// diagonal only, so each unordered pair is visited once; the x–x and y–y sums are doubled
// for the ordered pairs i ≠ j. g is a tile-sized buffer.
func mmd2(z []float32, m, d int, g []float32) float64 {
	n := 2 * m
	nb := (n + tile - 1) / tile
	invD := 1 / float64(d)
	var sxx, syy, sxy float64
	for bi := range nb {
		i0, i1 := blockRange(bi, n)
		for bj := bi; bj < nb; bj++ {
			j0, j1 := blockRange(bj, n)
			prod := gramTile(g, z, i0, i1, z, j0, j1, d)
			w := j1 - j0
			for i := i0; i < i1; i++ {
				row := prod[(i-i0)*w : (i-i0+1)*w]
				lo := j0
				if bi == bj {
					lo = i + 1
				}
				split := min(max(m, lo), j1) // columns [lo, split) are x's, [split, j1) y's
				xs := polyKernelSum(row[lo-j0:split-j0], invD)
				ys := polyKernelSum(row[split-j0:], invD)
				if i < m {
					sxx += xs
					sxy += ys
				} else {
					syy += ys // j > i ≥ m: no x columns
				}
			}
		}
	}
	fm := float64(m)
	return 2*(sxx+syy)/(fm*(fm-1)) - 2*sxy/(fm*fm)
}

// polyKernelSum is: for _, v := range dots { s += (v·invD + 1)³ }, in float64, the sum
// split over four accumulators (one dependent addition chain would bound its speed).
func polyKernelSum(dots []float32, invD float64) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(dots); i += 4 {
		u0 := float64(dots[i])*invD + 1
		u1 := float64(dots[i+1])*invD + 1
		u2 := float64(dots[i+2])*invD + 1
		u3 := float64(dots[i+3])*invD + 1
		s0 += u0 * u0 * u0
		s1 += u1 * u1 * u1
		s2 += u2 * u2 * u2
		s3 += u3 * u3 * u3
	}
	for ; i < len(dots); i++ {
		u := float64(dots[i])*invD + 1
		s0 += u * u * u
	}
	return (s0 + s1) + (s2 + s3)
}

// meanStd returns the mean and the population standard deviation (denominator len(x)) of x.
func meanStd(x []float64) (mean, std float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		std += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(std / float64(len(x)))
}
