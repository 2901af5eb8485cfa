package metrics

// Plain float64 loops that compute what the tiled float32 paths compute: the oracles the
// tests compare against, and the naive baselines of the benchmarks.

import (
	"math"
	"math/rand/v2"
	"sort"
)

// refMMD2 is the unbiased MMD² of rows ia of a against rows ib of b, straight from the
// definition, in float64.
func refMMD2(a, b Features, ia, ib []int) float64 {
	k := func(x, y []float64) float64 {
		dot := 0.0
		for i := range x {
			dot += x[i] * y[i]
		}
		u := dot/float64(len(x)) + 1
		return u * u * u
	}
	m := float64(len(ia))
	var sxx, syy, sxy float64
	for p, i := range ia {
		for q, j := range ia {
			if p != q {
				sxx += k(a.Row(i), a.Row(j))
			}
		}
	}
	for p, i := range ib {
		for q, j := range ib {
			if p != q {
				syy += k(b.Row(i), b.Row(j))
			}
		}
	}
	for _, i := range ia {
		for _, j := range ib {
			sxy += k(a.Row(i), b.Row(j))
		}
	}
	return (sxx+syy)/(m*(m-1)) - 2*sxy/(m*m)
}

// refDist2 is |x − y|², summed over the differences.
func refDist2(x, y []float64) float64 {
	s := 0.0
	for i := range x {
		d := x[i] - y[i]
		s += d * d
	}
	return s
}

// refKthNeighbour2 sorts each row's distances to the other rows and takes the k-th.
func refKthNeighbour2(f Features, k int) []float64 {
	out := make([]float64, f.N)
	ds := make([]float64, 0, f.N)
	for i := range f.N {
		ds = ds[:0]
		for j := range f.N {
			if j != i {
				ds = append(ds, refDist2(f.Row(i), f.Row(j)))
			}
		}
		sort.Float64s(ds)
		out[i] = ds[k-1]
	}
	return out
}

// refPrecisionRecall is PrecisionRecall by the definition, in float64.
func refPrecisionRecall(real, fake Features, k int) (precision, recall float64) {
	radR, radF := refKthNeighbour2(real, k), refKthNeighbour2(fake, k)
	within := func(x Features, i int, set Features, rad []float64) bool {
		for j := range set.N {
			if refDist2(x.Row(i), set.Row(j)) <= rad[j] {
				return true
			}
		}
		return false
	}
	p, r := 0, 0
	for i := range fake.N {
		if within(fake, i, real, radR) {
			p++
		}
	}
	for i := range real.N {
		if within(real, i, fake, radF) {
			r++
		}
	}
	return float64(p) / float64(fake.N), float64(r) / float64(real.N)
}

// newRand is a deterministic generator for test data.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x7465737464617461)) }

// gaussian draws n rows of dimension d, each entry mean + scale·N(0, 1).
func gaussian(rng *rand.Rand, n, d int, mean, scale float64) Features {
	data := make([]float64, n*d)
	for i := range data {
		data[i] = mean + scale*rng.NormFloat64()
	}
	return Features{N: n, D: d, Data: data}
}

// mvn draws n rows from N(mu, A·Aᵀ) as mu + A·z, with A (d, d) row-major.
func mvn(rng *rand.Rand, n int, mu, a []float64) Features {
	d := len(mu)
	data := make([]float64, n*d)
	z := make([]float64, d)
	for i := range n {
		for j := range z {
			z[j] = rng.NormFloat64()
		}
		row := data[i*d : (i+1)*d]
		for r := range d {
			s := mu[r]
			for c := range d {
				s += a[r*d+c] * z[c]
			}
			row[r] = s
		}
	}
	return Features{N: n, D: d, Data: data}
}

// outer returns A·Aᵀ for A (d, d) row-major.
func outer(a []float64, d int) []float64 {
	out := make([]float64, d*d)
	for i := range d {
		for j := range d {
			s := 0.0
			for k := range d {
				s += a[i*d+k] * a[j*d+k]
			}
			out[i*d+j] = s
		}
	}
	return out
}

// randomMatrix is a (d, d) matrix of N(0, 1) entries plus shift on the diagonal.
func randomMatrix(rng *rand.Rand, d int, shift float64) []float64 {
	a := make([]float64, d*d)
	for i := range a {
		a[i] = rng.NormFloat64()
	}
	for i := range d {
		a[i*d+i] += shift
	}
	return a
}

// relErr is |got − want| / max(|want|, tiny).
func relErr(got, want float64) float64 {
	return math.Abs(got-want) / math.Max(math.Abs(want), 1e-300)
}
