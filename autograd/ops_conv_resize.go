package autograd

import "fmt"

// Resizing NHWC images (N, H, W, C): nearest-neighbour upsampling, zero padding
// and cropping. Each is linear; its backward is its adjoint, which is the other
// op of its pair (upsample ↔ block sum, pad ↔ crop).

// UpSample2D repeats every pixel of x (N, H, W, C) size[0] times down and
// size[1] times across, as Keras's UpSampling2D (nearest): (N, H·size[0], W·size[1], C).
func (g *Graph) UpSample2D(x *Var, size [2]int) *Var {
	checkImages("UpSample2D", x)
	if size[0] <= 0 || size[1] <= 0 {
		panic(fmt.Sprintf("autograd: UpSample2D size %v must be positive", size))
	}
	fh, fw := size[0], size[1]
	n, h, w, c := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	y := g.newVar(n, h*fh, w*fw, c)
	if g.dev != nil {
		g.dev.UpSample(y.dev, g.ptr(x), images(x), fh, fw)
		if nd := g.record("UpSample2D", y, upSampleBackward, x); nd != nil {
			nd.block = [2]int{fh, fw}
		}
		return y
	}
	o := 0
	for img := 0; img < n; img++ {
		for ih := 0; ih < h; ih++ {
			row := x.Data[(img*h+ih)*w*c : (img*h+ih+1)*w*c]
			for a := 0; a < fh; a++ {
				for iw := 0; iw < w; iw++ {
					px := row[iw*c : (iw+1)*c]
					for b := 0; b < fw; b++ {
						copy(y.Data[o:o+c], px)
						o += c
					}
				}
			}
		}
	}
	if nd := g.record("UpSample2D", y, upSampleBackward, x); nd != nil {
		nd.block = [2]int{fh, fw}
	}
	return y
}

// upSampleBackward: forward y[h·fh+a, w·fw+b] = x[h, w], so dx[h, w] is the sum
// of dy over that pixel's fh×fw block.
func upSampleBackward(g *Graph, n *node, dy *Var) {
	x := n.in[0]
	if g.wants(x) {
		g.accumulate(x, g.blockSum(dy, n.block))
	}
}

// blockSum sums dy (N, H·fh, W·fw, C) over blocks of size (fh, fw): (N, H, W, C).
func (g *Graph) blockSum(dy *Var, size [2]int) *Var {
	fh, fw := size[0], size[1]
	n, h, w, c := dy.Shape[0], dy.Shape[1]/fh, dy.Shape[2]/fw, dy.Shape[3]
	dx := g.newVar(n, h, w, c)
	if g.dev != nil {
		g.dev.BlockSum(dx.dev, g.ptr(dy), images(dx), fh, fw)
		if nd := g.record("BlockSum2D", dx, blockSumBackward, dy); nd != nil {
			nd.block = size
		}
		return dx
	}
	clear(dx.Data)
	o := 0
	for img := 0; img < n; img++ {
		for ih := 0; ih < h; ih++ {
			row := dx.Data[(img*h+ih)*w*c : (img*h+ih+1)*w*c]
			for a := 0; a < fh; a++ {
				for iw := 0; iw < w; iw++ {
					px := row[iw*c : (iw+1)*c]
					for b := 0; b < fw; b++ {
						for ch, v := range dy.Data[o : o+c] {
							px[ch] += v
						}
						o += c
					}
				}
			}
		}
	}
	if nd := g.record("BlockSum2D", dx, blockSumBackward, dy); nd != nil {
		nd.block = size
	}
	return dx
}

// blockSumBackward: blockSum is UpSample2D's adjoint, so d(dy) = UpSample2D(dz).
func blockSumBackward(g *Graph, n *node, dz *Var) {
	dy := n.in[0]
	if g.wants(dy) {
		g.accumulate(dy, g.UpSample2D(dz, n.block))
	}
}

// ZeroPad2D returns x (N, H, W, C) with rows of zeros added above and below
// (rows[0], rows[1]) and columns left and right (cols[0], cols[1]), as Keras's
// ZeroPadding2D(((top, bottom), (left, right))).
func (g *Graph) ZeroPad2D(x *Var, rows, cols [2]int) *Var {
	checkImages("ZeroPad2D", x)
	if rows[0] < 0 || rows[1] < 0 || cols[0] < 0 || cols[1] < 0 {
		panic(fmt.Sprintf("autograd: ZeroPad2D padding %v %v must not be negative", rows, cols))
	}
	return g.pad(x, rows[0], cols[0], x.Shape[1]+rows[0]+rows[1], x.Shape[2]+cols[0]+cols[1])
}

// Crop2D returns x (N, H, W, C) without rows[0] rows at the top, rows[1] at the
// bottom, cols[0] columns on the left and cols[1] on the right, as Keras's
// Cropping2D(((top, bottom), (left, right))).
func (g *Graph) Crop2D(x *Var, rows, cols [2]int) *Var {
	checkImages("Crop2D", x)
	h, w := x.Shape[1]-rows[0]-rows[1], x.Shape[2]-cols[0]-cols[1]
	if rows[0] < 0 || rows[1] < 0 || cols[0] < 0 || cols[1] < 0 || h <= 0 || w <= 0 {
		panic(fmt.Sprintf("autograd: Crop2D of %v by %v %v", x.Shape, rows, cols))
	}
	return g.crop(x, rows[0], cols[0], h, w)
}

// pad places x (N,H,W,C) at (top, left) inside zeros of (N, h, w, C).
func (g *Graph) pad(x *Var, top, left, h, w int) *Var {
	n, xh, xw, c := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	y := g.newVar(n, h, w, c)
	if g.dev != nil {
		g.dev.Place(y.dev, h, w, g.ptr(x), images(x), top, left, 0)
	} else {
		clear(y.Data)
		for img := 0; img < n; img++ {
			for ih := 0; ih < xh; ih++ {
				src := x.Data[(img*xh+ih)*xw*c : (img*xh+ih+1)*xw*c]
				dst := y.Data[((img*h+top+ih)*w+left)*c:]
				copy(dst[:len(src)], src)
			}
		}
	}
	if nd := g.record("ZeroPad2D", y, padBackward, x); nd != nil {
		nd.corner = [2]int{top, left}
	}
	return y
}

// padBackward: forward y[top+i, left+j] = x[i, j] and zeros elsewhere, so dx is
// dy cropped back to x's place.
func padBackward(g *Graph, n *node, dy *Var) {
	x := n.in[0]
	if g.wants(x) {
		g.accumulate(x, g.crop(dy, n.corner[0], n.corner[1], x.Shape[1], x.Shape[2]))
	}
}

// crop returns the (h, w) window of x (N,H,W,C) whose corner is at (top, left).
func (g *Graph) crop(x *Var, top, left, h, w int) *Var {
	n, xh, xw, c := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	y := g.newVar(n, h, w, c)
	if g.dev != nil {
		g.dev.Place(y.dev, h, w, g.ptr(x), images(x), -top, -left, 0)
	} else {
		for img := 0; img < n; img++ {
			for i := 0; i < h; i++ {
				src := x.Data[((img*xh+top+i)*xw+left)*c:]
				copy(y.Data[(img*h+i)*w*c:(img*h+i+1)*w*c], src[:w*c])
			}
		}
	}
	if nd := g.record("Crop2D", y, cropBackward, x); nd != nil {
		nd.corner = [2]int{top, left}
	}
	return y
}

// cropBackward: forward y[i, j] = x[top+i, left+j], so dx is dy padded with
// zeros back to x's shape.
func cropBackward(g *Graph, n *node, dy *Var) {
	x := n.in[0]
	if g.wants(x) {
		g.accumulate(x, g.pad(dy, n.corner[0], n.corner[1], x.Shape[1], x.Shape[2]))
	}
}
