package vec

import "math"

// The batch-norm kernels work on x (rows, cols), column by column: the sums over rows go
// down strips of 16 columns (one cache line of each row, the float64 accumulators in
// registers), the element-wise passes along the rows.

// BatchNormStats computes the mean and the biased variance of every column of x
// (rows, len(mean)), accumulated in float64 in one pass, shifted by the first row so
// that a large mean does not cancel the variance's digits:
//
//	d = x[i,j] − x[0,j];  mean[j] = x[0,j] + Σ_i d/rows;  variance[j] = Σ_i d²/rows − (Σ_i d/rows)²
func BatchNormStats(mean, variance, x []float32) {
	cols := len(mean)
	rows := len(x) / cols
	if rows == 0 {
		return
	}
	j := shareJob{mean: mean, y: variance, x: x[:rows*cols], cols: cols}
	if !shareColumns(j, rows*cols, batchNormStatsColumns) {
		batchNormStatsColumns(&j, 0, cols)
	}
}

// batchNormStatsColumns is BatchNormStats on the columns [lo, hi) (lo a multiple of 16);
// j.y is the variance.
func batchNormStatsColumns(j *shareJob, lo, hi int) {
	mean, variance, x, cols := j.mean, j.y, j.x, j.cols
	rows := len(x) / cols
	n := float64(rows)
	for j0 := lo; j0 < hi; j0 += 16 {
		w := min(16, hi-j0)
		var s1, s2 [16]float64
		normSums(s1[:w], s2[:w], x[j0:], cols, rows)
		for j := range w {
			m := s1[j] / n
			mean[j0+j] = float32(float64(x[j0+j]) + m)
			variance[j0+j] = float32(max(s2[j]/n-m*m, 0))
		}
	}
}

// normSums is BatchNormStats's pass over a strip of w = len(s1) columns of x, rows ld
// apart (x starting at the strip's first column):
//
//	for j := range s1 {
//		for i := 0; i < rows; i++ {
//			d := float64(x[i*ld+j]) - float64(x[j])
//			s1[j] += d
//			s2[j] += float64(d * d)
//		}
//	}
func normSumsGo(s1, s2 []float64, x []float32, ld, rows int) {
	s2 = s2[:len(s1)]
	for j := range s1 {
		x0 := float64(x[j])
		for i := 0; i < rows; i++ {
			d := float64(x[i*ld+j]) - x0
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
// the sums in float64, dx in float32 as a·dy + b·x̂ + c with the column's a, b, c computed
// in float64. dgamma, dbeta or dx may be nil when not wanted; dx may alias dy.
func BatchNormBackward(dx, dgamma, dbeta, dy, x, mean, invStd, gamma []float32) {
	cols := len(gamma)
	rows := len(dy) / cols
	if rows == 0 {
		return
	}
	j := shareJob{dx: dx, dgamma: dgamma, dbeta: dbeta, dy: dy[:rows*cols], x: x, mean: mean, invStd: invStd, gamma: gamma, cols: cols}
	if !shareColumns(j, rows*cols, batchNormBackwardColumns) {
		batchNormBackwardColumns(&j, 0, cols)
	}
}

// batchNormBackwardColumns is BatchNormBackward on the columns [lo, hi) (lo a multiple
// of 16).
func batchNormBackwardColumns(sj *shareJob, lo, hi int) {
	dx, dgamma, dbeta, dy, x := sj.dx, sj.dgamma, sj.dbeta, sj.dy, sj.x
	mean, invStd, gamma, cols := sj.mean, sj.invStd, sj.gamma, sj.cols
	rows := len(dy) / cols
	n := float64(rows)
	for j0 := lo; j0 < hi; j0 += 16 {
		w := min(16, hi-j0)
		var sumDy, sumDyXhat [16]float64
		normGradSums(sumDy[:w], sumDyXhat[:w], dy[j0:], x[j0:], mean[j0:j0+w], invStd[j0:j0+w], cols, rows)
		for j := range w {
			if dgamma != nil {
				dgamma[j0+j] += float32(sumDyXhat[j])
			}
			if dbeta != nil {
				dbeta[j0+j] += float32(sumDy[j])
			}
		}
		if dx == nil {
			continue
		}
		// dx = a·dy + b·x̂ + c: a = gamma·invStd, b = −a·Σdy·x̂/rows, c = −a·Σdy/rows.
		var a, b, c [16]float32
		for j := range w {
			k := float64(gamma[j0+j]) * float64(invStd[j0+j])
			a[j] = float32(k)
			b[j] = float32(-k * sumDyXhat[j] / n)
			c[j] = float32(-k * sumDy[j] / n)
		}
		normGrad(dx[j0:], dy[j0:], x[j0:], mean[j0:j0+w], invStd[j0:j0+w], a[:w], b[:w], c[:w], cols, rows)
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
