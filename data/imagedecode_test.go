package data

import (
	"image"
	"image/color"
	"math"
	"testing"
)

// decodeGray runs decodeImage on img to a size×size gray image and returns its pixels.
func decodeGray(img image.Image, size int) []uint8 {
	dst := make([]uint8, size*size)
	decodeImage(dst, img, decodeSpec{size: size, bg: color.RGBA{255, 255, 255, 255}})
	return dst
}

func TestResizeKeepsConstantColor(t *testing.T) {
	c := color.RGBA{201, 37, 90, 255}
	for _, sz := range [][3]int{{37, 23, 16}, {23, 37, 64}, {100, 100, 7}, {5, 9, 5}, {300, 200, 32}} {
		img := uniform("rgba", sz[0], sz[1], c)
		dst := make([]uint8, sz[2]*sz[2]*3)
		if decodeImage(dst, img, decodeSpec{size: sz[2], rgb: true}) != true {
			t.Fatalf("%dx%d to %d: not reported as color", sz[0], sz[1], sz[2])
		}
		for p := 0; p < len(dst); p += 3 {
			if got := [3]uint8(dst[p:]); got != [3]uint8{c.R, c.G, c.B} {
				t.Fatalf("%dx%d to %d: pixel %d is %v, want %v", sz[0], sz[1], sz[2], p/3, got, c)
			}
		}
	}
}

// TestResizeGradientHalved checks the filter against a hand computation: a linear ramp
// v(x) = 40 + 2x, halved, has at output column i the mean of source columns 2i and 2i+1,
// 40 + 2(2i + 0.5) = 41 + 4i, since a symmetric, normalised filter reproduces a linear
// function exactly. Near the edges the filter is clipped, so only the interior is checked.
func TestResizeGradientHalved(t *testing.T) {
	const w = 64
	horiz := image.NewGray(image.Rect(0, 0, w, w))
	vert := image.NewGray(image.Rect(0, 0, w, w))
	for y := range w {
		for x := range w {
			horiz.Pix[y*w+x] = uint8(40 + 2*x)
			vert.Pix[y*w+x] = uint8(40 + 2*y)
		}
	}
	h, v := decodeGray(horiz, w/2), decodeGray(vert, w/2)
	for y := range w / 2 {
		for x := range w / 2 {
			if x >= 2 && x < w/2-2 {
				if got, want := h[y*w/2+x], 41+4*x; math.Abs(float64(got)-float64(want)) > 1 {
					t.Fatalf("horizontal ramp: (%d, %d) = %d, want %d ± 1", x, y, got, want)
				}
			}
			if y >= 2 && y < w/2-2 {
				if got, want := v[y*w/2+x], 41+4*y; math.Abs(float64(got)-float64(want)) > 1 {
					t.Fatalf("vertical ramp: (%d, %d) = %d, want %d ± 1", x, y, got, want)
				}
			}
		}
	}
}

// TestResizeCropsTheCenter checks that the shorter side is scaled and the center kept: an
// image of three bands, the middle one the center square, keeps only the middle band.
func TestResizeCropsTheCenter(t *testing.T) {
	for _, wide := range []bool{true, false} {
		w, h := 128, 64
		if !wide {
			w, h = h, w
		}
		img := image.NewRGBA(image.Rect(10, 20, 10+w, 20+h)) // bounds not at the origin
		for y := range h {
			for x := range w {
				along := x
				if !wide {
					along = y
				}
				c := color.RGBA{0, 200, 0, 255} // the middle band
				if along < 32 {
					c = color.RGBA{255, 0, 0, 255}
				} else if along >= 96 {
					c = color.RGBA{0, 0, 255, 255}
				}
				img.SetRGBA(10+x, 20+y, c)
			}
		}
		dst := make([]uint8, 24*24*3)
		decodeImage(dst, img, decodeSpec{size: 24, rgb: true})
		for p := 0; p < len(dst); p += 3 {
			if got := [3]uint8(dst[p:]); got != [3]uint8{0, 200, 0} {
				t.Fatalf("wide %v: pixel %d is %v, want the middle band's (0, 200, 0)", wide, p/3, got)
			}
		}
	}
}

// TestResizeUpscale checks that enlarging a 2×2 checker keeps each quadrant on its side of
// the middle gray and is symmetric. (Catmull-Rom overshoots near sharp edges: the bright
// corners come out brighter than 200, clamped at 255.)
func TestResizeUpscale(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 2, 2))
	copy(img.Pix, []uint8{0, 200, 200, 0})
	got := decodeGray(img, 8)
	for y := range 8 {
		for x := range 8 {
			if bright := (x < 4) != (y < 4); bright != (got[y*8+x] > 100) {
				t.Fatalf("upscaled checker: (%d, %d) = %d, want %s than 100", x, y, got[y*8+x], map[bool]string{true: "more", false: "less"}[bright])
			}
			if got[y*8+x] != got[x*8+y] || got[y*8+x] != got[(7-y)*8+7-x] {
				t.Fatalf("upscaled checker not symmetric at (%d, %d)", x, y)
			}
		}
	}
}

// TestLuma checks the gray conversion against the BT.601 weights in float64.
func TestLuma(t *testing.T) {
	for _, c := range [][3]uint8{{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {12, 200, 99}, {255, 255, 255}, {77, 77, 77}} {
		want := math.Round(0.299*float64(c[0]) + 0.587*float64(c[1]) + 0.114*float64(c[2]))
		if got := luma(c[0], c[1], c[2]); float64(got) != want {
			t.Errorf("luma%v = %d, want %v", c, got, want)
		}
	}
	rgb := []uint8{255, 0, 0, 7, 7, 7}
	if got := rgbToGray(rgb); len(got) != 2 || got[0] != 76 || got[1] != 7 {
		t.Fatalf("rgbToGray = %v, want [76 7]", got)
	}
}
