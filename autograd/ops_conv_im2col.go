package autograd

import (
	"sync"

	"github.com/gogan/gogan/internal/gemm"
	"github.com/gogan/gogan/internal/vec"
)

// im2col gathers the patches of output positions [r0, r1) of x (N,H,W,Ci) into
// col, one row of kh·kw·Ci values per position (kernel row, kernel column, channel,
// as the kernel (kh,kw,Ci,Co) is laid out), zeros where the window leaves x:
//
//	col[r−r0, (i·kw + j)·Ci + c] = x[n, oh·sh − pt + i, ow·sw − pl + j, c]
//
// for r = (n·OH + oh)·OW + ow. In NHWC the in-bounds taps of one kernel row are
// one contiguous run of x, copied at once. The rows are shared among gemm's
// threads.
func im2col(col, x []float32, d *convDims, r0, r1 int) {
	runPatches(patchJob{dst: col, src: x, d: *d, r0: r0, r1: r1, lo: r0, hi: r1})
}

// col2im is im2col's adjoint: it adds each patch row of col, for output
// positions [r0, r1), back into dx (N,H,W,Ci) where im2col took it from:
//
//	dx[n, oh·sh − pt + i, ow·sw − pl + j, c] += col[r−r0, (i·kw + j)·Ci + c]
//
// The threads share it by rows of dx (image rows n·H + ih), so that no two
// add into the same place.
func col2im(dx, col []float32, d *convDims, r0, r1 int) {
	j := patchJob{scatter: true, dst: dx, src: col, d: *d, r0: r0, r1: r1}
	j.lo, j.hi = j.band()
	runPatches(j)
}

// patchJob is one share of an im2col or col2im over the chunk of output
// positions [r0, r1): for im2col, the positions [lo, hi) (dst = col, src = x);
// for col2im, the image rows [lo, hi) of dx (dst = dx, src = col).
type patchJob struct {
	scatter  bool
	dst, src []float32
	d        convDims
	r0, r1   int
	lo, hi   int
}

// band is the range of image rows n·H + ih that the chunk's patches touch.
func (j *patchJob) band() (lo, hi int) {
	d := &j.d
	plane := d.oh * d.ow
	n0, oh0 := j.r0/plane, j.r0%plane/d.ow
	n1, oh1 := (j.r1-1)/plane, (j.r1-1)%plane/d.ow
	return n0*d.h + max(0, oh0*d.sh-d.pt), n1*d.h + min(d.h, oh1*d.sh-d.pt+d.kh)
}

func (j *patchJob) run() {
	if j.scatter {
		scatterRows(j.dst, j.src, &j.d, j.r0, j.r1, j.lo, j.hi)
	} else {
		gatherRows(j.dst, j.src, &j.d, j.r0, j.lo, j.hi)
	}
}

// gatherRows is im2col for the positions [lo, hi) of a chunk that starts at r0.
func gatherRows(col, x []float32, d *convDims, r0, lo, hi int) {
	k, c, rowLen := d.patch(), d.ci, d.kw*d.ci
	plane := d.oh * d.ow
	n, oh, ow := lo/plane, lo%plane/d.ow, lo%d.ow
	for r := lo; r < hi; r++ {
		dst := col[(r-r0)*k : (r-r0+1)*k]
		ih0, iw0 := oh*d.sh-d.pt, ow*d.sw-d.pl
		// a:b is the part of each kernel row inside the image's width.
		a, b := max(0, -iw0)*c, min(d.kw, d.w-iw0)*c
		for i := 0; i < d.kh; i++ {
			seg := dst[i*rowLen : (i+1)*rowLen]
			ih := ih0 + i
			if ih < 0 || ih >= d.h || a >= b {
				zeroFloats(seg)
				continue
			}
			off := ((n*d.h+ih)*d.w + iw0) * c
			zeroFloats(seg[:a])
			copyFloats(seg[a:b], x[off+a:off+b])
			zeroFloats(seg[b:])
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

// scatterRows is col2im for the positions [r0, r1), restricted to the image
// rows [lo, hi) of dx (row n·H + ih).
func scatterRows(dx, col []float32, d *convDims, r0, r1, lo, hi int) {
	k, c, rowLen := d.patch(), d.ci, d.kw*d.ci
	plane := d.oh * d.ow
	n, oh, ow := r0/plane, r0%plane/d.ow, r0%d.ow
	for r := r0; r < r1; r++ {
		src := col[(r-r0)*k : (r-r0+1)*k]
		ih0, iw0 := oh*d.sh-d.pt, ow*d.sw-d.pl
		a, b := max(0, -iw0)*c, min(d.kw, d.w-iw0)*c
		// Kernel rows inside the image and inside the band.
		first := n*d.h + ih0
		ilo, ihi := max(0, -ih0, lo-first), min(d.kh, d.h-ih0, hi-first)
		for i := ilo; a < b && i < ihi; i++ {
			off := ((first+i)*d.w + iw0) * c
			addFloats(dx[off+a:off+b], src[i*rowLen+a:i*rowLen+b])
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

// copyFloats is copy(dst, src), with a plain loop for the short runs of images
// with few channels, where calling memmove costs more than the copy.
func copyFloats(dst, src []float32) {
	if len(src) >= 16 {
		copy(dst, src)
		return
	}
	dst = dst[:len(src)]
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
// sharing among threads: below it, waking a worker costs more than it saves.
const minParallelPatch = 1 << 15

// runPatches runs j, cut into equal shares of [lo, hi) among gemm's threads
// when it is large: the caller takes the first share, persistent workers the rest.
func runPatches(j patchJob) {
	t := gemm.Threads()
	if t < 2 || (j.r1-j.r0)*j.d.patch() < minParallelPatch || j.hi-j.lo < 2 {
		j.run()
		return
	}
	t = min(t, j.hi-j.lo)
	patchTeam.mu.Lock()
	defer patchTeam.mu.Unlock()
	for len(patchTeam.workers) < t-1 {
		w := &patchWorker{jobs: make(chan patchJob), done: make(chan struct{})}
		go w.loop()
		patchTeam.workers = append(patchTeam.workers, w)
	}
	lo, size := j.lo, j.hi-j.lo
	share := func(p int) (int, int) { return lo + p*size/t, lo + (p+1)*size/t }
	for p := 1; p < t; p++ {
		jp := j
		jp.lo, jp.hi = share(p)
		patchTeam.workers[p-1].jobs <- jp
	}
	j.lo, j.hi = share(0)
	j.run()
	for p := 1; p < t; p++ {
		<-patchTeam.workers[p-1].done
	}
}

// patchTeam holds the persistent goroutines that share im2col and col2im, as
// gemm's workers share a product; one job runs on them at a time.
var patchTeam struct {
	mu      sync.Mutex
	workers []*patchWorker
}

type patchWorker struct {
	jobs chan patchJob
	done chan struct{}
}

func (w *patchWorker) loop() {
	for j := range w.jobs {
		j.run()
		w.done <- struct{}{}
	}
}
