package data

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gogan/gogan/internal/atomicfile"
)

// The cache file of a decoded image folder is a fixed header, a JSON block of metadata and
// the pixels, as they are in Images.Pixels:
//
//	offset  size  field
//	0       8     magic "GOGANIMG"
//	8       4     format version (cacheVersion), big-endian like every field
//	12      8     length of the JSON block
//	20      8     length of the pixels
//	28      4     CRC-32 (IEEE) of the JSON block
//	32      4     CRC-32 of the pixels
//	36      4     CRC-32 of bytes 0..35
//	40            the JSON block (cacheMeta), then the pixels
//
// CRC-32 (IEEE) runs at memory speed on current CPUs (carry-less multiplication: 20 GB/s
// here, eight times Castagnoli's), so checking 10,000 images of 64×64×3 takes milliseconds;
// it catches damage, not tampering (the cache is the user's own).
const (
	cacheMagic      = "GOGANIMG"
	cacheHeaderSize = 40
)

// cacheVersion is the format of the cache files, which names them too (cachePathFor): a
// gogan whose decoding gives other bytes than before bumps it, so that the folders cached
// before are decoded again, once, and their files of the earlier version removed.
//
//	3  one file per folder and options, replaced when the folder changes (32e8d18)
//	4  a lossy WebP's colors read in BT.601's limited range (vp8Image: up to 20 levels
//	   apart); an opaque image scaled from the decoder's pixels (777b58b: a JPEG's
//	   YCbCr converted in 16 bits, not 8, 10 to 30% of its bytes 1 apart)
//	5  a gray lossy WebP read as gray (vp8RGB: format 4 had libwebp's G one below R and B
//	   at Y 86, 159 and 232, so that a folder of them was cached in RGB)
//	6  a lossy WebP's chroma interpolated between 2×2 blocks, as libwebp's default (dwebp,
//	   PIL) does (vp8Image.chroma: format 5 took each block's sample, dwebp -nofancy's
//	   pixels, which differ at sharp color edges)
const cacheVersion = 6

// cacheFirstVersion is the first version whose file is named by the folder and options
// alone, which a later version can find to remove; the files of earlier versions were
// named by the folder's listing too.
const cacheFirstVersion = 3

// cacheMeta is the JSON block of a cache file: everything of an ImageFolder but the pixels,
// the warnings and where it was read from.
type cacheMeta struct {
	Listing           string // listingKey of the files decoded
	N, Size, Channels int
	Classes           []string
	Files             []string
	Labels            []int // one per image when Classes is not nil
	Found, Skipped    int
	SkippedFiles      []string
}

// cachePathFor returns the cache file of the folder dir read with opts in the format of
// version (cacheVersion, or an earlier one's to remove it), or "" and a warning when there
// is no cache folder. There is one file per folder (its absolute path, links resolved) and
// options, not one per version of the folder: a load of the folder changed replaces it, so
// that the cache does not grow by a copy of the folder's images each time a file changes.
func cachePathFor(dir string, opts ImageFolderOptions, version int) (path, warning string) {
	root := opts.CacheDir
	if root == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Sprintf("data: no user cache folder (%v): the decoded images are not cached", err)
		}
		root = filepath.Join(dir, "gogan", "images")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Sprintf("data: %s: no absolute path (%v): the decoded images are not cached", dir, err)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	h := sha256.New()
	fmt.Fprintf(h, "gogan image cache v%d\nfolder %q\nsize %d channels %d background %s\n",
		version, abs, opts.ImageSize, opts.Channels, opts.Background)
	return filepath.Join(root, hex.EncodeToString(h.Sum(nil))), ""
}

// removeOlderCaches removes the cache files that earlier versions (cacheFirstVersion on)
// wrote of the folder dir read with opts, which this one does not read, and returns a
// note for the user for each one found: why the folder, cached, was decoded again, and
// the file's name and the reason when it cannot be removed.
func removeOlderCaches(dir string, opts ImageFolderOptions) (notes []string) {
	for v := cacheFirstVersion; v < cacheVersion; v++ {
		path, _ := cachePathFor(dir, opts, v)
		if path == "" {
			return nil
		}
		if _, err := os.Lstat(path); err != nil {
			continue // none, or none that can be found
		}
		note := fmt.Sprintf("data: %s: cached by an earlier gogan (cache format %d, now %d: decoding has changed since), so decoded again", dir, v, cacheVersion)
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) { // gone: another load at once removed it
			note += fmt.Sprintf("; its old cache file %s cannot be removed: %v", path, osReason(err))
		}
		notes = append(notes, note)
	}
	return notes
}

// listingKey is the hex SHA-256 of what the decoded images of a folder depend on, besides
// the options that name the cache file: the classes and the files (path, class, size,
// modification time, and on Unix inode and change time, so that a file replaced by another
// of the same size and modification time is decoded again). A cache file holding another
// listing is of another version of the folder.
func listingKey(files []imageFile, classes []string) string {
	h := sha256.New()
	fmt.Fprintf(h, "classes %q\n", classes)
	for _, f := range files {
		fmt.Fprintf(h, "%q %d %d %d %d %d\n", f.rel, f.label, f.size, f.modTime.UnixNano(), f.inode, f.change)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// writeImageCache writes the decoded folder f to path, atomically.
func writeImageCache(path string, f *ImageFolder) error {
	im := f.Set.Images
	meta := cacheMeta{
		Listing: f.listing,
		N:       im.N, Size: im.Rows, Channels: im.NumChannels(),
		Classes: f.Classes, Files: f.Files,
		Found: f.Found, Skipped: f.Skipped, SkippedFiles: f.SkippedFiles,
	}
	if f.Classes != nil {
		meta.Labels = make([]int, im.N)
		for i := range meta.Labels {
			meta.Labels[i] = labelOf(f.Set, i)
		}
	}
	js, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	hdr := make([]byte, cacheHeaderSize)
	copy(hdr, cacheMagic)
	binary.BigEndian.PutUint32(hdr[8:], cacheVersion)
	binary.BigEndian.PutUint64(hdr[12:], uint64(len(js)))
	binary.BigEndian.PutUint64(hdr[20:], uint64(len(im.Pixels)))
	binary.BigEndian.PutUint32(hdr[28:], crc32.ChecksumIEEE(js))
	binary.BigEndian.PutUint32(hdr[32:], crc32.ChecksumIEEE(im.Pixels))
	binary.BigEndian.PutUint32(hdr[36:], crc32.ChecksumIEEE(hdr[:36]))

	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return osReason(err)
	}
	err = atomicfile.WriteFile(path, func(w io.Writer) error {
		return writeMaybeGzip(w, false, hdr, js, im.Pixels)
	})
	var ae *atomicfile.Error
	if errors.As(err, &ae) {
		if ae.Step != "" {
			return fmt.Errorf("%s: %v", ae.Step, ae.Err)
		}
		return ae.Err
	}
	return err
}

// labelOf returns the label of image i of s, from Labels or WideLabels.
func labelOf(s Set, i int) int {
	if s.WideLabels != nil {
		return int(s.WideLabels[i])
	}
	return int(s.Labels[i])
}

// errNoCache is readImageCache's error when the cache file cannot be opened (it does not
// exist, or its folder cannot be read) or holds another version of the folder: nothing to
// warn about, since writing it warns.
var errNoCache = errors.New("no cache file of the folder as it is")

// readImageCache reads the cache file at path into f. It returns errNoCache when the file
// cannot be opened or was decoded from another listing than f.listing (the folder has
// changed since), without reading its pixels, and another error, the reason, when the file
// is damaged or does not agree with f (its classes, its count of files).
func readImageCache(path string, f *ImageFolder) error {
	file, err := os.Open(path)
	if err != nil {
		return errNoCache
	}
	defer file.Close()
	meta, hdr, err := readCacheMeta(file)
	if err != nil {
		return err
	}
	if meta.Listing != f.listing {
		return errNoCache
	}
	pix := make([]byte, binary.BigEndian.Uint64(hdr[20:]))
	if _, err := io.ReadFull(file, pix); err != nil {
		return err
	}
	if crc32.ChecksumIEEE(pix) != binary.BigEndian.Uint32(hdr[32:]) {
		return errors.New("pixel checksum mismatch")
	}
	return f.fromMeta(meta, pix)
}

// readCacheMeta reads the header and the metadata of the cache file, checking them, and
// leaves file at the pixels.
func readCacheMeta(file *os.File) (meta cacheMeta, hdr []byte, err error) {
	st, err := file.Stat()
	if err != nil {
		return meta, nil, err
	}
	hdr = make([]byte, cacheHeaderSize)
	if _, err := io.ReadFull(file, hdr); err != nil {
		return meta, nil, fmt.Errorf("header: %v", err)
	}
	switch {
	case string(hdr[:8]) != cacheMagic:
		return meta, nil, fmt.Errorf("bad magic %q, want %q", hdr[:8], cacheMagic)
	case binary.BigEndian.Uint32(hdr[36:]) != crc32.ChecksumIEEE(hdr[:36]):
		return meta, nil, errors.New("header checksum mismatch")
	case binary.BigEndian.Uint32(hdr[8:]) != cacheVersion:
		return meta, nil, fmt.Errorf("format version %d, want %d", binary.BigEndian.Uint32(hdr[8:]), cacheVersion)
	}
	jsLen, pixLen := binary.BigEndian.Uint64(hdr[12:]), binary.BigEndian.Uint64(hdr[20:])
	if want := uint64(cacheHeaderSize) + jsLen + pixLen; jsLen > uint64(st.Size()) || pixLen > uint64(st.Size()) || want != uint64(st.Size()) {
		return meta, nil, fmt.Errorf("file has %d bytes, its header says %d", st.Size(), want)
	}
	js := make([]byte, jsLen)
	if _, err := io.ReadFull(file, js); err != nil {
		return meta, nil, err
	}
	if crc32.ChecksumIEEE(js) != binary.BigEndian.Uint32(hdr[28:]) {
		return meta, nil, errors.New("metadata checksum mismatch")
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&meta); err != nil {
		return meta, nil, fmt.Errorf("metadata: %v", err)
	}
	return meta, hdr, nil
}

// fromMeta fills f from a cache file's metadata and pixels, checking that they agree with
// each other and with the folder's listing.
func (f *ImageFolder) fromMeta(meta cacheMeta, pix []uint8) error {
	im := &Images{N: meta.N, Rows: meta.Size, Cols: meta.Size, Channels: meta.Channels, Pixels: pix}
	if err := im.check(); err != nil {
		return fmt.Errorf("metadata: %v", err)
	}
	switch {
	case len(meta.Files) != meta.N:
		return fmt.Errorf("metadata: %d images but %d file names", meta.N, len(meta.Files))
	case meta.Found != f.Found || meta.Found != meta.N+meta.Skipped:
		return fmt.Errorf("metadata: %d files found, %d images and %d skipped, but the folder has %d", meta.Found, meta.N, meta.Skipped, f.Found)
	case fmt.Sprint(meta.Classes) != fmt.Sprint(f.Classes):
		return fmt.Errorf("metadata: classes %q, the folder's are %q", meta.Classes, f.Classes)
	case f.Classes != nil && len(meta.Labels) != meta.N:
		return fmt.Errorf("metadata: %d images but %d labels", meta.N, len(meta.Labels))
	}
	set := Set{Images: im}
	for k, l := range meta.Labels {
		if l < 0 || l >= len(f.Classes) {
			return fmt.Errorf("metadata: label %d of image %d is not one of the %d classes", l, k, len(f.Classes))
		}
		setLabel(&set, k, l, len(f.Classes), meta.N)
	}
	f.Set = set
	f.Files = meta.Files
	f.Skipped, f.SkippedFiles = meta.Skipped, meta.SkippedFiles
	return nil
}
