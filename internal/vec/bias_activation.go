package vec

// The fused forms of a dense layer's tail, y = act(x + b): one pass over the
// (rows, len(b)) matrix forward, one backward that also sums the bias gradient.
// Each runs its row kernel (the loop in the comment) on every row.

// BiasLeakyReLU is y = LeakyReLU(x + b) for x and dst (rows, len(b)); per row,
//
//	for j, v := range x { h := v + b[j]; if h > 0 { dst[j] = h } else { dst[j] = alpha * h } }
//
// dst may alias x.
func BiasLeakyReLU(dst, x, b []float32, alpha float32) {
	j := shareJob{dst: dst, x: x[:len(dst)], b: b, alpha: alpha, cols: len(b)}
	if !shareRows(j, len(dst), biasLeakyReLURows) {
		biasLeakyReLURows(&j, 0, len(dst)/max(len(b), 1))
	}
}

// biasLeakyReLURows is BiasLeakyReLU on rows [lo, hi).
func biasLeakyReLURows(j *shareJob, lo, hi int) {
	cols := j.cols
	for off := lo * cols; off < hi*cols; off += cols {
		biasLeakyReLU(j.dst[off:off+cols], j.x[off:off+cols], j.b, j.alpha)
	}
}

func biasLeakyReLUGo(dst, x, b []float32, alpha float32) {
	x = x[:len(dst)]
	b = b[:len(dst)]
	for j, v := range x {
		h := v + b[j]
		if h > 0 {
			dst[j] = h
		} else {
			dst[j] = alpha * h
		}
	}
}

// BiasLeakyReLUBackward is BiasLeakyReLU's gradient, from its output y and the
// gradient dy (rows, len(db)): dx = dy where y > 0 (x + b > 0 exactly when y > 0,
// alpha ≥ 0), alpha·dy elsewhere, and db += Σ_rows dx. Per row,
//
//	for j, v := range y { d := dy[j]; if !(v > 0) { d = float32(alpha * d) }; dx[j] = d; db[j] += d }
//
// with db summed by blocks of blockRows rows as AccumulateColumnSums sums dst: the
// rows of block 0 onto db, each later block's onto zeros, those blocks' sums then
// onto db in block order. dx may alias dy.
func BiasLeakyReLUBackward(dx, db, y, dy []float32, alpha float32) {
	cols := len(db)
	if cols == 0 {
		return
	}
	j := shareJob{dx: dx, db: db, y: y, dy: dy, alpha: alpha, rows: len(dx) / cols, cols: cols}
	if serialBlock(j.rows, cols) {
		biasLeakyReLUBackwardBlock(&j, 0, 0, cols)
		return
	}
	sumByBlocks(j, db, biasLeakyReLUBackwardPieces)
}

// biasLeakyReLUBackwardPieces is BiasLeakyReLUBackward on the pieces [lo, hi).
func biasLeakyReLUBackwardPieces(j *shareJob, lo, hi int) {
	eachBlock(j, lo, hi, biasLeakyReLUBackwardBlock)
}

// biasLeakyReLUBackwardBlock is BiasLeakyReLUBackward on block b's rows and the
// columns [c0, c1), its db onto blockSums.
func biasLeakyReLUBackwardBlock(j *shareJob, b, c0, c1 int) {
	r0, r1 := blockSpan(b, j.rows)
	o := r0*j.cols + c0
	db := blockSums(j, j.db, b, c0, c1)[c0:c1]
	biasLeakyReLUBackwardRows(j.dx[o:], db, j.y[o:], j.dy[o:], j.alpha, j.cols, r1-r0)
}

// biasLeakyReLUBackwardRows runs biasLeakyReLUBackward on the first len(db) columns of
// rows rows, ld apart.
func biasLeakyReLUBackwardRows(dx, db, y, dy []float32, alpha float32, ld, rows int) {
	w := len(db)
	for i := range rows {
		o := i * ld
		biasLeakyReLUBackward(dx[o:o+w], db, y[o:o+w], dy[o:o+w], alpha)
	}
}

func biasLeakyReLUBackwardGo(dx, db, y, dy []float32, alpha float32) {
	db = db[:len(dx)]
	y = y[:len(dx)]
	dy = dy[:len(dx)]
	for j, v := range y {
		d := dy[j]
		if !(v > 0) {
			d = float32(alpha * d)
		}
		dx[j] = d
		db[j] += d
	}
}

// BiasTanh is y = tanh(x + b) for x and dst (rows, len(b)); per row,
//
//	for j, v := range x { dst[j] = tanh32(v + b[j]) }
//
// dst may alias x.
func BiasTanh(dst, x, b []float32) {
	j := shareJob{dst: dst, x: x[:len(dst)], b: b, cols: len(b)}
	if !shareRows(j, len(dst), biasTanhRows) {
		biasTanhRows(&j, 0, len(dst)/max(len(b), 1))
	}
}

// biasTanhRows is BiasTanh on rows [lo, hi).
func biasTanhRows(j *shareJob, lo, hi int) {
	cols := j.cols
	for off := lo * cols; off < hi*cols; off += cols {
		biasTanh(j.dst[off:off+cols], j.x[off:off+cols], j.b)
	}
}

func biasTanhGo(dst, x, b []float32) {
	x = x[:len(dst)]
	b = b[:len(dst)]
	for j, v := range x {
		dst[j] = tanh32(v + b[j])
	}
}

// BiasTanhBackward is BiasTanh's gradient, from its output y and the gradient dy
// (rows, len(db)): dx = dy·(1 − y²) and db += Σ_rows dx. Per row,
//
//	for j, v := range y { d := float32(dy[j] * float32(1-float32(v*v))); dx[j] = d; db[j] += d }
//
// with db summed by blocks of blockRows rows as in BiasLeakyReLUBackward. dx may
// alias dy.
func BiasTanhBackward(dx, db, y, dy []float32) {
	cols := len(db)
	if cols == 0 {
		return
	}
	j := shareJob{dx: dx, db: db, y: y, dy: dy, rows: len(dx) / cols, cols: cols}
	if serialBlock(j.rows, cols) {
		biasTanhBackwardBlock(&j, 0, 0, cols)
		return
	}
	sumByBlocks(j, db, biasTanhBackwardPieces)
}

// biasTanhBackwardPieces is BiasTanhBackward on the pieces [lo, hi).
func biasTanhBackwardPieces(j *shareJob, lo, hi int) { eachBlock(j, lo, hi, biasTanhBackwardBlock) }

// biasTanhBackwardBlock is BiasTanhBackward on block b's rows and the columns [c0, c1),
// its db onto blockSums.
func biasTanhBackwardBlock(j *shareJob, b, c0, c1 int) {
	r0, r1 := blockSpan(b, j.rows)
	o := r0*j.cols + c0
	biasTanhBackwardRows(j.dx[o:], blockSums(j, j.db, b, c0, c1)[c0:c1], j.y[o:], j.dy[o:], j.cols, r1-r0)
}

// biasTanhBackwardRows runs biasTanhBackward on the first len(db) columns of rows
// rows, ld apart.
func biasTanhBackwardRows(dx, db, y, dy []float32, ld, rows int) {
	w := len(db)
	for i := range rows {
		o := i * ld
		biasTanhBackward(dx[o:o+w], db, y[o:o+w], dy[o:o+w])
	}
}

func biasTanhBackwardGo(dx, db, y, dy []float32) {
	db = db[:len(dx)]
	y = y[:len(dx)]
	dy = dy[:len(dx)]
	for j, v := range y {
		d := float32(dy[j] * float32(1-float32(v*v)))
		dx[j] = d
		db[j] += d
	}
}
