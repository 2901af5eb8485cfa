package data

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gogan/gogan/internal/words"
)

// imageFile is one image file found in the folder.
type imageFile struct {
	rel     string // path relative to the folder, with forward slashes
	label   int    // class index, 0 without classes
	size    int64
	modTime time.Time
	inode   uint64 // 0 where the system has none (see stampFile)
	change  int64  // ctime in ns; 0 where the system has none
}

// imageList is what listImages finds in a folder.
type imageList struct {
	files    []imageFile
	classes  []string // the class folders, nil without classes
	warnings []string // links not followed
	notRead  map[string]int
}

// listProgressDelay is how long a listing runs before it reports the files it has found:
// about when a pause is noticed. A folder of tens of thousands of files takes that long
// (100,000 files 0.75 to 1 s here, from the page cache; more from a disk or a network),
// a smaller one reports nothing.
const listProgressDelay = 500 * time.Millisecond

// listCounter reports the image files a listing has found, as
// ImageFolderOptions.ListProgress says: not before after has passed since start, then
// at most once in every, and at the end when it has reported before.
type listCounter struct {
	report      func(found int) // nil: nothing to report
	after       time.Duration
	every       time.Duration
	start, last time.Time
	reported    bool
}

// newListCounter returns the counter of a listing that starts now and reports to report
// (nil for none).
func newListCounter(report func(found int)) *listCounter {
	return &listCounter{report: report, after: listProgressDelay, every: progressInterval, start: time.Now()}
}

// found is told that found image files have been found so far.
func (c *listCounter) found(found int) {
	if c.report == nil {
		return
	}
	now := time.Now()
	if now.Sub(c.start) < c.after || (c.reported && now.Sub(c.last) < c.every) {
		return
	}
	c.report(found)
	c.last, c.reported = now, true
}

// done is told that the listing has found found image files in all.
func (c *listCounter) done(found int) {
	if c.reported {
		c.report(found)
	}
}

// listImages finds the image files under dir, folder by folder in lexical order, following
// links to files and folders, and the class folders when dir's first level holds folders
// and no image file, telling count how many it has found as it goes.
func listImages(dir string, count *listCounter) (*imageList, error) {
	top, err := os.ReadDir(dir) // follows a link: dir may be one
	if err != nil {
		if st, serr := os.Stat(dir); serr == nil && !st.IsDir() {
			return nil, fmt.Errorf("data: %s: not a folder", dir)
		}
		return nil, fileError(dir, "cannot read folder", err)
	}
	if len(top) == 0 {
		return nil, fmt.Errorf("data: %s: empty folder", dir)
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fileError(dir, "cannot read folder", err)
	}
	w := &walker{dir: dir, list: &imageList{classes: classFolders(dir, top), notRead: map[string]int{}}, count: count}
	if err := w.walk("", top, []os.FileInfo{info}); err != nil {
		return nil, err
	}
	if len(w.list.files) == 0 {
		if n, kinds := byExtension(w.list.notRead); n > 0 {
			return nil, fmt.Errorf("data: %s: no %s images in it or its subfolders, only %s (%s)", dir, imageFormats, words.Count(n, "other file", "other files"), kinds)
		}
		return nil, fmt.Errorf("data: %s: no %s images in it or its subfolders", dir, imageFormats)
	}
	count.done(len(w.list.files))
	if err := checkClasses(dir, w.list.classes, w.list.files); err != nil {
		return nil, err
	}
	return w.list, nil
}

// walker lists the image files under a folder into list, telling count.
type walker struct {
	dir   string // the folder, as given
	list  *imageList
	count *listCounter
}

// walk lists the entries of the folder rel (relative to w.dir, with forward slashes; "" for
// w.dir itself) and the folders under it. A link is followed, to a file or to a folder,
// unless it leads to a folder on the way from w.dir to it (ancestors, rel's own info
// last), which would loop: that one is named in the warnings and left out. Names starting
// with "." are skipped.
func (w *walker) walk(rel string, entries []fs.DirEntry, ancestors []os.FileInfo) error {
	for _, e := range entries {
		if hidden(e.Name()) {
			continue
		}
		erel := path.Join(rel, e.Name())
		full := filepath.Join(w.dir, filepath.FromSlash(erel))
		link := e.Type()&fs.ModeSymlink != 0
		if !link && !e.IsDir() { // a file: no need to stat it
			if e.Type().IsRegular() {
				if err := w.file(erel, full, false); err != nil {
					return err
				}
			}
			continue
		}
		info, err := os.Stat(full) // follows a link
		switch {
		case err != nil && !link:
			return fileError(printable(full), "cannot read", err)
		case err != nil: // a link to nothing, or looping
			if IsImageName(e.Name()) {
				if err := w.addFile(erel, full, link); err != nil {
					return err
				}
			}
		case info.Mode().IsRegular():
			if err := w.file(erel, full, link); err != nil {
				return err
			}
		case info.IsDir():
			if err := w.walkFolder(erel, full, info, ancestors); err != nil {
				return err
			}
		}
	}
	return nil
}

// file adds the regular file rel (at full; through a link when link is set) to the list
// when its name is an image's, else counts it in list.notRead by its extension.
func (w *walker) file(rel, full string, link bool) error {
	if !IsImageName(rel) {
		w.list.notRead[strings.ToLower(path.Ext(rel))]++
		return nil
	}
	return w.addFile(rel, full, link)
}

// walkFolder walks the folder rel (at full, of info) under ancestors, unless it is one of
// them (a link that loops back).
func (w *walker) walkFolder(rel, full string, info os.FileInfo, ancestors []os.FileInfo) error {
	if slices.ContainsFunc(ancestors, func(a os.FileInfo) bool { return os.SameFile(a, info) }) {
		w.list.warnings = append(w.list.warnings, fmt.Sprintf("data: %s: a link to a folder that holds it, not followed (it would loop)", printable(full)))
		return nil
	}
	entries, err := os.ReadDir(full)
	if err != nil {
		return fileError(printable(full), "cannot read", err)
	}
	return w.walk(rel, entries, append(slices.Clip(ancestors), info))
}

// addFile adds the image file rel (at full; a link when link is set) to the list. A link
// that cannot be followed (to nothing, or looping) is added without size or time: a file
// that cannot be read, skipped as one when it is decoded.
func (w *walker) addFile(rel, full string, link bool) error {
	f := imageFile{rel: rel}
	if err := stampFile(&f, full); err != nil && !link {
		return fileError(printable(full), "cannot read", err)
	}
	if w.list.classes != nil {
		class := strings.SplitN(rel, "/", 2)[0]
		f.label = slices.Index(w.list.classes, class)
	}
	w.list.files = append(w.list.files, f)
	w.count.found(len(w.list.files))
	return nil
}

// IsClassFolder reports whether LoadImageFolder reads dir as a folder of class folders:
// its first level holds at least one folder (not a dot folder; a link to a folder counts)
// and no image file. A folder whose first level holds an image file is a folder of images
// without classes, whatever folders it also holds.
func IsClassFolder(dir string) bool {
	top, err := os.ReadDir(dir)
	return err == nil && classFolders(dir, top) != nil
}

// classFolders returns the names of the class folders among the first-level entries top of
// dir, sorted as ReadDir sorts them: its folders and links to folders (not dot folders)
// when it holds no image file, else nil.
func classFolders(dir string, top []fs.DirEntry) []string {
	var classes []string
	for _, e := range top {
		switch {
		case hidden(e.Name()):
		case isFolder(dir, e):
			classes = append(classes, e.Name())
		case IsImageName(e.Name()):
			return nil
		}
	}
	return classes
}

// isFolder reports whether the entry e of dir is a folder or a link to one.
func isFolder(dir string, e fs.DirEntry) bool {
	if e.Type()&fs.ModeSymlink == 0 {
		return e.IsDir()
	}
	st, err := os.Stat(filepath.Join(dir, e.Name()))
	return err == nil && st.IsDir()
}

// printable returns name as it is when it is valid UTF-8 of graphic characters (spaces
// included), else quoted as Go quotes a string ("new\nline.png", "x\xff.png"), so that a
// message naming a file stays one line and says which file it is.
func printable(name string) string {
	if utf8.ValidString(name) && !strings.ContainsFunc(name, func(r rune) bool { return !unicode.IsGraphic(r) }) {
		return name
	}
	return strconv.Quote(name)
}

// hidden reports whether a file or folder name starts with "." (".git", macOS's "._x.jpg").
func hidden(name string) bool { return strings.HasPrefix(name, ".") }

// checkClasses fails when a class folder holds no image file.
func checkClasses(dir string, classes []string, files []imageFile) error {
	count := make([]int, len(classes))
	for _, f := range files {
		if classes != nil {
			count[f.label]++
		}
	}
	for i, n := range count {
		if n == 0 {
			return fmt.Errorf("data: %s: class folder holds no %s images (each folder of %s is a class)", printable(filepath.Join(dir, classes[i])), imageFormats, dir)
		}
	}
	return nil
}
