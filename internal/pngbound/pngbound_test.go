package pngbound

import (
	"bytes"
	"compress/zlib"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// TestFlattestPNGsWithinBound: PNGs of one flat color, compressed by zlib at its best
// (the flattest a real encoder makes), hold fewer pixels a byte than the bound, for every
// color model image/png reports, and their headers report a model whose ModelBits is no
// more than their bits a pixel.
func TestFlattestPNGsWithinBound(t *testing.T) {
	const side = 2048
	for _, c := range []struct {
		name string
		img  image.Image
		bits int64
	}{
		{"gray", image.NewGray(image.Rect(0, 0, side, side)), 8},
		{"gray16", image.NewGray16(image.Rect(0, 0, side, side)), 16},
		{"rgba", opaque(image.NewRGBA(image.Rect(0, 0, side, side))), 24},
		{"nrgba", image.NewNRGBA(image.Rect(0, 0, side, side)), 32},
		{"rgba64", opaque(image.NewRGBA64(image.Rect(0, 0, side, side))), 48},
		{"nrgba64", image.NewNRGBA64(image.Rect(0, 0, side, side)), 64},
		{"paletted", image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.Black, color.White}), 1},
	} {
		var buf bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		if err := enc.Encode(&buf, c.img); err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		bits := ModelBits(cfg.ColorModel)
		if bits > c.bits {
			t.Errorf("%s: ModelBits %d, more than its %d bits a pixel", c.name, bits, c.bits)
		}
		if most := PerByte(bits) * int64(buf.Len()); side*side > most {
			t.Errorf("%s: %d pixels in %d bytes, over the bound's %d", c.name, side*side, buf.Len(), most)
		}
	}
}

// TestOneBitFlatNearBound: the flattest 1-bit PNG zlib makes comes within 5% of the bound,
// which is thus no looser than it must be.
func TestOneBitFlatNearBound(t *testing.T) {
	const w, h = 4096, 4096
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zw.Write(make([]byte, h*(1+w/8)))
	zw.Close()
	if ratio := float64(w*h) / float64(z.Len()); ratio > float64(PerByte(1)) || ratio < 0.95*float64(PerByte(1)) {
		t.Errorf("flat 1-bit rows: %.0f pixels a byte of Deflate, bound %d", ratio, PerByte(1))
	}
}

// opaque fills an RGBA image with an opaque color, so that image/png writes it as RGB.
func opaque[T interface {
	image.Image
	Set(x, y int, c color.Color)
}](img T) T {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			img.Set(x, y, color.Black)
		}
	}
	return img
}
