package cuda

import "math"

// SumRows is: out[c] = beta·out[c] + Σ_r x[r,c] for x (rows, cols) and out (cols),
// the bias gradient; the sums in float64 by a fixed tree (deterministic), out not
// read when beta is 0.
func (d *Device) SumRows(out, x Ptr, rows, cols int, beta float32) {
	if chunks := d.rowChunks(rows, cols); chunks > 1 {
		d.columnsSplit(chunks, colSum, rows, cols, x, 0, 0, 0)
		d.columnsFinish(chunks, colSum, rows, cols, out, 0, 0, beta, x, 0, 0)
		return
	}
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

// Column reductions over many rows run in two passes (see col_partials in
// kernels.cu): chunks of rows summed in parallel, then each column's chunks in
// order. The chunks depend on rows and cols alone, so results are deterministic.
const (
	colSum    = 0 // SumRows
	colStats  = 1 // BatchNormMoments
	colBNGrad = 2 // BatchNormGrad
	// chunkRows is the least number of rows a chunk sums (32 per lane).
	chunkRows = 256
	maxChunks = 256
)

// rowChunks is how many chunks of rows a column reduction of (rows, cols) is
// cut into: 1 (one pass) for few rows.
func (d *Device) rowChunks(rows, cols int) int {
	fit := (colScratchBytes - 12*cols) / (16 * max(cols, 1)) // partial sums and coefficients
	return max(1, min((rows+chunkRows-1)/chunkRows, maxChunks, fit))
}

// coef is where col_finish leaves bn_grad's coefficients (3·cols floats), after
// the partial sums.
func (d *Device) coef(chunks, cols int) Ptr { return d.cols + Ptr(16*chunks*cols) }

func (d *Device) columnsSplit(chunks, mode, rows, cols int, x, dy, mean, invStd Ptr) {
	checkSize("column reduction", rows*cols)
	per := (rows + chunks - 1) / chunks
	d.launchGrid(kColPartials, (cols+31)/32, chunks, 32, 8, ptrArg(d.cols), ptrArg(x), ptrArg(dy), ptrArg(mean), ptrArg(invStd),
		intArg(rows), intArg(cols), intArg(per), intArg(mode))
}

func (d *Device) columnsFinish(chunks, mode, rows, cols int, out0, out1, out2 Ptr, param float32, x, gamma, invStd Ptr) {
	d.elementwise(kColFinish, cols, ptrArg(out0), ptrArg(out1), ptrArg(out2), ptrArg(d.coef(chunks, cols)), ptrArg(d.cols),
		intArg(chunks), intArg(rows), intArg(cols), floatArg(param), ptrArg(x), ptrArg(gamma), ptrArg(invStd), intArg(mode))
}
