package cuda

// Kernels of the conditional recipes: the label embedding's lookup and its
// adjoint, and the log-softmax of ACGAN's class logits. ids are row indices
// carried as float32 (exact up to 2²⁴), as autograd carries them; the device
// does not read them back to check them, so an id that is not an integer in
// [0, rows), which the CPU panics on, picks a row of NaN (Gather) or adds
// nowhere (ScatterAdd).

// Gather is autograd's Gather, y (n, cols) from table (rows, cols) at ids (n):
//
//	for i := range n { y[i, :] = table[ids[i], :] }
func (d *Device) Gather(y, table, ids Ptr, n, rows, cols int) {
	checkSize("Gather", rows)
	checkSize("Gather", n)
	d.elementwise(kGather, n*cols, ptrArg(y), ptrArg(table), ptrArg(ids), intArg(n), intArg(rows), intArg(cols))
}

// ScatterAdd is autograd's ScatterAdd, Gather's adjoint, y (rows, cols) from
// src (n, cols) at ids (n), the sums in the CPU's order (from 0, i ascending):
//
//	clear(y); for i := range n { y[ids[i], :] += src[i, :] }
//
// One thread an element of y reads every id: rows·cols·n reads, meant for
// small tables (a label embedding).
func (d *Device) ScatterAdd(y, src, ids Ptr, n, rows, cols int) {
	checkSize("ScatterAdd", n)
	checkSize("ScatterAdd", cols)
	d.elementwise(kScatterAdd, rows*cols, ptrArg(y), ptrArg(src), ptrArg(ids), intArg(n), intArg(rows), intArg(cols))
}

// Exp is: y[i] = float32(math.Exp(float64(x[i]))) (CUDA's exp in float64, within
// an ulp of Go's there, so almost always the same float32).
func (d *Device) Exp(y, x Ptr, n int) {
	d.elementwise(kExp, n, ptrArg(y), ptrArg(x), intArg(n))
}

// LogSumExp is autograd's LogSumExp on the rows of x (rows, cols ≥ 1), y (rows),
// one thread a row running the CPU's loops:
//
//	m := max(x[i, :]...)  // NaN where one is NaN
//	var s float64
//	for _, v := range x[i, :] { s += math.Exp(float64(v − m)) }
//	y[i] = m + float32(math.Log(s))
func (d *Device) LogSumExp(y, x Ptr, rows, cols int) {
	if cols < 1 {
		panic("cuda: LogSumExp of rows of no values")
	}
	checkSize("LogSumExp", rows*cols)
	d.elementwise(kLogSumExp, rows, ptrArg(y), ptrArg(x), intArg(rows), intArg(cols))
}
