package autograd

import "github.com/gogan/gogan/internal/cuda"

// The ops of Differentiable Augmentation (Zhao et al. 2020, "Differentiable
// Augmentation for Data-Efficient GAN Training"): transforms of images x
// (N, H, W, C), each with its own parameters per sample, that D's inputs pass
// through on their way in, real and generated alike, so that G's gradient flows
// back through them. The parameters are given, not drawn: the caller draws them
// (package gan, from the trainer's seeded generator). Every op is linear in x
// for fixed parameters, and its backward is the adjoint op applied to dy,
// itself recorded, so the ops can be differentiated again (WGAN-GP). On a
// device the parameters are copied into its memory for the kernels, which
// compute the CPU's values to the bit.

// AddPerSample returns x + b[n] for every value of sample n: x is (N, ...),
// b has N values (DiffAugment's brightness). b is copied.
func (g *Graph) AddPerSample(x *Var, b []float32) *Var {
	n := checkPerSample("AddPerSample", x, b)
	out := g.newVarLike(x)
	per := x.Len() / n
	if g.dev != nil {
		g.dev.AddPerSample(out.dev, g.ptr(x), g.devFloats(b), out.Len(), per)
	} else {
		for i, v := range b {
			row, src := out.Data[i*per:(i+1)*per], x.Data[i*per:(i+1)*per]
			for j, s := range src {
				row[j] = s + v
			}
		}
	}
	g.record("AddPerSample", out, addPerSampleBackward, x)
	return out
}

// addPerSampleBackward: forward y = x + b[n], so dx = dy.
func addPerSampleBackward(g *Graph, n *node, dy *Var) {
	if g.wants(n.in[0]) {
		g.accumulate(n.in[0], dy)
	}
}

// ScaleAboutMean returns, for every group of group consecutive values of
// sample n of x (N, ...), m + f[n]·(x − m), m the group's mean. The values of a
// sample must split into whole groups. With x (N, H, W, C), group C scales each
// pixel's colour about its gray (DiffAugment's saturation) and group H·W·C each
// image about its mean (contrast). f has N values and is copied.
func (g *Graph) ScaleAboutMean(x *Var, f []float32, group int) *Var {
	n := checkPerSample("ScaleAboutMean", x, f)
	per := x.Len() / n
	if group <= 0 || per%group != 0 {
		panic("autograd: ScaleAboutMean of " + x.Shape.String() + " in groups that do not split a sample")
	}
	out := g.newVarLike(x)
	if g.dev != nil {
		means := g.darena.alloc(x.Len() / group)
		g.dev.ScaleAboutMean(out.dev, g.ptr(x), g.devFloats(f), means, x.Len(), per, group)
	} else {
		scaleAboutMean(out.Data, x.Data, f, per, group)
	}
	if nd := g.record("ScaleAboutMean", out, scaleAboutMeanBackward, x); nd != nil {
		nd.perSample = g.keep(f)
		nd.group = group
	}
	return out
}

// scaleAboutMean is ScaleAboutMean's loop: dst = m + f[n]·(x − m), per group.
func scaleAboutMean(dst, x, f []float32, per, group int) {
	for i, fi := range f {
		for lo := i * per; lo < (i+1)*per; lo += group {
			var sum float32
			for _, v := range x[lo : lo+group] {
				sum += v
			}
			m := sum / float32(group)
			for j := lo; j < lo+group; j++ {
				dst[j] = m + fi*(x[j]-m)
			}
		}
	}
}

// scaleAboutMeanBackward: forward y = f·x + (1 − f)·M·x, M the group-averaging
// matrix, which is symmetric, so dx = f·dy + (1 − f)·M·dy: the same op on dy.
func scaleAboutMeanBackward(g *Graph, n *node, dy *Var) {
	if g.wants(n.in[0]) {
		g.accumulate(n.in[0], g.ScaleAboutMean(dy, n.perSample, n.group))
	}
}

// Translate shifts each image of x (N, H, W, C) by shift[2n] rows down and
// shift[2n+1] columns right, filling with zeros what comes from outside the
// image (DiffAugment's translation). shift has 2N values and is copied.
func (g *Graph) Translate(x *Var, shift []int) *Var {
	checkAugmented("Translate", x, len(shift))
	return g.translate(x, g.keepInts(shift))
}

// translate is Translate with the shifts in the graph's storage, as float32.
func (g *Graph) translate(x *Var, shift []float32) *Var {
	n, h, w, c := checkAugmented("Translate", x, len(shift))
	out := g.newVarLike(x)
	if g.dev != nil {
		g.dev.Place(out.dev, h, w, g.ptr(x), images(x), 0, 0, g.devFloats(shift))
		if nd := g.record("Translate", out, translateBackward, x); nd != nil {
			nd.offsets = shift
		}
		return out
	}
	clear(out.Data)
	for i := range n {
		dr, dc := int(shift[2*i]), int(shift[2*i+1])
		for r := max(0, dr); r < min(h, h+dr); r++ {
			c0, c1 := max(0, dc), min(w, w+dc)
			if c0 >= c1 {
				break
			}
			dst := out.Data[((i*h+r)*w+c0)*c : ((i*h+r)*w+c1)*c]
			copy(dst, x.Data[((i*h+r-dr)*w+c0-dc)*c:])
		}
	}
	if nd := g.record("Translate", out, translateBackward, x); nd != nil {
		nd.offsets = shift
	}
	return out
}

// translateBackward: forward y[r, c] = x[r − dr, c − dc] (0 outside), so
// dx[r, c] = dy[r + dr, c + dc] (0 outside): dy translated back.
func translateBackward(g *Graph, n *node, dy *Var) {
	if !g.wants(n.in[0]) {
		return
	}
	back := g.floats(len(n.offsets))
	for i, v := range n.offsets {
		back[i] = -v
	}
	g.accumulate(n.in[0], g.translate(dy, back))
}

// Cutout zeroes a size[0]×size[1] rectangle of each image of x (N, H, W, C),
// the one of image n with its top-left corner at row corner[2n], column
// corner[2n+1], clipped to the image (DiffAugment's cutout). corner has 2N
// values and is copied.
func (g *Graph) Cutout(x *Var, corner []int, size [2]int) *Var {
	checkAugmented("Cutout", x, len(corner))
	return g.cutout(x, g.keepInts(corner), size)
}

// cutout is Cutout with the corners in the graph's storage, as float32.
func (g *Graph) cutout(x *Var, corner []float32, size [2]int) *Var {
	n, h, w, c := checkAugmented("Cutout", x, len(corner))
	out := g.newVarLike(x)
	if g.dev != nil {
		g.dev.Cutout(out.dev, g.ptr(x), g.devFloats(corner), images(x), size[0], size[1])
	} else {
		copy(out.Data, x.Data)
		for i := range n {
			r0, c0 := int(corner[2*i]), int(corner[2*i+1])
			cl, ch := max(0, c0), min(w, c0+size[1])
			for r := max(0, r0); r < min(h, r0+size[0]) && cl < ch; r++ {
				clear(out.Data[((i*h+r)*w+cl)*c : ((i*h+r)*w+ch)*c])
			}
		}
	}
	if nd := g.record("Cutout", out, cutoutBackward, x); nd != nil {
		nd.offsets = corner
		nd.hole = size
	}
	return out
}

// cutoutBackward: forward y = mask·x, mask 0 in the rectangle and 1 elsewhere,
// so dx = mask·dy: the same op on dy.
func cutoutBackward(g *Graph, n *node, dy *Var) {
	if g.wants(n.in[0]) {
		g.accumulate(n.in[0], g.cutout(dy, n.offsets, n.hole))
	}
}

// checkPerSample checks that v holds one value per sample of x and returns N.
func checkPerSample(op string, x *Var, v []float32) int {
	if len(x.Shape) == 0 || x.Shape[0] == 0 || len(v) != x.Shape[0] {
		panic("autograd: " + op + " of " + x.Shape.String() + " needs one value per sample")
	}
	return x.Shape[0]
}

// checkAugmented checks that x is (N, H, W, C) and that pairs values are two per
// image, and returns the dimensions.
func checkAugmented(op string, x *Var, pairs int) (n, h, w, c int) {
	if len(x.Shape) != 4 || pairs != 2*x.Shape[0] {
		panic("autograd: " + op + " of " + x.Shape.String() + " needs images (N, H, W, C) and two values per image")
	}
	return x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
}

// devFloats copies v (host memory) into the graph's device memory, as Input
// does: a transform's parameters, drawn on the host as on the CPU, for its
// kernel. The driver stages v before the copy returns, so v may change after.
func (g *Graph) devFloats(v []float32) cuda.Ptr { return g.Input(v, false, len(v)).dev }

// images is x's shape (N, H, W, C) for the device's kernels.
func images(x *Var) cuda.Images {
	return cuda.Images{N: x.Shape[0], H: x.Shape[1], W: x.Shape[2], C: x.Shape[3]}
}

// keep copies v into the graph's storage, for a backward to read.
func (g *Graph) keep(v []float32) []float32 {
	out := g.floats(len(v))
	copy(out, v)
	return out
}

// keepInts copies v into the graph's storage as float32 (small integers,
// exact), where a backward reads it.
func (g *Graph) keepInts(v []int) []float32 {
	out := g.floats(len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}
