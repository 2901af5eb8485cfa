package data

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gogan/gogan/internal/composite"
	xdraw "golang.org/x/image/draw"
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

// compositeFirst is decodeImage by the path of a transparent image, the oracle of
// TestDecodeImageOpaqueScaledAsDecoded: the center square composited onto spec.bg as
// RGBA, then scaled.
func compositeFirst(dst []uint8, img image.Image, spec decodeSpec) {
	b := img.Bounds()
	s := min(b.Dx(), b.Dy())
	sr := image.Rect(0, 0, s, s).Add(b.Min).Add(image.Pt((b.Dx()-s)/2, (b.Dy()-s)/2))
	square := composite.Onto(img, sr, spec.bg)
	out := image.NewRGBA(image.Rect(0, 0, spec.size, spec.size))
	xdraw.CatmullRom.Scale(out, out.Bounds(), square, square.Bounds(), xdraw.Src, nil)
	storePixels(dst, out.Pix, spec.rgb)
}

// TestDecodeImageOpaqueScaledAsDecoded: decodeImage scales an opaque image (of the types
// the decoders return) from its own pixels, with no RGBA copy of it: less than a quarter
// of such a copy is allocated (x/image/draw's buffer of 32 bytes per output column and
// source row, and its weights: 641 KB here, against 4 MB), and the bytes are those of
// compositing it first, but within 1 for YCbCr (a JPEG's), which the scaler converts to
// RGB in 16 bits where the RGBA copy rounded it to 8; a lossy WebP's (a vp8Image) is read
// in 8 bits either way. A transparent image, composited first, is unchanged.
func TestDecodeImageOpaqueScaledAsDecoded(t *testing.T) {
	const side, size = 1024, 16
	rect := image.Rect(0, 0, side+6, side) // not square: the center is cropped
	rng := rand.New(rand.NewPCG(3, 4))
	fill := func(pix []uint8) {
		for i := range pix {
			pix[i] = uint8(rng.IntN(256))
		}
	}
	rgba, gray, ycc := image.NewRGBA(rect), image.NewGray(rect), image.NewYCbCr(rect, image.YCbCrSubsampleRatio420)
	fill(rgba.Pix)
	for i := 3; i < len(rgba.Pix); i += 4 {
		rgba.Pix[i] = 255
	}
	fill(gray.Pix)
	fill(ycc.Y)
	fill(ycc.Cb)
	fill(ycc.Cr)
	translucent := image.NewNRGBA(rect)
	fill(translucent.Pix)
	for _, tc := range []struct {
		img     image.Image
		opaque  bool
		maxDiff int
	}{{rgba, true, 0}, {gray, true, 0}, {ycc, true, 1}, {vp8Image{ycc: ycc}, true, 0}, {translucent, false, 0}} {
		spec := decodeSpec{size: size, rgb: true, bg: color.RGBA{10, 20, 30, 255}}
		got, want := make([]uint8, spec.bytesPerImage()), make([]uint8, spec.bytesPerImage())
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		decodeImage(got, tc.img, spec)
		runtime.ReadMemStats(&after)
		compositeFirst(want, tc.img, spec)
		if kb, copyKB := (after.TotalAlloc-before.TotalAlloc)>>10, uint64(4*side*side)>>10; tc.opaque && kb > copyKB/4 {
			t.Errorf("%T: decodeImage allocated %d KB, an RGBA copy is %d KB", tc.img, kb, copyKB)
		}
		for i := range got {
			if d := int(got[i]) - int(want[i]); d > tc.maxDiff || -d > tc.maxDiff {
				t.Fatalf("%T: byte %d is %d, want %d (within %d)", tc.img, i, got[i], want[i], tc.maxDiff)
			}
		}
	}
}

// TestProbeUnreadableReason checks the reasons probe gives for files it cannot
// read: bytes of no format say so in words, not as Go's "image: unknown
// format"; a format's own decoder error, which says what is wrong, is kept.
func TestProbeUnreadableReason(t *testing.T) {
	const head = "not a readable PNG, JPEG, GIF, BMP, WebP or TIFF image: "
	for _, tc := range []struct {
		name, content, want string
	}{
		{"junk.png", "junk", head + "its first bytes match none of them"},
		{"bad-header.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDX" + strings.Repeat("\x00", 13+4), head + "png: invalid format: "},
	} {
		path := filepath.Join(t.TempDir(), tc.name)
		mustWrite(t, path, []byte(tc.content))
		_, err := probe(path)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "unknown format") {
			t.Errorf("%s: probe: %v, want %q…", tc.name, err, tc.want)
		}
	}
}
