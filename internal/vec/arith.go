package vec

// Add is: for i := range dst { dst[i] = a[i] + b[i] }. dst may alias a or b.
func Add(dst, a, b []float32) {
	if shareElements(shareJob{dst: dst, a: a[:len(dst)], b: b[:len(dst)]}, len(dst), addPart) {
		return
	}
	add(dst, a[:len(dst)], b[:len(dst)])
}

func addPart(j *shareJob, lo, hi int) { add(j.dst[lo:hi], j.a[lo:hi], j.b[lo:hi]) }

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
	if shareElements(shareJob{dst: dst, a: a[:len(dst)], b: b[:len(dst)]}, len(dst), mulPart) {
		return
	}
	mul(dst, a[:len(dst)], b[:len(dst)])
}

func mulPart(j *shareJob, lo, hi int) { mul(j.dst[lo:hi], j.a[lo:hi], j.b[lo:hi]) }

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
	if shareRows(shareJob{dst: dst, x: x, b: b, cols: cols}, len(dst), addRowVectorRows) {
		return
	}
	addRowVectorRows(&shareJob{dst: dst, x: x, b: b, cols: cols}, 0, len(dst)/max(cols, 1))
}

// addRowVectorRows is AddRowVectorTo on rows [lo, hi).
func addRowVectorRows(j *shareJob, lo, hi int) {
	cols := j.cols
	for off := lo * cols; off < hi*cols; off += cols {
		add(j.dst[off:off+cols], j.x[off:off+cols], j.b)
	}
}

// AccumulateColumnSums is: dst[j] += Σ_i x[i, j] for x (rows, len(dst)), by blocks of
// blockRows rows (blocks.go): block 0's rows are added onto dst, each later block's
// rows onto zeros, and those blocks' sums then onto dst, block after block:
//
//	for i in block 0 { dst[j] += x[i, j] }                 // AddTo of each row in turn
//	for b ≥ 1 { p[b][j] = 0; for i in block b { p[b][j] += x[i, j] } }
//	for b ≥ 1 { dst[j] += p[b][j] }
//
// With at most blockRows rows it is AddTo of each row in turn.
func AccumulateColumnSums(dst, x []float32) {
	cols := len(dst)
	if cols == 0 {
		return
	}
	rows := len(x) / cols
	j := shareJob{dst: dst, x: x[:rows*cols], rows: rows, cols: cols}
	if serialBlock(rows, cols) {
		columnSumBlock(&j, 0, 0, cols)
		return
	}
	sumByBlocks(j, dst, columnSumPieces)
}

// columnSumPieces is AccumulateColumnSums on the pieces [lo, hi).
func columnSumPieces(j *shareJob, lo, hi int) { eachBlock(j, lo, hi, columnSumBlock) }

// columnSumBlock sums block b's rows down the columns [c0, c1), onto dst for block 0,
// onto zeros in part32 for the others.
func columnSumBlock(j *shareJob, b, c0, c1 int) {
	r0, r1 := blockSpan(b, j.rows)
	addRows(blockSums(j, j.dst, b, c0, c1)[c0:c1], j.x[r0*j.cols+c0:], j.cols, r1-r0)
}

// addRows is: for i := range rows { AddTo(dst, x[i*ld:i*ld+len(dst)]) }.
func addRows(dst, x []float32, ld, rows int) {
	for i := range rows {
		addTo(dst, x[i*ld:i*ld+len(dst)])
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
