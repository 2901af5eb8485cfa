package run

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/eval"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/internal/atomicfile"
	"github.com/gogan/gogan/internal/runlock"
	"github.com/gogan/gogan/report"
	"github.com/gogan/gogan/tensor"
)

// Options say what to train and where.
type Options struct {
	Config gan.Config // used for a new run, its Data stored as DataPath gives it
	// Out is the run folder of a new run, made if missing; "" picks a new
	// RunsDir/<model>-<time>, with -2, -3, ... added when a run started in
	// the same second has that name. A run refused before training began
	// removes the folders it made, while empty.
	Out    string
	Resume string // run folder to continue; Config's Epochs/Steps apply if ResumeOverrides
	// ResumeOverrides lists the settings given on the command line that replace the
	// resumed run's: "epochs", "steps", "eval-every".
	ResumeOverrides map[string]bool
	Log             io.Writer // where the summary lines go (stdout); nil: nowhere
	Progress        io.Writer // where the progress goes (stderr); nil: nowhere
	Interactive     bool      // Progress is a terminal: draw a live bar
	Data            data.LoadOptions
	// ImageCache is the cache folder of decoded image folders ("": the user
	// cache; see DataOptions).
	ImageCache string
	// Device is where the GAN trains: "cpu" (or ""), "cuda" or "cuda:N" (see
	// gan.Trainer.UseDevice). Checkpoints do not depend on it.
	Device string
	// TF32 lets a GPU's matrix products use TF32 tensor cores (see
	// gan.Trainer.SetTF32).
	TF32 bool
	// NoCUDAGraph launches a GPU's training steps kernel by kernel instead of
	// replaying a captured CUDA graph (see gan.Trainer.SetCUDAGraph).
	NoCUDAGraph bool

	// afterStep, for tests, runs after every training step.
	afterStep func(job gan.Job, cancel func())
	cancel    func()
}

// ErrInterrupted is returned when the context was cancelled (Ctrl-C) and the run
// saved a checkpoint before stopping, or stopped before it had written anything.
var ErrInterrupted = errors.New("interrupted")

// Result says where a finished run put its files.
type Result struct {
	Dir, FinalGrid, LossPlot, Checkpoint string
	Steps                                int
	Seconds                              float64
	SecondsPerEpoch                      float64
	// EpochGrids counts the grids of finished epochs (epoch-NNN.png) beside
	// FinalGrid, this session's and an earlier one's: 0 when no epoch ended.
	EpochGrids int
}

// Train runs (or resumes) training until the configured number of steps, ctx is
// cancelled, or a loss stops being finite. The data are loaded and checked
// before anything is built or written. A nil ctx is a programmer error: Train
// panics, as the standard library does, before any work starts (pass
// context.Background() to train to the end).
func Train(ctx context.Context, opts Options) (*Result, error) {
	if ctx == nil {
		panic("run: Train: nil context (pass context.Background(), or a context that Ctrl-C cancels)")
	}
	opts.Log, opts.Progress = writerOr(opts.Log), writerOr(opts.Progress)
	var held runFolder
	defer held.end()
	cfg := opts.Config
	var job gan.Job
	var settings gan.Resolved // a new run's, validated once here
	if opts.Resume != "" {
		var err error
		if isRunFolder(opts.Resume) { // else resume says what is wrong, and no lock file is left there
			if held.lock, err = lockRun(opts.Resume, opts.Log, "move it"); err != nil {
				return nil, err
			}
		}
		if job, err = resume(opts); err != nil {
			return nil, err
		}
		cfg = *job.Settings()
	} else {
		var err error
		path := DataPath(cfg.Data) // as config.json and the checkpoints store it
		if NameShadowed(cfg.Data) {
			fmt.Fprintf(opts.Log, "data %s: a folder of that name is here, and a folder wins over a dataset's name: reading %s (rename it, or train from another folder, for the built-in %s)\n", cfg.Data, path, cfg.Data)
		}
		cfg.Data = path
		if settings, err = cfg.Resolve(); err != nil {
			return nil, err
		}
		if err = CheckOutsideData(opts.Out, cfg.Data); err != nil {
			return nil, err
		}
	}
	d, err := openDataFor(ctx, cfg, opts)
	if ctx.Err() != nil { // Ctrl-C while the data loaded (or stopped its decoding): no run folder is written
		fmt.Fprintln(opts.Log, "interrupted before training began: no run folder was written")
		return nil, ErrInterrupted
	}
	if err != nil {
		return nil, err
	}
	if err := checkResumedClasses(job, d.classes); err != nil {
		return nil, err
	}
	if job != nil { // resumed: a relative path an earlier gogan stored, found, is stored absolute from now on
		cfg.Data = DataPath(cfg.Data)
		job.Settings().Data = cfg.Data
	}
	source, test := d.source, d.test
	if job == nil {
		if settings, err = settings.ForData(source.SampleShape()); err != nil {
			return nil, err
		}
		if settings, err = settings.ForLabels(d.classes); err != nil {
			return nil, err
		}
		cfg = settings.Config()
		if job, err = gan.NewJobFor(settings); err != nil {
			return nil, err
		}
	}
	if have, want := tensor.Shape(source.SampleShape()), job.SampleShape(); !want.Equal(have) {
		return nil, fmt.Errorf("data %s has samples of shape %s, model %s takes %s", cfg.Data, have, cfg.Model, want)
	}
	if err := moveToDevice(job, opts, opts.Log); err != nil {
		return nil, err
	}
	monitor, err := newMonitor(cfg, test, source.SampleShape(), opts.Progress)
	if err != nil {
		return nil, err
	}
	perEpoch := source.BatchesPerEpoch()
	total := cfg.TotalSteps(perEpoch)
	job.Plan(total)
	dir := opts.Resume
	if dir == "" {
		if dir, err = held.create(opts.Out, cfg, opts.Log); err != nil {
			return nil, err
		}
	} else if job.Steps() >= total {
		return nil, fmt.Errorf("run %s is already at step %d of %d: raise --epochs or --steps to train further", dir, job.Steps(), total)
	}
	metricsPath := filepath.Join(dir, gan.MetricsFile)
	if err := trimMetrics(metricsPath, job.Steps()); err != nil {
		return nil, err
	}
	elapsedBefore := lastElapsed(metricsPath)
	mlog, err := report.OpenMetricsLog(metricsPath)
	if err != nil {
		return nil, err
	}
	defer mlog.Close()

	sample := tensor.Shape(source.SampleShape()).Size()
	s := &session{
		opts: opts, job: job, dir: dir, source: source, perEpoch: perEpoch, total: total,
		mlog: mlog, elapsedBefore: elapsedBefore,
		images: make([]float32, cfg.Batch*sample), labels: d.labels(cfg.Batch),
		test: test, monitor: monitor,
	}
	held.began = true
	return s.loop(ctx)
}

// runFolder is the run folder Train writes: the lock it holds on it, and what
// a new run made there, which a run refused before training began removes.
type runFolder struct {
	lock  *runlock.Lock // nil until taken
	made  []string      // folders made by create, deepest first
	files []string      // files create wrote where there were none
	aside []movedFile   // an earlier attempt's files that create set aside (setAside)
	began bool          // training began: the lock file stays, as the run's files do
}

// movedFile is a file renamed from from to to.
type movedFile struct{ from, to string }

// end lets the lock go. Before training began (a refused run), it removes
// what create made: the files, the lock file if taking the lock made it, and
// the folders while empty (one that another process put something in stays),
// and puts back the files it set aside, so that a refused run leaves the file
// system as it found it.
func (r *runFolder) end() {
	if r.began {
		r.lock.Release()
		return
	}
	for _, f := range r.files {
		os.Remove(f)
	}
	for _, m := range slices.Backward(r.aside) {
		if _, err := os.Lstat(m.from); errors.Is(err, fs.ErrNotExist) {
			os.Rename(m.to, m.from)
		}
	}
	r.lock.Discard()
	for _, d := range r.made {
		os.Remove(d) // fails, harmlessly, on a folder that is not empty
	}
}

// newMonitor loads what --eval-every scores with (eval.Monitor): the feature
// network and the test set's reference statistics; nil when the run has no
// evaluations.
func newMonitor(cfg gan.Config, test gan.TestSet, sample tensor.Shape, warn io.Writer) (*eval.Monitor, error) {
	if cfg.EvalEvery == 0 {
		return nil, nil
	}
	if data.IsToy(cfg.Data) {
		return nil, fmt.Errorf("evaluation every %d steps scores images; %s holds 2-D points (their mode coverage is logged at every epoch)", cfg.EvalEvery, cfg.Data)
	}
	return eval.NewMonitor(eval.MonitorConfig{Data: cfg.Data, FeatureNet: cfg.FeatureNet, Test: test.Images, Shape: sample, Seed: cfg.Seed, Cache: eval.CacheOptions{Warn: warn}})
}

// ToyTestSamples is the number of reference points a 2-D dataset's test set
// holds: the 2,500 samples over which mode coverage is measured.
const ToyTestSamples = 2500

// openData opens the training source and the test set a run uses: images
// from IDX files or a folder of images, or points of a 2-D mixture (ring8,
// grid25).
func openData(cfg gan.Config, opts data.LoadOptions) (data.Source, gan.TestSet, error) {
	d, err := openDataFor(context.Background(), cfg, Options{Data: opts})
	if err != nil {
		return nil, gan.TestSet{}, err
	}
	return d.source, d.test, nil
}

// openedData is what openDataFor opens: the training source, the test set,
// the labels' class count (0 without labels) and whether the source hands
// out byte labels.
type openedData struct {
	source   data.Source
	test     gan.TestSet
	classes  int
	labelled bool
}

// labels is the run's label buffer of a batch: nil when the source has no
// byte labels (an unlabelled folder; Stacked MNIST's 1,000 classes).
func (d openedData) labels(batch int) []uint8 {
	if !d.labelled {
		return nil
	}
	return make([]uint8, batch)
}

// openDataFor is openData with the run's options: where a folder of images
// reports its decoding; ctx stops that decoding.
func openDataFor(ctx context.Context, cfg gan.Config, opts Options) (openedData, error) {
	if data.IsToy(cfg.Data) {
		toy, err := data.NewToy(cfg.Data, cfg.Batch, cfg.Seed)
		if err != nil {
			return openedData{}, err
		}
		points, modes := toy.Sample(ToyTestSamples, cfg.Seed)
		return openedData{source: toy, test: gan.TestSet{Images: points, Labels: modes, Modes: toy}, labelled: true}, nil
	}
	ds, err := LoadDatasetContext(ctx, cfg, DataOptions{
		Load: opts.Data, ImageCache: opts.ImageCache,
		Log: opts.Log, Progress: opts.Progress, Interactive: opts.Interactive,
	})
	if err != nil {
		return openedData{}, err
	}
	if n := ds.Train.Images.N; cfg.Batch > n {
		return openedData{}, fmt.Errorf("batch %d is larger than the %d training images of %s", cfg.Batch, n, cfg.Data)
	}
	batcher, err := data.NewBatcherWith(ds.Train, cfg.Batch, cfg.Seed, data.BatchOptions{Flip: cfg.Augment == "flip"})
	if err != nil {
		return openedData{}, err
	}
	test := gan.TestSet{Images: data.Scale(ds.Test.Images), Labels: ds.Test.Labels}
	return openedData{source: batcher, test: test, classes: ds.Classes, labelled: ds.Train.Labels != nil}, nil
}

// resume restores the trainer of a run, with the overrides the options allow.
func resume(opts Options) (gan.Job, error) {
	if _, err := gan.FindCheckpoint(opts.Resume); err != nil && isRunFolder(opts.Resume) {
		return nil, fmt.Errorf("%s: no checkpoint here: the run stopped before its first checkpoint (the end of its first epoch), so there is nothing to resume; start it again with gogan train --out %s and its flags", opts.Resume, opts.Resume)
	}
	job, err := gan.ResumeJob(opts.Resume)
	if err != nil {
		return nil, err
	}
	cfg := job.Settings()
	if opts.ResumeOverrides["epochs"] {
		cfg.Epochs, cfg.Steps = opts.Config.Epochs, 0
	}
	if opts.ResumeOverrides["steps"] {
		cfg.Steps = opts.Config.Steps
	}
	if opts.ResumeOverrides["eval-every"] {
		cfg.EvalEvery = opts.Config.EvalEvery
	}
	if opts.ResumeOverrides["feature-net"] {
		cfg.FeatureNet = opts.Config.FeatureNet
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return job, nil
}

// RunsDir is the folder, under the working one, of the runs not given a folder:
// RunsDir/<model>-<time>.
const RunsDir = "runs"

// CheckOutsideData refuses a new run's folder out (RunsDir when empty) that is, or
// is inside, the image folder data: the run's sample grids would be read as training
// images, and its folder as a class, by the next run on that folder. Data that is not
// an image folder (mnist, a folder of IDX files) passes. Train checks it; a command
// that makes the run's folder itself checks it first.
func CheckOutsideData(out, data string) error {
	if !IsImageFolder(data) {
		return nil
	}
	if out == "" {
		out = RunsDir
	}
	dataAbs, err1 := filepath.Abs(data)
	outAbs, err2 := filepath.Abs(out)
	if err1 != nil || err2 != nil {
		return nil
	}
	if real, err := filepath.EvalSymlinks(dataAbs); err == nil {
		dataAbs = real
	}
	outAbs = realAncestor(outAbs)
	if rel, err := filepath.Rel(dataAbs, outAbs); err == nil && filepath.IsLocal(rel) {
		return fmt.Errorf("run folder %s is inside the data folder %s: the run's images would be read as training images by the next run on it; choose an --out outside it", out, data)
	}
	return nil
}

// realAncestor is path with its longest existing prefix resolved through symbolic
// links: where a folder not yet made will be.
func realAncestor(path string) string {
	rest := ""
	for dir := path; ; dir = filepath.Dir(dir) {
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(real, rest)
		}
		if parent := filepath.Dir(dir); parent == dir {
			return path
		}
		rest = filepath.Join(filepath.Base(dir), rest)
	}
}

// create makes a new run's folder, out or a new RunsDir/<model>-<time>, with
// its samples and checkpoints folders, locks it and writes its config.json,
// noting in r what it made for end. A folder whose run stopped before its
// first checkpoint is taken over: the run starts again from step 0, with the
// earlier attempt's config.json and metrics.jsonl set aside (setAside), and
// log says so.
func (r *runFolder) create(out string, cfg gan.Config, log io.Writer) (dir string, err error) {
	if out == "" {
		dir, r.made, err = newRunDir(cfg.Model, time.Now())
	} else {
		dir = out
		r.made, err = mkdirAll(dir)
	}
	if err != nil {
		return "", err
	}
	if r.lock, err = lockRun(dir, log, "move it, or choose another --out"); err != nil {
		return "", err
	}
	restart, err := CheckFreshOut(dir)
	if err != nil {
		return "", err
	}
	var kept []string
	if restart {
		if kept, err = r.setAside(dir); err != nil {
			return "", err
		}
	}
	if err := r.createContents(dir, cfg); err != nil {
		return "", err
	}
	if restart {
		fmt.Fprintf(log, "%s holds a run that stopped before its first checkpoint: starting it again from step 0%s\n", dir, keptNote(kept))
	}
	return dir, nil
}

// setAside renames the config.json and metrics.jsonl of an earlier attempt
// at the run in dir, one that stopped before its first checkpoint, to
// config.attempt-N.json and metrics.attempt-N.jsonl, N the first number that
// names neither, noting them in r for end to put back. Rewritten in place,
// the flags the attempt was started with (a restart may change them: a lower
// --lr after a loss stopped being finite) and its metrics would be lost, and
// config.json would no longer be the config of the run that the checkpoints
// will be of. A file that is not a regular file, or is write-protected, is
// left where it is, for the run's write of it to refuse it. kept lists the
// new names, in dir.
func (r *runFolder) setAside(dir string) (kept []string, err error) {
	names := []string{gan.ConfigFile, gan.MetricsFile}
	n, err := freeAttempt(dir, names)
	if err != nil {
		return nil, fmt.Errorf("setting aside the earlier attempt's files: %w", err)
	}
	for _, name := range names {
		from, to := filepath.Join(dir, name), filepath.Join(dir, gan.AttemptName(name, n))
		if info, err := os.Lstat(from); err != nil || !info.Mode().IsRegular() || info.Mode().Perm()&0o222 == 0 {
			continue
		}
		if err := os.Rename(from, to); err != nil {
			return kept, fmt.Errorf("setting aside the earlier attempt's %s as %s: %w", from, filepath.Base(to), unwrapLink(err))
		}
		r.aside = append(r.aside, movedFile{from, to})
		kept = append(kept, to)
	}
	return kept, nil
}

// freeAttempt is the first attempt number n for which no gan.AttemptName of
// names, n is in dir. A name that cannot be looked up (a path too long, an
// I/O error) is an error: taken for one in use, as exists takes it, every
// number would be, and the search would never end.
func freeAttempt(dir string, names []string) (int, error) {
	for n := 1; ; n++ {
		free := true
		for _, name := range names {
			_, err := os.Lstat(filepath.Join(dir, gan.AttemptName(name, n)))
			switch {
			case err == nil:
				free = false
			case !errors.Is(err, fs.ErrNotExist):
				return 0, err
			}
		}
		if free {
			return n, nil
		}
	}
}

// exists reports whether something is at path (a link to nothing included).
func exists(path string) bool {
	_, err := os.Lstat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

// keptNote is what create adds to its note of a restart: the files setAside
// kept.
func keptNote(kept []string) string {
	if len(kept) == 0 {
		return ""
	}
	names := make([]string, len(kept))
	for i, p := range kept {
		names[i] = filepath.Base(p)
	}
	return fmt.Sprintf(" (the earlier attempt's files are kept as %s)", strings.Join(names, " and "))
}

// createContents makes the samples and checkpoints folders of the run folder
// dir and writes its config.json, noting in r what it made.
func (r *runFolder) createContents(dir string, cfg gan.Config) error {
	for _, d := range []string{filepath.Join(dir, gan.SamplesDir), filepath.Join(dir, gan.CheckpointsDir)} {
		made, err := mkdirAll(d)
		r.made = append(made, r.made...)
		if err != nil {
			return err
		}
	}
	config := filepath.Join(dir, gan.ConfigFile)
	_, err := os.Lstat(config)
	isNew := errors.Is(err, fs.ErrNotExist)
	if err := checkpoint.WriteJSONAtomic(config, cfg); err != nil {
		return err
	}
	if isNew {
		r.files = append(r.files, config)
	}
	return nil
}

// mkdirAll makes dir and the folders above it that are missing, as
// os.MkdirAll does, and returns those that were missing, dir first: on an
// error too, as some may have been made.
func mkdirAll(dir string) (missing []string, err error) {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); !errors.Is(err, fs.ErrNotExist) || filepath.Dir(d) == d {
			break
		}
		missing = append(missing, d)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return missing, fmt.Errorf("output folder %s: %w", dir, unwrapPath(err))
	}
	return missing, nil
}

// newRunDir makes the folder of a new run not given one, RunsDir/<model>-<time>
// (the time to the second), adding -2, -3, ... when another run started in the
// same second took the name, so that two runs never share a folder. made lists
// the folders it made, dir first, then RunsDir and those above it if they were
// missing: the folders to remove, while empty, if the run is refused.
func newRunDir(model string, now time.Time) (dir string, made []string, err error) {
	if made, err = mkdirAll(RunsDir); err != nil {
		return "", made, err
	}
	base := filepath.Join(RunsDir, model+"-"+now.Format("20060102-150405"))
	dir = base
	for i := 2; ; i++ {
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			return dir, append([]string{dir}, made...), nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", made, fmt.Errorf("output folder %s: %w", dir, unwrapPath(err))
		}
		dir = fmt.Sprintf("%s-%d", base, i)
	}
}

// CheckFreshOut refuses a folder that holds a run with a checkpoint: a new run
// there would replace its checkpoint, samples and config and mix its metrics.
// A folder left by a run that stopped before its first checkpoint (killed, or
// failed in its first epoch: a config.json, metrics.jsonl or both) can only be
// started again: restart reports one.
func CheckFreshOut(dir string) (restart bool, err error) {
	state := filepath.Join(gan.CheckpointsDir, gan.LatestFile)
	if _, err := os.Lstat(filepath.Join(dir, state)); err == nil {
		return false, fmt.Errorf("%s already holds a run (it has %s): continue it with --resume %s, or choose another --out", dir, state, dir)
	}
	return exists(filepath.Join(dir, gan.ConfigFile)) || exists(filepath.Join(dir, gan.MetricsFile)), nil
}

// isRunFolder says whether dir holds what a run writes first, its
// config.json, or a checkpoint.
func isRunFolder(dir string) bool {
	for _, name := range []string{gan.ConfigFile, filepath.Join(gan.CheckpointsDir, gan.LatestFile)} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// lockRun takes the lock of a run folder (see package runlock) and removes the
// temporary files that a crash in the middle of an atomic write left there. The
// lock keeps out other trainers, not every writer: gogan sample, export or bench
// may be writing an output into the folder, so only temporary files that no live
// write holds are removed (atomicfile.RemoveTemps). log hears what was removed;
// fix ends the error of a file where a folder of the run should be.
func lockRun(dir string, log io.Writer, fix string) (*runlock.Lock, error) {
	lock, err := runlock.Acquire(dir)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, d := range []string{dir, filepath.Join(dir, gan.CheckpointsDir), filepath.Join(dir, gan.SamplesDir)} {
		if info, err := os.Stat(d); err == nil && !info.IsDir() {
			lock.Discard()
			return nil, fmt.Errorf("%s is a file, where a run keeps a folder of that name: %s", d, fix)
		}
		r, err := atomicfile.RemoveTemps(d)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			lock.Discard()
			return nil, fmt.Errorf("removing temporary files in %s: %w", d, unwrapPath(err))
		}
		removed = append(removed, r...)
	}
	if len(removed) > 0 && log != nil {
		fmt.Fprintf(log, "removed %d temporary files left by an interrupted write in %s\n", len(removed), dir)
	}
	return lock, nil
}

// trimMetrics drops the metrics lines logged after step: a run resumed from an
// older checkpoint than its last log line would otherwise log those steps twice.
func trimMetrics(path string, step int) error {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("metrics %s: %w", path, unwrapPath(err))
	}
	var kept []byte
	dropped := false
	for _, line := range bytes.SplitAfter(raw, []byte("\n")) {
		var rec struct {
			Step *float64 `json:"step"`
		}
		if json.Unmarshal(line, &rec) == nil && rec.Step != nil && *rec.Step > float64(step) {
			dropped = true
			continue
		}
		kept = append(kept, line...)
	}
	if !dropped {
		return nil
	}
	return atomicfile.WriteFile(path, func(w io.Writer) error {
		_, err := w.Write(kept)
		return err
	})
}

// lastElapsed is the elapsed_s of a resumed run's last metrics line, so that
// the clock continues across resumes.
func lastElapsed(path string) float64 {
	rows, err := report.ReadMetrics(path)
	if err != nil || len(rows) == 0 {
		return 0
	}
	return rows[len(rows)-1]["elapsed_s"]
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// unwrapLink drops the *os.LinkError around a rename's error, whose two paths
// the caller's message names.
func unwrapLink(err error) error {
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// moveToDevice trains job on the device named ("cpu" or "": where it is),
// saying which GPU it uses.
func moveToDevice(job gan.Job, opts Options, log io.Writer) error {
	device := opts.Device
	if ordinal, err := gan.ParseDevice(device); err != nil || ordinal < 0 {
		return err
	}
	t, ok := job.(*gan.Trainer)
	if !ok {
		return fmt.Errorf("--device %s: only GANs train on a GPU yet (not %s)", device, job.Settings().Model)
	}
	if err := t.UseDevice(device); err != nil {
		return err
	}
	t.SetTF32(opts.TF32)
	t.SetCUDAGraph(!opts.NoCUDAGraph)
	fmt.Fprintf(log, "training on %s (%s)\n", device, t.Device())
	return nil
}
