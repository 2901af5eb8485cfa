package eval

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/generator"
	"github.com/gogan/gogan/report"
	"github.com/gogan/gogan/tensor"
)

// ImageShape is the shape of the images the embedded feature networks take: (28, 28, 1).
// A network from a weights file may take another (FeatureNet.Shape).
var ImageShape = tensor.Shape(gan.ImageShape)

// MinSamples is the fewest samples a set may have: the Inception Score is taken over 10
// splits, and precision and recall need more than k = 3 neighbours.
const MinSamples = 10

// MaxSamples is the most samples a generator is asked for at once (Generated, a
// Monitor), generator.MaxSamples: a mistyped count is an error, not a request for more
// memory than a machine has.
const MaxSamples = generator.MaxSamples

// Samples is a set of images to score: (N, H, W, C), values in [−1, 1].
type Samples struct {
	Images []float32
	N      int
	// Shape is one image's (H, W, C); nil means ImageShape.
	Shape tensor.Shape
	// Labels are the classes a conditional generator was asked for, one per image; nil
	// for an unconditional one. Scores then include the label accuracy.
	Labels []int
	// Source says where the images came from, for reports.
	Source string
}

// SampleOptions say how many samples to take and how to draw them.
type SampleOptions struct {
	// N is the number of images a generator makes, and the most taken from a file or a
	// folder. A folder read with data.LoadImageFolder (one of class folders, or any
	// folder LoadReferenceSamples reads) of M > N images gives N of them (data.Set.Pick),
	// in the order of its classes and names: of class folders, each class its share,
	// N·m/M of its m rounded by largest remainder (ties to the class first by name),
	// evenly spaced within the class; of a folder without classes, N drawn at random
	// with a fixed seed (data.PickSeed), the same every time, since every (M/N)-th file
	// of a folder whose names repeat a pattern of that period would be one kind alone.
	// Its first N would be its first classes, or names, alone. A folder of PNGs that
	// LoadSamples reads, and an IDX file, give their first N: theirs is a generator's
	// order (gogan sample's, a conditional one's classes in turn, that of a --labels
	// file), whose first N are as fair a draw as any and keep their labels' places,
	// where others could fall on some classes alone. 0 means DefaultN.
	N int
	// Seed seeds a generator's latent vectors (gan.Latents).
	Seed uint64
	// Data overrides the dataset whose test images an autoencoder's codes are fitted to
	// (its run's dataset by default); for tests.
	Data string
	// TestImages, when set, reads the test images (in [−1, 1]) an autoencoder's codes
	// are fitted to, for the run's configuration: run.LoadDataset's, which also reads
	// a folder of images as the run did. nil reads the dataset Data or the run's names
	// with data.Load (built-in datasets and folders of IDX files).
	TestImages func(cfg gan.Config) ([]float32, error)
	// Shape is the image shape (H, W, C) the samples are read at: a folder's PNGs are
	// read with its channels (gray, or RGB), and an image folder with classes, or any
	// folder LoadReferenceSamples reads, is scaled to it. nil means ImageShape.
	// LoadSamples refuses files of another size.
	Shape tensor.Shape
	// StandingStats, when positive, gives a GAN run's generator standing
	// BatchNorm statistics from that many batches of noise before it samples
	// (gan.Trainer.RecalibrateSampler), whatever the run's own setting.
	StandingStats int
	// Device is where a generator makes its images: "" or "cpu", "cuda" or
	// "cuda:N" (gan.GenerateOn). Scoring stays on the CPU.
	Device string
	// Background is what a folder's transparent pixels are composed over: white (the
	// zero value) by default, as gogan train composes a folder of images.
	Background data.Background
	// ImageCache is the cache folder of the folders read with data.LoadImageFolder
	// (data.ImageFolderOptions.CacheDir): "" is the user cache's, as gogan train's.
	ImageCache string
	// Warn, when not nil, gets the lines data.LoadImageFolder leaves to its caller for
	// a folder it reads: the image files skipped (they do not decode), the files not
	// read (not named as images), a cache not written. nil discards them.
	Warn io.Writer
	// Progress, when not nil, is told how many of N images a run's generator has made
	// and N, from the goroutine that called LoadSamples: 0 as it starts (so that a
	// bar's rate counts from there), then as generator.Request.Progress is, after each
	// batch of generator.BatchSize images on the CPU, once at the end on a GPU. The
	// batches do not change the images. Files and folders are read without it.
	Progress func(done, total int)
	// HeaderProgress and DecodeProgress, when not nil, are told how far the reading of a
	// folder with data.LoadImageFolder has come (a folder of class folders, or any folder
	// LoadReferenceSamples reads), as data.ImageFolderOptions.HeaderProgress and Progress
	// are: the image files whose headers are read, then those decoded, and the number of
	// image files, from the goroutine that called: with 0 when each pass starts, then at
	// most about 10 times a second, and once at its end, the headers' pass first. A folder
	// read from ImageCache, and anything else, is read without them. gogan eval draws them
	// as gogan train draws its folder's bars.
	HeaderProgress, DecodeProgress func(done, total int)
	// ListProgress, when not nil, is told how many image files the listing of such a
	// folder has found, as data.ImageFolderOptions.ListProgress is: only for a folder
	// whose listing takes half a second or more, read from ImageCache or not.
	ListProgress func(found int)
}

// DefaultN is the number of samples scored by default, as in the standard FID protocol
// for MNIST-like data (the size of the test sets).
const DefaultN = 10_000

// LoadSamples reads the images that path names:
//
//   - a run folder, a checkpoint folder or a latest.json: its generator makes N images
//     from latent vectors seeded by Seed (a GAN's G; an autoencoder's decoder, on codes
//     drawn from the Gaussian fitted to the test images' codes, as gogan sample does);
//   - a folder of PNG files, all of Shape's height and width, read gray or in color
//     as Shape says, transparent pixels composed over Background: the first N by name
//     (the .png files of its first level; its subfolders are not read);
//   - a folder of images in class folders (data.LoadImageFolder), scaled to Shape: a
//     folder whose first level holds folders and no image file (IsClassFolder); N
//     images, each class its share, evenly spaced within it (see SampleOptions.N);
//   - an IDX image file, raw or gzip-compressed, of Shape: its first N images.
//
// Samples are read strictly: images made at another size than Shape's are refused
// (a *ShapeError), not scaled, which would change their scores. The real images of
// a reference are read by LoadReferenceSamples.
func LoadSamples(path string, opts SampleOptions) (*Samples, error) {
	return load(path, opts, readPNGs)
}

// LoadReferenceSamples reads the real images a reference is made of (NewReference)
// as LoadSamples reads samples, but that any folder (not a run's) is real data, read
// as gogan train --data reads it (data.LoadImageFolder): every image file of it and of
// its subfolders (PNG, JPEG, GIF, BMP, WebP, TIFF), of any size, its center square
// scaled to Shape's side (which must be square) with Shape's channels, transparent
// pixels composed over Background, decoded once into ImageCache; a folder of class folders
// has its classes, a folder with images at its first level none. Of more than N images, N
// are kept, in the order of its classes and names, not its first N: each class its share,
// evenly spaced within it, or, of a folder without classes, N drawn with a fixed seed
// (SampleOptions.N, data.Set.Pick). A folder of no more than N PNGs of Shape's size alone,
// as gogan sample writes them, reads as LoadSamples reads it, pixel for pixel (no image is
// scaled), but that color files read as gray round their luma as gogan train does, where
// report.ReadPNGs truncates it: at most one level of 255 apart (of more than N, LoadSamples
// keeps the first N). A folder of no image,
// or of which more than 1% of the image files do not decode, is an error naming it;
// the files skipped or not read are told to Warn.
func LoadReferenceSamples(path string, opts SampleOptions) (*Samples, error) {
	return load(path, opts, readImageFolder)
}

// folderReader reads a folder of images that is not a run's as opts says.
type folderReader func(dir string, opts SampleOptions) (*Samples, error)

// load is LoadSamples, with a folder without class folders read by flat. A folder read
// with data.LoadImageFolder keeps opts.N images as data.Set.Pick picks them
// (readImageFolder); what else holds more keeps its first opts.N, in its generator's
// order.
func load(path string, opts SampleOptions, flat folderReader) (*Samples, error) {
	if opts.N == 0 {
		opts.N = DefaultN
	}
	if opts.Shape == nil {
		opts.Shape = ImageShape
	}
	if opts.N < MinSamples {
		return nil, fmt.Errorf("eval: at least %d samples are needed, asked for %d", MinSamples, opts.N)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("eval: %s: %w", path, unwrapPath(err))
	}
	run := isCheckpoint(path, st)
	if opts.StandingStats > 0 && !run {
		return nil, fmt.Errorf("eval: %w; %s is not a run or checkpoint", ErrStandingStats, path)
	}
	var s *Samples
	switch {
	case run:
		return generatedFrom(path, opts)
	case st.IsDir() && IsClassFolder(path):
		s, err = readImageFolder(path, opts)
	case st.IsDir():
		s, err = flat(path, opts)
	case data.IsImageName(path):
		return nil, fmt.Errorf("eval: %s is one %s image file: give the folder that holds the images", path, strings.ToUpper(strings.TrimPrefix(filepath.Ext(path), ".")))
	default:
		s, err = readIDX(path, opts.Shape)
	}
	if err != nil {
		return nil, err
	}
	if s.N < MinSamples {
		return nil, fmt.Errorf("eval: %s holds %d images, at least %d are needed", path, s.N, MinSamples)
	}
	if s.N > opts.N {
		s.Source = fmt.Sprintf("%s (the first %d of %d images)", path, opts.N, s.N)
		s.N = opts.N
		s.Images = s.Images[:s.N*s.shape().Size()]
	}
	return s, nil
}

// generatedFrom is LoadSamples of a run or checkpoint: opts.N images of its generator.
func generatedFrom(path string, opts SampleOptions) (*Samples, error) {
	job, err := gan.LoadJob(path)
	if err == nil && opts.StandingStats > 0 {
		err = recalibrate(job, path, opts.StandingStats)
	}
	if err != nil {
		return nil, err
	}
	test := func() ([]float32, error) { return testImages(job, opts) }
	s, err := GeneratedWith(job, GenerateOptions{N: opts.N, Seed: opts.Seed, Device: opts.Device, Test: test, Progress: opts.Progress})
	if err != nil {
		return nil, fmt.Errorf("eval: %s: %w", path, err)
	}
	s.Source = fmt.Sprintf("%s (step %d, %d generated with seed %d)", path, job.Steps(), s.N, opts.Seed)
	return s, nil
}

// testImages are the test images, in [−1, 1], that an autoencoder job's codes are
// fitted to: opts.TestImages's, or those of the dataset opts.Data or the job's.
func testImages(job gan.Job, opts SampleOptions) ([]float32, error) {
	if opts.TestImages != nil && opts.Data == "" {
		return opts.TestImages(*job.Settings())
	}
	name := opts.Data
	if name == "" {
		name = job.Settings().Data
	}
	ds, err := data.Load(name)
	if err != nil {
		return nil, err
	}
	return data.Scale(ds.Test.Images), nil
}

// isCheckpoint says whether path names a checkpoint: a run or checkpoint folder holding
// latest.json, or a JSON file.
func isCheckpoint(path string, st os.FileInfo) bool {
	if !st.IsDir() {
		return strings.EqualFold(filepath.Ext(path), ".json")
	}
	_, err := gan.FindCheckpoint(path)
	return err == nil
}

// source is Source, or "samples" when it is empty, for errors.
func (s *Samples) source() string {
	if s.Source == "" {
		return "samples"
	}
	return s.Source
}

// shape is the shape of one image: Shape, or ImageShape when unset.
func (s *Samples) shape() tensor.Shape {
	if s.Shape == nil {
		return ImageShape
	}
	return s.Shape
}

// ShapeError says that images are not of the shape the feature network takes.
type ShapeError struct {
	Source     string       // the file, folder or run the images came from
	Have, Want tensor.Shape // the images' (H, W, C) and the network's
}

// Error names the images and both shapes.
func (e *ShapeError) Error() string {
	return fmt.Sprintf("eval: %s: images are %s, the feature network takes %s", e.Source, e.Have.Dims(), e.Want.Dims())
}

// The errors for nil samples and a nil feature network.
var (
	errNoSamples    = errors.New("eval: no samples")
	errNoFeatureNet = errors.New("eval: no feature network")
)

// checkFor checks that there are samples, images of the shape net takes (else a
// *ShapeError naming both shapes), and as many as N says.
func (s *Samples) checkFor(net *FeatureNet) error {
	if s == nil {
		return errNoSamples
	}
	if err := net.check(); err != nil {
		return err
	}
	if !s.shape().Equal(net.Shape()) {
		return &ShapeError{Source: s.source(), Have: s.shape(), Want: net.Shape()}
	}
	return s.checkCount()
}

// checkCount checks that Images holds N images of the samples' shape, which the
// caller has checked.
func (s *Samples) checkCount() error {
	size := s.shape().Size()
	if s.N <= 0 || s.N > len(s.Images) || len(s.Images) != s.N*size {
		return fmt.Errorf("eval: %s: %d values for %d images of %s, want %d", s.source(), len(s.Images), s.N, s.shape().Dims(), max(s.N, 0)*size)
	}
	return nil
}

// IsClassFolder says whether LoadSamples reads dir as a folder of images in class
// folders, as gogan train does (data.IsClassFolder): its first level holds folders (not
// dot folders) and no image file. A folder whose first level holds images is a folder
// of PNGs, whose subfolders are not read.
func IsClassFolder(dir string) bool { return data.IsClassFolder(dir) }

// readPNGs reads the PNGs of dir's first level, which must all be of opts.Shape's
// height and width (else a *ShapeError), with its channels.
func readPNGs(dir string, opts SampleOptions) (*Samples, error) {
	shape := opts.Shape
	imgs, n, h, w, err := report.ReadPNGsOnto(dir, shape[2], opts.Background.Color())
	if err != nil {
		return nil, err
	}
	if h != shape[0] || w != shape[1] {
		return nil, &ShapeError{Source: dir, Have: tensor.Shape{h, w, shape[2]}, Want: shape}
	}
	return &Samples{Images: imgs, N: n, Shape: shape, Source: fmt.Sprintf("%s (%d PNG images)", dir, n)}, nil
}

// readImageFolder reads a folder of images as gogan train does (data.LoadImageFolder),
// scaled and cropped to opts.Shape's side (which must be square) with its channels,
// with opts's progress, keeps opts.N of them (data.Set.Pick: each class its share, or
// drawn with a fixed seed), and tells opts.Warn what the folder's reading leaves to
// its caller.
func readImageFolder(dir string, opts SampleOptions) (*Samples, error) {
	shape := opts.Shape
	if shape[0] != shape[1] {
		return nil, fmt.Errorf("eval: %s: an image folder is read as square images, the feature network takes %s", dir, shape.Dims())
	}
	f, err := data.LoadImageFolder(dir, data.ImageFolderOptions{ImageSize: shape[0], Channels: shape[2], Background: opts.Background, CacheDir: opts.ImageCache,
		ListProgress: opts.ListProgress, HeaderProgress: opts.HeaderProgress, Progress: opts.DecodeProgress})
	if err != nil {
		return nil, err
	}
	warnFolder(opts.Warn, f)
	all := f.Set.Images.N
	im := f.Set.Pick(opts.N).Images // before Scale: only the images kept become float32
	count := fmt.Sprintf("%d images", all)
	if im.N < all {
		count = fmt.Sprintf("%d of %d images", im.N, all)
	}
	if len(f.Classes) > 0 {
		count += fmt.Sprintf(" in %d classes", len(f.Classes))
	}
	switch {
	case im.N < all && len(f.Classes) > 0:
		count += ", each class its share"
	case im.N < all:
		count += ", drawn with a fixed seed"
	}
	return &Samples{Images: data.Scale(im), N: im.N, Shape: shape, Source: fmt.Sprintf("%s (%s)", dir, count)}, nil
}

// warnFolder writes to w, when not nil, a line for each thing the reading of f leaves
// to its caller, as gogan train prints them: its warnings (a cache not written, a
// looping link), the files not read and those skipped.
func warnFolder(w io.Writer, f *data.ImageFolder) {
	if w == nil {
		return
	}
	for _, line := range slices.Concat(f.Warnings, []string{f.NotReadReport(), f.SkipReport()}) {
		if line != "" {
			fmt.Fprintln(w, line)
		}
	}
}

func readIDX(path string, shape tensor.Shape) (*Samples, error) {
	im, err := data.ReadIDXImages(path)
	if err != nil {
		return nil, err
	}
	if have := (tensor.Shape{im.Rows, im.Cols, im.NumChannels()}); !have.Equal(shape) {
		return nil, &ShapeError{Source: path, Have: have, Want: shape}
	}
	return &Samples{Images: data.Scale(im), N: im.N, Shape: shape, Source: fmt.Sprintf("%s (%d images)", path, im.N)}, nil
}

// Generated makes n images with a trained job's generator (generator.FromJob), from
// latent vectors seeded by seed, of the shape it makes: a GAN's G (its exponential
// moving average when the run keeps one; a conditional G draws its classes in turn,
// 0, 1, ..., K−1, 0, ... for the K of Config.NumClasses, and Labels holds them), or an
// autoencoder's decoder on codes drawn from the Gaussian (per dimension) that fits the
// codes of the test images that test returns. Other jobs (a classifier) make no
// images, and images holding NaN or ±Inf (weights that diverged) are an error
// (generator.ErrNotFinite). n must be in [MinSamples, MaxSamples]. GeneratedWith
// makes them with options, a progress function among them.
func Generated(job gan.Job, n int, seed uint64, test func() ([]float32, error)) (*Samples, error) {
	return GeneratedOn("", job, n, seed, test)
}

// GeneratedOn is Generated with the images made on device: "" or "cpu", "cuda"
// or "cuda:N" (generator.Request.Device, gan.GenerateOn, which names what a GPU
// cannot run).
func GeneratedOn(device string, job gan.Job, n int, seed uint64, test func() ([]float32, error)) (*Samples, error) {
	return generated(job, n, seed, test, generator.Request{Device: device})
}

// GenerateOptions say how GeneratedWith makes a job's images.
type GenerateOptions struct {
	// N is the number of images, in [MinSamples, MaxSamples]; 0 means DefaultN.
	N int
	// Seed seeds the latent vectors (gan.Latents).
	Seed uint64
	// Device is where the generator makes its images: "" or "cpu", "cuda" or "cuda:N"
	// (as GeneratedOn's device).
	Device string
	// Test returns the test images, in [−1, 1], that an autoencoder's codes are
	// fitted to (see Generated); other jobs do not call it.
	Test func() ([]float32, error)
	// Progress, when not nil, is told how many of N images the generator has made,
	// and N, from the goroutine that called GeneratedWith, as SampleOptions.Progress
	// is: 0 as it starts (so that a bar's rate counts from there), then after each
	// batch of generator.BatchSize images on the CPU, once at the end on a GPU. The
	// images are those made without it, bit for bit. gogan eval draws it as the bar
	// "generating the samples" on a terminal (LoadSamples makes a run's samples
	// through GeneratedWith).
	Progress func(done, total int)
}

// GeneratedWith is Generated with options: opts.N images (DefaultN for 0) from latent
// vectors seeded by opts.Seed, made on opts.Device, opts.Progress told how far the
// generator has come.
func GeneratedWith(job gan.Job, opts GenerateOptions) (*Samples, error) {
	if opts.N == 0 {
		opts.N = DefaultN
	}
	return generated(job, opts.N, opts.Seed, opts.Test, generator.Request{Device: opts.Device, Progress: opts.Progress})
}

// generated is Generated made by package generator, as gogan sample makes its images,
// with how's Device and Progress (told 0 of n first, see SampleOptions.Progress);
// generated sets its Latents.
func generated(job gan.Job, n int, seed uint64, test func() ([]float32, error), how generator.Request) (*Samples, error) {
	switch {
	case nilJob(job):
		return nil, errors.New("no job: nothing to evaluate")
	case n < MinSamples || n > MaxSamples:
		return nil, fmt.Errorf("%d samples asked for, the number must be in [%d, %d]", n, MinSamples, MaxSamples)
	}
	g, err := generator.FromJob(job) // G, or its weight average when the run keeps one; synced from a GPU
	if errors.Is(err, generator.ErrGeneratesNothing) {
		return nil, fmt.Errorf("model %s generates no images: nothing to evaluate", job.Settings().Model)
	}
	if err != nil {
		return nil, err
	}
	if shape := g.SampleShape(); len(shape) != 3 {
		return nil, fmt.Errorf("the generator makes samples of %s, not images", shape.Dims())
	}
	how.Latents = make([]float32, n*g.LatentDim())
	gan.Latents(how.Latents, seed)
	if ae, ok := job.(*gan.AutoencoderTrainer); ok {
		if err := drawCodes(ae, how.Latents, test); err != nil {
			return nil, err
		}
	}
	if how.Progress != nil {
		how.Progress(0, n)
	}
	b, err := g.Generate(how)
	if err != nil {
		return nil, err
	}
	return &Samples{Images: b.Data, N: b.N, Shape: b.Shape, Labels: b.Labels}, nil
}

// drawCodes turns z, noise from gan.Latents, into an autoencoder's codes drawn from
// the Gaussian (per dimension) fitted to the codes of the test images that test
// returns.
func drawCodes(ae *gan.AutoencoderTrainer, z []float32, test func() ([]float32, error)) error {
	model := ae.Settings().Model
	if test == nil {
		return fmt.Errorf("model %s draws its codes from those of test images, and none were given", model)
	}
	images, err := test()
	if err != nil {
		return err
	}
	// The codes' Gaussian is fitted to at least one whole image.
	if size := ae.Encoder.InputShape().Size(); len(images) == 0 || len(images)%size != 0 {
		return fmt.Errorf("model %s draws its codes from those of test images: got %d values, not one or more whole %s images", model, len(images), ae.Encoder.InputShape().Dims())
	}
	ae.DrawCodes(z, images)
	return nil
}

// nilJob says whether job is nil or a nil pointer (a *gan.Trainer that
// gan.LoadCheckpoint did not return, say).
func nilJob(job gan.Job) bool {
	v := reflect.ValueOf(job)
	return job == nil || v.Kind() == reflect.Pointer && v.IsNil()
}

// unwrapPath drops the *PathError wrapper, whose message repeats the path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// fileProblem is err, an error of package checkpoint about the file path (reading,
// parsing or writing it), less what a message naming the file says already: the
// "checkpoint: " prefix and the path (an *fs.PathError's, "PATH: " or "write PATH: ").
func fileProblem(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == path {
		return pe.Err
	}
	msg, cut := strings.CutPrefix(err.Error(), "checkpoint: ")
	for _, prefix := range []string{path + ": ", "write " + path + ": "} {
		if rest, ok := strings.CutPrefix(msg, prefix); ok {
			return errors.New(rest)
		}
	}
	if cut {
		return errors.New(msg)
	}
	return err
}

// ErrStandingStats is wrapped by LoadSamples's error when SampleOptions.StandingStats
// is set for a path that is not a GAN's run or checkpoint: an option that the path
// contradicts (gogan eval reports it as a usage error).
var ErrStandingStats = errors.New("standing statistics recompute a GAN's generator")

// recalibrate gives a GAN's sampler, loaded from path, standing statistics from
// batches batches.
func recalibrate(job gan.Job, path string, batches int) error {
	t, ok := job.(*gan.Trainer)
	if !ok {
		return fmt.Errorf("eval: %w; %s trains a %s", ErrStandingStats, path, job.Settings().Model)
	}
	return t.RecalibrateSampler(batches)
}
