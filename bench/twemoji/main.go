// Command twemoji arranges Twemoji's 64×64 PNGs, from the npm package
// emoji-datasource-twitter, into one folder per emoji category, the layout that
// data.LoadImageFolder (and gogan's --data FOLDER) reads as a labelled color dataset:
//
//	npm pack emoji-datasource-twitter@16.0.0
//	go run ./bench/twemoji emoji-datasource-twitter-16.0.0.tgz
//
// It reads the tarball as it is (no unpacking), takes each image's category from the
// package's emoji.json (skin-tone variants go with their base emoji), writes
// OUT/<category>/<image>.png (leaving a file that already holds the same bytes as it is, so a
// second run keeps the loader's cache valid), then loads OUT with data.LoadImageFolder twice and prints the
// counts and both load times (the first decodes, the second reads the cache). OUT defaults
// to <os.UserCacheDir()>/gogan/twemoji; the dataset is never written into the repository.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gogan/gogan/data"
)

// Where the package keeps what this command reads.
const (
	emojiJSON = "package/emoji.json"
	imageDir  = "package/img/twitter/64/"
)

// emoji is the part of one entry of emoji.json this command reads.
type emoji struct {
	Image          string
	Category       string
	HasImgTwitter  bool `json:"has_img_twitter"`
	SkinVariations map[string]struct {
		Image         string
		HasImgTwitter bool `json:"has_img_twitter"`
	} `json:"skin_variations"`
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "twemoji:", err)
		os.Exit(1)
	}
}

// run parses the command line, arranges the images and loads the result.
func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("twemoji", flag.ContinueOnError)
	out := fs.String("out", "", "the folder to write the class folders into (default <user cache>/gogan/twemoji)")
	load := fs.Bool("load", true, "load the result with data.LoadImageFolder, twice, and print the counts and times")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: go run ./bench/twemoji [-out DIR] [-load=false] emoji-datasource-twitter-VERSION.tgz")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("want one argument, the tarball made by `npm pack emoji-datasource-twitter@16.0.0`")
	}
	if *out == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return fmt.Errorf("no user cache folder (%v): pass -out DIR", err)
		}
		*out = filepath.Join(dir, "gogan", "twemoji")
	}
	n, classes, err := arrangeFile(fs.Arg(0), *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d images in %d class folders\n", *out, n, classes)
	if *load {
		return loadTwice(*out, stdout)
	}
	return nil
}

// arrangeFile is arrange on the tarball at tgz.
func arrangeFile(tgz, out string) (images, classes int, err error) {
	f, err := os.Open(tgz)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	return arrange(f, tgz, out)
}

// arrange writes each 64×64 image of the gzipped tarball r (named name in errors) into
// out/<category>/, and returns how many images and categories it wrote. The tarball is read
// in one pass; images met before emoji.json are held in memory until it comes.
func arrange(r io.Reader, name, out string) (images, classes int, err error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %v", name, err)
	}
	tr := tar.NewReader(zr)
	var category map[string]string // image file name → category folder
	pending := map[string][]byte{} // images read before emoji.json
	written := map[string]bool{}   // category folders written
	write := func(base string, b []byte) error {
		c, ok := category[base]
		if !ok {
			return fmt.Errorf("%s: %s%s has no category in %s", name, imageDir, base, emojiJSON)
		}
		dir := filepath.Join(out, c)
		if !written[c] {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			written[c] = true
		}
		images++
		return writeIfChanged(filepath.Join(dir, base), b)
	}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %v", name, err)
		}
		switch {
		case h.Name == emojiJSON:
			if category, err = readCategories(tr); err != nil {
				return 0, 0, fmt.Errorf("%s: %s: %v", name, emojiJSON, err)
			}
			for _, base := range slices.Sorted(maps.Keys(pending)) {
				if err := write(base, pending[base]); err != nil {
					return 0, 0, err
				}
			}
			pending = nil
		case strings.HasPrefix(h.Name, imageDir) && strings.HasSuffix(h.Name, ".png"):
			b, err := io.ReadAll(tr)
			if err != nil {
				return 0, 0, fmt.Errorf("%s: %s: %v", name, h.Name, err)
			}
			base := path.Base(h.Name)
			if category == nil {
				pending[base] = b
			} else if err := write(base, b); err != nil {
				return 0, 0, err
			}
		}
	}
	if category == nil {
		return 0, 0, fmt.Errorf("%s: no %s: not an emoji-datasource tarball", name, emojiJSON)
	}
	if images == 0 {
		return 0, 0, fmt.Errorf("%s: no images in %s", name, imageDir)
	}
	return images, len(written), nil
}

// writeIfChanged writes b to path unless path already holds b, so that a second run keeps
// the files' modification times and the loader's cache stays valid.
func writeIfChanged(path string, b []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, b) {
		return nil
	}
	return os.WriteFile(path, b, 0o644)
}

// readCategories reads emoji.json and returns the category folder of each image, skin-tone
// variants included. A folder's name is the category in lower case with every run of
// characters other than letters and digits turned into one "-": "Smileys & Emotion" is
// "smileys-emotion".
func readCategories(r io.Reader) (map[string]string, error) {
	var list []emoji
	if err := json.NewDecoder(r).Decode(&list); err != nil {
		return nil, err
	}
	category := map[string]string{}
	for _, e := range list {
		c := slug(e.Category)
		if c == "" {
			return nil, fmt.Errorf("%s has no category", e.Image)
		}
		category[e.Image] = c
		for _, v := range e.SkinVariations {
			category[v.Image] = c
		}
	}
	return category, nil
}

// slug is s in lower case, each run of other characters than letters and digits one "-".
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

// loadTwice loads dir with data.LoadImageFolder twice and prints what each load found and
// how long it took.
func loadTwice(dir string, w io.Writer) error {
	for range 2 {
		start := time.Now()
		f, err := data.LoadImageFolder(dir, data.ImageFolderOptions{})
		if err != nil {
			return err
		}
		elapsed := time.Since(start)
		for _, warn := range f.Warnings {
			fmt.Fprintln(w, "warning:", warn)
		}
		if rep := f.SkipReport(); rep != "" {
			fmt.Fprintln(w, rep)
		}
		im := f.Set.Images
		how := "decoded"
		if f.FromCache {
			how = "read from the cache"
		}
		fmt.Fprintf(w, "loaded %d of %d files, %d classes, as %dx%dx%d, %s in %v (%s)\n",
			im.N, f.Found, len(f.Classes), im.Rows, im.Cols, im.NumChannels(), how, elapsed.Round(time.Millisecond), f.Cache)
	}
	return nil
}
