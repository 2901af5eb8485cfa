package metrics

import (
	"fmt"
	"math"
)

// PrecisionRecall returns the improved precision and recall of Kynkäänniemi et al. 2019.
//
// Argument order: real (the reference's features) first, then fake (the samples'), as
// NVlabs' knn_precision_recall_features(ref_features, eval_features) takes them; the
// opposite of FID(samples, ref) and KID(samples, ref, ...). Both are Features, so
// swapped arguments compile and run, and return the recall as precision and the
// precision as recall (ExamplePrecisionRecall shows the call). The order stays as it
// is for that reason: swapping the parameters would turn every existing call into that
// silent mistake.
//
// Each set's manifold is the union of balls around its points, the radius of a point's
// ball being the distance to its k-th nearest neighbour in the same set (the point itself
// excluded; DefaultPRNeighbours is the paper's k = 3). Then
//
//	precision = the fraction of fake points inside at least one real ball,
//	recall    = the fraction of real points inside at least one fake ball,
//
// "inside" meaning at a distance ≤ the radius, as in NVlabs' implementation. Precision
// says how much of what the generator makes looks real, recall how much of the real
// distribution it makes.
//
// The all-pairs distances (real–real, fake–fake and real–fake, never stored whole) come
// from |x−y|² = |x|² + |y|² − 2·xᵀy on tiles of dot products (see the package doc on
// precision), spread over goroutines, after both sets are centred on the real mean. A pair
// closer than 1% of its norms (duplicates above all) is measured again in float64.
//
// Errors: shapes, NaN or ±Inf, dimensions that differ, k < 1, and a set with k rows or fewer.
func PrecisionRecall(real, fake Features, k int) (precision, recall float64, err error) {
	return PrecisionRecallProgress(real, fake, k, nil)
}

// PrecisionRecallProgress is PrecisionRecall, real first, then fake (see its argument
// order), telling progress, when not nil, how many of the tiles of distances it
// computes are done: total is the number of 96×96 tiles of the real–real, fake–fake
// and real–fake distances (about 22,000 for two sets of 10,000 rows, where the whole
// takes seconds). It is called with done = 0 once the arguments are checked, then as
// tiles are done, done growing, and last with done = total, always from the goroutine
// that called PrecisionRecallProgress. The results are PrecisionRecall's, bit for bit.
func PrecisionRecallProgress(real, fake Features, k int, progress func(done, total int)) (precision, recall float64, err error) {
	if k < 1 {
		return 0, 0, fmt.Errorf("metrics: PrecisionRecall: %w: k must be positive, got %d", ErrArgument, k)
	}
	if err := checkPair("PrecisionRecall", real, fake, "real", "fake", k+1, k+1); err != nil {
		return 0, 0, err
	}
	// Distances do not change under a shift; centring both sets on the real mean keeps the
	// norms, and so the rounding of |x|² + |y|² − 2·xᵀy, small for features with a large
	// common offset (all positive, as after a ReLU).
	shift := columnMeans(real)
	rr, err := toRows32(real, shift, "PrecisionRecall", "real")
	if err != nil {
		return 0, 0, err
	}
	rf, err := toRows32(fake, shift, "PrecisionRecall", "fake")
	if err != nil {
		return 0, 0, err
	}
	tiles := newProgressCounter(progress, tileCount(rr.n, rr.n, true)+tileCount(rf.n, rf.n, true)+tileCount(rf.n, rr.n, false))
	radReal, radFake := kthNeighbour2(rr, k, tiles), kthNeighbour2(rf, k, tiles)
	inReal, inFake := coverage(rf, rr, radReal, radFake, tiles)
	return fraction(inReal), fraction(inFake), nil
}

// kthNeighbour2 returns, for each row of r, the squared distance to its k-th nearest other
// row (k < r.n). Each goroutine keeps the k smallest distances it has seen for every row,
// over the tiles (I, J ≥ I) it computes; the lists are merged at the end. tiles (nil
// for none) counts them.
func kthNeighbour2(r rows32, k int, tiles *progressCounter) []float64 {
	pairs := blockPairs(r.n, r.n, true)
	nw := workers(len(pairs))
	best := make([][]float64, nw) // best[w] is (n, k), each row ascending
	bufs := make([][]float32, nw)
	for w := range nw {
		best[w] = make([]float64, r.n*k)
		for i := range best[w] {
			best[w][i] = math.Inf(1)
		}
		bufs[w] = make([]float32, tile*tile)
	}
	parallelFor(nw, len(pairs), func(w, p int) {
		bi, bj := pairs[p][0], pairs[p][1]
		i0, i1 := blockRange(bi, r.n)
		j0, j1 := blockRange(bj, r.n)
		g := gramTile(bufs[w], r.x, i0, i1, r.x, j0, j1, r.d)
		kb, width := best[w], j1-j0
		for i := i0; i < i1; i++ {
			row, bestI, ni := g[(i-i0)*width:(i-i0+1)*width], kb[i*k:(i+1)*k], r.norm2[i]
			for j := j0; j < j1; j++ {
				if j == i {
					continue
				}
				d, near := dist2(ni, r.norm2[j], row[j-j0])
				if near {
					d = exactDist2(r, i, r, j)
				}
				if d < bestI[k-1] {
					insertSorted(bestI, d)
				}
				// A tile off the diagonal is the only one that holds the pair (i, j):
				// it serves row j too. A diagonal tile holds (j, i) as well.
				if bi != bj && d < kb[j*k+k-1] {
					insertSorted(kb[j*k:(j+1)*k], d)
				}
			}
		}
		tiles.add(w)
	})
	tiles.flush()
	out := make([]float64, r.n)
	merged := make([]float64, k)
	for i := range r.n {
		copy(merged, best[0][i*k:(i+1)*k])
		for w := 1; w < nw; w++ {
			for _, d := range best[w][i*k : (i+1)*k] {
				if d < merged[k-1] {
					insertSorted(merged, d)
				}
			}
		}
		out[i] = merged[k-1]
	}
	return out
}

// insertSorted inserts v into the ascending list s, dropping its last (largest) element;
// v must be smaller than that element.
func insertSorted(s []float64, v float64) {
	i := len(s) - 1
	for i > 0 && s[i-1] > v {
		s[i] = s[i-1]
		i--
	}
	s[i] = v
}

// coverage returns which rows of fake lie within the squared radius radReal[j] of some real
// row j, and which rows of real lie within radFake[i] of some fake row i. Each goroutine
// marks its own flags over the tiles it computes; they are or-ed at the end. tiles (nil
// for none) counts them.
func coverage(fake, real rows32, radReal, radFake []float64, tiles *progressCounter) (fakeIn, realIn []bool) {
	pairs := blockPairs(fake.n, real.n, false)
	nw := workers(len(pairs))
	fakeFlags, realFlags := make([][]bool, nw), make([][]bool, nw)
	bufs := make([][]float32, nw)
	for w := range nw {
		fakeFlags[w], realFlags[w] = make([]bool, fake.n), make([]bool, real.n)
		bufs[w] = make([]float32, tile*tile)
	}
	parallelFor(nw, len(pairs), func(w, p int) {
		i0, i1 := blockRange(pairs[p][0], fake.n)
		j0, j1 := blockRange(pairs[p][1], real.n)
		g := gramTile(bufs[w], fake.x, i0, i1, real.x, j0, j1, fake.d)
		fIn, rIn, width := fakeFlags[w], realFlags[w], j1-j0
		for i := i0; i < i1; i++ {
			row, ni, ri := g[(i-i0)*width:(i-i0+1)*width], fake.norm2[i], radFake[i]
			hit := false
			for j := j0; j < j1; j++ {
				d, near := dist2(ni, real.norm2[j], row[j-j0])
				if near {
					d = exactDist2(fake, i, real, j)
				}
				if d <= radReal[j] {
					hit = true
				}
				if d <= ri {
					rIn[j] = true
				}
			}
			if hit {
				fIn[i] = true
			}
		}
		tiles.add(w)
	})
	tiles.flush()
	for w := 1; w < nw; w++ {
		orInto(fakeFlags[0], fakeFlags[w])
		orInto(realFlags[0], realFlags[w])
	}
	return fakeFlags[0], realFlags[0]
}

// orInto is: for i, v := range src { dst[i] = dst[i] || v }.
func orInto(dst, src []bool) {
	for i, v := range src {
		dst[i] = dst[i] || v
	}
}

// fraction is the share of true values in flags.
func fraction(flags []bool) float64 {
	n := 0
	for _, v := range flags {
		if v {
			n++
		}
	}
	return float64(n) / float64(len(flags))
}
