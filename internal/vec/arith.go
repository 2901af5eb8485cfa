package vec

// Add is: for i := range dst { dst[i] = a[i] + b[i] }. dst may alias a or b.
func Add(dst, a, b []float32) {
	add(dst, a[:len(dst)], b[:len(dst)])
}

// addGo is Add's loop: the portable path, and the tail of the assembly one.
func addGo(dst, a, b []float32) {
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

// AddRowVectorTo is: dst[i, j] = x[i, j] + b[j] for x and dst (rows, len(b)), Add on
// each row. dst may alias x.
func AddRowVectorTo(dst, x, b []float32) {
	cols := len(b)
	x = x[:len(dst)]
	for off := 0; off+cols <= len(dst); off += cols {
		Add(dst[off:off+cols], x[off:off+cols], b)
	}
}

// AccumulateColumnSums is: dst[j] += Σ_i x[i, j] for x (rows, len(dst)), AddTo of
// each row in turn.
func AccumulateColumnSums(dst, x []float32) {
	cols := len(dst)
	for off := 0; off+cols <= len(x); off += cols {
		AddTo(dst, x[off:off+cols])
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
