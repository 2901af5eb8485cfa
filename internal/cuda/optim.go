package cuda

// Adam is vec.Adam on n parameters p with their gradient g and moments m, v (n each),
// in the same float32 rounding order, clearing g; with c1 = 1 − beta1, c2 = 1 − beta2:
//
//	m = beta1·m + c1·g;  v = beta2·v + (c2·g)·g;  g = 0;  p −= (stepSize·m)/(√v + eps)
//
// stepSize and eps have the bias corrections folded in (see optim.Adam).
func (d *Device) Adam(p, g, m, v Ptr, n int, beta1, beta2, stepSize, eps float32) {
	d.elementwise(kAdam, n, ptrArg(p), ptrArg(g), ptrArg(m), ptrArg(v), intArg(n),
		floatArg(beta1), floatArg(1-beta1), floatArg(beta2), floatArg(1-beta2), floatArg(stepSize), floatArg(eps), 0, 0)
}

// Normal fills x (n) with standard normal values, x[i] a pure function of
// (seed, offset + i): w = Philox4x32-10 of the counter offset + i under the key seed,
// u1 = ((w₀ >> 8) + 1)/2²⁴, u2 = (w₁ >> 8)/2²⁴, x[i] = √(−2 ln u1)·cos(2π u2)
// (Box–Muller, float32). Draws of disjoint counter ranges are independent.
func (d *Device) Normal(x Ptr, n int, seed, offset uint64) {
	d.elementwise(kNormal, n, ptrArg(x), intArg(n), arg(seed), arg(offset))
}

// AdamGuarded is Adam with stepSize and eps read by the kernel from hyper[0]
// and hyper[1] (device memory: in a captured graph the bias corrections change
// every replay when the host writes hyper, an AllocHost buffer the graph
// copies in), leaving p, g, m and v as they are when guard[0] (a loss on the
// device) is not finite, so that a step whose loss is checked only after it ran
// changes no weight. A guard of 0 checks nothing.
func (d *Device) AdamGuarded(p, g, m, v Ptr, n int, beta1, beta2 float32, hyper, guard Ptr) {
	d.elementwise(kAdam, n, ptrArg(p), ptrArg(g), ptrArg(m), ptrArg(v), intArg(n),
		floatArg(beta1), floatArg(1-beta1), floatArg(beta2), floatArg(1-beta2), 0, 0, ptrArg(hyper), ptrArg(guard))
}
