package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/gogan/gogan/internal/atomicfile"
)

// IDX magic numbers: two zero bytes, the element type (0x08, unsigned byte) and the number of
// dimensions.
const (
	idx3Magic = 0x00000803 // unsigned bytes, 3 dimensions: images (N, Rows, Cols)
	idx4Magic = 0x00000804 // unsigned bytes, 4 dimensions: images (N, Rows, Cols, Channels)
	idx1Magic = 0x00000801 // unsigned bytes, 1 dimension: labels (N)

	// maxSide bounds Rows and Cols, so a corrupt header cannot ask for absurd images.
	maxSide = 4096
	// maxChannels bounds Channels: gray, gray+alpha, RGB or RGBA.
	maxChannels = 4
	// MaxIDXBytes bounds the body of an IDX file (4 GiB; MNIST's training
	// images are 47 MB), so that no header asks for more memory than that.
	MaxIDXBytes = 1 << 32
	// maxDeflateRatio bounds how many bytes a gzip file can decompress to per byte on disk
	// (deflate cannot do better than about 1032:1), so a corrupt header in a small gzip file
	// is rejected before a large buffer is allocated.
	maxDeflateRatio = 1040
)

// Images holds N images of Rows×Cols pixels of Channels bytes each, row-major with the
// channels of a pixel side by side, N*Rows*Cols*Channels bytes: Pixels is
// (N, Rows, Cols, Channels). Channels 0 means 1 (gray), so that the grayscale images made
// before color existed keep their meaning; read it through NumChannels.
type Images struct {
	N, Rows, Cols int
	Pixels        []uint8
	Channels      int // 0 or 1: gray; 3: RGB; at most 4
}

// NumChannels returns the number of channels, Channels or 1 when Channels is 0.
func (im *Images) NumChannels() int {
	if im.Channels == 0 {
		return 1
	}
	return im.Channels
}

// ImageBytes returns the bytes of one image, Rows*Cols*NumChannels().
func (im *Images) ImageBytes() int { return im.Rows * im.Cols * im.NumChannels() }

// check says what is wrong with im, or returns nil.
func (im *Images) check() error {
	switch {
	case im == nil:
		return errors.New("nil Images")
	case im.N <= 0 || int64(im.N) > math.MaxUint32:
		return fmt.Errorf("image count must be in [1, %d], got %d", uint32(math.MaxUint32), im.N)
	case im.Rows <= 0 || im.Rows > maxSide || im.Cols <= 0 || im.Cols > maxSide:
		return fmt.Errorf("image size must be within 1..%d on each side, got %dx%d", maxSide, im.Rows, im.Cols)
	case im.Channels < 0 || im.Channels > maxChannels:
		return fmt.Errorf("channels must be within 0..%d (0 means 1), got %d", maxChannels, im.Channels)
	case im.NumChannels() == 1 && len(im.Pixels) != im.N*im.Rows*im.Cols:
		return fmt.Errorf("%d images of %dx%d need %d pixels, got %d", im.N, im.Rows, im.Cols, im.N*im.Rows*im.Cols, len(im.Pixels))
	case len(im.Pixels) != im.N*im.ImageBytes():
		return fmt.Errorf("%d images of %dx%dx%d need %d bytes, got %d", im.N, im.Rows, im.Cols, im.Channels, im.N*im.ImageBytes(), len(im.Pixels))
	}
	return nil
}

// ReadIDXImages reads an unsigned-byte image file, raw or gzip: IDX3 (magic 0x00000803)
// for gray images (N, Rows, Cols), or IDX4 (magic 0x00000804) for images with channels
// (N, Rows, Cols, Channels), Channels at most 4.
func ReadIDXImages(path string) (*Images, error) {
	magic := uint32(idx3Magic)
	if sniffMagic(path) == idx4Magic {
		magic = idx4Magic
	}
	dims, body, err := readIDX(path, magic)
	if err != nil {
		return nil, err
	}
	im := &Images{N: dims[0], Rows: dims[1], Cols: dims[2], Pixels: body}
	if magic == idx4Magic {
		if dims[3] > maxChannels {
			return nil, fmt.Errorf("data: %s: header says %s: channels must be at most %d", path, describe(dims, int64(len(body))), maxChannels)
		}
		im.Channels = dims[3]
	}
	return im, nil
}

// sniffMagic returns the first four bytes of the IDX file at path, read through gzip when
// the file is gzipped, or 0 when they cannot be read (readIDX then says why).
func sniffMagic(path string) uint32 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var r io.Reader = br
	if b, _ := br.Peek(2); len(b) == 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return 0
		}
		r = zr
	}
	var m [4]byte
	if _, err := io.ReadFull(r, m[:]); err != nil {
		return 0
	}
	return binary.BigEndian.Uint32(m[:])
}

// ReadIDXLabels reads an IDX1 unsigned-byte label file (magic 0x00000801), raw or gzip.
func ReadIDXLabels(path string) ([]uint8, error) {
	_, body, err := readIDX(path, idx1Magic)
	return body, err
}

// WriteIDXImages writes im to path as an unsigned-byte IDX file, gzip-compressed when path
// ends in ".gz", raw otherwise: IDX3 (N, Rows, Cols) for gray images (NumChannels 1), IDX4
// (N, Rows, Cols, Channels) otherwise. The write is atomic: a temporary file in the same
// folder is written, fsynced and renamed onto path.
func WriteIDXImages(path string, im *Images) error {
	if err := im.check(); err != nil {
		return fmt.Errorf("data: %s: cannot write: %v", path, err)
	}
	hdr := make([]byte, 16)
	binary.BigEndian.PutUint32(hdr[0:], idx3Magic)
	binary.BigEndian.PutUint32(hdr[4:], uint32(im.N))
	binary.BigEndian.PutUint32(hdr[8:], uint32(im.Rows))
	binary.BigEndian.PutUint32(hdr[12:], uint32(im.Cols))
	if c := im.NumChannels(); c > 1 {
		binary.BigEndian.PutUint32(hdr[0:], idx4Magic)
		hdr = binary.BigEndian.AppendUint32(hdr, uint32(c))
	}
	err := atomicfile.WriteFile(path, func(w io.Writer) error {
		return writeMaybeGzip(w, strings.HasSuffix(path, ".gz"), hdr, im.Pixels)
	})
	if err != nil {
		return fileError(path, "cannot write", err)
	}
	return nil
}

// writeMaybeGzip writes the chunks to w, through a gzip writer when compress is set.
func writeMaybeGzip(w io.Writer, compress bool, chunks ...[]byte) error {
	var zw *gzip.Writer
	if compress {
		zw = gzip.NewWriter(w)
		w = zw
	}
	for _, c := range chunks {
		if _, err := w.Write(c); err != nil {
			return err
		}
	}
	if zw != nil {
		return zw.Close()
	}
	return nil
}

// readIDX reads the unsigned-byte IDX file at path, whose magic must be magic (idx3Magic or
// idx1Magic), and returns its dimensions and its body. It checks the header, that the body
// holds exactly the bytes the header announces, and, for gzip, the stream's integrity.
func readIDX(path string, magic uint32) (dims []int, body []byte, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fileError(path, "cannot open", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, fileError(path, "cannot stat", err)
	}
	if st.IsDir() {
		return nil, nil, fmt.Errorf("data: %s: is a folder, not an IDX file", path)
	}
	if !st.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("data: %s: is not a regular file (a device or a pipe), not an IDX file", path)
	}
	return decodeIDX(path, f, st.Size(), magic)
}

// decodeIDX is readIDX on the size bytes that r reads, named path in errors.
func decodeIDX(path string, r0 io.Reader, size int64, magic uint32) (dims []int, body []byte, err error) {
	br := bufio.NewReaderSize(r0, 1<<16)
	var r io.Reader = br
	compressed := false
	if b, _ := br.Peek(2); len(b) == 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("data: %s: corrupt gzip stream: %v", path, err)
		}
		r, compressed = zr, true
	}
	// streamError describes an error from r other than a clean end of data.
	streamError := func(err error) error {
		if compressed {
			return fmt.Errorf("data: %s: corrupt or truncated gzip stream: %v", path, err)
		}
		return fileError(path, "cannot read", err)
	}
	// where names the body's bytes as counted in the error messages.
	where := "file has"
	if compressed {
		where = "decompressed file has"
	}

	ndim := int(magic & 0xff)
	hdr := make([]byte, 4+4*ndim)
	n, err := readFull(r, hdr)
	if err != nil && err != io.EOF {
		return nil, nil, streamError(err)
	}
	if n >= 4 {
		if got := binary.BigEndian.Uint32(hdr); got != magic {
			return nil, nil, badMagic(path, got, magic)
		}
	}
	if n < len(hdr) {
		return nil, nil, fmt.Errorf("data: %s: truncated: %s %d bytes, an IDX%d header needs %d", path, where, n, ndim, len(hdr))
	}
	dims = make([]int, ndim)
	need := int64(1)
	for i := range dims {
		dims[i] = int(binary.BigEndian.Uint32(hdr[4+4*i:]))
		need *= int64(dims[i])
	}
	what := describe(dims, need)
	for i, d := range dims {
		if d == 0 {
			return nil, nil, fmt.Errorf("data: %s: header says %s: every dimension must be positive", path, what)
		}
		if i > 0 && d > maxSide {
			return nil, nil, fmt.Errorf("data: %s: header says %s: rows and cols must be at most %d", path, what, maxSide)
		}
	}
	if !compressed {
		have := size - int64(len(hdr))
		if have < need {
			return nil, nil, fmt.Errorf("data: %s: truncated: header says %s, %s %d bytes after the header", path, what, where, have)
		}
		if have > need {
			return nil, nil, fmt.Errorf("data: %s: %d trailing bytes: header says %s, %s %d bytes after the header", path, have-need, what, where, have)
		}
	} else if need > size*maxDeflateRatio {
		return nil, nil, fmt.Errorf("data: %s: header says %s, more than a %d-byte gzip file can hold", path, what, size)
	}
	if need > MaxIDXBytes {
		return nil, nil, fmt.Errorf("data: %s: header says %s, over the limit of %d bytes", path, what, int64(MaxIDXBytes))
	}

	if compressed {
		body, err = readGrowing(r, need)
		n = len(body)
	} else {
		body = make([]byte, need)
		n, err = readFull(r, body)
	}
	if err != nil && err != io.EOF {
		return nil, nil, streamError(err)
	}
	if int64(n) < need {
		return nil, nil, fmt.Errorf("data: %s: truncated: header says %s, %s %d bytes after the header", path, what, where, n)
	}
	if compressed {
		// Read to the end: trailing data would be a mistake, and gzip checks its CRC and
		// length only at the end of the stream.
		extra, err := io.Copy(io.Discard, r)
		if err != nil {
			return nil, nil, streamError(err)
		}
		if extra > 0 {
			return nil, nil, fmt.Errorf("data: %s: %d trailing bytes: header says %s, %s %d bytes after the header", path, extra, what, where, need+extra)
		}
	}
	return dims, body, nil
}

// readGrowing reads up to need bytes from r into a buffer that grows as data
// arrives (by at most 64 MiB at a time), so that a gzip stream whose header
// claims more than it holds costs no allocation of the claimed size. Its error
// is r's, io.EOF included, as readFull's.
func readGrowing(r io.Reader, need int64) ([]byte, error) {
	const chunk = 1 << 26
	body := make([]byte, 0, min(need, chunk))
	for int64(len(body)) < need {
		if len(body) == cap(body) {
			body = slices.Grow(body, int(min(need-int64(len(body)), int64(len(body)), chunk)))
		}
		m, err := r.Read(body[len(body):min(int64(cap(body)), need)])
		body = body[:len(body)+m]
		if err != nil {
			return body, err
		}
	}
	return body, nil
}

// readFull is io.ReadFull without its renaming of io.EOF, so that a clean end of data (io.EOF)
// can be told from a stream cut short (io.ErrUnexpectedEOF from gzip).
func readFull(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// describe says what an IDX header announces: "60000 images of 28x28 (47040000 bytes)".
func describe(dims []int, bytes int64) string {
	switch len(dims) {
	case 3:
		return fmt.Sprintf("%d images of %dx%d (%d bytes)", dims[0], dims[1], dims[2], bytes)
	case 4:
		return fmt.Sprintf("%d images of %dx%dx%d (%d bytes)", dims[0], dims[1], dims[2], dims[3], bytes)
	}
	return fmt.Sprintf("%d labels (%d bytes)", dims[0], bytes)
}

// badMagic explains a wrong magic number, with a hint when it is the other kind of IDX file.
func badMagic(path string, got, want uint32) error {
	kind := map[uint32]string{idx3Magic: "images", idx4Magic: "images", idx1Magic: "labels"}
	msg := fmt.Sprintf("data: %s: bad magic number 0x%08x, want 0x%08x (IDX %s, unsigned bytes)", path, got, want, kind[want])
	if k, ok := kind[got]; ok {
		msg += "; this is an IDX " + k + " file"
	} else if got>>8 == 0x08 && got&0xff >= 1 && got&0xff <= 4 {
		msg += fmt.Sprintf("; this is an IDX file with %d dimensions", got&0xff)
	} else if got>>16 == 0 && got>>8&0xff != 0x08 {
		msg += fmt.Sprintf("; element type 0x%02x is not unsigned bytes (0x08)", got>>8&0xff)
	}
	return errors.New(msg)
}

// fileError formats an error from the os package or internal/atomicfile as
// "data: PATH: WHAT: REASON", without repeating the path that an *fs.PathError or an
// *atomicfile.Error carries, and keeps err's cause for errors.Is.
func fileError(path, what string, err error) error {
	return fmt.Errorf("data: %w", osError(path, what, err))
}

// osError is fileError without the "data: " prefix, for errors quoted inside another.
func osError(path, what string, err error) error {
	var ae *atomicfile.Error
	var pe *fs.PathError
	switch {
	case errors.As(err, &ae): // checked first: the cause it wraps may be about another file
		if ae.Step != "" {
			return fmt.Errorf("%s: %s: %s: %w", path, what, ae.Step, ae.Err)
		}
		err = ae.Err
	case errors.As(err, &pe):
		err = pe.Err
	}
	return fmt.Errorf("%s: %s: %w", path, what, err)
}
