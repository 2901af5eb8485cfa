package cuda

import "fmt"

// ConvShape is the geometry of an NHWC convolution, as autograd's convDims: the
// input (N, H, W, C), a KH×KW window moving by strides SH, SW over the input
// padded by PadTop rows and PadLeft columns before it, and the output's OH×OW
// positions. Its im2col matrix is (N·OH·OW, KH·KW·C).
type ConvShape struct {
	N, H, W, C      int
	KH, KW          int
	SH, SW          int
	PadTop, PadLeft int
	OH, OW          int
}

// check panics on a negative size or a stride below 1: programmer errors.
func (s ConvShape) check() {
	for _, v := range []int{s.N, s.H, s.W, s.C, s.KH, s.KW, s.PadTop, s.PadLeft, s.OH, s.OW} {
		if v < 0 {
			panic(fmt.Sprintf("cuda: negative size in %+v", s))
		}
	}
	if s.SH < 1 || s.SW < 1 {
		panic(fmt.Sprintf("cuda: stride below 1 in %+v", s))
	}
	checkSize("Im2col", s.N*s.OH*s.OW*s.KH*s.KW*s.C)
	checkSize("Col2im", s.N*s.H*s.W*s.C)
}

// args is the kernels' shape arguments.
func (s ConvShape) args() []arg {
	return []arg{intArg(s.N), intArg(s.H), intArg(s.W), intArg(s.C), intArg(s.KH), intArg(s.KW),
		intArg(s.SH), intArg(s.SW), intArg(s.PadTop), intArg(s.PadLeft), intArg(s.OH), intArg(s.OW)}
}

// Im2col gathers x's patches into col, one row per output position t = (n·OH + oh)·OW + ow,
// zeros where the window leaves x (autograd's im2col on all kernel rows):
//
//	col[t, (i·KW + j)·C + c] = x[n, oh·SH − PadTop + i, ow·SW − PadLeft + j, c]
func (d *Device) Im2col(col, x Ptr, s ConvShape) {
	s.check()
	k, n := kIm2col, s.N*s.OH*s.OW*s.KH*s.KW*s.C
	if fourChannels(s, col, x) {
		k, n = kIm2col4, n/4
	}
	d.elementwise(k, n, append([]arg{ptrArg(col), ptrArg(x)}, s.args()...)...)
}

// fourChannels reports whether Im2col and Col2im can move four channels a thread
// (float4): C a multiple of 4 and both buffers 16-byte aligned.
func fourChannels(s ConvShape, a, b Ptr) bool {
	return s.C%4 == 0 && a%16 == 0 && b%16 == 0
}

// Col2im is Im2col's adjoint: every entry of col is added back where Im2col took it
// from, dx (N, H, W, C) written, or added to when accumulate. Each element of dx sums
// its entries in a fixed order (no atomics): the same bits every run.
func (d *Device) Col2im(dx, col Ptr, s ConvShape, accumulate bool) {
	s.check()
	k, n := kCol2im, s.N*s.H*s.W*s.C
	if fourChannels(s, dx, col) {
		k, n = kCol2im4, n/4
	}
	d.elementwise(k, n, append(append([]arg{ptrArg(dx), ptrArg(col)}, s.args()...), boolArg(accumulate))...)
}

// CopyColumns is: dst[r, dstCol + j] = src[r, srcCol + j] (or += when accumulate) for
// r < rows, j < cols, the rows of dst and src dstStride and srcStride apart: Concat
// along the last axis (each input into its columns of the output), SliceLast, and
// their gradients.
func (d *Device) CopyColumns(dst Ptr, dstStride, dstCol int, src Ptr, srcStride, srcCol int, rows, cols int, accumulate bool) {
	checkSize("CopyColumns", rows)
	checkSize("CopyColumns", cols)
	if dstCol < 0 || srcCol < 0 || dstCol+cols > dstStride || srcCol+cols > srcStride {
		panic(fmt.Sprintf("cuda: CopyColumns of %d columns from column %d of %d to column %d of %d", cols, srcCol, srcStride, dstCol, dstStride))
	}
	d.elementwise(kCopyColumns, rows*cols, ptrArg(dst), intArg(dstStride), intArg(dstCol), ptrArg(src), intArg(srcStride), intArg(srcCol),
		intArg(rows), intArg(cols), boolArg(accumulate))
}
