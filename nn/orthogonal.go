package nn

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// Orthogonal draws a kernel whose matrix has orthonormal columns (or rows, if
// it is wider than tall), times Gain (0 means 1), as Keras's Orthogonal and
// PyTorch's orthogonal_ (Saxe et al. 2014): the Q of the QR decomposition of
// a matrix of N(0, 1) values, each column's sign corrected by the sign of R's
// diagonal so that Q is uniformly distributed.
//
// The kernel is read as Keras reads it, a (fanIn, len(w)/fanIn) matrix: (in,
// units) for Dense, (kh·kw·channels, filters) for Conv2D, (kh·kw·filters,
// channels) for Conv2DTranspose. A weight of a length that fanIn does not
// divide (a bias) is a programmer error.
type Orthogonal struct{ Gain float64 }

// Init fills w, a (fanIn, len(w)/fanIn) kernel, with an orthogonal matrix times the gain.
func (o Orthogonal) Init(w []float32, fanIn, _ int, rng *rand.Rand) {
	if fanIn <= 0 || len(w)%fanIn != 0 {
		panic(fmt.Sprintf("nn: orthogonal: a weight of %d values is not a matrix of %d rows (orthogonal is for kernels)", len(w), fanIn))
	}
	rows, cols := fanIn, len(w)/fanIn
	gain := o.Gain
	if gain == 0 {
		gain = 1
	}
	// q is (n, m) with n ≥ m: the kernel, or its transpose if it is wider than tall.
	n, m := rows, cols
	if rows < cols {
		n, m = cols, rows
	}
	q := blas64.General{Rows: n, Cols: m, Stride: m, Data: make([]float64, n*m)}
	for i := range q.Data {
		q.Data[i] = rng.NormFloat64()
	}
	tau := make([]float64, m)
	work := make([]float64, 1)
	lapack64.Geqrf(q, tau, work, -1)
	work = make([]float64, max(int(work[0]), n))
	lapack64.Geqrf(q, tau, work, len(work))
	sign := make([]float64, m) // sign of R's diagonal, which Geqrf leaves on q's
	for j := range sign {
		sign[j] = gain
		if q.Data[j*m+j] < 0 {
			sign[j] = -gain
		}
	}
	lapack64.Orgqr(q, tau, work, -1)
	if need := int(work[0]); need > len(work) {
		work = make([]float64, need)
	}
	lapack64.Orgqr(q, tau, work, len(work))
	for i := range n {
		for j := range m {
			v := float32(sign[j] * q.Data[i*m+j])
			if rows >= cols {
				w[i*cols+j] = v
			} else {
				w[j*cols+i] = v
			}
		}
	}
}

// String is "orthogonal(gain=Gain)".
func (o Orthogonal) String() string { return fmt.Sprintf("orthogonal(gain=%g)", o.Gain) }
