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
// dx may alias dy.
func BiasLeakyReLUBackward(dx, db, y, dy []float32, alpha float32) {
	j := shareJob{dx: dx, db: db, y: y, dy: dy, alpha: alpha, cols: len(db)}
	if !shareColumns(j, len(dx), biasLeakyReLUBackwardColumns) {
		biasLeakyReLUBackwardColumns(&j, 0, len(db))
	}
}

// biasLeakyReLUBackwardColumns is BiasLeakyReLUBackward on the columns [lo, hi).
func biasLeakyReLUBackwardColumns(j *shareJob, lo, hi int) {
	cols := j.cols
	for off := 0; off+cols <= len(j.dx); off += cols {
		biasLeakyReLUBackward(j.dx[off+lo:off+hi], j.db[lo:hi], j.y[off+lo:off+hi], j.dy[off+lo:off+hi], j.alpha)
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
// dx may alias dy.
func BiasTanhBackward(dx, db, y, dy []float32) {
	j := shareJob{dx: dx, db: db, y: y, dy: dy, cols: len(db)}
	if !shareColumns(j, len(dx), biasTanhBackwardColumns) {
		biasTanhBackwardColumns(&j, 0, len(db))
	}
}

// biasTanhBackwardColumns is BiasTanhBackward on the columns [lo, hi).
func biasTanhBackwardColumns(j *shareJob, lo, hi int) {
	cols := j.cols
	for off := 0; off+cols <= len(j.dx); off += cols {
		biasTanhBackward(j.dx[off+lo:off+hi], j.db[lo:hi], j.y[off+lo:off+hi], j.dy[off+lo:off+hi])
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
