package vec

import "math"

// BatchNormStats computes per-column mean and biased variance of x (rows, len(mean)),
// in float64 accumulation: mean[j] = Σ_i x[i,j]/rows, variance[j] = Σ_i (x[i,j]-mean[j])²/rows.
func BatchNormStats(mean, variance, x []float32) {
	cols := len(mean)
	rows := len(x) / cols
	acc := make64(cols)
	for off := 0; off < rows*cols; off += cols {
		for j, v := range x[off : off+cols] {
			acc[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] = float32(acc[j] / float64(rows))
		acc[j] = 0
	}
	for off := 0; off < rows*cols; off += cols {
		for j, v := range x[off : off+cols] {
			d := float64(v - mean[j])
			acc[j] += d * d
		}
	}
	for j := range variance {
		variance[j] = float32(acc[j] / float64(rows))
	}
	put64(acc)
}

// BatchNormApply is: xhat[i,j] = (x[i,j]-mean[j])·invStd[j]; y[i,j] = gamma[j]·xhat[i,j] + beta[j].
// xhat may be nil when it is not needed (inference).
func BatchNormApply(y, xhat, x, mean, invStd, gamma, beta []float32) {
	cols := len(mean)
	for off := 0; off+cols <= len(x); off += cols {
		xr := x[off : off+cols]
		yr := y[off : off+cols]
		for j, v := range xr {
			h := (v - mean[j]) * invStd[j]
			if xhat != nil {
				xhat[off+j] = h
			}
			yr[j] = gamma[j]*h + beta[j]
		}
	}
}

// InvStd is: dst[j] = 1/sqrt(variance[j] + eps).
func InvStd(dst, variance []float32, eps float32) {
	for j, v := range variance {
		dst[j] = float32(1 / math.Sqrt(float64(v)+float64(eps)))
	}
}

// BatchNormBackward is the training-mode batch-norm gradient over rows for each column j:
//
//	dgamma[j] += Σ_i dy[i,j]·xhat[i,j];  dbeta[j] += Σ_i dy[i,j]
//	dx[i,j]    = gamma[j]·invStd[j]/rows · (rows·dy[i,j] − Σ_i dy − xhat[i,j]·Σ_i dy·xhat)
//
// dgamma, dbeta or dx may be nil when not wanted.
func BatchNormBackward(dx, dgamma, dbeta, dy, xhat, gamma, invStd []float32) {
	cols := len(gamma)
	rows := len(dy) / cols
	sumDy := make64(cols)
	sumDyXhat := make64(cols)
	for off := 0; off < rows*cols; off += cols {
		for j, g := range dy[off : off+cols] {
			sumDy[j] += float64(g)
			sumDyXhat[j] += float64(g) * float64(xhat[off+j])
		}
	}
	if dgamma != nil {
		for j := range dgamma {
			dgamma[j] += float32(sumDyXhat[j])
		}
	}
	if dbeta != nil {
		for j := range dbeta {
			dbeta[j] += float32(sumDy[j])
		}
	}
	if dx != nil {
		n := float64(rows)
		for off := 0; off < rows*cols; off += cols {
			for j := 0; j < cols; j++ {
				k := float64(gamma[j]) * float64(invStd[j]) / n
				dx[off+j] = float32(k * (n*float64(dy[off+j]) - sumDy[j] - float64(xhat[off+j])*sumDyXhat[j]))
			}
		}
	}
	put64(sumDy)
	put64(sumDyXhat)
}
