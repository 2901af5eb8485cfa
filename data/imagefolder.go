package data

import (
	"cmp"
	"context"
	"fmt"
	"image/color"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gogan/gogan/internal/words"
)

// Background is what the transparent pixels of an image are composited onto.
type Background uint8

// The backgrounds. The zero value is white.
const (
	BackgroundWhite Background = iota
	BackgroundBlack
)

// backgrounds is the table of backgrounds, indexed by Background: name and color.
var backgrounds = []struct {
	name  string
	color color.RGBA
}{
	BackgroundWhite: {"white", color.RGBA{255, 255, 255, 255}},
	BackgroundBlack: {"black", color.RGBA{0, 0, 0, 255}},
}

// Color returns the background's color; b is BackgroundWhite or BackgroundBlack
// (another value is a programmer error: it panics naming it).
func (b Background) Color() color.RGBA {
	if int(b) >= len(backgrounds) {
		panic(fmt.Sprintf("data: %v.Color: unknown background: want BackgroundWhite or BackgroundBlack", b))
	}
	return backgrounds[b].color
}

// String returns the background's name, "white" or "black".
func (b Background) String() string {
	if int(b) < len(backgrounds) {
		return backgrounds[b].name
	}
	return fmt.Sprintf("Background(%d)", uint8(b))
}

// ParseBackground returns the background named s, "white" or "black".
func ParseBackground(s string) (Background, error) {
	for i, bg := range backgrounds {
		if bg.name == s {
			return Background(i), nil
		}
	}
	return 0, fmt.Errorf("data: unknown background %q: want white or black", s)
}

// DefaultImageSize is the side LoadImageFolder scales images to when they do not all share
// one square size and ImageFolderOptions.ImageSize is 0.
const DefaultImageSize = 64

// maxFailedFraction is the largest fraction of a folder's image files that may fail to
// decode before LoadImageFolder gives up: 1%.
const maxFailedFraction = 0.01

// maxNamedSkips is how many skipped files ImageFolder.SkippedFiles names.
const maxNamedSkips = 5

// ImageFolderOptions says how LoadImageFolder makes a dataset of a folder's images. The
// zero value keeps the images' own square size (or scales to DefaultImageSize), picks the
// channels from the images, and composites transparency onto white.
type ImageFolderOptions struct {
	// ImageSize is the side N of the square images made: the shorter side of each image
	// is scaled to N, then its center N×N is kept. 0 means the images' own size when they
	// all share one square size (of at most 4096), else DefaultImageSize. At most 4096.
	ImageSize int
	// Channels is 1 (gray) or 3 (RGB). 0 means 3 when any image has color (after
	// compositing and scaling, a pixel whose R, G and B differ), else 1.
	Channels int
	// Background is what transparent pixels are composited onto.
	Background Background
	// Strict fails on the first file that cannot be decoded, instead of skipping it.
	Strict bool
	// Progress, when not nil, is called with the number of files decoded so far and the
	// number to decode, from the goroutine that called LoadImageFolder: with 0 when the
	// decoding starts (a bar made by the first call counts its rate from there), then at
	// most about 10 times a second, and once at the end. A load from the cache does not
	// call it.
	Progress func(done, total int)
	// ListProgress, when not nil, is called with the number of image files found so far
	// while the folder is listed, before any file is read (the total is not known until
	// the end), from the goroutine that called LoadImageFolder: once the listing has taken
	// half a second (a folder of tens of thousands of files), then at most about 10 times a
	// second, and once at the end; a folder listed sooner does not call it. A load from
	// the cache lists the folder too.
	ListProgress func(found int)
	// HeaderProgress, when not nil, is called as Progress is while the files' headers are
	// read (each image's size, for the memory budget and ImageSize 0), before they are
	// decoded: a pass of its own, one file open and a few kilobytes read a file.
	HeaderProgress func(done, total int)
	// CacheDir is the folder of the decoded cache files. "" means
	// <os.UserCacheDir()>/gogan/images; when that cannot be found, nothing is cached (a
	// warning says so).
	CacheDir string
}

// ImageFolder is a folder of images decoded into a dataset.
type ImageFolder struct {
	Dir string // the folder, as given

	// Set holds the images that decoded, (N, ImageSize, ImageSize, Channels), in the order
	// of Files, and their labels when the folder has class folders: Labels when there are
	// at most 256 classes, WideLabels otherwise.
	Set Set
	// Classes are the names of the class folders, sorted; label i is Classes[i]. nil when
	// the folder's first level holds images (no classes).
	Classes []string
	// Files are the paths, relative to Dir, of the images in Set, in order.
	Files []string

	// NotRead counts the files (hidden ones aside) not read because their names are not
	// those of images, by extension in lower case ("" for none): {".heic": 480, ".txt": 1}.
	NotRead map[string]int

	// Found is the number of image files found; Skipped of them could not be decoded.
	Found, Skipped int
	// SkippedFiles names the first few skipped files, each as "PATH: REASON".
	SkippedFiles []string

	// Warnings are things the caller should print: a link to a folder not followed (it
	// loops), a damaged cache rebuilt, a cache of an earlier gogan's format (whose
	// decoding differs) rebuilt, a cache that could not be written.
	Warnings []string
	// Cache is the cache file read or written ("" when there is none); FromCache says that
	// the images were read from it rather than decoded.
	Cache     string
	FromCache bool

	listing string // listingKey of the files found, kept in the cache file
}

// SkipReport says in one line how many files were skipped and names the first few, or
// returns "" when none was.
func (f *ImageFolder) SkipReport() string {
	if f.Skipped == 0 {
		return ""
	}
	return fmt.Sprintf("%s: skipped %d of %d image files that cannot be decoded: %s", f.Dir, f.Skipped, f.Found, strings.Join(f.SkippedFiles, "; "))
}

// maxNamedExts is how many extensions NotReadReport names.
const maxNamedExts = 5

// NotReadReport says in one line how many files were not read because their names are not
// those of images, and of which extensions (the most frequent first), or returns "" when
// there were none.
func (f *ImageFolder) NotReadReport() string {
	total, kinds := byExtension(f.NotRead)
	if total == 0 {
		return ""
	}
	return fmt.Sprintf("%s: %s not read, not named as %s images: %s", f.Dir, words.Count(total, "file", "files"), imageFormats, kinds)
}

// byExtension returns the count of files of notRead (extension → count) and says how many
// there are of each extension, the most frequent first, up to maxNamedExts of them:
// "40 .heic, 1 .csv".
func byExtension(notRead map[string]int) (total int, kinds string) {
	type kind struct {
		ext string
		n   int
	}
	var all []kind
	for ext, n := range notRead {
		all = append(all, kind{ext, n})
		total += n
	}
	slices.SortFunc(all, func(a, b kind) int { return cmp.Or(b.n-a.n, strings.Compare(a.ext, b.ext)) })
	var parts []string
	named := 0
	for _, k := range all[:min(len(all), maxNamedExts)] {
		ext := printable(k.ext)
		if ext == "" {
			ext = "without extension"
		}
		parts = append(parts, fmt.Sprintf("%d %s", k.n, ext))
		named += k.n
	}
	if rest := len(all) - maxNamedExts; rest > 0 {
		parts = append(parts, fmt.Sprintf("%d of %s", total-named, words.Count(rest, "other extension", "other extensions")))
	}
	return total, strings.Join(parts, ", ")
}

// LoadImageFolder reads the images in dir and its subfolders (PNG, JPEG, GIF's first frame,
// BMP, WebP and TIFF's first image, by extension in any case; names starting with "." are skipped) into a
// dataset of square images, as opts says. When dir's first level holds no image file and at
// least one folder, each folder is a class, as in torchvision's ImageFolder: classes are
// sorted by name, the label of an image is the index of the first-level folder it is under,
// and a class folder without images, or none of whose images decode, is an error.
//
// Links to files and to folders are followed (dir may be one), but for a link to a folder
// that holds it, which would loop: that one is left out and named in ImageFolder.Warnings.
//
// Files are taken in lexical order, folder by folder (that of filepath.WalkDir), decoded in
// parallel on runtime.NumCPU() goroutines, which hold at most about 1 GiB of decoding
// memory at once, as the images' headers announce it; the result is in that order
// whatever the parallelism. Each file's header is read first: an image of more than
// MaxImagePixels pixels, or whose header announces more pixels than the file's size can
// hold (a PNG, JPEG, GIF, lossy WebP, TIFF or BMP: damaged, or made to exhaust memory),
// is refused before decoding. A lossy WebP's colors are libwebp's (BT.601's limited range,
// which Go's own conversion reads as full range, its chroma interpolated between 2×2
// blocks as libwebp's default does): dwebp's pixels, and PIL's. A file that
// cannot be decoded is skipped (see ImageFolder.SkipReport) unless opts.Strict is set;
// LoadImageFolder fails when no file decodes or when more than 1% of them do not.
//
// The decoded images are cached in one file (see ImageFolderOptions.CacheDir) per folder
// (its absolute path, links resolved) and opts.ImageSize, opts.Channels and
// opts.Background. The file records a hash of the file list, the files' sizes and
// modification times (and on Unix their inode numbers and change times, which writing,
// replacing or renaming a file, or setting its modification time back, all change): a
// later load with the same files and options reads it instead of decoding, and a load of
// the folder changed decodes it again and replaces the file, so that the cache keeps one
// version of each folder. The cache is written atomically with a checksum; a damaged cache
// is decoded again and rewritten, with a warning. A folder cached by an earlier gogan whose
// decoding gave other bytes (an earlier cache format) is decoded again, its old file
// removed, with a note that says why.
func LoadImageFolder(dir string, opts ImageFolderOptions) (*ImageFolder, error) {
	return LoadImageFolderContext(context.Background(), dir, opts)
}

// LoadImageFolderContext is LoadImageFolder, stopped by ctx: once ctx is done, no file is
// started, the files being decoded are finished, nothing is cached, and the error wraps
// ctx.Err(). A nil ctx is a programmer error: it panics here, before the decoding
// goroutines that would read it start.
func LoadImageFolderContext(ctx context.Context, dir string, opts ImageFolderOptions) (*ImageFolder, error) {
	if ctx == nil {
		panic("data: LoadImageFolderContext: nil context (pass context.Background())")
	}
	if err := opts.check(); err != nil {
		return nil, err
	}
	list, err := listImages(dir, newListCounter(opts.ListProgress))
	if err != nil {
		return nil, err
	}
	files, classes := list.files, list.classes
	res := &ImageFolder{Dir: dir, Classes: classes, Found: len(files), NotRead: list.notRead, Warnings: list.warnings}

	cachePath, warn := cachePathFor(dir, opts, cacheVersion)
	res.addWarning(warn)
	res.listing = listingKey(files, classes)
	if cachePath != "" {
		res.Cache = cachePath
		switch err := readImageCache(cachePath, res); {
		case err == nil:
			res.FromCache = true
			return res, res.strictCheck(opts)
		case err != errNoCache:
			res.addWarning(fmt.Sprintf("data: %s: damaged cache, decoding %s again: %v", cachePath, dir, err))
		}
	}

	if err := decodeFolder(ctx, res, files, opts); err != nil {
		return nil, err
	}
	if cachePath != "" {
		for _, note := range removeOlderCaches(dir, opts) {
			res.addWarning(note)
		}
		if err := writeImageCache(cachePath, res); err != nil {
			res.addWarning(fmt.Sprintf("data: %s: the decoded images cannot be cached (the next load decodes them again): %v", cachePath, err))
		}
	}
	return res, nil
}

// addWarning appends w to the warnings unless it is empty.
func (f *ImageFolder) addWarning(w string) {
	if w != "" {
		f.Warnings = append(f.Warnings, w)
	}
}

// strictCheck fails, under opts.Strict, when a file was skipped.
func (f *ImageFolder) strictCheck(opts ImageFolderOptions) error {
	if opts.Strict && f.Skipped > 0 {
		return fmt.Errorf("data: %s (strict: no file may be skipped)", filepath.Join(f.Dir, f.SkippedFiles[0]))
	}
	return nil
}

// check says what is wrong with opts, or returns nil.
func (opts ImageFolderOptions) check() error {
	switch {
	case opts.ImageSize < 0 || opts.ImageSize > maxSide:
		return fmt.Errorf("data: image size must be within 1..%d, or 0 for the images' own, got %d", maxSide, opts.ImageSize)
	case opts.Channels != 0 && opts.Channels != 1 && opts.Channels != 3:
		return fmt.Errorf("data: channels must be 1 or 3, or 0 for the images' own, got %d", opts.Channels)
	case int(opts.Background) >= len(backgrounds):
		return fmt.Errorf("data: unknown background %d: want BackgroundWhite or BackgroundBlack", opts.Background)
	}
	return nil
}

// decodeFolder decodes files into res: sizes first, then pixels, both in parallel.
func decodeFolder(ctx context.Context, res *ImageFolder, files []imageFile, opts ImageFolderOptions) error {
	dir := res.Dir
	n := len(files)
	errs := make([]error, n)
	headers := make([]imageHeader, n)
	forEach(ctx, n, opts.Strict, errs, opts.HeaderProgress, func(i int) (err error) {
		headers[i], err = probe(filepath.Join(dir, files[i].rel))
		return err
	})
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("data: %s: reading stopped: %w", dir, err)
	}
	if err := failures(res, files, errs, opts); err != nil {
		return err
	}

	spec := decodeSpec{size: opts.ImageSize, rgb: opts.Channels != 1, bg: backgrounds[opts.Background].color}
	if spec.size == 0 {
		spec.size = ownSize(headers, errs)
	}
	per := spec.bytesPerImage()
	pix := make([]uint8, n*per)
	colored := make([]bool, n)
	budget := newMemoryBudget(decodeBudget)
	forEach(ctx, n, opts.Strict, errs, opts.Progress, func(i int) (err error) {
		cost := decodeCost(headers[i], spec)
		budget.acquire(cost)
		defer budget.release(cost)
		colored[i], err = decodeFile(pix[i*per:(i+1)*per], filepath.Join(dir, files[i].rel), spec)
		return err
	})
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("data: %s: decoding stopped: %w", dir, err)
	}
	if err := failures(res, files, errs, opts); err != nil {
		return err
	}
	if err := classesDecoded(res, files, errs); err != nil {
		return err
	}

	// Keep the images that decoded, in order.
	kept, anyColor := 0, false
	for i, f := range files {
		if errs[i] != nil {
			continue
		}
		copy(pix[kept*per:(kept+1)*per], pix[i*per:(i+1)*per])
		res.Files = append(res.Files, f.rel)
		if res.Classes != nil {
			setLabel(&res.Set, kept, f.label, len(res.Classes), n)
		}
		anyColor = anyColor || colored[i]
		kept++
	}
	pix = pix[:kept*per]
	channels := 1
	if spec.rgb {
		channels = 3
		if opts.Channels == 0 && !anyColor {
			pix, channels = rgbToGray(pix), 1
		}
	}
	res.Set.Images = &Images{N: kept, Rows: spec.size, Cols: spec.size, Channels: channels, Pixels: pix}
	trimLabels(&res.Set, kept)
	return nil
}

// setLabel sets the label of image k to label, in Labels or, with more than 256 classes,
// in WideLabels, making the slice (of capacity n) on first use.
func setLabel(s *Set, k, label, classes, n int) {
	if classes > 256 {
		if s.WideLabels == nil {
			s.WideLabels = make([]uint16, n)
		}
		s.WideLabels[k] = uint16(label)
		return
	}
	if s.Labels == nil {
		s.Labels = make([]uint8, n)
	}
	s.Labels[k] = uint8(label)
}

// trimLabels cuts the label slices of s to the n images kept.
func trimLabels(s *Set, n int) {
	if s.Labels != nil {
		s.Labels = s.Labels[:n]
	}
	if s.WideLabels != nil {
		s.WideLabels = s.WideLabels[:n]
	}
}

// ownSize returns the side the images share when they are all square of one size, else
// DefaultImageSize. Files whose header failed (errs[i] != nil) do not count.
func ownSize(headers []imageHeader, errs []error) int {
	side := 0
	for i, h := range headers {
		if errs[i] != nil {
			continue
		}
		if h.w != h.h || (side != 0 && h.w != side) || h.w > maxSide {
			return DefaultImageSize
		}
		side = h.w
	}
	if side == 0 {
		return DefaultImageSize
	}
	return side
}

// failures records the files that failed in res and says whether loading must stop: under
// opts.Strict at the first failure, when nothing decoded, or when more than 1% failed.
func failures(res *ImageFolder, files []imageFile, errs []error, opts ImageFolderOptions) error {
	res.Skipped, res.SkippedFiles = 0, nil
	first := -1
	for i, err := range errs {
		if err == nil {
			continue
		}
		if first < 0 {
			first = i
		}
		res.Skipped++
		if len(res.SkippedFiles) < maxNamedSkips {
			res.SkippedFiles = append(res.SkippedFiles, printable(files[i].rel)+": "+err.Error())
		}
	}
	n := len(files)
	switch {
	case first < 0:
		return nil
	case opts.Strict:
		return fmt.Errorf("data: %s: %v (strict: no file may be skipped)", printable(filepath.Join(res.Dir, files[first].rel)), errs[first])
	case res.Skipped == n:
		return fmt.Errorf("data: %s: none of its %d image files can be decoded; the first: %s", res.Dir, n, res.SkippedFiles[0])
	case float64(res.Skipped) > maxFailedFraction*float64(n):
		return fmt.Errorf("data: %s: %d of %d image files (%.1f%%) cannot be decoded, more than 1%%: %s", res.Dir, res.Skipped, n, 100*float64(res.Skipped)/float64(n), strings.Join(res.SkippedFiles, "; "))
	}
	return nil
}

// classesDecoded fails when none of a class folder's image files decoded (errs[i] != nil
// for each): the class would have no image to train on, as an empty class folder.
func classesDecoded(res *ImageFolder, files []imageFile, errs []error) error {
	if res.Classes == nil {
		return nil
	}
	decoded := make([]int, len(res.Classes))
	found := make([]int, len(res.Classes))
	for i, f := range files {
		found[f.label]++
		if errs[i] == nil {
			decoded[f.label]++
		}
	}
	for c, n := range decoded {
		if n > 0 {
			continue
		}
		first := slices.IndexFunc(files, func(f imageFile) bool { return f.label == c })
		return fmt.Errorf("data: %s: none of the class folder's %s can be decoded, so the class has no image; the first: %s: %v",
			printable(filepath.Join(res.Dir, res.Classes[c])), words.Count(found[c], "image file", "image files"), printable(files[first].rel), errs[first])
	}
	return nil
}

// progressInterval is the least time between two calls of a progress callback.
const progressInterval = 100 * time.Millisecond

// forEach runs fn(i) for i in [0, n) on runtime.NumCPU() goroutines and stores its errors
// in errs (a file that failed before, errs[i] != nil, is not run again). Under stop, it
// starts no new call after the first error, nor any once ctx is done. progress, when not
// nil, is called from the calling goroutine with the count of calls done: with 0 before the
// first call starts (when n > 0), so that a bar made by its first call counts its rate from
// the start of the work, then every progressInterval and once at the end.
func forEach(ctx context.Context, n int, stop bool, errs []error, progress func(done, total int), fn func(i int) error) {
	if progress != nil && n > 0 {
		progress(0, n)
	}
	var next, done atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range min(runtime.NumCPU(), n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || (stop && failed.Load()) || ctx.Err() != nil {
					return
				}
				if errs[i] == nil {
					if errs[i] = fn(i); errs[i] != nil {
						failed.Store(true)
					}
				}
				done.Add(1)
			}
		})
	}
	if progress == nil {
		wg.Wait()
		return
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	tick := time.NewTicker(progressInterval)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			progress(int(done.Load()), n)
		case <-finished:
			progress(int(done.Load()), n)
			return
		}
	}
}

// decodeBudget bounds the memory that the images being decoded at once hold, as
// decodeCost counts it, however many cores there are: 1 GiB. An image that costs more is
// decoded alone. It bounded their pixels before, to 2 × MaxImagePixels, which let 16
// images of 2048×2048 (JPEG) at ImageSize 4096 on 16 workers hold 6.0 GB resident, the
// scaler's buffer, which pixels do not count, taking 256 MB an image; 3.7 GB now, of
// which 768 MB the result and the rest 1 GiB of decoding and the collector's headroom
// (GOGC=100). At ImageSize 1024 both let 1.25 GB (64 MB an image: 13 at once).
const decodeBudget = 1 << 30

// decodeCost is the memory that decoding an image of header h into spec holds at once, at
// most, in bytes: the decoder's (h.decoded); for an image that may be transparent, its
// center square composited as RGBA (4 bytes a pixel); for one scaled, x/image/draw's
// Catmull-Rom buffer of float64 RGBA (32 bytes) per output column and source row of the
// square, and its weights (16 bytes for each of about 4 source pixels an output pixel
// when enlarging, widened by the factor when shrinking, on each axis: 128 bytes a pixel
// of the longer side); and the RGBA output. Measured against decodeFile's allocations by
// TestDecodeCostBoundsAllocation.
func decodeCost(h imageHeader, spec decodeSpec) int64 {
	s, size := int64(min(h.w, h.h)), int64(spec.size)
	cost := h.decoded + 4*size*size
	if h.alpha {
		cost += 4 * s * s
	}
	if s != size {
		cost += 32*size*s + 128*max(size, s)
	}
	return cost
}

// memoryBudget is a counting semaphore of bytes.
type memoryBudget struct {
	mu    sync.Mutex
	cond  *sync.Cond
	left  int64
	total int64
}

// newMemoryBudget returns a budget of total bytes.
func newMemoryBudget(total int64) *memoryBudget {
	b := &memoryBudget{left: total, total: total}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// acquire waits until n bytes (at most the total) are free and takes them.
func (b *memoryBudget) acquire(n int64) {
	n = min(n, b.total)
	b.mu.Lock()
	for b.left < n {
		b.cond.Wait()
	}
	b.left -= n
	b.mu.Unlock()
}

// release gives back n bytes taken by acquire.
func (b *memoryBudget) release(n int64) {
	n = min(n, b.total)
	b.mu.Lock()
	b.left += n
	b.mu.Unlock()
	b.cond.Broadcast()
}
