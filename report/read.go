package report

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gogan/gogan/internal/composite"
	"github.com/gogan/gogan/internal/pngbound"
)

// Limits of ReadPNGs, checked on each file's header (image.DecodeConfig) before
// anything is decoded or allocated, so that a small file claiming a huge size (a
// "decompression bomb") is refused with an error naming it. A header is also refused when
// it announces more pixels than the file's bytes can hold (internal/pngbound).
const (
	// MaxImageSide is the most pixels an image may have on a side.
	MaxImageSide = 8192
	// MaxImagePixels is the most pixels one image may have (4096×4096): decoding a
	// 16-bit RGBA image of this size takes 128 MiB.
	MaxImagePixels = 1 << 24
	// MaxReadValues is the most float32 values ReadPNGs returns, all images together
	// (1 GiB).
	MaxReadValues = 1 << 28
)

// ReadPNGs reads every *.png file in dir (sorted by name, case-insensitive extension, dot
// files skipped) into images of shape (n, height, width, channels) with values in [-1, 1].
// channels is 1 (color files are converted to luminance) or 3 (grayscale files are
// replicated to RGB). Transparent pixels are composed over black. All files must have one
// size, else the error names the first file that differs and both sizes; a folder with
// no PNG is an error, and so is a .png file that does not decode.
//
// Every file's header is read first: an image over MaxImageSide or MaxImagePixels, or a
// folder whose images together exceed MaxReadValues, is refused before any decoding.
func ReadPNGs(dir string, channels int) (images []float32, n, height, width int, err error) {
	return ReadPNGsOnto(dir, channels, color.Black)
}

// ReadPNGsOnto is ReadPNGs with transparent pixels composed over background (as
// data.LoadImageFolder composes a training folder's, white unless asked otherwise).
func ReadPNGsOnto(dir string, channels int, background color.Color) (images []float32, n, height, width int, err error) {
	if channels != 1 && channels != 3 {
		return nil, 0, 0, 0, fmt.Errorf("report: read PNGs from %s: channels must be 1 or 3, got %d", dir, channels)
	}
	paths, err := pngFiles(dir)
	if err != nil {
		return nil, 0, 0, 0, err
	}
	if height, width, err = commonSize(paths); err != nil {
		return nil, 0, 0, 0, err
	}
	n = len(paths)
	if total := int64(n) * int64(height) * int64(width) * int64(channels); total > MaxReadValues {
		return nil, 0, 0, 0, fmt.Errorf("report: read PNGs: %s holds %d images of %dx%d, %d values with %d channels, over the limit of %d",
			dir, n, width, height, total, channels, MaxReadValues)
	}
	images = make([]float32, 0, n*height*width*channels)
	for _, path := range paths {
		img, err := decodePNG(path)
		if err != nil {
			return nil, 0, 0, 0, err
		}
		if b := img.Bounds(); b.Dy() != height || b.Dx() != width {
			return nil, 0, 0, 0, fmt.Errorf("report: read PNG %s: decoded %dx%d pixels, its header says %dx%d", path, b.Dx(), b.Dy(), width, height)
		}
		images = appendImage(images, onto(img, background), channels)
	}
	return images, n, height, width, nil
}

// pngFiles lists the *.png files of dir, sorted by name, dot files skipped.
func pngFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("report: read PNGs: %w", err)
	}
	var paths []string
	for _, e := range entries {
		name := e.Name()
		if e.Type().IsRegular() && !strings.HasPrefix(name, ".") && strings.EqualFold(filepath.Ext(name), ".png") {
			paths = append(paths, filepath.Join(dir, name))
		}
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("report: read PNGs: no .png files in %s", dir)
	}
	return paths, nil
}

// commonSize reads the header of every file and returns their one size, or an
// error naming the first file that is over the limits or differs from the first.
func commonSize(paths []string) (height, width int, err error) {
	for i, path := range paths {
		cfg, err := pngConfig(path)
		if err != nil {
			return 0, 0, err
		}
		if i == 0 {
			height, width = cfg.Height, cfg.Width
		} else if cfg.Height != height || cfg.Width != width {
			return 0, 0, fmt.Errorf("report: read PNGs: %s is %dx%d pixels but %s is %dx%d; all must share one size",
				path, cfg.Width, cfg.Height, paths[0], width, height)
		}
	}
	return height, width, nil
}

// pngConfig reads the header of the PNG file at path and checks its size.
func pngConfig(path string) (image.Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return image.Config{}, fmt.Errorf("report: read PNG: %w", err)
	}
	defer f.Close()
	return boundedConfig(path, f)
}

// boundedConfig reads the header of a PNG from r (named path in errors) and checks
// the size it announces against the limits and r's length (checkSize).
func boundedConfig(path string, r io.ReadSeeker) (image.Config, error) {
	cfg, err := png.DecodeConfig(r)
	if err != nil {
		return image.Config{}, fmt.Errorf("report: read PNG %s: %w", path, err)
	}
	size, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return image.Config{}, fmt.Errorf("report: read PNG %s: %w", path, err)
	}
	return cfg, checkSize(path, cfg, size)
}

// checkSize refuses an image header over MaxImageSide or MaxImagePixels, or announcing
// more pixels than a PNG file of size bytes can hold (pngbound: damaged, or made to
// exhaust memory, which the decoder would allocate before it found the pixels missing).
func checkSize(path string, cfg image.Config, size int64) error {
	w, h := cfg.Width, cfg.Height
	bits := pngbound.ModelBits(cfg.ColorModel)
	switch {
	case w <= 0 || h <= 0:
		return fmt.Errorf("report: read PNG %s: header says %dx%d pixels", path, w, h)
	case w > MaxImageSide || h > MaxImageSide:
		return fmt.Errorf("report: read PNG %s: %dx%d pixels, over the limit of %d on a side", path, w, h, MaxImageSide)
	case int64(w)*int64(h) > MaxImagePixels:
		return fmt.Errorf("report: read PNG %s: %dx%d pixels (%d), over the limit of %d pixels", path, w, h, int64(w)*int64(h), MaxImagePixels)
	case int64(w)*int64(h) > pngbound.PerByte(bits)*size:
		return fmt.Errorf("report: read PNG %s: %dx%d pixels in a file of %d bytes, more than it can hold (at most %d pixels a byte at %d bits a pixel): damaged, or made to exhaust memory", path, w, h, size, pngbound.PerByte(bits), bits)
	}
	return nil
}

// decodePNG decodes the PNG file at path, checking its header's size first.
func decodePNG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("report: read PNG: %w", err)
	}
	defer f.Close()
	return decodeBounded(path, f)
}

// decodeBounded decodes a PNG from r (named path in errors) after checking the
// size its header announces (boundedConfig).
func decodeBounded(path string, r io.ReadSeeker) (image.Image, error) {
	if _, err := boundedConfig(path, r); err != nil {
		return nil, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("report: read PNG %s: %w", path, err)
	}
	img, err := png.Decode(r)
	if err != nil {
		return nil, fmt.Errorf("report: read PNG %s: %w", path, err)
	}
	return img, nil
}

// fromByte maps a byte p to p/127.5 - 1, the inverse of toByte.
func fromByte(p uint8) float32 { return float32(p)/127.5 - 1 }

// onto returns img composed over background (composite.Onto), or img itself when it
// is opaque or the background black (appendImage reads alpha-premultiplied colors:
// over black already).
func onto(img image.Image, background color.Color) image.Image {
	if op, ok := img.(interface{ Opaque() bool }); ok && op.Opaque() {
		return img
	}
	if r, g, b, a := background.RGBA(); a == 0xffff && r|g|b == 0 {
		return img
	}
	return composite.Onto(img, img.Bounds(), background)
}

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
