package autograd

import "github.com/gogan/gogan/internal/vec"

// im2col gathers the patches of output positions [r0, r1) of x (N,H,W,Ci) into
// col, one row of kh·kw·Ci values per position (kernel row, kernel column, channel,
// as the kernel (kh,kw,Ci,Co) is laid out), zeros where the window leaves x:
//
//	col[r−r0, (i·kw + j)·Ci + c] = x[n, oh·sh − pt + i, ow·sw − pl + j, c]
//
// for r = (n·OH + oh)·OW + ow. In NHWC the in-bounds taps of one kernel row are
// one contiguous run of x, copied at once.
func im2col(col, x []float32, d *convDims, r0, r1 int) {
	k, rowLen := d.patch(), d.kw*d.ci
	forEachPatch(d, r0, r1, func(r, i, jlo, jhi, src int) {
		dst := col[(r-r0)*k+i*rowLen : (r-r0)*k+(i+1)*rowLen]
		if jlo >= jhi {
			clear(dst)
			return
		}
		clear(dst[:jlo*d.ci])
		copy(dst[jlo*d.ci:jhi*d.ci], x[src:src+(jhi-jlo)*d.ci])
		clear(dst[jhi*d.ci:])
	})
}

// col2im is im2col's adjoint: it adds each patch row of col, for output
// positions [r0, r1), back into dx (N,H,W,Ci) where im2col took it from.
func col2im(dx, col []float32, d *convDims, r0, r1 int) {
	k, rowLen := d.patch(), d.kw*d.ci
	forEachPatch(d, r0, r1, func(r, i, jlo, jhi, dst int) {
		if jlo >= jhi {
			return
		}
		src := col[(r-r0)*k+i*rowLen+jlo*d.ci : (r-r0)*k+i*rowLen+jhi*d.ci]
		vec.AddTo(dx[dst:dst+len(src)], src)
	})
}

// forEachPatch calls f for every kernel row i of the window of every output
// position r in [r0, r1), with the kernel columns [jlo, jhi) that fall inside
// the input and off, the offset in the input of the first of them; jlo ≥ jhi when
// the whole kernel row is outside.
func forEachPatch(d *convDims, r0, r1 int, f func(r, i, jlo, jhi, off int)) {
	plane := d.oh * d.ow
	n, rem := r0/plane, r0%plane
	oh, ow := rem/d.ow, rem%d.ow
	for r := r0; r < r1; r++ {
		ih0, iw0 := oh*d.sh-d.pt, ow*d.sw-d.pl
		jlo, jhi := max(0, -iw0), min(d.kw, d.w-iw0)
		for i := 0; i < d.kh; i++ {
			ih := ih0 + i
			if ih < 0 || ih >= d.h {
				f(r, i, 0, 0, 0)
				continue
			}
			f(r, i, jlo, jhi, ((n*d.h+ih)*d.w+iw0+jlo)*d.ci)
		}
		if ow++; ow == d.ow {
			ow = 0
			if oh++; oh == d.oh {
				oh = 0
				n++
			}
		}
	}
}
