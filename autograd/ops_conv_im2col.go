package autograd

import (
	"sync"

	"github.com/gogan/gogan/internal/parallel"
	"github.com/gogan/gogan/internal/vec"
)

// im2col gathers the patches of the chunk's output positions from x (N,H,W,Ci)
// into col, one row per position in the chunk's order (n, oh, ow), holding
// the kernel rows [ilo, ihi) (kernel row, kernel column, channel, as the kernel
// (kh,kw,Ci,Co) is laid out), zeros where the window leaves x:
//
//	col[t, ((i−ilo)·kw + j)·Ci + c] = x[n, oh·sh − pt + i, ow·sw − pl + j, c]
//
// In NHWC the in-bounds taps of one kernel row are one contiguous run of x,
// copied at once. The rows are shared among gemm's threads.
func im2col(col, x []float32, d *convDims, c *patchChunk) {
	runPatches(patchJob{dst: col, src: x, d: *d, c: *c, lo: 0, hi: c.rows(d)})
}

// col2im is im2col's adjoint: it adds each patch row of col back into dx
// (N,H,W,Ci) where im2col took it from:
//
//	dx[n, oh·sh − pt + i, ow·sw − pl + j, c] += col[t, ((i−ilo)·kw + j)·Ci + c]
//
// The threads share it by rows of dx (image rows n·H + ih), so that no two
// add into the same place.
func col2im(dx, col []float32, d *convDims, c *patchChunk) {
	j := patchJob{scatter: true, dst: dx, src: col, d: *d, c: *c}
	j.lo, j.hi = j.band()
	runPatches(j)
}

// patchJob is one share of an im2col or col2im of a chunk: for im2col, the
// chunk's positions [lo, hi) (dst = col, src = x); for col2im, the image rows
// [lo, hi) of dx (dst = dx, src = col).
type patchJob struct {
	scatter  bool
	dst, src []float32
	d        convDims
	c        patchChunk
	lo, hi   int
}

// band is the range of image rows n·H + ih that the chunk's patches touch.
func (j *patchJob) band() (lo, hi int) {
	d, c := &j.d, &j.c
	return c.n0*d.h + max(0, c.oh0*d.sh-d.pt+c.ilo), (c.n1-1)*d.h + min(d.h, (c.oh1-1)*d.sh-d.pt+c.ihi)
}

func (j *patchJob) run() {
	if j.scatter {
		scatterRows(j.dst, j.src, &j.d, &j.c, j.lo, j.hi)
	} else {
		gatherRows(j.dst, j.src, &j.d, &j.c, j.lo, j.hi)
	}
}

// position is the chunk's position t: image n, output row oh, column ow.
func (c *patchChunk) position(d *convDims, t int) (n, oh, ow int) {
	rowsPerImage := c.oh1 - c.oh0
	return c.n0 + t/d.ow/rowsPerImage, c.oh0 + t/d.ow%rowsPerImage, t % d.ow
}

// next steps (n, oh, ow) to the chunk's following position.
func (c *patchChunk) next(d *convDims, n, oh, ow int) (int, int, int) {
	if ow++; ow == d.ow {
		ow = 0
		if oh++; oh == c.oh1 {
			oh = c.oh0
			n++
		}
	}
	return n, oh, ow
}

// gatherRows is im2col for the chunk's positions [lo, hi).
func gatherRows(col, x []float32, d *convDims, c *patchChunk, lo, hi int) {
	k, ch, rowLen := c.patch(d), d.ci, d.kw*d.ci
	n, oh, ow := c.position(d, lo)
	for t := lo; t < hi; t++ {
		dst := col[t*k : (t+1)*k]
		ih0, iw0 := oh*d.sh-d.pt, ow*d.sw-d.pl
		// a:b is the part of each kernel row inside the image's width.
		a, b := max(0, -iw0)*ch, min(d.kw, d.w-iw0)*ch
		for i := c.ilo; i < c.ihi; i++ {
			seg := dst[(i-c.ilo)*rowLen : (i-c.ilo+1)*rowLen]
			if ih := ih0 + i; a >= b || ih < 0 || ih >= d.h {
				zeroFloats(seg)
				continue
			}
			off := ((n*d.h+ih0+i)*d.w + iw0) * ch
			zeroFloats(seg[:a])
			copyFloats(seg[a:b], x[off+a:off+b])
			zeroFloats(seg[b:])
		}
		n, oh, ow = c.next(d, n, oh, ow)
	}
}

// scatterRows is col2im for every position of the chunk, restricted to the
// image rows [lo, hi) of dx (row n·H + ih).
func scatterRows(dx, col []float32, d *convDims, c *patchChunk, lo, hi int) {
	k, ch, rowLen := c.patch(d), d.ci, d.kw*d.ci
	n, oh, ow := c.n0, c.oh0, 0
	for t := range c.rows(d) {
		src := col[t*k : (t+1)*k]
		ih0, iw0 := oh*d.sh-d.pt, ow*d.sw-d.pl
		a, b := max(0, -iw0)*ch, min(d.kw, d.w-iw0)*ch
		first := n*d.h + ih0 // image row of kernel row 0
		ilo, ihi := max(c.ilo, lo-first, -ih0), min(c.ihi, hi-first, d.h-ih0)
		for i := ilo; a < b && i < ihi; i++ {
			off := ((first+i)*d.w + iw0) * ch
			addFloats(dx[off+a:off+b], src[(i-c.ilo)*rowLen+a:(i-c.ilo)*rowLen+b])
		}
		n, oh, ow = c.next(d, n, oh, ow)
	}
}

// copyFloats is copy(dst, src), with a plain loop for the short runs of images
// with few channels, where calling memmove costs more than the copy.
func copyFloats(dst, src []float32) {
	if len(src) >= 16 {
		copy(dst, src)
		return
	}
	dst = dst[:len(src)]
	//lint:ignore S1001 the loop is the point: memmove costs more than a short copy
	for i, v := range src {
		dst[i] = v
	}
}

// zeroFloats is clear(s), with a plain loop for short runs.
func zeroFloats(s []float32) {
	if len(s) >= 16 {
		clear(s)
		return
	}
	for i := range s {
		s[i] = 0
	}
}

// addFloats is vec.AddTo(dst, src), inline for short runs.
func addFloats(dst, src []float32) {
	if len(src) >= 16 {
		vec.AddTo(dst, src)
		return
	}
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] += v
	}
}

// minParallelPatch is the smallest im2col or col2im, in floats moved, worth
// sharing among threads: below it, handing work to a worker costs more than it
// saves. Each share moves at least minPatchShare floats, and only one of at least
// wakePatch floats wakes workers that have parked (tens of microseconds).
const (
	minParallelPatch = 1 << 15
	minPatchShare    = 1 << 13
	wakePatch        = 1 << 19
)

// runPatches runs j, cut into equal shares of [lo, hi) among the team's threads
// (internal/parallel) when it is large and the team is free: the caller takes the
// first share. Otherwise the caller runs it alone.
func runPatches(j patchJob) {
	size := j.c.rows(&j.d) * j.c.patch(&j.d)
	parts := min(parallel.Threads(), j.hi-j.lo, size/minPatchShare)
	if size < minParallelPatch || parts < 2 {
		j.run()
		return
	}
	jp := patchJobs.Get().(*patchJob)
	*jp = j
	done := parallel.TryRun(jp, parts, size >= wakePatch)
	*jp = patchJob{}
	patchJobs.Put(jp)
	if !done {
		j.run()
	}
}

// patchJobs recycles the jobs handed to the team, so that sharing allocates nothing.
var patchJobs = sync.Pool{New: func() any { return new(patchJob) }}

// Run does share p of parts of [lo, hi).
func (j *patchJob) Run(p, parts int) {
	jp := *j
	size := j.hi - j.lo
	jp.lo, jp.hi = j.lo+p*size/parts, j.lo+(p+1)*size/parts
	jp.run()
}
