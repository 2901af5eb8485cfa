package autograd

import "fmt"

// Convolutions over NHWC images, as Keras lays them out: an image batch is
// (N, H, W, C), a Conv2D kernel (kh, kw, Cin, Cout).
//
// Three ops, all bilinear, whose gradients are each other:
//
//	conv      y  = x ⋆ w           (N,H,W,Ci) × (kh,kw,Ci,Co) → (N,OH,OW,Co)
//	convT     dx = dy ⋆ᵀ w         (N,OH,OW,Co) × (kh,kw,Ci,Co) → (N,H,W,Ci)   the adjoint in x
//	convW     dw = x ⋆ʷ dy         (N,H,W,Ci) × (N,OH,OW,Co) → (kh,kw,Ci,Co)   the adjoint in w
//
// They share one geometry (sizes, strides, padding), so every backward rule is
// one of the three ops on the same geometry and can itself be differentiated:
// a gradient penalty through a convolutional critic works.
//
// Each is lowered onto gemm.Sgemm (through g.sgemm, which counts the work) by
// im2col: the batch is cut into chunks of output positions, each chunk's
// patches are gathered into a scratch matrix from the arena (one row per output
// position, kh·kw·Ci columns; NHWC makes each kernel row a contiguous run), and
// one GEMM per chunk does the arithmetic:
//
//	conv:  y[rows]   = col(x)[rows] · W               W viewed as (kh·kw·Ci, Co)
//	convT: col[rows] = dy[rows] · Wᵀ, then col2im scatter-adds col into dx
//	convW: W        += col(x)[rows]ᵀ · dy[rows]

// Padding says how a window op treats the borders, with TensorFlow's rules.
type Padding int

const (
	// Valid uses only windows that fit inside the input: out = ⌊(in − k)/stride⌋ + 1.
	Valid Padding = iota
	// Same pads with zeros so that out = ⌈in/stride⌉; the total padding
	// max((out − 1)·stride + k − in, 0) is split with the extra on the bottom/right.
	Same
)

// String is Keras's name of the padding: "valid" or "same".
func (p Padding) String() string {
	switch p {
	case Valid:
		return "valid"
	case Same:
		return "same"
	}
	return fmt.Sprintf("Padding(%d)", int(p))
}

// ConvOutputSize is the output length of a convolution or pooling along one
// axis of length in, for a window k and a stride, with TensorFlow's rules; it is
// 0 or less when no window fits.
func ConvOutputSize(in, k, stride int, padding Padding) int {
	if padding == Same {
		return (in + stride - 1) / stride
	}
	if in < k {
		return 0
	}
	return (in-k)/stride + 1
}

// ConvPadding is the zero padding before and after an axis of length in for a
// window k and a stride: none for Valid; for Same, the total
// max((out − 1)·stride + k − in, 0) with the extra one after.
func ConvPadding(in, k, stride int, padding Padding) (before, after int) {
	if padding != Same {
		return 0, 0
	}
	out := ConvOutputSize(in, k, stride, Same)
	total := max((out-1)*stride+k-in, 0)
	return total / 2, total - total/2
}

// ConvTransposeOutputSize is Keras's output length of a transposed convolution
// along an axis of length in: in·stride for Same, in·stride + max(k − stride, 0)
// for Valid.
func ConvTransposeOutputSize(in, k, stride int, padding Padding) int {
	if padding == Same {
		return in * stride
	}
	return in*stride + max(k-stride, 0)
}

// window is the geometry of a window op, saved in its node (node.win): the
// window (kh, kw), the strides (sh, sw) and the padding before the first row
// and column (pt, pl). The padding after is implied by the input and output sizes.
type window struct {
	kh, kw, sh, sw, pt, pl int
}

// newWindow is the geometry of a window (kh, kw) sliding over (h, w) with the
// given strides and padding, and the output size it gives.
func newWindow(h, w int, kernel, strides [2]int, padding Padding) (win window, oh, ow int) {
	pt, _ := ConvPadding(h, kernel[0], strides[0], padding)
	pl, _ := ConvPadding(w, kernel[1], strides[1], padding)
	win = window{kh: kernel[0], kw: kernel[1], sh: strides[0], sw: strides[1], pt: pt, pl: pl}
	return win, ConvOutputSize(h, kernel[0], strides[0], padding), ConvOutputSize(w, kernel[1], strides[1], padding)
}

func checkWindow(op string, kernel, strides [2]int, padding Padding) {
	if kernel[0] <= 0 || kernel[1] <= 0 || strides[0] <= 0 || strides[1] <= 0 {
		panic(fmt.Sprintf("autograd: %s window %v and strides %v must be positive", op, kernel, strides))
	}
	if padding != Same && padding != Valid {
		panic(fmt.Sprintf("autograd: %s padding %v", op, padding))
	}
}

func checkImages(op string, x *Var) {
	if len(x.Shape) != 4 {
		panic("autograd: " + op + " takes NHWC images (N, H, W, C), got " + x.Shape.String())
	}
}

// Conv2D returns the convolution of x (N, H, W, Cin) with kernel w (kh, kw, Cin, Cout),
// as Keras's Conv2D (a cross-correlation, no bias): y (N, OH, OW, Cout) with
//
//	y[n,oh,ow,co] = Σ_{i,j,ci} x[n, oh·sh − pt + i, ow·sw − pl + j, ci] · w[i,j,ci,co]
//
// where x is zero outside its bounds and OH, OW, pt, pl follow TensorFlow's padding rules.
func (g *Graph) Conv2D(x, w *Var, strides [2]int, padding Padding) *Var {
	checkImages("Conv2D", x)
	if len(w.Shape) != 4 || w.Shape[2] != x.Shape[3] {
		panic("autograd: Conv2D of " + x.Shape.String() + " with kernel " + w.Shape.String() + " (want (kh, kw, Cin, Cout))")
	}
	kernel := [2]int{w.Shape[0], w.Shape[1]}
	checkWindow("Conv2D", kernel, strides, padding)
	win, oh, ow := newWindow(x.Shape[1], x.Shape[2], kernel, strides, padding)
	if oh <= 0 || ow <= 0 {
		panic(fmt.Sprintf("autograd: Conv2D kernel %v does not fit input %v", kernel, x.Shape))
	}
	return g.conv(x, w, win, oh, ow)
}

// Conv2DTranspose returns the transposed convolution of x (N, H, W, Cin) with
// kernel w (kh, kw, Cout, Cin), as Keras's Conv2DTranspose (no bias): the
// gradient, with respect to its input, of the Conv2D with kernel w that maps
// (N, OH, OW, Cout) to x's shape, where OH = H·sh for Same and
// H·sh + max(kh − sh, 0) for Valid (likewise OW).
func (g *Graph) Conv2DTranspose(x, w *Var, strides [2]int, padding Padding) *Var {
	checkImages("Conv2DTranspose", x)
	if len(w.Shape) != 4 || w.Shape[3] != x.Shape[3] {
		panic("autograd: Conv2DTranspose of " + x.Shape.String() + " with kernel " + w.Shape.String() + " (want (kh, kw, Cout, Cin))")
	}
	kernel := [2]int{w.Shape[0], w.Shape[1]}
	checkWindow("Conv2DTranspose", kernel, strides, padding)
	oh := ConvTransposeOutputSize(x.Shape[1], kernel[0], strides[0], padding)
	ow := ConvTransposeOutputSize(x.Shape[2], kernel[1], strides[1], padding)
	win, h, wd := newWindow(oh, ow, kernel, strides, padding)
	if h != x.Shape[1] || wd != x.Shape[2] {
		panic(fmt.Sprintf("autograd: Conv2DTranspose geometry: %dx%d does not convolve back to %v", oh, ow, x.Shape))
	}
	return g.convT(x, w, win, oh, ow)
}

// Conv2DFilterGrad returns the gradient of Σ dy ⊙ Conv2D(x, w) with respect to
// w: x is (N, H, W, Cin), dy (N, OH, OW, Cout) with the output size of the
// Conv2D of that kernel size, strides and padding; the result is (kh, kw, Cin, Cout).
func (g *Graph) Conv2DFilterGrad(x, dy *Var, kernel, strides [2]int, padding Padding) *Var {
	checkImages("Conv2DFilterGrad", x)
	checkImages("Conv2DFilterGrad", dy)
	checkWindow("Conv2DFilterGrad", kernel, strides, padding)
	win, oh, ow := newWindow(x.Shape[1], x.Shape[2], kernel, strides, padding)
	if dy.Shape[0] != x.Shape[0] || dy.Shape[1] != oh || dy.Shape[2] != ow {
		panic(fmt.Sprintf("autograd: Conv2DFilterGrad of %v and %v: want dy (%d, %d, %d, Cout)", x.Shape, dy.Shape, x.Shape[0], oh, ow))
	}
	return g.convW(x, dy, win)
}

// conv is Conv2D on an explicit geometry: x (N,H,W,Ci), w (kh,kw,Ci,Co) → (N,oh,ow,Co).
func (g *Graph) conv(x, w *Var, win window, oh, ow int) *Var {
	y, d := g.newConv(x, w, win, oh, ow)
	if g.dev != nil {
		g.cudaConvForward(y, x, w, d)
	} else {
		g.convForward(y.Data, x.Data, w.Data, d)
	}
	if nd := g.record("Conv2D", y, convBackward, x, w); nd != nil {
		nd.win = win
	}
	return y
}

// newConv is conv's output, uninitialized, and its geometry.
func (g *Graph) newConv(x, w *Var, win window, oh, ow int) (*Var, convDims) {
	d := newConvDims(x.Shape, oh, ow, w.Shape[3], win)
	return g.newVar(d.n, oh, ow, d.co), d
}

// convBackward: forward y = x ⋆ w, so dx = dy ⋆ᵀ w and dw = x ⋆ʷ dy.
func convBackward(g *Graph, n *node, dy *Var) {
	x, w := n.in[0], n.in[1]
	win := n.win
	if g.pairs(x, w) {
		dx := g.pairConvT(&g.pair[0], dy, w, win, x.Shape[1], x.Shape[2])
		dw := g.pairConvW(&g.pair[1], x, dy, win)
		g.runPair(x, dx, w, dw)
		return
	}
	if g.wants(x) {
		g.accumulate(x, g.convT(dy, w, win, x.Shape[1], x.Shape[2]))
	}
	if g.wants(w) {
		g.accumulate(w, g.convW(x, dy, win))
	}
}

// convT is the adjoint of conv in x: dy (N,OH,OW,Co), w (kh,kw,Ci,Co) → (N,h,wd,Ci).
func (g *Graph) convT(dy, w *Var, win window, h, wd int) *Var {
	dx, d := g.newConvT(dy, w, win, h, wd)
	if g.dev != nil {
		g.cudaConvBackwardData(dx, dy, w, d)
	} else {
		g.convBackwardData(dx.Data, dy.Data, w.Data, d)
	}
	if nd := g.record("Conv2DTranspose", dx, convTBackward, dy, w); nd != nil {
		nd.win = win
	}
	return dx
}

// newConvT is convT's output, uninitialized, and its geometry.
func (g *Graph) newConvT(dy, w *Var, win window, h, wd int) (*Var, convDims) {
	d := newConvDims([]int{dy.Shape[0], h, wd, w.Shape[2]}, dy.Shape[1], dy.Shape[2], w.Shape[3], win)
	if dy.Shape[3] != d.co {
		panic("autograd: Conv2DTranspose of " + dy.Shape.String() + " with kernel " + w.Shape.String())
	}
	return g.newVar(d.n, h, wd, d.ci), d
}

// convTBackward: forward z = d ⋆ᵀ w (bilinear), so, for a gradient dz,
// dd = dz ⋆ w and dw = dz ⋆ʷ d.
func convTBackward(g *Graph, n *node, dz *Var) {
	d, w := n.in[0], n.in[1]
	win := n.win
	if g.pairs(d, w) {
		dd := g.pairConv(&g.pair[0], dz, w, win, d.Shape[1], d.Shape[2])
		dw := g.pairConvW(&g.pair[1], dz, d, win)
		g.runPair(d, dd, w, dw)
		return
	}
	if g.wants(d) {
		g.accumulate(d, g.conv(dz, w, win, d.Shape[1], d.Shape[2]))
	}
	if g.wants(w) {
		g.accumulate(w, g.convW(dz, d, win))
	}
}

// convW is the adjoint of conv in w: x (N,H,W,Ci), dy (N,OH,OW,Co) → (kh,kw,Ci,Co).
func (g *Graph) convW(x, dy *Var, win window) *Var {
	dw, d := g.newConvW(x, dy, win)
	if g.dev != nil {
		g.cudaConvBackwardFilter(dw, x, dy, d)
	} else {
		g.convBackwardFilter(dw.Data, x.Data, dy.Data, d)
	}
	if nd := g.record("Conv2DFilterGrad", dw, convWBackward, x, dy); nd != nil {
		nd.win = win
	}
	return dw
}

// newConvW is convW's output, uninitialized, and its geometry.
func (g *Graph) newConvW(x, dy *Var, win window) (*Var, convDims) {
	d := newConvDims(x.Shape, dy.Shape[1], dy.Shape[2], dy.Shape[3], win)
	return g.newVar(win.kh, win.kw, d.ci, d.co), d
}

// convWBackward: forward v = x ⋆ʷ d (bilinear), so, for a gradient dv,
// dx = d ⋆ᵀ dv and dd = x ⋆ dv.
func convWBackward(g *Graph, n *node, dv *Var) {
	x, d := n.in[0], n.in[1]
	win := n.win
	if g.wants(x) {
		g.accumulate(x, g.convT(d, dv, win, x.Shape[1], x.Shape[2]))
	}
	if g.wants(d) {
		g.accumulate(d, g.conv(x, dv, win, d.Shape[1], d.Shape[2]))
	}
}

// convDims are the sizes of one convolution: input (n, h, w, ci), output
// (n, oh, ow, co), and its window.
type convDims struct {
	n, h, w, ci, oh, ow, co int
	window
}

func newConvDims(in []int, oh, ow, co int, win window) convDims {
	return convDims{n: in[0], h: in[1], w: in[2], ci: in[3], oh: oh, ow: ow, co: co, window: win}
}

// rows is the number of output positions, the rows of the im2col matrix.
func (d *convDims) rows() int { return d.n * d.oh * d.ow }

// patch is the length of one im2col row: kh·kw·Ci.
func (d *convDims) patch() int { return d.kh * d.kw * d.ci }

// flops is the floating-point operations of the convolution's matrix products,
// 2·rows·patch·Co (the same for conv, convT and convW on one geometry).
func (d *convDims) flops() uint64 { return 2 * uint64(d.rows()) * uint64(d.patch()) * uint64(d.co) }

// images is the chunk of the whole images [n0, n1): every output row, every kernel row.
func (d *convDims) images(n0, n1 int) patchChunk {
	return patchChunk{n0: n0, n1: n1, oh0: 0, oh1: d.oh, ilo: 0, ihi: d.kh}
}

// pointwise reports a 1×1, stride-1, unpadded convolution, whose im2col matrix
// is x itself.
func (d *convDims) pointwise() bool {
	return d.kh == 1 && d.kw == 1 && d.sh == 1 && d.sw == 1 && d.pt == 0 && d.pl == 0 && d.oh == d.h && d.ow == d.w
}

// Chunks. The output rows oh fall into classes by the kernel rows [ilo, ihi)
// whose taps land inside the image (the rows near a padded border see fewer),
// and each class's patches hold only those kernel rows: the padding's zeros are
// never multiplied (a third of the products of a 5×5 'same' convolution on 7×7
// images). W's rows for kernel rows [ilo, ihi) are contiguous, so each class
// multiplies by a slice of W.
//
// A class is cut into chunks of whole images (or, for large images, of rows of
// one image). Each chunk costs its GEMM one packing of its slice of W, so a
// chunk must be tall for that cost to vanish beside its arithmetic; its
// patches should still be in cache when the GEMM packs them.
const (
	convChunkRows      = 1024    // output positions per chunk, at least
	convMinChunkFloats = 1 << 20 // patch values per chunk, at least (for thin patches)
)

// patchChunk is a set of output positions: (n, oh, ow) for n in [n0, n1), oh in
// [oh0, oh1) and every ow, whose patches hold the kernel rows [ilo, ihi): all of
// the kernel rows inside the image for a class (ilo ≥ ihi: none), or all of
// them, with zeros outside the image.
type patchChunk struct {
	n0, n1, oh0, oh1, ilo, ihi int
}

// rows is the number of positions, patch the length of their patches.
func (c *patchChunk) rows(d *convDims) int  { return (c.n1 - c.n0) * (c.oh1 - c.oh0) * d.ow }
func (c *patchChunk) patch(d *convDims) int { return max(c.ihi-c.ilo, 0) * d.kw * d.ci }

// contiguous reports whether the chunk's positions are consecutive rows of the
// (N·OH·OW, C) output, so that the GEMM can read or write them in place.
func (c *patchChunk) contiguous(d *convDims) bool {
	return c.n1-c.n0 == 1 || c.oh0 == 0 && c.oh1 == d.oh
}

// first is the offset of the chunk's first position in the output rows.
func (c *patchChunk) first(d *convDims) int { return (c.n0*d.oh + c.oh0) * d.ow }

// kernelRows is the range of kernel rows whose taps land inside the image for
// output row oh.
func (d *convDims) kernelRows(oh int) (ilo, ihi int) {
	ih0 := oh*d.sh - d.pt
	return max(0, -ih0), min(d.kh, d.h-ih0)
}

// splitClasses reports whether the classes save enough products to pay for
// their extra GEMMs and copies: an eighth of the kernel rows, at least.
func (d *convDims) splitClasses() bool {
	skipped := 0
	for oh := range d.oh {
		ilo, ihi := d.kernelRows(oh)
		skipped += d.kh - max(ihi-ilo, 0)
	}
	return 8*skipped >= d.oh*d.kh
}

// forEachChunk calls f with the chunks that cover every output position, class
// by class, or as one class of all kernel rows when classes would save little
// (then the patches hold zeros for the taps outside the image).
func (d *convDims) forEachChunk(f func(c patchChunk)) {
	split := d.splitClasses()
	for oh0 := 0; oh0 < d.oh; {
		ilo, ihi, oh1 := 0, d.kh, d.oh
		if split {
			ilo, ihi = d.kernelRows(oh0)
			oh1 = oh0 + 1
			for oh1 < d.oh {
				if a, b := d.kernelRows(oh1); a != ilo || b != ihi {
					break
				}
				oh1++
			}
		}
		c := patchChunk{oh0: oh0, oh1: oh1, ilo: ilo, ihi: ihi}
		target := max(convChunkRows, convMinChunkFloats/max(c.patch(d), 1))
		if imageRows := (oh1 - oh0) * d.ow; imageRows <= target {
			per := balanced(d.n, max(1, target/imageRows))
			for c.n0 = 0; c.n0 < d.n; c.n0 += per {
				c.n1 = min(c.n0+per, d.n)
				f(c)
			}
		} else {
			per := balanced(oh1-oh0, max(1, target/d.ow))
			for n := 0; n < d.n; n++ {
				c.n0, c.n1 = n, n+1
				for c.oh0 = oh0; c.oh0 < oh1; c.oh0 += per {
					c.oh1 = min(c.oh0+per, oh1)
					f(c)
				}
			}
		}
		oh0 = oh1
	}
}

// balanced is the size of equal parts of total, as few as parts of at most max allow.
func balanced(total, max int) int {
	parts := (total + max - 1) / max
	return (total + parts - 1) / parts
}

// scratchSize is the largest chunk's im2col matrix and the most positions of a chunk.
func (d *convDims) scratchSize() (colLen, rows int) {
	d.forEachChunk(func(c patchChunk) {
		colLen = max(colLen, c.rows(d)*c.patch(d))
		rows = max(rows, c.rows(d))
	})
	return colLen, rows
}

// releaseScratch gives back s, the arena's latest allocation, so that the next
// op reuses the memory: im2col matrices live only during their op.
func (g *Graph) releaseScratch(s []float32) {
	a := &g.arena
	a.mu.Lock()
	defer a.mu.Unlock()
	if n := len(s); n > 0 && n <= a.off && a.off <= len(a.slab) && &a.slab[a.off-n] == &s[0] {
		a.off -= n
	}
}

// copyRows moves the chunk's rows of C values between t, a (N·OH·OW, C) tensor,
// and the compact (rows, C) matrix m: into m when gather, out of it otherwise.
func copyRows(t, m []float32, d *convDims, c *patchChunk, ch int, gather bool) {
	block := (c.oh1 - c.oh0) * d.ow * ch
	for n := c.n0; n < c.n1; n++ {
		tb := t[((n*d.oh+c.oh0)*d.ow)*ch:][:block]
		mb := m[(n-c.n0)*block:][:block]
		if gather {
			copy(mb, tb)
		} else {
			copy(tb, mb)
		}
	}
}

// convForward computes y (N,OH,OW,Co) = x ⋆ w chunk by chunk: gather the
// chunk's patches, then y[rows] = col · W[ilo:ihi] (through a compact buffer
// when the rows are not consecutive in y).
func (g *Graph) convForward(y, x, w []float32, d convDims) {
	co := d.co
	if d.pointwise() {
		g.sgemm(false, false, d.rows(), co, d.patch(), 1, x, d.patch(), w, co, 0, y, co)
		return
	}
	if g.convChunksParallel(false, y, x, w, &d) {
		return
	}
	colLen, maxRows := d.scratchSize()
	col, out := g.floats(colLen), g.floats(maxRows*co)
	d.forEachChunk(func(c patchChunk) {
		rows, k := c.rows(&d), c.patch(&d)
		dst := out
		if c.contiguous(&d) {
			dst = y[c.first(&d)*co:]
		}
		if k == 0 { // no tap inside the image
			clear(dst[:rows*co])
		} else {
			im2col(col, x, &d, &c)
			g.sgemm(false, false, rows, co, k, 1, col, k, w[c.ilo*d.kw*d.ci*co:], co, 0, dst, co)
		}
		if !c.contiguous(&d) {
			copyRows(y, out, &d, &c, co, false)
		}
	})
	g.releaseScratch(out)
	g.releaseScratch(col)
}

// convBackwardData computes dx (N,H,W,Ci) = dy ⋆ᵀ w chunk by chunk:
// col = dy[rows] · W[ilo:ihi]ᵀ, then col2im adds each patch back where it came from.
func (g *Graph) convBackwardData(dx, dy, w []float32, d convDims) {
	co := d.co
	if d.pointwise() {
		g.sgemm(false, true, d.rows(), d.patch(), co, 1, dy, co, w, co, 0, dx, d.patch())
		return
	}
	clear(dx)
	if g.convChunksParallel(true, dx, dy, w, &d) {
		return
	}
	colLen, maxRows := d.scratchSize()
	col, in := g.floats(colLen), g.floats(maxRows*co)
	d.forEachChunk(func(c patchChunk) {
		rows, k := c.rows(&d), c.patch(&d)
		if k == 0 {
			return // no tap inside the image
		}
		src := chunkRows(dy, in, &d, &c)
		g.sgemm(false, true, rows, k, co, 1, src, co, w[c.ilo*d.kw*d.ci*co:], co, 0, col, k)
		col2im(dx, col, &d, &c)
	})
	g.releaseScratch(in)
	g.releaseScratch(col)
}

// chunkRows returns chunk c's rows of dy (N·Ho·Wo, Co): in place where they
// lie together, else gathered into buf.
func chunkRows(dy, buf []float32, d *convDims, c *patchChunk) []float32 {
	if c.contiguous(d) {
		return dy[c.first(d)*d.co:]
	}
	copyRows(dy, buf, d, c, d.co, true)
	return buf
}

// convBackwardFilter computes dw (kh,kw,Ci,Co) = x ⋆ʷ dy chunk by chunk:
// W[ilo:ihi] += col(x)[rows]ᵀ · dy[rows]; a small dw in slices (filterGradSliced).
func (g *Graph) convBackwardFilter(dw, x, dy []float32, d convDims) {
	co := d.co
	if d.pointwise() || d.rows() == 0 {
		g.sgemm(true, false, d.patch(), co, d.rows(), 1, x, d.patch(), dy, co, 0, dw, co)
		return
	}
	if g.filterGradSliced(dw, x, dy, &d) {
		return
	}
	clear(dw)
	colLen, maxRows := d.scratchSize()
	col, in := g.floats(colLen), g.floats(maxRows*co)
	d.forEachChunk(func(c patchChunk) {
		rows, k := c.rows(&d), c.patch(&d)
		if k == 0 {
			return // no tap inside the image
		}
		src := chunkRows(dy, in, &d, &c)
		im2col(col, x, &d, &c)
		g.sgemm(true, false, k, co, rows, 1, col, k, src, co, 1, dw[c.ilo*d.kw*d.ci*co:], co)
	})
	g.releaseScratch(in)
	g.releaseScratch(col)
}
