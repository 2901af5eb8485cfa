package cuda

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// convShapes: a 'same' 3×3, a strided 5×5 with uneven padding, the seed DCGAN's
// 5×5 stride-2 layer at batch 64, a 1×1, the DCGAN's first layer (one channel,
// padding 1 before and 2 after), its stride-1 transposed layer's window, and
// strides larger than the window. C a
// multiple of 4 takes the float4 kernels (TestIm2colCol2im also runs them off a
// 16-byte boundary, which takes the float ones).
var convShapes = []ConvShape{
	{N: 3, H: 28, W: 28, C: 1, KH: 5, KW: 5, SH: 2, SW: 2, PadTop: 1, PadLeft: 1, OH: 14, OW: 14},
	{N: 2, H: 7, W: 7, C: 8, KH: 5, KW: 5, SH: 1, SW: 1, PadTop: 2, PadLeft: 2, OH: 7, OW: 7},
	{N: 2, H: 9, W: 11, C: 4, KH: 2, KW: 3, SH: 3, SW: 4, OH: 3, OW: 3},  // strides past the window: taps miss some positions
	{N: 2, H: 10, W: 10, C: 3, KH: 3, KW: 3, SH: 4, SW: 4, OH: 2, OW: 2}, // the last rows and columns in no window
	{N: 2, H: 7, W: 5, C: 3, KH: 3, KW: 3, SH: 1, SW: 1, PadTop: 1, PadLeft: 1, OH: 7, OW: 5},
	{N: 3, H: 8, W: 9, C: 4, KH: 5, KW: 5, SH: 2, SW: 3, PadTop: 1, PadLeft: 2, OH: 4, OW: 3},
	{N: 64, H: 14, W: 14, C: 64, KH: 5, KW: 5, SH: 2, SW: 2, PadTop: 1, PadLeft: 1, OH: 7, OW: 7},
	{N: 5, H: 3, W: 4, C: 7, KH: 1, KW: 1, SH: 1, SW: 1, OH: 3, OW: 4},
}

// im2colLoop is the plain loop of Im2col.
func im2colLoop(col, x []float32, s ConvShape) {
	k := s.KH * s.KW * s.C
	for n := range s.N {
		for oh := range s.OH {
			for ow := range s.OW {
				t := (n*s.OH+oh)*s.OW + ow
				for i := range s.KH {
					for j := range s.KW {
						for c := range s.C {
							y, xx := oh*s.SH-s.PadTop+i, ow*s.SW-s.PadLeft+j
							var v float32
							if y >= 0 && y < s.H && xx >= 0 && xx < s.W {
								v = x[((n*s.H+y)*s.W+xx)*s.C+c]
							}
							col[t*k+(i*s.KW+j)*s.C+c] = v
						}
					}
				}
			}
		}
	}
}

// col2imLoop is the plain loop of Col2im (accumulating): positions in order.
func col2imLoop(dx, col []float32, s ConvShape) {
	k := s.KH * s.KW * s.C
	for n := range s.N {
		for oh := range s.OH {
			for ow := range s.OW {
				t := (n*s.OH+oh)*s.OW + ow
				for i := range s.KH {
					for j := range s.KW {
						y, xx := oh*s.SH-s.PadTop+i, ow*s.SW-s.PadLeft+j
						if y < 0 || y >= s.H || xx < 0 || xx >= s.W {
							continue
						}
						for c := range s.C {
							dx[((n*s.H+y)*s.W+xx)*s.C+c] += col[t*k+(i*s.KW+j)*s.C+c]
						}
					}
				}
			}
		}
	}
}

func TestIm2colCol2im(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(15, 16))
	for _, c := range convCases() {
		s := c.shape
		nx, ncol := s.N*s.H*s.W*s.C, s.N*s.OH*s.OW*s.KH*s.KW*s.C
		x := randoms(rng, nx)
		px, pcol := upload(t, d, append(make([]float32, c.offset), x...))+Ptr(4*c.offset), upload(t, d, randoms(rng, ncol))
		d.Im2col(pcol, px, s)
		col := make([]float32, ncol)
		im2colLoop(col, x, s)
		checkClose(t, fmt.Sprintf("Im2col %+v offset %d", s, c.offset), download(t, d, pcol, ncol), col, 0)
		for _, on := range []bool{false, true} {
			dx := randoms(rng, nx)
			pdx := upload(t, d, append(make([]float32, c.offset), dx...)) + Ptr(4*c.offset)
			d.Col2im(pdx, pcol, s, on)
			if !on {
				clear(dx)
			}
			col2imLoop(dx, col, s)
			checkClose(t, fmt.Sprintf("Col2im acc=%v %+v offset %d", on, s, c.offset), download(t, d, pdx, nx), dx, 0)
		}
	}
}

// convCase is a shape, its buffers offset floats past an allocation's start.
type convCase struct {
	shape  ConvShape
	offset int
}

// convCases is convShapes at offset 0, and again 1 float off for those with
// float4 kernels.
func convCases() []convCase {
	var cases []convCase
	for _, s := range convShapes {
		cases = append(cases, convCase{s, 0})
		if s.C%4 == 0 {
			cases = append(cases, convCase{s, 1})
		}
	}
	return cases
}

func TestCopyColumns(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(17, 18))
	const rows, srcStride, dstStride, srcCol, dstCol, cols = 64, 100, 300, 7, 150, 93
	src := randoms(rng, rows*srcStride)
	psrc := upload(t, d, src)
	for _, on := range []bool{false, true} {
		dst := randoms(rng, rows*dstStride)
		pdst := upload(t, d, dst)
		d.CopyColumns(pdst, dstStride, dstCol, psrc, srcStride, srcCol, rows, cols, on)
		for r := range rows {
			for j := range cols {
				dst[r*dstStride+dstCol+j] = acc(on, dst[r*dstStride+dstCol+j], src[r*srcStride+srcCol+j])
			}
		}
		checkClose(t, fmt.Sprint("CopyColumns acc=", on), download(t, d, pdst, rows*dstStride), dst, 0)
	}
}

func TestConvShapeChecks(t *testing.T) {
	d := &Device{}
	for name, call := range map[string]func(){
		"Im2col stride 0":     func() { d.Im2col(0, 0, ConvShape{N: 1, H: 1, W: 1, C: 1, KH: 1, KW: 1, OH: 1, OW: 1}) },
		"Col2im negative":     func() { d.Col2im(0, 0, ConvShape{N: -1, SH: 1, SW: 1}, false) },
		"CopyColumns outside": func() { d.CopyColumns(0, 10, 5, 0, 10, 0, 2, 6, false) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			call()
		}()
	}
}
