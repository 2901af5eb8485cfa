package cuda

import "math"

// SumRows is: out[c] = beta·out[c] + Σ_r x[r,c] for x (rows, cols) and out (cols),
// the bias gradient; the sums in float64 by a fixed tree (deterministic), out not
// read when beta is 0.
func (d *Device) SumRows(out, x Ptr, rows, cols int, beta float32) {
	d.columns(kSumRows, rows, cols, ptrArg(out), ptrArg(x), intArg(rows), intArg(cols), floatArg(beta))
}

// Sum is: out[0] = beta·out[0] + scale·float32(Σ_i x[i]), the sum in float64 by a
// fixed tree (the same bits every run), out[0] not read when beta is 0.
func (d *Device) Sum(out, x Ptr, n int, scale, beta float32) {
	d.reduce(out, x, 0, n, 0, scale, beta, 1)
}

// reduce is Sum's two passes: sum_partial's blocks (a function of n alone) each
// write a float64 partial sum of term mode, then one block sums them into out[0].
func (d *Device) reduce(out, x, t Ptr, n, mode int, scale, beta float32, div float64) {
	checkSize("Sum", n)
	parts := min(max(elementBlocks(n), 1), maxParts)
	d.launch(kSumPartial, parts, blockSize, 1, ptrArg(d.parts), ptrArg(x), ptrArg(t), intArg(n), intArg(mode))
	d.launch(kSumFinal, 1, blockSize, 1, ptrArg(out), ptrArg(d.parts), intArg(parts), floatArg(scale), floatArg(beta), arg(math.Float64bits(div)))
}

// SigmoidCrossEntropy is autograd's SigmoidCrossEntropy forward: loss[0] = the mean
// over n elements of softplus(x) − t·x = max(x, 0) − t·x + log(1 + e^−|x|) in
// float64, for logits x and targets t (n).
func (d *Device) SigmoidCrossEntropy(loss, logits, targets Ptr, n int) {
	d.reduce(loss, logits, targets, n, 1, 1, 0, float64(n))
}

// SigmoidCrossEntropyGrad is its backward, with dy the loss's gradient (one float32
// on the device) and k = dy[0]·float32(1/n):
//
//	dx[i] (+)= k·(σ(x[i]) − t[i]);  dt[i] (+)= −k·x[i]
//
// dx or dt may be 0 when not wanted.
func (d *Device) SigmoidCrossEntropyGrad(dx, dt, dy, logits, targets Ptr, n int, accumulate bool) {
	d.elementwise(kSCEGrad, n, ptrArg(dx), ptrArg(dt), ptrArg(dy), ptrArg(logits), ptrArg(targets), intArg(n), boolArg(accumulate))
}
