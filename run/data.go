package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/internal/bar"
	"github.com/gogan/gogan/internal/words"
)

// DataOptions say where LoadDataset looks and where it reports.
type DataOptions struct {
	Load data.LoadOptions
	// ImageCache is the cache folder of decoded image folders ("": the user
	// cache, see data.ImageFolderOptions.CacheDir).
	ImageCache string
	// Log gets one line saying what was read; Progress the bars of the headers'
	// pass and of the decoding (when Interactive), the warnings and the skip
	// report. nil writers discard.
	Log, Progress io.Writer
	Interactive   bool
}

// Data is what a run trains and is evaluated on.
type Data struct {
	*data.Dataset
	// Classes is the number of classes of the labels: a folder's class
	// folders, or the largest label + 1 of a dataset; 0 without labels.
	Classes int
}

// MaxFolderTestImages is the most images of an image folder that make its
// test set: a folder has no test split, so the test set is that many of its
// images, evenly spaced (every class is in it).
const MaxFolderTestImages = 1000

// datasetNames are the datasets known by name, data.LoadWith's and
// data.ToyNames: a run stores them as they are.
var datasetNames = slices.Concat(data.DatasetNames, data.ToyNames)

// DataPath is spec, a Config.Data, as a run stores it: a built-in dataset's name
// (mnist, fashion-mnist, stacked-mnist, ring8, grid25) as it is, and any other spec, a
// folder of IDX files or of images, as its absolute, cleaned path (links in it kept
// as links), so that the run resumes, and gogan eval, sample and export-featurenet
// read its test images, from any working directory, and never another folder of the
// same relative name. Where the working directory holds a folder named like one of
// data.LoadWith's datasets, which LoadWith reads in its place (NameShadowed), that
// folder is stored by its path too: the name alone would read the built-in dataset
// elsewhere. Train stores a new run's Config.Data through it, and a resumed run's that
// an earlier gogan stored relative, once the data are read from the working
// directory. "" comes back as it is, and so does spec when the working directory
// cannot be found.
func DataPath(spec string) string {
	if spec == "" || slices.Contains(datasetNames, spec) && !NameShadowed(spec) {
		return spec
	}
	abs, err := filepath.Abs(spec)
	if err != nil {
		return spec
	}
	return abs
}

// NameShadowed reports whether spec is the name of one of data.LoadWith's datasets
// (mnist, fashion-mnist, stacked-mnist) and the working directory holds a folder of
// that name, which LoadWith reads instead of the dataset.
func NameShadowed(spec string) bool {
	if !slices.Contains(data.DatasetNames, spec) {
		return false
	}
	st, err := os.Stat(spec)
	return err == nil && st.IsDir()
}

// checkRelativeData refuses a relative data path (not a dataset's name) that
// names nothing from the working directory, naming both. Such a path is read
// from there: a run made by an earlier gogan, which stored its path as given
// (not DataPath's), finds its data only from the folder it was trained in.
func checkRelativeData(spec string) error {
	if spec == "" || filepath.IsAbs(spec) || slices.Contains(datasetNames, spec) {
		return nil
	}
	if _, err := os.Stat(spec); !errors.Is(err, fs.ErrNotExist) {
		return nil // found, or another error the loader names
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil
	}
	return fmt.Errorf("data %s: no such folder in the working directory %s: a relative data path is read from the working directory, and a run made by an earlier gogan kept the one it was given: run gogan from the folder the run was trained in", spec, wd)
}

// IsImageFolder reports whether spec names a folder read as images: a
// folder that holds none of the IDX files (data.IsIDXFolder).
func IsImageFolder(spec string) bool {
	st, err := os.Stat(spec)
	return err == nil && st.IsDir() && !data.IsIDXFolder(spec)
}

// LoadDataset reads the data a config trains on: a folder of images, with
// the config's ImageSize, Channels, Background and Strict (data.LoadImageFolder,
// decoded once into its cache), or else data.LoadWith's datasets (mnist,
// fashion-mnist, stacked-mnist, a folder of IDX files). For a folder of
// images it draws progress bars while it reads the files' headers and while it
// decodes them, and reports the files not read (not named as images) and those
// skipped.
func LoadDataset(cfg gan.Config, opts DataOptions) (*Data, error) {
	return LoadDatasetContext(context.Background(), cfg, opts)
}

// LoadDatasetContext is LoadDataset, stopped by ctx while it decodes a folder of images
// (data.LoadImageFolderContext): the error then wraps ctx.Err().
//
// A relative cfg.Data is read from the working directory; one that names nothing
// there is refused naming both (a run made by an earlier gogan stored its folder
// as given, not as DataPath's absolute path).
func LoadDatasetContext(ctx context.Context, cfg gan.Config, opts DataOptions) (*Data, error) {
	if err := checkRelativeData(cfg.Data); err != nil {
		return nil, err
	}
	if !IsImageFolder(cfg.Data) {
		ds, err := data.LoadWith(cfg.Data, opts.Load)
		if err != nil {
			return nil, err
		}
		return &Data{Dataset: ds, Classes: classCount(ds.Train)}, nil
	}
	return loadImageFolder(ctx, cfg, opts)
}

// loadImageFolder is LoadDataset for a folder of images.
func loadImageFolder(ctx context.Context, cfg gan.Config, opts DataOptions) (*Data, error) {
	log, progress := writerOr(opts.Log), writerOr(opts.Progress)
	bg, err := data.ParseBackground(cfg.Background)
	if cfg.Background == "" {
		bg, err = data.BackgroundWhite, nil
	}
	if err != nil {
		return nil, err
	}
	fo := data.ImageFolderOptions{
		ImageSize: cfg.ImageSize, Channels: cfg.Channels, Background: bg, Strict: cfg.Strict,
		CacheDir: opts.ImageCache,
	}
	bars := bar.NewStages(progress)
	if opts.Interactive {
		fo.ListProgress, fo.HeaderProgress, fo.Progress = bars.Folder(cfg.Data)
	}
	start := time.Now()
	f, err := data.LoadImageFolderContext(ctx, cfg.Data, fo)
	bars.Finish()
	if err != nil {
		return nil, err
	}
	for _, w := range f.Warnings {
		fmt.Fprintln(progress, w)
	}
	for _, r := range []string{f.NotReadReport(), f.SkipReport()} {
		if r != "" {
			fmt.Fprintln(progress, r)
		}
	}
	im := f.Set.Images
	how := fmt.Sprintf("decoded in %.1f s", time.Since(start).Seconds())
	if f.FromCache {
		how = "from the cache " + f.Cache
	}
	classes := "no classes"
	if len(f.Classes) > 0 {
		classes = words.Count(len(f.Classes), "class", "classes")
	}
	fmt.Fprintf(log, "data %s: %s of %d×%d×%d, %s (%s)\n", cfg.Data, words.Count(im.N, "image", "images"), im.Rows, im.Cols, im.NumChannels(), classes, how)
	ds := &data.Dataset{
		Name: filepath.Base(filepath.Clean(cfg.Data)), Dir: cfg.Data,
		Train: f.Set, Test: f.Set.Spread(MaxFolderTestImages),
	}
	return &Data{Dataset: ds, Classes: len(f.Classes)}, nil
}

// checkResumedClasses fails when job, a resumed run's (nil for a new run),
// takes labels and its data now has another number of classes than it was
// made for: a class folder added or removed since. Its networks are built for
// that many; a label beyond them stopped the training at its first batch, and
// a class removed trained on without a word.
func checkResumedClasses(job gan.Job, classes int) error {
	if job == nil {
		return nil
	}
	cfg := *job.Settings()
	r, err := cfg.Resolve()
	if err != nil {
		return err
	}
	now, err := r.ForLabels(classes)
	if err != nil {
		return err
	}
	if now.Config().Classes != cfg.Classes {
		return fmt.Errorf("data %s has %s, the run was made for %d: its networks take that many; give the folder back its classes, or start a new run", cfg.Data, words.Count(classes, "class", "classes"), cfg.NumClasses())
	}
	return nil
}

// classCount is the number of classes of a set's labels: the largest + 1, 0
// without labels.
func classCount(s data.Set) int {
	most := -1
	for _, l := range s.Labels {
		most = max(most, int(l))
	}
	for _, l := range s.WideLabels {
		most = max(most, int(l))
	}
	return most + 1
}

// writerOr is w, or io.Discard when w is nil.
func writerOr(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}
