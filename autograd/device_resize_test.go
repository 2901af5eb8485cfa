package autograd_test

import "github.com/gogan/gogan/autograd"

// The cases of TestDeviceMatchesCPU for DiffAugment's transforms, upsampling,
// padding, cropping and pooling: odd sizes, strides, Same and Valid padding,
// and the gradient penalty through the transforms (their backward
// differentiated again). Their kernels compute the CPU's values to the bit.
func init() {
	deviceCases = append(deviceCases, resizeDeviceCases...)
}

var resizeDeviceCases = []deviceCase{
	{"AddPerSample ScaleAboutMean", [][]int{{5, 7, 6, 3}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		x := g.AddPerSample(p[0], []float32{0.3, -0.5, 0.1, 0.45, -0.2})
		x = g.ScaleAboutMean(x, []float32{0.2, 1.9, 1, 0, 1.3}, 3)
		return g.ScaleAboutMean(x, []float32{0.5, 1.4, 0.8, 1.2, 1.05}, 7*6*3)
	}, 1e-6},
	{"Translate Cutout", [][]int{{5, 9, 7, 3}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		x := g.Translate(p[0], []int{1, -1, 0, 0, -3, 2, 9, 0, -1, -7})
		return g.Cutout(x, []int{-2, -2, 0, 3, 5, 4, 8, -1, 2, 2}, [2]int{5, 4})
	}, 1e-6},
	{"UpSample2D", [][]int{{3, 5, 7, 2}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.UpSample2D(p[0], [2]int{2, 3})
	}, 1e-6},
	{"ZeroPad2D Crop2D", [][]int{{3, 5, 7, 2}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		x := g.ZeroPad2D(p[0], [2]int{1, 2}, [2]int{3, 0})
		return g.Crop2D(x, [2]int{2, 0}, [2]int{1, 1})
	}, 1e-6},
	{"AvgPool2D same s2", [][]int{{3, 9, 7, 4}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.AvgPool2D(p[0], [2]int{3, 3}, [2]int{2, 2}, autograd.Same)
	}, 1e-6},
	{"AvgPool2D valid 2x2", [][]int{{2, 8, 9, 3}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.AvgPool2D(p[0], [2]int{2, 2}, [2]int{2, 2}, autograd.Valid)
	}, 1e-6},
	{"AvgPool2D global sum", [][]int{{4, 5, 7, 6}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.Scale(g.AvgPool2D(p[0], [2]int{5, 7}, [2]int{5, 7}, autograd.Valid), 35)
	}, 1e-6},
	{"MaxPool2D same s2", [][]int{{3, 9, 7, 4}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.MaxPool2D(p[0], [2]int{3, 3}, [2]int{2, 2}, autograd.Same)
	}, 1e-6},
	{"MaxPool2D valid s1", [][]int{{2, 6, 5, 3}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.MaxPool2D(p[0], [2]int{2, 2}, [2]int{1, 1}, autograd.Valid)
	}, 1e-6},
	{"resizing and pooling second order", [][]int{{2, 3, 3, 2}, {2 * 6 * 6 * 2, 1}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		x := g.Input(randomInput(2*3*3*2, 41), true, 2, 3, 3, 2)
		h := g.Mul(g.UpSample2D(x, [2]int{2, 2}), g.UpSample2D(p[0], [2]int{2, 2}))
		h = g.AvgPool2D(g.Mul(h, h), [2]int{2, 2}, [2]int{1, 1}, autograd.Same)
		h = g.MaxPool2D(g.Mul(h, h), [2]int{2, 2}, [2]int{1, 1}, autograd.Same)
		h = g.Crop2D(g.ZeroPad2D(h, [2]int{1, 0}, [2]int{0, 1}), [2]int{0, 1}, [2]int{1, 0})
		y := g.MatMul(g.Reshape(h, 1, 2*6*6*2), p[1], false, false)
		return gradientPenalty(g, y, x)
	}, 1e-5},
	{"DiffAugment gradient penalty", [][]int{{4 * 5 * 3, 6}, {6}, {6, 1}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		x := g.Input(randomInput(3*4*5*3, 43), true, 3, 4, 5, 3)
		a := g.AddPerSample(x, []float32{0.2, -0.4, 0.1})
		a = g.ScaleAboutMean(a, []float32{1.5, 0.3, 1}, 3)
		a = g.ScaleAboutMean(a, []float32{0.7, 1.2, 1.4}, 4*5*3)
		a = g.Translate(a, []int{1, 0, -1, 2, 0, -1})
		a = g.Cutout(a, []int{-1, 0, 2, 3, 1, 1}, [2]int{2, 3})
		h := g.BiasLeakyReLU(g.MatMul(g.Reshape(a, 3, 4*5*3), p[0], false, false), p[1], 0.2)
		return gradientPenalty(g, g.MatMul(h, p[2], false, false), x)
	}, 1e-5},
}
