package cuda

// Spectral normalization, weight clipping and the RMSprop and SGD updates.

// Divide is: z[i] = x[i] / y[i].
func (d *Device) Divide(z, x, y Ptr, n int) {
	d.elementwise(kDivide, n, ptrArg(z), ptrArg(x), ptrArg(y), intArg(n))
}

// PowerIterationScratch is the float32s of scratch that PowerIteration needs
// for a (rows, cols) matrix: rows + cols float64s.
func PowerIterationScratch(rows, cols int) int { return 2 * (rows + cols) }

// PowerIteration is one step of nn.SpectralNormLayer's power iteration for k
// (rows, cols), u (cols) and v (rows), in float64 and in the CPU's order (the
// same bits as its loop):
//
//	ku[r] = Σ_c k[r,c]·u[c];   v = float32(ku/max(‖ku‖, 1e-12))
//	ktv[c] = Σ_r k[r,c]·v[r];  u = float32(ktv/max(‖ktv‖, 1e-12))
//
// scratch holds PowerIterationScratch(rows, cols) float32s, 8-byte aligned.
func (d *Device) PowerIteration(k, u, v Ptr, rows, cols int, scratch Ptr) {
	checkSize("PowerIteration", rows*cols)
	if scratch%8 != 0 {
		panic("cuda: PowerIteration's scratch is not 8-byte aligned")
	}
	ku, ktv := scratch, scratch.Add(2*rows)
	d.elementwise(kSNMatVec, rows, ptrArg(ku), ptrArg(k), ptrArg(u), intArg(rows), intArg(cols))
	d.launch(kSNNormalize, 1, blockSize, 1, ptrArg(v), ptrArg(ku), intArg(rows))
	d.elementwise(kSNMatVecT, cols, ptrArg(ktv), ptrArg(k), ptrArg(v), intArg(rows), intArg(cols))
	d.launch(kSNNormalize, 1, blockSize, 1, ptrArg(u), ptrArg(ktv), intArg(cols))
}

// ClipWeights is: p[i] = max(−c, min(c, p[i])) (WGAN's weight clipping), left
// as it is when guard (a loss on the device, or 0 for none) is not finite.
func (d *Device) ClipWeights(p Ptr, n int, c float32, guard Ptr) {
	d.elementwise(kClipWeights, n, ptrArg(p), intArg(n), floatArg(c), ptrArg(guard))
}

// RMSprop is optim.RMSprop's update of n parameters p with their gradient g and
// mean square s, in the same float32 rounding order, clearing g; with lr =
// hyper[0] and eps = hyper[1] (device memory, which a captured graph reads
// afresh at each replay) and c = 1 − rho:
//
//	s = rho·s + (c·g)·g;  g = 0;  p −= (lr·g)/(√s + eps)
//
// p, g and s are left as they are when guard (a loss on the device, or 0 for
// none) is not finite.
func (d *Device) RMSprop(p, g, s Ptr, n int, rho float32, hyper, guard Ptr) {
	d.elementwise(kRMSprop, n, ptrArg(p), ptrArg(g), ptrArg(s), intArg(n), floatArg(rho), floatArg(1-rho), ptrArg(hyper), ptrArg(guard))
}

// SGD is optim.SGD's update of n parameters p with their gradient g and
// velocity vel, in the same float32 rounding order, clearing g; with lr =
// hyper[0] (device memory, as RMSprop's):
//
//	v = mu·vel − lr·g;  vel = v;  g = 0;  p += v   (p += mu·v − lr·g when nesterov)
//
// Nothing changes when guard (a loss on the device, or 0 for none) is not finite.
func (d *Device) SGD(p, g, vel Ptr, n int, mu float32, nesterov bool, hyper, guard Ptr) {
	d.elementwise(kSGD, n, ptrArg(p), ptrArg(g), ptrArg(vel), intArg(n), floatArg(mu), boolArg(nesterov), ptrArg(hyper), ptrArg(guard))
}
