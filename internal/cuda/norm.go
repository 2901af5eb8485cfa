package cuda

// Batch normalization over the columns (features) of x (rows, cols): rows is the
// batch, or batch·H·W for NHWC images; mean, invStd, gamma, beta are (cols). These
// are autograd's BatchNormTrain and its backward (internal/vec's BatchNormStats,
// InvStd, BatchNormApply and BatchNormBackward).

// BatchNormStats is: with x0 = x[0,c], s1 = Σ_r (x[r,c] − x0), s2 = Σ_r (x[r,c] − x0)²
// in float64 and m = s1/rows,
//
//	mean[c] = x0 + m;  var = max(s2/rows − m², 0) (biased);  invStd[c] = 1/√(var + eps)
func (d *Device) BatchNormStats(mean, invStd, x Ptr, rows, cols int, eps float32) {
	d.BatchNormMoments(mean, 0, invStd, x, rows, cols, eps)
}

// BatchNormMoments is BatchNormStats that also writes the biased variance into
// variance (cols), for the moving statistics; variance may be 0.
func (d *Device) BatchNormMoments(mean, variance, invStd, x Ptr, rows, cols int, eps float32) {
	if chunks := d.rowChunks(rows, cols); chunks > 1 {
		d.columnsSplit(chunks, colStats, rows, cols, x, 0, 0, 0)
		d.columnsFinish(chunks, colStats, rows, cols, mean, variance, invStd, eps, x, 0, 0)
		return
	}
	d.columns(kBNStats, rows, cols, ptrArg(mean), ptrArg(variance), ptrArg(invStd), ptrArg(x), intArg(rows), intArg(cols), floatArg(eps))
}

// BatchNormApply is: h = float32((x[r,c] − mean[c])·invStd[c]); y[r,c] = float32(gamma[c]·h) + beta[c].
// y may alias x.
func (d *Device) BatchNormApply(y, x, mean, invStd, gamma, beta Ptr, rows, cols int) {
	d.elementwise(kBNApply, rows*cols, ptrArg(y), ptrArg(x), ptrArg(mean), ptrArg(invStd), ptrArg(gamma), ptrArg(beta), intArg(rows), intArg(cols))
}

// BatchNormGrad is the backward of y = gamma·x̂ + beta with x̂ = (x − mean)·invStd:
//
//	dgamma[c] += Σ_r dy·x̂;  dbeta[c] += Σ_r dy   (float64 sums)
//	dx[r,c] (+)= a·dy + b·x̂ + k,  a = gamma·invStd, b = −a·Σdy·x̂/rows, k = −a·Σdy/rows
//
// dx, dgamma or dbeta may be 0 to skip; dx may alias dy. dx is written, or added to
// when accumulateDX.
func (d *Device) BatchNormGrad(dx, dgamma, dbeta, dy, x, mean, invStd, gamma Ptr, rows, cols int, accumulateDX bool) {
	if chunks := d.rowChunks(rows, cols); chunks > 1 {
		d.columnsSplit(chunks, colBNGrad, rows, cols, x, dy, mean, invStd)
		d.columnsFinish(chunks, colBNGrad, rows, cols, dgamma, dbeta, 0, 0, x, gamma, invStd)
		if dx != 0 {
			d.elementwise(kBNGradDX, rows*cols, ptrArg(dx), ptrArg(dy), ptrArg(x), ptrArg(mean), ptrArg(invStd), ptrArg(d.coef(chunks, cols)), intArg(rows), intArg(cols), boolArg(accumulateDX))
		}
		return
	}
	d.columns(kBNGrad, rows, cols, ptrArg(dx), ptrArg(dgamma), ptrArg(dbeta), ptrArg(dy), ptrArg(x), ptrArg(mean), ptrArg(invStd), ptrArg(gamma), intArg(rows), intArg(cols), boolArg(accumulateDX))
}

// MovingAverage is nn.BatchNormalization's update of its moving statistics (mean,
// and the biased variance from BatchNormMoments):
//
//	avg[i] = momentum·avg[i] + (1 − momentum)·x[i]
func (d *Device) MovingAverage(avg, x Ptr, n int, momentum float32) {
	d.elementwise(kMovingAverage, n, ptrArg(avg), ptrArg(x), intArg(n), floatArg(momentum))
}

// InvStd is: invStd[i] = 1/√(variance[i] + eps) for n values (vec.InvStd, within
// two ulps: the sum and the square root in float32 here), for batch norm at
// inference, whose statistics are the moving ones. scratch holds 3·n floats.
//
// It runs Adam's kernel, the one with a square root: with beta1 = 0, beta2 = 1,
// a gradient of ones, m = 0, v = variance + eps, p = 0, step −1 and eps 0, the
// update leaves p = 0 − (−1·1)/(√v + 0).
func (d *Device) InvStd(invStd, variance, scratch Ptr, n int, eps float32) {
	checkSize("InvStd", n)
	g, m, v := scratch, scratch.Add(n), scratch.Add(2*n)
	d.Fill(invStd, n, 0)
	d.Fill(g, n, 1)
	d.Fill(m, n, 0)
	d.Fill(v, n, eps)
	d.Accumulate(v, variance, n)
	d.Adam(invStd, g, m, v, n, 0, 1, -1, 0)
}

// Sqrt is: y[i] = √x[i] for n values (vec.Sqrt's within an ulp: x/√x, the
// square root and the division each rounded to float32; √0 = 0, NaN below 0).
// scratch holds 3·n floats; x is only read. It runs Adam's kernel as InvStd
// does, with the gradient and v copies of x: m = x and y = 0 − (−1·x)/(√x + 1e-30),
// where 1e-30 only keeps 0/0 away.
func (d *Device) Sqrt(y, x, scratch Ptr, n int) {
	checkSize("Sqrt", n)
	g, m, v := scratch, scratch.Add(n), scratch.Add(2*n)
	d.Fill(y, n, 0)
	d.Copy(g, x, n)
	d.Fill(m, n, 0)
	d.Copy(v, x, n)
	d.Adam(y, g, m, v, n, 0, 1, -1, 1e-30)
}
