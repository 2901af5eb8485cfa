package cuda

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The kernels of DiffAugment, upsampling, padding and pooling against plain
// loops, autograd's CPU loops written out, to the bit.

// imageShapes: one pixel, odd sides and channels, and a batch of 32×32 RGB.
var imageShapes = []Images{{1, 1, 1, 1}, {3, 5, 7, 3}, {2, 9, 4, 5}, {64, 32, 32, 3}}

// pixel is the index of (b, r, q, ch) in images of shape s.
func (s Images) pixel(b, r, q, ch int) int { return ((b*s.H+r)*s.W+q)*s.C + ch }

// randomInts returns n integers in [lo, hi] as floats.
func randomInts(rng *rand.Rand, n, lo, hi int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(lo + rng.IntN(hi-lo+1))
	}
	return v
}

func TestAddPerSample(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(21, 22))
	for _, s := range imageShapes {
		n, per := s.Len(), s.H*s.W*s.C
		x, b := randoms(rng, n), randoms(rng, s.N)
		y := upload(t, d, randoms(rng, n))
		d.AddPerSample(y, upload(t, d, x), upload(t, d, b), n, per)
		want := make([]float32, n)
		for i := range want {
			want[i] = x[i] + b[i/per]
		}
		checkClose(t, fmt.Sprintf("AddPerSample %+v", s), download(t, d, y, n), want, 0)
	}
}

func TestScaleAboutMean(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(23, 24))
	for _, s := range imageShapes {
		n, per := s.Len(), s.H*s.W*s.C
		for _, group := range []int{s.C, per} {
			x, f := randoms(rng, n), randoms(rng, s.N)
			y := upload(t, d, randoms(rng, n))
			means := upload(t, d, make([]float32, n/group))
			d.ScaleAboutMean(y, upload(t, d, x), upload(t, d, f), means, n, per, group)
			want := make([]float32, n)
			for lo := 0; lo < n; lo += group {
				var sum float32
				for _, v := range x[lo : lo+group] {
					sum += v
				}
				m := sum / float32(group)
				for j := lo; j < lo+group; j++ {
					want[j] = m + f[j/per]*(x[j]-m)
				}
			}
			checkClose(t, fmt.Sprintf("ScaleAboutMean %+v group %d", s, group), download(t, d, y, n), want, 0)
		}
	}
}

// placeLoop is Place's loop: y (N, yh, yw, C) from x, shifted by (top, left)
// and shift's per-image (row, column), zeros from outside x.
func placeLoop(y []float32, yh, yw int, x []float32, xs Images, top, left int, shift []float32) {
	ys := Images{xs.N, yh, yw, xs.C}
	for b := range xs.N {
		dr, dc := top, left
		if shift != nil {
			dr, dc = dr+int(shift[2*b]), dc+int(shift[2*b+1])
		}
		for r := range yh {
			for q := range yw {
				for ch := range xs.C {
					var v float32
					if sr, sq := r-dr, q-dc; sr >= 0 && sr < xs.H && sq >= 0 && sq < xs.W {
						v = x[xs.pixel(b, sr, sq, ch)]
					}
					y[ys.pixel(b, r, q, ch)] = v
				}
			}
		}
	}
}

func TestPlace(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(25, 26))
	for _, s := range imageShapes {
		x := randoms(rng, s.Len())
		px := upload(t, d, x)
		for _, c := range []struct {
			name      string
			yh, yw    int
			top, left int
			shift     []float32
		}{
			{"translate", s.H, s.W, 0, 0, randomInts(rng, 2*s.N, -s.H, s.H)},
			{"pad", s.H + 3, s.W + 2, 1, 2, nil},
			{"crop", max(s.H-2, 1), max(s.W-1, 1), -min(1, s.H-1), -min(1, s.W-1), nil},
			{"pad and translate", s.H + 1, s.W + 4, 1, 3, randomInts(rng, 2*s.N, -2, 2)},
		} {
			ny := s.N * c.yh * c.yw * s.C
			py := upload(t, d, randoms(rng, ny))
			var pshift Ptr
			if c.shift != nil {
				pshift = upload(t, d, c.shift)
			}
			d.Place(py, c.yh, c.yw, px, s, c.top, c.left, pshift)
			want := make([]float32, ny)
			placeLoop(want, c.yh, c.yw, x, s, c.top, c.left, c.shift)
			checkClose(t, fmt.Sprintf("Place %s %+v", c.name, s), download(t, d, py, ny), want, 0)
		}
	}
}

func TestCutout(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(27, 28))
	for _, s := range imageShapes {
		sh, sw := (s.H+1)/2, (s.W+1)/2
		x, corner := randoms(rng, s.Len()), make([]float32, 2*s.N)
		for b := range s.N {
			corner[2*b] = float32(rng.IntN(s.H+1) - sh/2)
			corner[2*b+1] = float32(rng.IntN(s.W+1) - sw/2)
		}
		y := upload(t, d, randoms(rng, s.Len()))
		d.Cutout(y, upload(t, d, x), upload(t, d, corner), s, sh, sw)
		want := append([]float32(nil), x...)
		for b := range s.N {
			r0, c0 := int(corner[2*b]), int(corner[2*b+1])
			for r := max(0, r0); r < min(s.H, r0+sh); r++ {
				for q := max(0, c0); q < min(s.W, c0+sw); q++ {
					for ch := range s.C {
						want[s.pixel(b, r, q, ch)] = 0
					}
				}
			}
		}
		checkClose(t, fmt.Sprintf("Cutout %+v", s), download(t, d, y, s.Len()), want, 0)
	}
}

func TestUpSampleBlockSum(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(29, 30))
	for _, s := range imageShapes {
		for _, f := range [][2]int{{1, 1}, {2, 2}, {3, 2}} {
			fh, fw := f[0], f[1]
			big := Images{s.N, s.H * fh, s.W * fw, s.C}
			x := randoms(rng, s.Len())
			py := upload(t, d, randoms(rng, big.Len()))
			d.UpSample(py, upload(t, d, x), s, fh, fw)
			up := make([]float32, big.Len())
			for b := range s.N {
				for r := range big.H {
					for q := range big.W {
						for ch := range s.C {
							up[big.pixel(b, r, q, ch)] = x[s.pixel(b, r/fh, q/fw, ch)]
						}
					}
				}
			}
			checkClose(t, fmt.Sprintf("UpSample %+v by %v", s, f), download(t, d, py, big.Len()), up, 0)

			dy := randoms(rng, big.Len())
			pdx := upload(t, d, randoms(rng, s.Len()))
			d.BlockSum(pdx, upload(t, d, dy), s, fh, fw)
			dx := make([]float32, s.Len())
			for b := range s.N { // autograd's blockSum: dy in order, each added to its block's pixel
				for r := range big.H {
					for q := range big.W {
						for ch := range s.C {
							dx[s.pixel(b, r/fh, q/fw, ch)] += dy[big.pixel(b, r, q, ch)]
						}
					}
				}
			}
			checkClose(t, fmt.Sprintf("BlockSum %+v over %v", s, f), download(t, d, pdx, s.Len()), dx, 0)
		}
	}
}

// poolShapes are convShapes (every window holds a pixel of the image) and a
// global pool.
func poolShapes() []ConvShape {
	return append(convShapes[:len(convShapes):len(convShapes)],
		ConvShape{N: 3, H: 5, W: 7, C: 6, KH: 5, KW: 7, SH: 5, SW: 7, OH: 1, OW: 1},
		ConvShape{N: 2, H: 6, W: 6, C: 2, KH: 3, KW: 3, SH: 2, SW: 2, OH: 2, OW: 2}) // Valid: the last row and column in no window
}

// poolWindow is the part of output (oh, ow)'s window inside the image.
func poolWindow(s ConvShape, oh, ow int) (hlo, hhi, wlo, whi int) {
	ih, iw := oh*s.SH-s.PadTop, ow*s.SW-s.PadLeft
	return max(ih, 0), min(ih+s.KH, s.H), max(iw, 0), min(iw+s.KW, s.W)
}

func TestAvgPool(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(31, 32))
	for _, s := range poolShapes() {
		xs, ys := Images{s.N, s.H, s.W, s.C}, Images{s.N, s.OH, s.OW, s.C}
		x, dy := randoms(rng, xs.Len()), randoms(rng, ys.Len())
		py, pdx := upload(t, d, randoms(rng, ys.Len())), upload(t, d, randoms(rng, xs.Len()))
		d.AvgPool(py, upload(t, d, x), s)
		d.AvgPoolGrad(pdx, upload(t, d, dy), s)
		y, dx := make([]float32, ys.Len()), make([]float32, xs.Len())
		for b := range s.N { // autograd's avgPool and avgPoolT
			for oh := range s.OH {
				for ow := range s.OW {
					hlo, hhi, wlo, whi := poolWindow(s, oh, ow)
					inv := 1 / float32((hhi-hlo)*(whi-wlo))
					for ch := range s.C {
						var sum float32
						for i := hlo; i < hhi; i++ {
							for j := wlo; j < whi; j++ {
								sum += x[xs.pixel(b, i, j, ch)]
								dx[xs.pixel(b, i, j, ch)] += dy[ys.pixel(b, oh, ow, ch)] * inv
							}
						}
						y[ys.pixel(b, oh, ow, ch)] = sum * inv
					}
				}
			}
		}
		checkClose(t, fmt.Sprintf("AvgPool %+v", s), download(t, d, py, ys.Len()), y, 0)
		checkClose(t, fmt.Sprintf("AvgPoolGrad %+v", s), download(t, d, pdx, xs.Len()), dx, 0)
	}
}

func TestMaxPool(t *testing.T) {
	d := openOrSkip(t)
	rng := rand.New(rand.NewPCG(33, 34))
	for _, s := range poolShapes() {
		for _, ties := range []bool{false, true} {
			xs, ys := Images{s.N, s.H, s.W, s.C}, Images{s.N, s.OH, s.OW, s.C}
			x, dy := randoms(rng, xs.Len()), randoms(rng, ys.Len())
			if ties { // a few values, so that windows hold equal maxima
				for i, v := range x {
					x[i] = float32(math.Round(float64(v)))
				}
			}
			py, parg := upload(t, d, randoms(rng, ys.Len())), upload(t, d, make([]float32, ys.Len()))
			pdx, pz := upload(t, d, randoms(rng, xs.Len())), upload(t, d, randoms(rng, ys.Len()))
			d.MaxPool(py, parg, upload(t, d, x), s)
			d.MaxPoolGrad(pdx, upload(t, d, dy), parg, s)
			d.GatherIndexed(pz, upload(t, d, x), parg, ys.Len())
			y, dx, z := make([]float32, ys.Len()), make([]float32, xs.Len()), make([]float32, ys.Len())
			arg := make([]int32, ys.Len())
			for b := range s.N { // autograd's MaxPool2D
				for oh := range s.OH {
					for ow := range s.OW {
						hlo, hhi, wlo, whi := poolWindow(s, oh, ow)
						for ch := range s.C {
							o, best := ys.pixel(b, oh, ow, ch), xs.pixel(b, hlo, wlo, ch)
							m := x[best]
							for i := hlo; i < hhi; i++ {
								for j := wlo; j < whi; j++ {
									if k := xs.pixel(b, i, j, ch); x[k] > m {
										m, best = x[k], k
									}
								}
							}
							y[o], arg[o] = m, int32(best)
						}
					}
				}
			}
			for o, k := range arg { // scatterIndexed and gatherIndexed
				dx[k] += dy[o]
				z[o] = x[k]
			}
			name := fmt.Sprintf("%+v ties=%v", s, ties)
			checkClose(t, "MaxPool "+name, download(t, d, py, ys.Len()), y, 0)
			got := download(t, d, parg, ys.Len())
			for o, k := range arg {
				if b := int32(math.Float32bits(got[o])); b != k {
					t.Fatalf("MaxPool %s: output %d's argmax is %d, want %d", name, o, b, k)
				}
			}
			checkClose(t, "MaxPoolGrad "+name, download(t, d, pdx, xs.Len()), dx, 0)
			checkClose(t, "GatherIndexed "+name, download(t, d, pz, ys.Len()), z, 0)
		}
	}
}
