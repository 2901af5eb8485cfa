package vec

// Add is: for i := range dst { dst[i] = a[i] + b[i] }. dst may alias a or b.
func Add(dst, a, b []float32) {
	b = b[:len(dst)]
	a = a[:len(dst)]
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
}

// Sub is: for i := range dst { dst[i] = a[i] - b[i] }. dst may alias a or b.
func Sub(dst, a, b []float32) {
	b = b[:len(dst)]
	a = a[:len(dst)]
	for i := range dst {
		dst[i] = a[i] - b[i]
	}
}

// Mul is: for i := range dst { dst[i] = a[i] * b[i] }. dst may alias a or b.
func Mul(dst, a, b []float32) {
	mul(dst, a[:len(dst)], b[:len(dst)])
}

// mulGo is Mul's loop: the portable path, and the tail of the assembly one.
func mulGo(dst, a, b []float32) {
	b = b[:len(dst)]
	a = a[:len(dst)]
	for i := range dst {
		dst[i] = a[i] * b[i]
	}
}

// Axpy is: for i, v := range x { y[i] += alpha * v }.
func Axpy(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// ScaleTo is: for i := range dst { dst[i] = alpha*x[i] + c }. dst may alias x.
func ScaleTo(dst []float32, alpha float32, x []float32, c float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = alpha*x[i] + c
	}
}

// Sum is: s = Σ x[i], accumulated in float64.
func Sum(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	return s
}

// AddRowVector is: x[i, j] += b[j] for x (rows, len(b)).
func AddRowVector(x, b []float32) {
	cols := len(b)
	for off := 0; off+cols <= len(x); off += cols {
		row := x[off : off+cols]
		for j, v := range b {
			row[j] += v
		}
	}
}

// AccumulateColumnSums is: dst[j] += Σ_i x[i, j] for x (rows, len(dst)).
func AccumulateColumnSums(dst, x []float32) {
	cols := len(dst)
	for off := 0; off+cols <= len(x); off += cols {
		row := x[off : off+cols]
		for j, v := range row {
			dst[j] += v
		}
	}
}

// RowSums is: dst[i] = Σ_j x[i, j] for x (len(dst), cols).
func RowSums(dst, x []float32, cols int) {
	for i := range dst {
		var s float32
		for _, v := range x[i*cols : (i+1)*cols] {
			s += v
		}
		dst[i] = s
	}
}

// BroadcastRows is: dst[i, j] = v[i] for dst (len(v), cols).
func BroadcastRows(dst, v []float32, cols int) {
	for i, x := range v {
		row := dst[i*cols : (i+1)*cols]
		for j := range row {
			row[j] = x
		}
	}
}
