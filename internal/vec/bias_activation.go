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
	cols := len(b)
	x = x[:len(dst)]
	for off := 0; off+cols <= len(dst); off += cols {
		biasLeakyReLU(dst[off:off+cols], x[off:off+cols], b, alpha)
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
	cols := len(db)
	for off := 0; off+cols <= len(dx); off += cols {
		biasLeakyReLUBackward(dx[off:off+cols], db, y[off:off+cols], dy[off:off+cols], alpha)
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
	cols := len(b)
	x = x[:len(dst)]
	for off := 0; off+cols <= len(dst); off += cols {
		biasTanh(dst[off:off+cols], x[off:off+cols], b)
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
	cols := len(db)
	for off := 0; off+cols <= len(dx); off += cols {
		biasTanhBackward(dx[off:off+cols], db, y[off:off+cols], dy[off:off+cols])
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
