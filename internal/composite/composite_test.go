package composite

import (
	"image"
	"image/color"
	"math/rand/v2"
	"testing"
)

var (
	white = color.RGBA{255, 255, 255, 255}
	black = color.RGBA{0, 0, 0, 255}
	green = color.RGBA{10, 200, 30, 255}
)

// Onto's pixels, worked out by hand: over = c + bg·(1 − α), c premultiplied.
// Half-transparent red, α = 128/255, is c = (128, 0, 0) premultiplied; over
// white that is 128 + 255·127/255 = 255 for red and 127 for green and blue.
func TestOntoPixels(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    color.Color
		bg   color.RGBA
		want color.RGBA
	}{
		{"transparent over white", color.NRGBA{0, 255, 0, 0}, white, white},
		{"transparent over black", color.NRGBA{0, 255, 0, 0}, black, black},
		{"transparent over green", color.Transparent, green, green},
		{"half red over white", color.NRGBA{255, 0, 0, 128}, white, color.RGBA{255, 127, 127, 255}},
		{"half red over black", color.NRGBA{255, 0, 0, 128}, black, color.RGBA{128, 0, 0, 255}},
		// The same color given premultiplied: not multiplied by α a second time.
		{"premultiplied half red over white", color.RGBA{128, 0, 0, 128}, white, color.RGBA{255, 127, 127, 255}},
		{"premultiplied half red over black", color.RGBA{128, 0, 0, 128}, black, color.RGBA{128, 0, 0, 255}},
		{"16-bit premultiplied half red over white", color.RGBA64{0x8080, 0, 0, 0x8080}, white, color.RGBA{255, 127, 127, 255}},
		{"opaque over green", color.NRGBA{30, 60, 90, 255}, green, color.RGBA{30, 60, 90, 255}},
	} {
		for _, img := range images(tc.c) {
			got := Onto(img, img.Bounds(), tc.bg)
			for y := 0; y < 2; y++ {
				for x := 0; x < 3; x++ {
					if c := got.RGBAAt(x, y); c != tc.want {
						t.Fatalf("%s (%T): pixel (%d, %d) is %v, want %v", tc.name, img, x, y, c, tc.want)
					}
				}
			}
		}
	}
}

// images are 3×2 images of the color c in the models that hold it: as
// decoded from PNG (NRGBA, RGBA, their 16-bit forms) and GIF (paletted).
func images(c color.Color) []image.Image {
	r := image.Rect(0, 0, 3, 2)
	out := []image.Image{image.NewNRGBA(r), image.NewRGBA(r), image.NewNRGBA64(r), image.NewRGBA64(r), image.NewPaletted(r, color.Palette{c})}
	for _, img := range out[:4] {
		for y := 0; y < 2; y++ {
			for x := 0; x < 3; x++ {
				img.(settable).Set(x, y, c)
			}
		}
	}
	return out
}

// settable is an image whose pixels can be set.
type settable interface{ Set(x, y int, c color.Color) }

// Onto agrees with "over" computed in float64 from each pixel's premultiplied
// color (to 1 of 255 for the rounding), takes the rectangle asked for, and
// copies an opaque image as it is.
func TestOntoMatchesOver(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	img := image.NewNRGBA(image.Rect(-2, 3, 15, 14))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.IntN(256))
	}
	r := image.Rect(1, 5, 12, 13)
	for _, bg := range []color.RGBA{white, black, green} {
		got := Onto(img, r, bg)
		if got.Bounds() != r {
			t.Fatalf("bounds %v, want %v", got.Bounds(), r)
		}
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				cr, cg, cb, ca := img.At(x, y).RGBA()
				g := got.RGBAAt(x, y)
				a := float64(ca) / 0xffff
				for i, pair := range [3][3]float64{{float64(cr), float64(bg.R), float64(g.R)}, {float64(cg), float64(bg.G), float64(g.G)}, {float64(cb), float64(bg.B), float64(g.B)}} {
					want := pair[0]/0x101 + pair[1]*(1-a)
					if d := pair[2] - want; d > 1 || d < -1 || g.A != 255 {
						t.Fatalf("bg %v: pixel (%d, %d) channel %d is %v, want %.2f and opaque", bg, x, y, i, g, want)
					}
				}
			}
		}
	}
	gray := image.NewGray(image.Rect(0, 0, 4, 4))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(17 * i)
	}
	got := Onto(gray, image.Rect(1, 1, 3, 4), green)
	for y := 1; y < 4; y++ {
		for x := 1; x < 3; x++ {
			if v := gray.GrayAt(x, y).Y; got.RGBAAt(x, y) != (color.RGBA{v, v, v, 255}) {
				t.Fatalf("opaque gray: pixel (%d, %d) is %v, want gray %d", x, y, got.RGBAAt(x, y), v)
			}
		}
	}
}
