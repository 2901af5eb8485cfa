package autograd

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/gogan/gogan/internal/cuda"
)

// Pooling over NHWC images (N, H, W, C), channel by channel, with TensorFlow's
// padding rules: padded positions never count (a Same max pool ignores them, a
// Same average pool divides by the number of positions inside the image).

// poolRange is the part of the window of output (oh, ow) inside the image:
// rows [hlo, hhi), columns [wlo, whi).
func poolRange(d *convDims, oh, ow int) (hlo, hhi, wlo, whi int) {
	ih, iw := oh*d.sh-d.pt, ow*d.sw-d.pl
	return max(ih, 0), min(ih+d.kh, d.h), max(iw, 0), min(iw+d.kw, d.w)
}

func (g *Graph) poolDims(op string, x *Var, pool, strides [2]int, padding Padding) convDims {
	checkImages(op, x)
	checkWindow(op, pool, strides, padding)
	win, oh, ow := newWindow(x.Shape[1], x.Shape[2], pool, strides, padding)
	if oh <= 0 || ow <= 0 {
		panic(fmt.Sprintf("autograd: %s window %v does not fit input %v", op, pool, x.Shape))
	}
	return newConvDims(x.Shape, oh, ow, x.Shape[3], win)
}

// MaxPool2D returns the maximum of each window (pool[0], pool[1]) of x (N, H, W, C),
// channel by channel, as Keras's MaxPooling2D: (N, OH, OW, C).
func (g *Graph) MaxPool2D(x *Var, pool, strides [2]int, padding Padding) *Var {
	d := g.poolDims("MaxPool2D", x, pool, strides, padding)
	if x.Len() > math.MaxInt32 {
		panic("autograd: MaxPool2D input too large for int32 indices: " + x.Shape.String())
	}
	y := g.newVar(d.n, d.oh, d.ow, d.co)
	if g.dev != nil {
		at := poolArgmax{dev: g.darena.alloc(y.Len()), win: d.window}
		g.dev.MaxPool(y.dev, at.dev, g.ptr(x), cudaWindow(&d))
		if nd := g.record("MaxPool2D", y, maxPoolBackward, x); nd != nil {
			nd.argmax = at
		}
		return y
	}
	argmax := g.int32s(len(y.Data))
	c := d.ci
	o := 0
	for n := 0; n < d.n; n++ {
		for oh := 0; oh < d.oh; oh++ {
			for ow := 0; ow < d.ow; ow++ {
				hlo, hhi, wlo, whi := poolRange(&d, oh, ow)
				out, arg := y.Data[o:o+c], argmax[o:o+c]
				first := ((n*d.h+hlo)*d.w + wlo) * c
				copy(out, x.Data[first:first+c])
				for ch := range arg {
					arg[ch] = int32(first + ch)
				}
				for ih := hlo; ih < hhi; ih++ {
					for iw := wlo; iw < whi; iw++ {
						off := ((n*d.h+ih)*d.w + iw) * c
						for ch, v := range x.Data[off : off+c] {
							if v > out[ch] {
								out[ch], arg[ch] = v, int32(off+ch)
							}
						}
					}
				}
				o += c
			}
		}
	}
	if nd := g.record("MaxPool2D", y, maxPoolBackward, x); nd != nil {
		nd.argmax = poolArgmax{host: argmax}
	}
	return y
}

// poolArgmax is where each output of a MaxPool2D came from: its flat index
// into x (N, H, W, C), on the host, or on a device in its memory as int32s,
// with the pooling window there, over which the device's scatter gathers.
type poolArgmax struct {
	host []int32
	dev  cuda.Ptr
	win  window
}

// poolShape is the device's geometry of a max pool from x (N, H, W, C) to
// y (N, OH, OW, C) by at's window.
func (at poolArgmax) poolShape(x, y []int) cuda.ConvShape {
	return cuda.ConvShape{N: x[0], H: x[1], W: x[2], C: x[3], OH: y[1], OW: y[2],
		KH: at.win.kh, KW: at.win.kw, SH: at.win.sh, SW: at.win.sw, PadTop: at.win.pt, PadLeft: at.win.pl}
}

// maxPoolBackward: forward y[o] = x[argmax[o]], so dx = dy routed to the argmax
// of each window (a fixed routing, linear in dy).
func maxPoolBackward(g *Graph, n *node, dy *Var) {
	x := n.in[0]
	if g.wants(x) {
		g.accumulate(x, g.scatterIndexed(dy, n.argmax, x.Shape))
	}
}

// scatterIndexed returns z of the given shape, zero but for z[idx[k]] += v[k],
// idx MaxPool2D's argmax (on a device, a gather over the windows that hold
// each position of z, in the order of k).
func (g *Graph) scatterIndexed(v *Var, idx poolArgmax, shape []int) *Var {
	z := g.newVar(shape...)
	if g.dev != nil {
		g.dev.MaxPoolGrad(z.dev, g.ptr(v), idx.dev, idx.poolShape(shape, v.Shape))
	} else {
		clear(z.Data)
		for k, i := range idx.host {
			z.Data[i] += v.Data[k]
		}
	}
	if nd := g.record("ScatterIndexed", z, scatterIndexedBackward, v); nd != nil {
		nd.argmax = idx
	}
	return z
}

// scatterIndexedBackward: forward z[idx[k]] += v[k], so dv[k] = dz[idx[k]].
func scatterIndexedBackward(g *Graph, n *node, dz *Var) {
	v := n.in[0]
	if g.wants(v) {
		g.accumulate(v, g.gatherIndexed(dz, n.argmax, v.Shape))
	}
}

// gatherIndexed returns z of the given shape with z[k] = v[idx[k]].
func (g *Graph) gatherIndexed(v *Var, idx poolArgmax, shape []int) *Var {
	z := g.newVar(shape...)
	if g.dev != nil {
		g.dev.GatherIndexed(z.dev, g.ptr(v), idx.dev, z.Len())
	} else {
		for k, i := range idx.host {
			z.Data[k] = v.Data[i]
		}
	}
	if nd := g.record("GatherIndexed", z, gatherIndexedBackward, v); nd != nil {
		nd.argmax = idx
	}
	return z
}

// gatherIndexedBackward: forward z[k] = v[idx[k]], so dv[idx[k]] += dz[k].
func gatherIndexedBackward(g *Graph, n *node, dz *Var) {
	v := n.in[0]
	if g.wants(v) {
		g.accumulate(v, g.scatterIndexed(dz, n.argmax, v.Shape))
	}
}

// AvgPool2D returns the mean of each window (pool[0], pool[1]) of x (N, H, W, C),
// channel by channel, as Keras's AveragePooling2D: (N, OH, OW, C). With Same
// padding a border window averages only the positions inside the image.
func (g *Graph) AvgPool2D(x *Var, pool, strides [2]int, padding Padding) *Var {
	d := g.poolDims("AvgPool2D", x, pool, strides, padding)
	return g.avgPool(x, d.window, d.oh, d.ow)
}

// avgPool is AvgPool2D on an explicit geometry: x (N,H,W,C) → (N,oh,ow,C).
func (g *Graph) avgPool(x *Var, win window, oh, ow int) *Var {
	d := newConvDims(x.Shape, oh, ow, x.Shape[3], win)
	y := g.newVar(d.n, oh, ow, d.co)
	if g.dev != nil {
		g.dev.AvgPool(y.dev, g.ptr(x), cudaWindow(&d))
		if nd := g.record("AvgPool2D", y, avgPoolBackward, x); nd != nil {
			nd.win = win
		}
		return y
	}
	c := d.ci
	o := 0
	for n := 0; n < d.n; n++ {
		for oh := 0; oh < d.oh; oh++ {
			for ow := 0; ow < d.ow; ow++ {
				hlo, hhi, wlo, whi := poolRange(&d, oh, ow)
				out := y.Data[o : o+c]
				clear(out)
				for ih := hlo; ih < hhi; ih++ {
					for iw := wlo; iw < whi; iw++ {
						off := ((n*d.h+ih)*d.w + iw) * c
						for ch, v := range x.Data[off : off+c] {
							out[ch] += v
						}
					}
				}
				inv := 1 / float32((hhi-hlo)*(whi-wlo))
				for ch := range out {
					out[ch] *= inv
				}
				o += c
			}
		}
	}
	if nd := g.record("AvgPool2D", y, avgPoolBackward, x); nd != nil {
		nd.win = win
	}
	return y
}

// avgPoolBackward: forward y[o] = Σ_{p in window o} x[p] / count(o), so
// dx[p] = Σ_{o whose window holds p} dy[o] / count(o): avgPool's adjoint.
func avgPoolBackward(g *Graph, n *node, dy *Var) {
	x := n.in[0]
	if g.wants(x) {
		g.accumulate(x, g.avgPoolT(dy, n.win, x.Shape[1], x.Shape[2]))
	}
}

// avgPoolT is avgPool's adjoint: dy (N,OH,OW,C) → (N,h,w,C), spreading each
// dy[o]/count(o) over the window of o.
func (g *Graph) avgPoolT(dy *Var, win window, h, w int) *Var {
	d := newConvDims([]int{dy.Shape[0], h, w, dy.Shape[3]}, dy.Shape[1], dy.Shape[2], dy.Shape[3], win)
	dx := g.newVar(d.n, h, w, d.ci)
	if g.dev != nil {
		g.dev.AvgPoolGrad(dx.dev, g.ptr(dy), cudaWindow(&d))
		if nd := g.record("AvgPool2DGrad", dx, avgPoolTBackward, dy); nd != nil {
			nd.win = win
		}
		return dx
	}
	clear(dx.Data)
	c := d.ci
	o := 0
	for n := 0; n < d.n; n++ {
		for oh := 0; oh < d.oh; oh++ {
			for ow := 0; ow < d.ow; ow++ {
				hlo, hhi, wlo, whi := poolRange(&d, oh, ow)
				inv := 1 / float32((hhi-hlo)*(whi-wlo))
				in := dy.Data[o : o+c]
				for ih := hlo; ih < hhi; ih++ {
					for iw := wlo; iw < whi; iw++ {
						off := ((n*d.h+ih)*d.w + iw) * c
						for ch, v := range in {
							dx.Data[off+ch] += v * inv
						}
					}
				}
				o += c
			}
		}
	}
	if nd := g.record("AvgPool2DGrad", dx, avgPoolTBackward, dy); nd != nil {
		nd.win = win
	}
	return dx
}

// avgPoolTBackward: avgPoolT is linear with avgPool as its adjoint, so
// d(dy) = avgPool(dz).
func avgPoolTBackward(g *Graph, n *node, dz *Var) {
	dy := n.in[0]
	if g.wants(dy) {
		g.accumulate(dy, g.avgPool(dz, n.win, dy.Shape[1], dy.Shape[2]))
	}
}

// int32s hands out int32 scratch from the arena that lives until Reset.
func (g *Graph) int32s(n int) []int32 { return int32sOf(g.floats(n)) }

// int32sOf views float32 storage as int32s (the same 4 bytes each), so that
// index buffers come from the graph's float32 arena.
func int32sOf(f []float32) []int32 {
	if len(f) == 0 {
		return nil
	}
	return unsafe.Slice((*int32)(unsafe.Pointer(&f[0])), len(f))
}
