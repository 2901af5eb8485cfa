package cuda

import "fmt"

// Images is the shape of NHWC images (N, H, W, C), as autograd's ops hold them.
type Images struct{ N, H, W, C int }

// Len is the number of values: N·H·W·C.
func (s Images) Len() int { return s.N * s.H * s.W * s.C }

// check panics on a negative or too large size: programmer errors.
func (s Images) check(op string) {
	if s.N < 0 || s.H < 0 || s.W < 0 || s.C < 0 {
		panic(fmt.Sprintf("cuda: %s of negative size %+v", op, s))
	}
	checkSize(op, s.Len())
}

// DiffAugment's transforms (autograd/ops_augment.go), with each sample's
// parameters read from the device.

// AddPerSample is: y[i] = x[i] + b[i / per] for x and y of n values, b of n/per.
func (d *Device) AddPerSample(y, x, b Ptr, n, per int) {
	if per <= 0 || n%per != 0 {
		panic(fmt.Sprintf("cuda: AddPerSample of %d values in samples of %d", n, per))
	}
	d.elementwise(kAddPerSample, n, ptrArg(y), ptrArg(x), ptrArg(b), intArg(n), intArg(per))
}

// ScaleAboutMean is autograd's scaleAboutMean: for each group of group
// consecutive values of x (n values), m its mean (summed in float32 in order,
// divided by group), y = m + f[i / per]·(x[i] − m). means is scratch of
// n/group floats, where the means are left.
func (d *Device) ScaleAboutMean(y, x, f, means Ptr, n, per, group int) {
	if group <= 0 || per <= 0 || n%per != 0 || per%group != 0 {
		panic(fmt.Sprintf("cuda: ScaleAboutMean of %d values in samples of %d and groups of %d", n, per, group))
	}
	d.elementwise(kGroupMeans, n/group, ptrArg(means), ptrArg(x), intArg(n/group), intArg(group))
	d.elementwise(kScaleAboutMean, n, ptrArg(y), ptrArg(x), ptrArg(means), ptrArg(f), intArg(n), intArg(per), intArg(group))
}

// Place is: y[b, r, q, ch] = x[b, r − dr, q − dc, ch], 0 where that is outside
// x, for x of shape xs and y (xs.N, yh, yw, xs.C), with dr = top + shift[2b] and
// dc = left + shift[2b+1] (shift holds integers as floats, 2·N of them, or is
// 0 for none): zero padding (top, left ≥ 0), cropping (top, left ≤ 0) and
// DiffAugment's translation (the shifts, y the shape of x).
func (d *Device) Place(y Ptr, yh, yw int, x Ptr, xs Images, top, left int, shift Ptr) {
	xs.check("Place")
	ys := Images{xs.N, yh, yw, xs.C}
	ys.check("Place")
	d.elementwise(kWindowCopy, ys.Len(), ptrArg(y), ptrArg(x), ptrArg(shift), intArg(xs.N), intArg(yh), intArg(yw),
		intArg(xs.H), intArg(xs.W), intArg(xs.C), intArg(top), intArg(left))
}

// Cutout is: y = 0 inside image b's rectangle of rows [corner[2b], corner[2b] + sh)
// and columns [corner[2b+1], corner[2b+1] + sw) (corner holds integers as
// floats), y = x elsewhere, for images of shape s.
func (d *Device) Cutout(y, x, corner Ptr, s Images, sh, sw int) {
	s.check("Cutout")
	d.elementwise(kCutout, s.Len(), ptrArg(y), ptrArg(x), ptrArg(corner), intArg(s.N), intArg(s.H), intArg(s.W), intArg(s.C),
		intArg(sh), intArg(sw))
}

// Upsampling and its adjoint (autograd/ops_conv_resize.go).

// UpSample is: y[b, r, q, ch] = x[b, r / fh, q / fw, ch] for x of shape s and y
// (N, H·fh, W·fw, C).
func (d *Device) UpSample(y, x Ptr, s Images, fh, fw int) {
	s.check("UpSample")
	if fh <= 0 || fw <= 0 {
		panic(fmt.Sprintf("cuda: UpSample by %d×%d", fh, fw))
	}
	checkSize("UpSample", s.Len()*fh*fw)
	d.elementwise(kUpsample, s.Len()*fh*fw, ptrArg(y), ptrArg(x), intArg(s.N), intArg(s.H), intArg(s.W), intArg(s.C),
		intArg(fh), intArg(fw))
}

// BlockSum is UpSample's adjoint: dx[b, i, j, ch] = Σ dy[b, i·fh + a, j·fw + k, ch]
// over a, then k, ascending (autograd's blockSum's order), for dx of shape s and
// dy (N, H·fh, W·fw, C).
func (d *Device) BlockSum(dx, dy Ptr, s Images, fh, fw int) {
	s.check("BlockSum")
	if fh <= 0 || fw <= 0 {
		panic(fmt.Sprintf("cuda: BlockSum over %d×%d", fh, fw))
	}
	checkSize("BlockSum", s.Len()*fh*fw)
	d.elementwise(kBlockSum, s.Len(), ptrArg(dx), ptrArg(dy), intArg(s.N), intArg(s.H), intArg(s.W), intArg(s.C),
		intArg(fh), intArg(fw))
}

// Pooling (autograd/ops_conv_pool.go), on the geometry of a convolution: x
// (N, H, W, C), y (N, OH, OW, C), each output's window the part of
// KH×KW at (oh·SH − PadTop, ow·SW − PadLeft) inside the image.

// AvgPool is: y[o] = (Σ x over o's window, rows then columns, in float32)·(1/count).
func (d *Device) AvgPool(y, x Ptr, s ConvShape) {
	s.check()
	d.elementwise(kAvgPool, s.N*s.OH*s.OW*s.C, append([]arg{ptrArg(y), ptrArg(x)}, s.args()...)...)
}

// AvgPoolGrad is AvgPool's adjoint, autograd's avgPoolT, as a gather: dx[p] =
// Σ dy[o]·(1/count(o)) over the outputs o whose window holds p, in the order of o.
func (d *Device) AvgPoolGrad(dx, dy Ptr, s ConvShape) {
	s.check()
	d.elementwise(kAvgPoolGrad, s.N*s.H*s.W*s.C, append([]arg{ptrArg(dx), ptrArg(dy)}, s.args()...)...)
}

// MaxPool is: y[o] = the greatest value of o's window (the first of equals, rows
// then columns), and argmax[o] its index into x (an int32 in each 4-byte slot).
func (d *Device) MaxPool(y, argmax, x Ptr, s ConvShape) {
	s.check()
	d.elementwise(kMaxPool, s.N*s.OH*s.OW*s.C, append([]arg{ptrArg(y), ptrArg(argmax), ptrArg(x)}, s.args()...)...)
}

// MaxPoolGrad is: dx[p] = Σ dy[o] over the outputs o with argmax[o] = p, in the
// order of o (autograd's scatterIndexed of MaxPool's indices, as a gather over
// the windows that hold p).
func (d *Device) MaxPoolGrad(dx, dy, argmax Ptr, s ConvShape) {
	s.check()
	d.elementwise(kMaxPoolGrad, s.N*s.H*s.W*s.C, append([]arg{ptrArg(dx), ptrArg(dy), ptrArg(argmax)}, s.args()...)...)
}

// GatherIndexed is: z[k] = v[idx[k]] for k < n, idx int32s.
func (d *Device) GatherIndexed(z, v, idx Ptr, n int) {
	d.elementwise(kGatherIndexed, n, ptrArg(z), ptrArg(v), ptrArg(idx), intArg(n))
}
