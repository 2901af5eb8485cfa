package cuda

// Element-wise kernels: x, y, z, dx, dy hold n float32s; each is the loop of its
// comment, run on the stream. The output may alias an input.

// Scale is: y[i] = c·x[i].
func (d *Device) Scale(y, x Ptr, n int, c float32) {
	d.elementwise(kScale, n, ptrArg(y), ptrArg(x), intArg(n), floatArg(c))
}

// Add is: z[i] = x[i] + y[i].
func (d *Device) Add(z, x, y Ptr, n int) {
	d.elementwise(kAdd, n, ptrArg(z), ptrArg(x), ptrArg(y), intArg(n))
}

// Sub is: z[i] = x[i] − y[i].
func (d *Device) Sub(z, x, y Ptr, n int) {
	d.elementwise(kSub, n, ptrArg(z), ptrArg(x), ptrArg(y), intArg(n))
}

// Mul is: z[i] = x[i]·y[i].
func (d *Device) Mul(z, x, y Ptr, n int) {
	d.elementwise(kMul, n, ptrArg(z), ptrArg(x), ptrArg(y), intArg(n))
}

// Accumulate is: y[i] += x[i].
func (d *Device) Accumulate(y, x Ptr, n int) {
	d.elementwise(kAccumulate, n, ptrArg(y), ptrArg(x), intArg(n))
}

// AddScaled is: y[i] += c·x[i] (vec.Axpy).
func (d *Device) AddScaled(y, x Ptr, n int, c float32) {
	d.elementwise(kAddScaled, n, ptrArg(y), ptrArg(x), intArg(n), floatArg(c))
}

// Bias and activation: x and y are (rows, cols), b is (cols).

// AddBias is: y[r,c] = x[r,c] + b[c].
func (d *Device) AddBias(y, x, b Ptr, rows, cols int) {
	d.elementwise(kAddBias, rows*cols, ptrArg(y), ptrArg(x), ptrArg(b), intArg(rows), intArg(cols))
}

// BiasLeakyReLU is: v = x[r,c] + b[c]; y[r,c] = v if v > 0, else slope·v.
func (d *Device) BiasLeakyReLU(y, x, b Ptr, rows, cols int, slope float32) {
	d.elementwise(kBiasLeakyReLU, rows*cols, ptrArg(y), ptrArg(x), ptrArg(b), intArg(rows), intArg(cols), floatArg(slope))
}

// BiasReLU is: v = x[r,c] + b[c]; y[r,c] = max(v, 0).
func (d *Device) BiasReLU(y, x, b Ptr, rows, cols int) {
	d.elementwise(kBiasReLU, rows*cols, ptrArg(y), ptrArg(x), ptrArg(b), intArg(rows), intArg(cols))
}

// BiasTanh is: y[r,c] = tanh(x[r,c] + b[c]) (tanhf, within a few ulps of vec's).
func (d *Device) BiasTanh(y, x, b Ptr, rows, cols int) {
	d.elementwise(kBiasTanh, rows*cols, ptrArg(y), ptrArg(x), ptrArg(b), intArg(rows), intArg(cols))
}

// Activations and their gradients from the output y: dx = g, or dx += g when
// accumulate.

// LeakyReLU is: y[i] = x[i] if x[i] > 0, else slope·x[i].
func (d *Device) LeakyReLU(y, x Ptr, n int, slope float32) {
	d.elementwise(kLeakyReLU, n, ptrArg(y), ptrArg(x), intArg(n), floatArg(slope))
}

// LeakyReLUGrad is: g = dy[i] if y[i] > 0, else slope·dy[i]; dx[i] (+)= g.
func (d *Device) LeakyReLUGrad(dx, dy, y Ptr, n int, slope float32, accumulate bool) {
	d.elementwise(kLeakyReLUGrad, n, ptrArg(dx), ptrArg(dy), ptrArg(y), intArg(n), floatArg(slope), boolArg(accumulate))
}

// ReLU is: y[i] = max(x[i], 0).
func (d *Device) ReLU(y, x Ptr, n int) {
	d.elementwise(kReLU, n, ptrArg(y), ptrArg(x), intArg(n))
}

// ReLUGrad is: g = dy[i] if y[i] > 0, else 0; dx[i] (+)= g.
func (d *Device) ReLUGrad(dx, dy, y Ptr, n int, accumulate bool) {
	d.elementwise(kReLUGrad, n, ptrArg(dx), ptrArg(dy), ptrArg(y), intArg(n), boolArg(accumulate))
}

// Tanh is: y[i] = tanh(x[i]) (tanhf, within a few ulps of vec.Tanh).
func (d *Device) Tanh(y, x Ptr, n int) {
	d.elementwise(kTanh, n, ptrArg(y), ptrArg(x), intArg(n))
}

// TanhGrad is: g = dy[i]·float32(1 − y[i]·y[i]); dx[i] (+)= g.
func (d *Device) TanhGrad(dx, dy, y Ptr, n int, accumulate bool) {
	d.elementwise(kTanhGrad, n, ptrArg(dx), ptrArg(dy), ptrArg(y), intArg(n), boolArg(accumulate))
}

// Sigmoid is: y[i] = 1/(e^−x[i] + 1) (expf, within a few ulps of vec.Sigmoid).
func (d *Device) Sigmoid(y, x Ptr, n int) {
	d.elementwise(kSigmoid, n, ptrArg(y), ptrArg(x), intArg(n))
}

// SigmoidGrad is: g = float32(dy[i]·y[i])·(1 − y[i]); dx[i] (+)= g.
func (d *Device) SigmoidGrad(dx, dy, y Ptr, n int, accumulate bool) {
	d.elementwise(kSigmoidGrad, n, ptrArg(dx), ptrArg(dy), ptrArg(y), intArg(n), boolArg(accumulate))
}

// Broadcast is: y[i] = scale·s[0], from one value on the device.
func (d *Device) Broadcast(y, s Ptr, n int, scale float32) {
	d.elementwise(kBroadcast, n, ptrArg(y), ptrArg(s), intArg(n), floatArg(scale))
}

// DropoutMask is: mask[i] = 0 where the i-th 32-bit draw u of a counter-based
// generator is below threshold (rate·2³² drops a fraction rate), keep elsewhere;
// u is the high half of SplitMix64's finalizer of seed + (i+1)·0x9E3779B97F4A7C15,
// a pure function of (seed, i).
func (d *Device) DropoutMask(mask Ptr, n int, seed, threshold uint64, keep float32) {
	d.elementwise(kDropoutMask, n, ptrArg(mask), intArg(n), arg(seed), 0, 0, arg(threshold), floatArg(keep))
}

// DropoutMaskFrom is DropoutMask with the seed read from the device: seeds
// holds two floats, 24-bit integers a and b, and the seed is a·2²⁴ + b +
// (index+1)·0xD1B54A32D192ED03, so that a captured graph draws a new mask at each
// replay when the host writes new seeds, and the index-th mask of a step
// differs from the others.
func (d *Device) DropoutMaskFrom(mask Ptr, n int, seeds Ptr, index int, threshold uint64, keep float32) {
	d.elementwise(kDropoutMask, n, ptrArg(mask), intArg(n), 0, ptrArg(seeds), intArg(index), arg(threshold), floatArg(keep))
}
