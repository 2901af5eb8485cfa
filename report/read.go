package report

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
)

// ReadPNGs reads every *.png file in dir (sorted by name, case-insensitive extension, dot
// files skipped) into images of shape (n, height, width, channels) with values in [-1, 1].
// channels is 1 (color files are converted to luminance) or 3 (grayscale files are
// replicated to RGB). Transparent pixels are composed over black. All files must have one
// size, else the error names the first file that differs and both sizes; a folder with
// no PNG is an error, and so is a .png file that does not decode.
func ReadPNGs(dir string, channels int) (images []float32, n, height, width int, err error) {
	if channels != 1 && channels != 3 {
		return nil, 0, 0, 0, fmt.Errorf("report: read PNGs from %s: channels must be 1 or 3, got %d", dir, channels)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, 0, 0, 0, fmt.Errorf("report: read PNGs: %w", err)
	}
	var names []string
	for _, e := range entries {
		name := e.Name()
		if e.Type().IsRegular() && !strings.HasPrefix(name, ".") && strings.EqualFold(filepath.Ext(name), ".png") {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil, 0, 0, 0, fmt.Errorf("report: read PNGs: no .png files in %s", dir)
	}

	var first string
	for i, name := range names {
		path := filepath.Join(dir, name)
		img, err := decodePNG(path)
		if err != nil {
			return nil, 0, 0, 0, err
		}
		b := img.Bounds()
		if i == 0 {
			first, height, width = path, b.Dy(), b.Dx()
			images = make([]float32, 0, len(names)*height*width*channels)
		} else if b.Dy() != height || b.Dx() != width {
			return nil, 0, 0, 0, fmt.Errorf("report: read PNGs: %s is %dx%d pixels but %s is %dx%d; all must share one size",
				path, b.Dx(), b.Dy(), first, width, height)
		}
		images = appendImage(images, img, channels)
	}
	return images, len(names), height, width, nil
}

func decodePNG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("report: read PNG: %w", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("report: read PNG %s: %w", path, err)
	}
	return img, nil
}

// fromByte maps a byte p to p/127.5 - 1, the inverse of toByte.
func fromByte(p uint8) float32 { return float32(p)/127.5 - 1 }

// appendImage appends img as (height, width, channels) values in [-1, 1] to dst.
func appendImage(dst []float32, img image.Image, channels int) []float32 {
	b := img.Bounds()
	// Fast paths for what the PNG decoder returns for opaque 8-bit files, WritePNGs' output included.
	switch m := img.(type) {
	case *image.Gray:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, y):][:b.Dx()]
			for _, p := range row {
				v := fromByte(p)
				for range channels {
					dst = append(dst, v)
				}
			}
		}
		return dst
	case *image.RGBA:
		if channels == 3 {
			for y := b.Min.Y; y < b.Max.Y; y++ {
				row := m.Pix[m.PixOffset(b.Min.X, y):][:4*b.Dx()]
				for x := 0; x < len(row); x += 4 {
					dst = append(dst, fromByte(row[x]), fromByte(row[x+1]), fromByte(row[x+2]))
				}
			}
			return dst
		}
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := img.At(x, y)
			if channels == 1 {
				dst = append(dst, fromByte(grayAt(c)))
				continue
			}
			r, g, bl, _ := c.RGBA() // alpha-premultiplied, so transparent is over black
			dst = append(dst, fromByte(uint8(r>>8)), fromByte(uint8(g>>8)), fromByte(uint8(bl>>8)))
		}
	}
	return dst
}

// grayAt is the luminance of c as color.GrayModel computes it (ITU-R 601 weights).
func grayAt(c color.Color) uint8 { return color.GrayModel.Convert(c).(color.Gray).Y }
