package autograd

import "github.com/gogan/gogan/internal/cuda"

// The convolutions on a device: one im2col matrix for the whole batch (one row
// per output position, kh·kw·Ci columns, zeros where a tap falls outside the
// image) and one cuBLAS product, where the CPU cuts the batch into chunks that
// stay in cache and skips the padding's zeros.
//
//	conv:  y  = col(x) · W                   W viewed as (kh·kw·Ci, Co)
//	convT: dx = col2im(dy · Wᵀ)
//	convW: dW = col(x)ᵀ · dy

// cudaWindow is d's geometry for the device kernels.
func cudaWindow(d *convDims) cuda.ConvShape {
	return cuda.ConvShape{N: d.n, H: d.h, W: d.w, C: d.ci, OH: d.oh, OW: d.ow,
		KH: d.kh, KW: d.kw, SH: d.sh, SW: d.sw, PadTop: d.pt, PadLeft: d.pl}
}

// cudaCol returns x's im2col matrix (rows, patch) in the arena.
func (g *Graph) cudaCol(x *Var, d *convDims) cuda.Ptr {
	if d.pointwise() {
		return g.ptr(x)
	}
	col := g.darena.alloc(d.rows() * d.patch())
	g.dev.Im2col(col, g.ptr(x), cudaWindow(d))
	return col
}

// cudaConvForward is convForward on the device.
func (g *Graph) cudaConvForward(y, x, w *Var, d convDims) {
	col := g.cudaCol(x, &d)
	g.cudaSgemm(false, false, d.rows(), d.co, d.patch(), col, d.patch(), g.ptr(w), d.co, 0, y.dev)
}

// cudaConvBackwardData is convBackwardData on the device.
func (g *Graph) cudaConvBackwardData(dx, dy, w *Var, d convDims) {
	if d.pointwise() {
		g.cudaSgemm(false, true, d.rows(), d.patch(), d.co, g.ptr(dy), d.co, g.ptr(w), d.co, 0, dx.dev)
		return
	}
	col := g.darena.alloc(d.rows() * d.patch())
	g.cudaSgemm(false, true, d.rows(), d.patch(), d.co, g.ptr(dy), d.co, g.ptr(w), d.co, 0, col)
	g.dev.Col2im(dx.dev, col, cudaWindow(&d), false)
}

// cudaConvBackwardFilter is convBackwardFilter on the device.
func (g *Graph) cudaConvBackwardFilter(dw, x, dy *Var, d convDims) {
	col := g.cudaCol(x, &d)
	g.cudaSgemm(true, false, d.patch(), d.co, d.rows(), col, d.patch(), g.ptr(dy), d.co, 0, dw.dev)
}
