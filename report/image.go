package report

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gogan/gogan/internal/atomicfile"
)

// Padding is the number of pixels between two cells of a Grid.
const Padding = 2

// PaddingGray is the gray level of the padding between cells of a Grid.
const PaddingGray = 64

// Grid writes n images as one PNG grid with cols columns (rows = ceil(n/cols)) and Padding
// dark gray pixels between cells; unused cells of the last row are padding colored.
// images is (n, height, width, channels) with len(images) == n*height*width*channels;
// channels is 1 (grayscale PNG) or 3 (RGB PNG). The image is
// cols*width + (cols-1)*Padding wide and rows*height + (rows-1)*Padding high; one larger
// than ReadPNGs takes (MaxImageSide a side, MaxImagePixels in all) is an error, and no file.
func Grid(path string, images []float32, n, height, width, channels, cols int) error {
	if cols > 0 && height > 0 && width > 0 {
		rows, gw, gh := gridSize(n, height, width, cols)
		if gw > MaxImageSide || gh > MaxImageSide || gw*gh > MaxImagePixels {
			return fmt.Errorf("report: grid %s: %d×%d images (rows × columns) make %d×%d pixels, larger than the PNGs gogan reads (%d a side, %d in all): give fewer images or other columns, or write a folder of PNGs",
				path, rows, cols, gw, gh, MaxImageSide, MaxImagePixels)
		}
	}
	dst, err := GridImage(images, n, height, width, channels, cols)
	if err != nil {
		return fmt.Errorf("report: grid %s: %w", path, err)
	}
	return writePNG(path, dst)
}

// gridSize is the rows of a grid of n images of height×width in cols columns, and its
// width and height in pixels.
func gridSize(n, height, width, cols int) (rows, gw, gh int) {
	rows = (n + cols - 1) / cols
	return rows, cols*width + (cols-1)*Padding, rows*height + (rows-1)*Padding
}

// GridImage lays out n images as Grid does and returns the grid: an
// *image.Gray for 1 channel, an *image.RGBA for 3.
func GridImage(images []float32, n, height, width, channels, cols int) (image.Image, error) {
	if err := checkImages(images, n, height, width, channels); err != nil {
		return nil, err
	}
	if cols <= 0 {
		return nil, fmt.Errorf("cols must be positive, got %d", cols)
	}
	_, gw, gh := gridSize(n, height, width, cols)
	size := height * width * channels

	var dst image.Image
	if channels == 1 {
		g := image.NewGray(image.Rect(0, 0, gw, gh))
		for i := range g.Pix {
			g.Pix[i] = PaddingGray
		}
		for k := range n {
			x0, y0 := (k%cols)*(width+Padding), (k/cols)*(height+Padding)
			src := images[k*size : (k+1)*size]
			for y := range height {
				row := g.Pix[(y0+y)*g.Stride+x0:]
				for x := range width {
					row[x] = toByte(src[y*width+x])
				}
			}
		}
		dst = g
	} else {
		g := image.NewRGBA(image.Rect(0, 0, gw, gh))
		for i := 0; i < len(g.Pix); i += 4 {
			g.Pix[i], g.Pix[i+1], g.Pix[i+2], g.Pix[i+3] = PaddingGray, PaddingGray, PaddingGray, 255
		}
		for k := range n {
			x0, y0 := (k%cols)*(width+Padding), (k/cols)*(height+Padding)
			src := images[k*size : (k+1)*size]
			for y := range height {
				row := g.Pix[(y0+y)*g.Stride+4*x0:]
				for x := range width {
					s := src[(y*width+x)*3:]
					row[4*x], row[4*x+1], row[4*x+2] = toByte(s[0]), toByte(s[1]), toByte(s[2])
				}
			}
		}
		dst = g
	}
	return dst, nil
}

// WritePNGs writes each of the n images as its own PNG, dir/prefix%05d.png (prefix00000.png,
// prefix00001.png, ...), as one folder: the images go into a new folder beside dir, which
// replaces dir once all are written (atomicfile.WriteDir), so that dir holds either what it
// held before or these n images, never a mix (which would be scored as one). The layout of
// images is as for Grid. dir's parent folders are made if needed.
//
// An existing dir is replaced only when it holds nothing but files named as WritePNGs names
// them (an earlier call's, with this prefix; also the .prefix%05d.png.tmp-* files that an
// interrupted write of one by an older gogan left): a folder holding anything else (a file
// of another name, a subfolder) or a write-protected file is refused, naming it, before
// anything is written, so that nothing but earlier images of this prefix is ever deleted.
func WritePNGs(dir, prefix string, images []float32, n, height, width, channels int) error {
	return WritePNGsContext(context.Background(), dir, prefix, images, n, height, width, channels, PNGOptions{})
}

// PNGOptions are what WritePNGsContext takes besides the images.
type PNGOptions struct {
	// Progress, when not nil, is called with the number of images written so far and
	// n, from the goroutine that called WritePNGsContext, after each image.
	Progress func(done, total int)
}

// WritePNGsContext is WritePNGs, stopped by ctx and reporting progress as opts says:
// once ctx is done it writes no further image, removes the new folder, leaves dir as
// it was, and returns an error wrapping ctx.Err().
func WritePNGsContext(ctx context.Context, dir, prefix string, images []float32, n, height, width, channels int, opts PNGOptions) error {
	if err := checkImages(images, n, height, width, channels); err != nil {
		return fmt.Errorf("report: write PNGs to %s: %w", dir, err)
	}
	if err := os.MkdirAll(filepath.Dir(filepath.Clean(dir)), 0o755); err != nil {
		return fmt.Errorf("report: write PNGs to %s: %w", dir, err)
	}
	size := height * width * channels
	owned := func(name string) bool { return isPNGName(prefix, name) }
	err := atomicfile.WriteDir(dir, owned, func(tmp string) error {
		for k := range n {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("stopped after %d of %d images: %w", k, n, err)
			}
			name := fmt.Sprintf("%s%05d.png", prefix, k)
			if err := writeNewPNG(tmp, name, toImage(images[k*size:(k+1)*size], height, width, channels)); err != nil {
				return err
			}
			if opts.Progress != nil {
				opts.Progress(k+1, n)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// isPNGName reports whether name is one that WritePNGs gives, prefix%05d.png (%05d of a
// number: no sign, no other padding), or the temporary file an interrupted atomic write
// of one left: "." + that + ".tmp-" + a suffix.
func isPNGName(prefix, name string) bool {
	if hidden, ok := strings.CutPrefix(name, "."); ok {
		i := strings.LastIndex(hidden, ".tmp-")
		if i < 0 {
			return false
		}
		name = hidden[:i]
	}
	rest, named := strings.CutPrefix(name, prefix)
	num, isPNG := strings.CutSuffix(rest, ".png")
	k, err := strconv.Atoi(num)
	return named && isPNG && err == nil && k >= 0 && fmt.Sprintf("%05d", k) == num
}

// writeNewPNG encodes img into the new file dir/name and fsyncs it. Its errors name
// the file by name alone: dir is WritePNGs' temporary folder.
func writeNewPNG(dir, name string, img image.Image) error {
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, atomicfile.Perm)
	if err != nil {
		return fmt.Errorf("%s: %w", name, atomicfile.PathCause(err))
	}
	bw := bufio.NewWriter(f)
	err = png.Encode(bw, img)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, atomicfile.PathCause(err))
	}
	return nil
}

// checkImages reports whether images holds exactly n images of (height, width, channels).
func checkImages(images []float32, n, height, width, channels int) error {
	switch {
	case channels != 1 && channels != 3:
		return fmt.Errorf("channels must be 1 or 3, got %d", channels)
	case n <= 0:
		return fmt.Errorf("n must be positive, got %d", n)
	case height <= 0 || width <= 0:
		return fmt.Errorf("height and width must be positive, got %dx%d", height, width)
	case len(images) != n*height*width*channels:
		return fmt.Errorf("%d images of %dx%dx%d need %d values, got %d",
			n, height, width, channels, n*height*width*channels, len(images))
	}
	return nil
}

// toByte maps v in [-1, 1] to round((v+1)·127.5), clipping values outside and NaN.
func toByte(v float32) uint8 {
	if !(v > -1) { // also NaN
		return 0
	}
	if v >= 1 {
		return 255
	}
	return uint8((v+1)*127.5 + 0.5)
}

// Image converts one image, img (height, width, channels) with values in [−1, 1],
// to an image.Image: *image.Gray for one channel, an opaque *image.RGBA for three.
func Image(img []float32, height, width, channels int) (image.Image, error) {
	if err := checkImages(img, 1, height, width, channels); err != nil {
		return nil, fmt.Errorf("report: image: %w", err)
	}
	return toImage(img, height, width, channels), nil
}

// toImage converts one image, img (height, width, channels), to a Gray or opaque RGBA image.
func toImage(img []float32, height, width, channels int) image.Image {
	if channels == 1 {
		g := image.NewGray(image.Rect(0, 0, width, height))
		for i, v := range img {
			g.Pix[i] = toByte(v)
		}
		return g
	}
	g := image.NewRGBA(image.Rect(0, 0, width, height))
	for i := range height * width {
		g.Pix[4*i], g.Pix[4*i+1], g.Pix[4*i+2], g.Pix[4*i+3] =
			toByte(img[3*i]), toByte(img[3*i+1]), toByte(img[3*i+2]), 255
	}
	return g
}

// writePNG encodes img as a PNG at path, atomically.
func writePNG(path string, img image.Image) error {
	err := atomicfile.WriteFile(path, func(w io.Writer) error { return png.Encode(w, img) })
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
