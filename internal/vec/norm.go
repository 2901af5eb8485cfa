package vec

import "math"

// The batch-norm kernels work on x (rows, cols), column by column: the sums over rows go
// down strips of 16 columns (one cache line of each row, the float64 accumulators in
// registers), by blocks of blockRows rows when there are more (blocks.go), the
// element-wise passes along the rows.

// BatchNormStats computes the mean and the biased variance of every column of x
// (rows, len(mean)), accumulated in float64 in one pass, shifted by the first row of x
// so that a large mean does not cancel the variance's digits, and summed by blocks of
// blockRows rows (each block from zero, down its rows; then the blocks' sums from zero,
// block after block):
//
//	d = x[i,j] − x[0,j];  s1 = Σ_blocks Σ_(i in block) d;  s2 = Σ_blocks Σ_(i in block) d²
//	mean[j] = x[0,j] + s1/rows;  variance[j] = max(s2/rows − (s1/rows)², 0)
//
// With at most blockRows rows, s1 and s2 are the plain sums down the rows.
func BatchNormStats(mean, variance, x []float32) {
	cols := len(mean)
	if cols == 0 {
		return // no columns: nothing to normalize
	}
	rows := len(x) / cols
	if rows == 0 {
		return
	}
	j := shareJob{mean: mean, y: variance, x: x[:rows*cols], rows: rows, cols: cols}
	if rows > blockRows {
		batchNormStatsBlocks(&j)
		return
	}
	if !shareColumns(j, rows*cols, batchNormStatsColumns) {
		batchNormStatsColumns(&j, 0, cols)
	}
}

// batchNormStatsColumns is BatchNormStats of at most blockRows rows on the columns
// [lo, hi) (lo a multiple of 16); j.y is the variance.
func batchNormStatsColumns(j *shareJob, lo, hi int) {
	x, cols := j.x, j.cols
	for j0 := lo; j0 < hi; j0 += 16 {
		w := min(16, hi-j0)
		var s1, s2 [16]float64
		normSums(s1[:w], s2[:w], x[j0:], x[j0:], cols, j.rows)
		normMoments(j, j0, s1[:w], s2[:w])
	}
}

// normMoments writes BatchNormStats's mean and variance (j.mean, j.y) of the columns
// [j0, j0+len(s1)) from their sums s1 and s2.
func normMoments(j *shareJob, j0 int, s1, s2 []float64) {
	w, n := len(s1), float64(j.rows)
	s2, x0 := s2[:w], j.x[j0:j0+w]
	mean, variance := j.mean[j0:j0+w], j.y[j0:j0+w]
	for k := range w {
		m := s1[k] / n
		mean[k] = float32(float64(x0[k]) + m)
		variance[k] = float32(max(s2[k]/n-m*m, 0))
	}
}

// batchNormStatsBlocks is BatchNormStats of more than blockRows rows: the blocks' sums
// into scratch by pieces, on the team or here, then added up column by column.
func batchNormStatsBlocks(j *shareJob) {
	scratch := getPartials()
	defer putPartials(scratch)
	sumPairsByBlocks(j, scratch, batchNormStatsPieces)
	for j0 := 0; j0 < j.cols; j0 += 16 {
		w := min(16, j.cols-j0)
		var s1, s2 [16]float64
		pairTotals(j, j0, s1[:w], s2[:w])
		normMoments(j, j0, s1[:w], s2[:w])
	}
}

// sumPairsByBlocks runs pieces, a blocked kernel that sums two float64 sums of every
// column into j.part64 (blockPair64), by pieces (runBlocks), the partials in scratch.
func sumPairsByBlocks(j *shareJob, scratch *partials, pieces func(j *shareJob, lo, hi int)) {
	j.part64 = scratch.float64s(2 * rowBlocks(j.rows) * j.cols)
	runBlocks(*j, j.rows*j.cols, pieces)
}

// pairTotals adds the blocks' two sums of the columns [j0, j0+len(s1)) onto s1 and s2,
// in block order (addBlocks64).
func pairTotals(j *shareJob, j0 int, s1, s2 []float64) {
	cols, blocks := j.cols, rowBlocks(j.rows)
	addBlocks64(s1, j.part64[j0:], cols, blocks)
	addBlocks64(s2, j.part64[blocks*cols+j0:], cols, blocks)
}

// blockPair64 is block b's two sums in j.part64, each indexed by column, cleared on
// the columns [c0, c1): the first at b·cols, the second at (blocks+b)·cols.
func blockPair64(j *shareJob, b, c0, c1 int) (s1, s2 []float64) {
	cols := j.cols
	s1 = j.part64[b*cols : (b+1)*cols]
	s2 = j.part64[(rowBlocks(j.rows)+b)*cols:][:cols]
	clear(s1[c0:c1])
	clear(s2[c0:c1])
	return s1, s2
}

// batchNormStatsPieces is BatchNormStats on the pieces [lo, hi): block b's sums of the
// column j go to j.part64[b*cols+j] (s1) and j.part64[(blocks+b)*cols+j] (s2).
func batchNormStatsPieces(j *shareJob, lo, hi int) { eachBlock(j, lo, hi, batchNormStatsBlock) }

// batchNormStatsBlock is batchNormStatsPieces on block b and the columns [c0, c1).
func batchNormStatsBlock(j *shareJob, b, c0, c1 int) {
	x, cols := j.x, j.cols
	r0, r1 := blockSpan(b, j.rows)
	s1, s2 := blockPair64(j, b, c0, c1)
	for j0 := c0; j0 < c1; j0 += 16 {
		w := min(16, c1-j0)
		normSums(s1[j0:j0+w], s2[j0:j0+w], x[j0:], x[r0*cols+j0:], cols, r1-r0)
	}
}

// addBlocks64 is: for b := range blocks { for k := range dst { dst[k] += part[b*ld+k] } },
// the blocks' float64 sums of len(dst) columns, rows ld apart, added in block order.
func addBlocks64(dst, part []float64, ld, blocks int) {
	for b := range blocks {
		for k, v := range part[b*ld : b*ld+len(dst)] {
			dst[k] += v
		}
	}
}

// normSums is BatchNormStats's pass over a strip of w = len(s1) columns of x, rows ld
// apart (x starting at the strip's first column), shifted by x0 (the same columns of
// the matrix's first row):
//
//	for j := range s1 {
//		for i := 0; i < rows; i++ {
//			d := float64(x[i*ld+j]) - float64(x0[j])
//			s1[j] += d
//			s2[j] += float64(d * d)
//		}
//	}
func normSumsGo(s1, s2 []float64, x0, x []float32, ld, rows int) {
	s2 = s2[:len(s1)]
	for j := range s1 {
		shift := float64(x0[j])
		for i := 0; i < rows; i++ {
			d := float64(x[i*ld+j]) - shift
			s1[j] += d
			s2[j] += float64(d * d)
		}
	}
}

// InvStd is: dst[j] = 1/sqrt(variance[j] + eps).
func InvStd(dst, variance []float32, eps float32) {
	for j, v := range variance {
		dst[j] = float32(1 / math.Sqrt(float64(v)+float64(eps)))
	}
}

// BatchNormApply normalizes x into y (rows, len(mean)), y may alias x:
//
//	x̂ = float32((x[i,j]−mean[j])·invStd[j]);  y[i,j] = float32(gamma[j]·x̂) + beta[j]
func BatchNormApply(y, x, mean, invStd, gamma, beta []float32) {
	cols := len(mean)
	if cols == 0 {
		return // no columns: nothing to normalize
	}
	rows := len(x) / cols
	j := shareJob{y: y[:rows*cols], x: x[:rows*cols], mean: mean, invStd: invStd[:cols], gamma: gamma[:cols], beta: beta[:cols], cols: cols}
	if !shareRows(j, rows*cols, batchNormApplyRows) {
		batchNormApplyRows(&j, 0, rows)
	}
}

// batchNormApplyRows is BatchNormApply on rows [lo, hi).
func batchNormApplyRows(j *shareJob, lo, hi int) {
	c := j.cols
	normApply(j.y[lo*c:hi*c], j.x[lo*c:hi*c], j.mean, j.invStd, j.gamma, j.beta, c, hi-lo)
}

// normApplyGo is BatchNormApply's loop on the first len(mean) columns of rows rows, ld apart:
//
//	for i := 0; i < rows; i++ {
//		for j := range mean {
//			h := float32((x[i*ld+j] - mean[j]) * invStd[j])
//			y[i*ld+j] = float32(gamma[j]*h) + beta[j]
//		}
//	}
func normApplyGo(y, x, mean, invStd, gamma, beta []float32, ld, rows int) {
	for i := 0; i < rows; i++ {
		xr, yr := x[i*ld:i*ld+len(mean)], y[i*ld:i*ld+len(mean)]
		for j, v := range xr {
			h := float32((v - mean[j]) * invStd[j])
			yr[j] = float32(gamma[j]*h) + beta[j]
		}
	}
}

// BatchNormBackward is the training-mode batch-norm gradient over rows for each column j,
// from the forward's input x and statistics (x̂ = (x − mean)·invStd, as BatchNormApply):
//
//	dgamma[j] += Σ_i dy[i,j]·x̂[i,j];  dbeta[j] += Σ_i dy[i,j]
//	dx[i,j]    = gamma[j]·invStd[j]/rows · (rows·dy[i,j] − Σ_i dy − x̂[i,j]·Σ_i dy·x̂)
//
// the sums in float64 by blocks of blockRows rows as in BatchNormStats (each block from
// zero, then the blocks' sums from zero in block order; with at most blockRows rows, the
// plain sums down the rows), dx in float32 as a·dy + b·x̂ + c with the column's a, b, c
// computed in float64. dgamma, dbeta or dx may be nil when not wanted; dx may alias dy.
func BatchNormBackward(dx, dgamma, dbeta, dy, x, mean, invStd, gamma []float32) {
	cols := len(gamma)
	if cols == 0 {
		return // no columns: nothing to normalize
	}
	rows := len(dy) / cols
	if rows == 0 {
		return
	}
	j := shareJob{dx: dx, dgamma: dgamma, dbeta: dbeta, dy: dy[:rows*cols], x: x, mean: mean, invStd: invStd,
		gamma: gamma, rows: rows, cols: cols}
	if rows > blockRows {
		batchNormBackwardBlocks(&j)
		return
	}
	if !shareColumns(j, rows*cols, batchNormBackwardColumns) {
		batchNormBackwardColumns(&j, 0, cols)
	}
}

// batchNormBackwardColumns is BatchNormBackward of at most blockRows rows on the
// columns [lo, hi) (lo a multiple of 16): the sums, then dx, strip after strip.
func batchNormBackwardColumns(sj *shareJob, lo, hi int) {
	dx, dy, x, cols := sj.dx, sj.dy, sj.x, sj.cols
	for j0 := lo; j0 < hi; j0 += 16 {
		w := min(16, hi-j0)
		var sumDy, sumDyXhat [16]float64
		normGradSums(sumDy[:w], sumDyXhat[:w], dy[j0:], x[j0:], sj.mean[j0:j0+w], sj.invStd[j0:j0+w], cols, sj.rows)
		var a, b, c [16]float32
		normGradTerms(sj, j0, sumDy[:w], sumDyXhat[:w], a[:w], b[:w], c[:w])
		if dx != nil {
			normGrad(dx[j0:], dy[j0:], x[j0:], sj.mean[j0:j0+w], sj.invStd[j0:j0+w], a[:w], b[:w], c[:w], cols, sj.rows)
		}
	}
}

// normGradTerms adds the sums of the columns [j0, j0+len(sumDy)) to dgamma and dbeta
// (those not nil) and computes dx's a, b, c for them: dx = a·dy + b·x̂ + c with
// a = gamma·invStd, b = −a·Σdy·x̂/rows, c = −a·Σdy/rows.
func normGradTerms(sj *shareJob, j0 int, sumDy, sumDyXhat []float64, a, b, c []float32) {
	w, n := len(sumDy), float64(sj.rows)
	sumDyXhat, a, b, c = sumDyXhat[:w], a[:w], b[:w], c[:w]
	if dgamma := sj.dgamma; dgamma != nil {
		for k, v := range dgamma[j0 : j0+w] {
			dgamma[j0+k] = v + float32(sumDyXhat[k])
		}
	}
	if dbeta := sj.dbeta; dbeta != nil {
		for k, v := range dbeta[j0 : j0+w] {
			dbeta[j0+k] = v + float32(sumDy[k])
		}
	}
	gamma, invStd := sj.gamma[j0:j0+w], sj.invStd[j0:j0+w]
	for k := range w {
		g := float64(gamma[k]) * float64(invStd[k])
		a[k] = float32(g)
		b[k] = float32(-g * sumDyXhat[k] / n)
		c[k] = float32(-g * sumDy[k] / n)
	}
}

// batchNormBackwardBlocks is BatchNormBackward of more than blockRows rows: the blocks'
// sums into scratch by pieces, on the team or here; their totals, column by column,
// into dgamma, dbeta and dx's a, b, c; then dx by rows.
func batchNormBackwardBlocks(sj *shareJob) {
	scratch := getPartials()
	defer putPartials(scratch)
	cols := sj.cols
	abc := scratch.float32s(3 * cols)
	sj.a, sj.b, sj.c = abc[:cols], abc[cols:2*cols], abc[2*cols:]
	sumPairsByBlocks(sj, scratch, normGradSumPieces)
	for j0 := 0; j0 < cols; j0 += 16 {
		w := min(16, cols-j0)
		var sumDy, sumDyXhat [16]float64
		pairTotals(sj, j0, sumDy[:w], sumDyXhat[:w])
		normGradTerms(sj, j0, sumDy[:w], sumDyXhat[:w], sj.a[j0:j0+w], sj.b[j0:j0+w], sj.c[j0:j0+w])
	}
	if sj.dx == nil {
		return
	}
	if !shareRows(*sj, sj.rows*cols, normGradRows) {
		normGradRows(sj, 0, sj.rows)
	}
}

// normGradSumPieces is BatchNormBackward's sums on the pieces [lo, hi): block b's sums
// of the column j go to sj.part64[b*cols+j] (Σdy) and sj.part64[(blocks+b)*cols+j]
// (Σdy·x̂).
func normGradSumPieces(sj *shareJob, lo, hi int) { eachBlock(sj, lo, hi, normGradSumBlock) }

// normGradSumBlock is normGradSumPieces on block b and the columns [c0, c1).
func normGradSumBlock(sj *shareJob, b, c0, c1 int) {
	cols := sj.cols
	r0, r1 := blockSpan(b, sj.rows)
	s1, s2 := blockPair64(sj, b, c0, c1)
	for j0 := c0; j0 < c1; j0 += 16 {
		w := min(16, c1-j0)
		o := r0*cols + j0
		normGradSums(s1[j0:j0+w], s2[j0:j0+w], sj.dy[o:], sj.x[o:], sj.mean[j0:j0+w], sj.invStd[j0:j0+w], cols, r1-r0)
	}
}

// normGradRows is BatchNormBackward's dx on the rows [lo, hi), from sj.a, sj.b, sj.c.
func normGradRows(sj *shareJob, lo, hi int) {
	cols := sj.cols
	for j0 := 0; j0 < cols; j0 += 16 {
		w, o := min(16, cols-j0), lo*cols+j0
		normGrad(sj.dx[o:], sj.dy[o:], sj.x[o:], sj.mean[j0:j0+w], sj.invStd[j0:j0+w],
			sj.a[j0:j0+w], sj.b[j0:j0+w], sj.c[j0:j0+w], cols, hi-lo)
	}
}

// normGradSumsGo is BatchNormBackward's pass over a strip of w = len(s1) columns, rows ld
// apart (dy and x starting at the strip's first column):
//
//	for j := range s1 {
//		for i := 0; i < rows; i++ {
//			g := dy[i*ld+j]
//			h := float32((x[i*ld+j] - mean[j]) * invStd[j])
//			s1[j] += float64(g)
//			s2[j] += float64(g) * float64(h)
//		}
//	}
//
// (the product of two float32 values is exact in float64).
func normGradSumsGo(s1, s2 []float64, dy, x, mean, invStd []float32, ld, rows int) {
	s2 = s2[:len(s1)]
	for j := range s1 {
		m, is := mean[j], invStd[j]
		for i := 0; i < rows; i++ {
			g := dy[i*ld+j]
			h := float32((x[i*ld+j] - m) * is)
			s1[j] += float64(g)
			s2[j] += float64(g) * float64(h)
		}
	}
}

// normGradGo computes dx on a strip of w = len(a) columns, rows ld apart:
//
//	for i := 0; i < rows; i++ {
//		for j := range a {
//			h := float32((x[i*ld+j] - mean[j]) * invStd[j])
//			dx[i*ld+j] = float32(float32(a[j]*dy[i*ld+j])+float32(b[j]*h)) + c[j]
//		}
//	}
func normGradGo(dx, dy, x, mean, invStd, a, b, c []float32, ld, rows int) {
	w := len(a)
	for i := 0; i < rows; i++ {
		o := i * ld
		xr, dr, out := x[o:o+w], dy[o:o+w], dx[o:o+w]
		for j, v := range xr {
			h := float32((v - mean[j]) * invStd[j])
			out[j] = float32(float32(a[j]*dr[j])+float32(b[j]*h)) + c[j]
		}
	}
}
