package data

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif"  // GIF: the first frame
	_ "image/jpeg" // JPEG
	_ "image/png"  // PNG
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gogan/gogan/internal/composite"
	_ "golang.org/x/image/bmp" // BMP
	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/tiff"
	_ "golang.org/x/image/webp" // WebP
)

// MaxImagePixels is the largest image, in pixels (width × height), that LoadImageFolder
// decodes: 8192×8192. A larger image is refused from its header alone, before any pixel is
// decoded or allocated, so that a small file announcing a huge image (an image bomb) costs
// nothing.
const MaxImagePixels = 8192 * 8192

// imageExts are the file name extensions LoadImageFolder reads, lower case. Decoding goes
// by the file's content, not by its extension.
var imageExts = map[string]bool{
	".png":  true,
	".jpg":  true,
	".jpeg": true,
	".gif":  true,
	".bmp":  true,
	".webp": true,
	".tif":  true,
	".tiff": true,
}

// imageFormats names the formats imageExts stands for, in error messages.
const imageFormats = "PNG, JPEG, GIF, BMP, WebP or TIFF"

// IsImageName reports whether name has the extension of an image file that
// LoadImageFolder reads (imageExts: .png, .jpg, .gif, .bmp, .webp, .tiff and
// the like), in any case.
func IsImageName(name string) bool {
	return imageExts[strings.ToLower(filepath.Ext(name))]
}

// probe reads the header of the image file at path and returns what it says of the image
// decoded (readHeader). It refuses an empty file, an image whose header cannot be parsed,
// that has no pixels, that has more than MaxImagePixels pixels, or that announces more
// pixels than the file can hold. Its errors are reasons, without the path.
func probe(path string) (imageHeader, error) {
	f, err := os.Open(path)
	if err != nil {
		return imageHeader{}, openReason(path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return imageHeader{}, osReason(err)
	}
	cfg, format, err := decodeConfig(f)
	if err != nil {
		if st.Size() == 0 {
			return imageHeader{}, errors.New("empty file (0 bytes)")
		}
		return imageHeader{}, unreadable(err)
	}
	if err := checkPixels(format, cfg.Width, cfg.Height); err != nil {
		return plainHeader(cfg), err
	}
	return readHeader(f, format, cfg, st.Size())
}

// unreadable is the reason a file's header cannot be read: err, the decoder's
// error, unless it is image.ErrFormat ("image: unknown format"), which says
// only that the file's first bytes are those of no format gogan decodes.
func unreadable(err error) error {
	if errors.Is(err, image.ErrFormat) {
		return fmt.Errorf("not a readable %s image: its first bytes match none of them", imageFormats)
	}
	return fmt.Errorf("not a readable %s image: %v", imageFormats, err)
}

// isTIFF reports whether f starts as a TIFF file does: "II*\x00" (little-endian) or
// "MM\x00*" (big-endian).
func isTIFF(f *os.File) bool {
	var head [4]byte
	if _, err := f.ReadAt(head[:], 0); err != nil {
		return false
	}
	return string(head[:]) == "II*\x00" || string(head[:]) == "MM\x00*"
}

// decodeConfig is image.DecodeConfig of the file f, at its start, but that a TIFF is read
// through f's ReadAt: given a reader without one (as image.DecodeConfig gives it), the
// TIFF decoder first buffers the file up to any offset the file names, so that 8 bytes
// naming an offset of 4 GiB allocate 4 GiB.
func decodeConfig(f *os.File) (image.Config, string, error) {
	if isTIFF(f) {
		cfg, err := tiff.DecodeConfig(f)
		return cfg, "tiff", err
	}
	return image.DecodeConfig(bufio.NewReader(f))
}

// decode is image.Decode of the file f, at its start, a TIFF read as decodeConfig reads it.
func decode(f *os.File) (image.Image, string, error) {
	if isTIFF(f) {
		img, err := tiff.Decode(f)
		return img, "tiff", err
	}
	return image.Decode(bufio.NewReader(f))
}

// checkPixels says what is wrong with an image of w×h, or returns nil.
func checkPixels(format string, w, h int) error {
	switch {
	case w <= 0 || h <= 0:
		return fmt.Errorf("%s image of %dx%d has no pixels", format, w, h)
	case int64(w)*int64(h) > MaxImagePixels:
		return fmt.Errorf("%s image of %dx%d has %d pixels, more than the %d (8192x8192) gogan decodes", format, w, h, int64(w)*int64(h), MaxImagePixels)
	}
	return nil
}

// openReason is why the file at path cannot be opened: err, the error of os.Open, without
// the path, and for a link the target it names ("link to ../a.png: no such file or
// directory"), which a listing of the folder does not show.
func openReason(path string, err error) error {
	if target, lerr := os.Readlink(path); lerr == nil {
		return fmt.Errorf("link to %s: %w", printable(target), osReason(err))
	}
	return osReason(err)
}

// osReason is err from the os package without the path an *fs.PathError repeats.
func osReason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// decodeSpec is what decodeInto makes of an image.
type decodeSpec struct {
	size int        // the side of the square output
	rgb  bool       // 3 bytes a pixel (R, G, B) when set, else 1 (luma)
	bg   color.RGBA // opaque; what transparent pixels are composited onto
}

// bytesPerImage is the size of one output image.
func (s decodeSpec) bytesPerImage() int {
	if s.rgb {
		return s.size * s.size * 3
	}
	return s.size * s.size
}

// decodeFile decodes the image file at path (whose header probe has already accepted) into
// dst, len spec.bytesPerImage(), as decodeImage does, a lossy WebP's colors read as VP8's
// limited range (webpColors). Its errors are reasons, without the
// path.
func decodeFile(dst []uint8, path string, spec decodeSpec) (colored bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return false, openReason(path, err)
	}
	defer f.Close()
	img, format, err := decode(f)
	if err != nil {
		return false, fmt.Errorf("cannot decode: %v", err)
	}
	b := img.Bounds()
	if err := checkPixels(format, b.Dx(), b.Dy()); err != nil {
		return false, err
	}
	return decodeImage(dst, webpColors(img, format), spec), nil
}

// decodeImage writes img into dst (len spec.bytesPerImage()): the center square of img (of
// side the shorter side, its offset rounded down) composited onto spec.bg, scaled to
// spec.size×spec.size with the Catmull-Rom filter of golang.org/x/image/draw, then stored as
// R, G, B bytes or as luma. This is torchvision's Resize(size) then CenterCrop(size) up to
// half a source pixel of offset. When shrinking, x/image/draw widens the filter by the
// scale factor, so every source pixel contributes and nothing aliases: Catmull-Rom serves
// for large reductions too, and no separate area averaging is needed. It reports whether
// any output pixel has color (R, G and B not all equal).
func decodeImage(dst []uint8, img image.Image, spec decodeSpec) (colored bool) {
	b := img.Bounds()
	s := min(b.Dx(), b.Dy())
	sr := image.Rect(0, 0, s, s).Add(b.Min).Add(image.Pt((b.Dx()-s)/2, (b.Dy()-s)/2))

	if s == spec.size {
		// The center square, composited onto the background: opaque RGBA, so that the
		// conversion below sees straight (not premultiplied) colors.
		return storePixels(dst, composite.Onto(img, sr, spec.bg).Pix, spec.rgb)
	}
	// An opaque image is scaled as the decoder made it; another is composited first, so
	// that the scaler sees opaque colors.
	src := img
	if !isOpaque(img) {
		src = composite.Onto(img, sr, spec.bg)
	}
	out := image.NewRGBA(image.Rect(0, 0, spec.size, spec.size))
	xdraw.CatmullRom.Scale(out, out.Bounds(), src, sr, xdraw.Src, nil)
	return storePixels(dst, out.Pix, spec.rgb)
}

// isOpaque reports whether img says it is fully opaque: its Opaque method, which the
// decoders' image types have (YCbCr and Gray always are; RGBA, NRGBA and Paletted look
// at their pixels).
func isOpaque(img image.Image) bool {
	op, ok := img.(interface{ Opaque() bool })
	return ok && op.Opaque()
}

// storePixels writes the opaque RGBA pixels pix into dst, as R, G, B when rgb is set, else
// as luma Y = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601, the weights of Go's
// color.GrayModel and of PIL's convert("L")), rounded. It reports whether any pixel has
// color.
func storePixels(dst, pix []uint8, rgb bool) (colored bool) {
	for i, j := 0, 0; i < len(pix); i += 4 {
		r, g, b := pix[i], pix[i+1], pix[i+2]
		colored = colored || r != g || g != b
		if rgb {
			dst[j], dst[j+1], dst[j+2] = r, g, b
			j += 3
		} else {
			dst[j] = luma(r, g, b)
			j++
		}
	}
	return colored
}

// luma is Y = 0.299 R + 0.587 G + 0.114 B, rounded, in 16-bit fixed point (the weights sum
// to 65536, so a gray pixel keeps its value).
func luma(r, g, b uint8) uint8 {
	return uint8((19595*uint32(r) + 38470*uint32(g) + 7471*uint32(b) + 1<<15) >> 16)
}

// rgbToGray returns the RGB images pix, (n, H, W, 3), converted to gray by luma, (n, H, W),
// in a new slice, so that pix can be freed.
func rgbToGray(pix []uint8) []uint8 {
	gray := make([]uint8, len(pix)/3)
	for i := range gray {
		gray[i] = luma(pix[3*i], pix[3*i+1], pix[3*i+2])
	}
	return gray
}
