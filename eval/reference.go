package eval

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"syscall"

	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/metrics"
)

// RefStatsFormat is the "format" metadata of a cached reference file.
const RefStatsFormat = "gogan-refstats/1"

// Reference is the real data samples are compared with: its features, for KID and
// precision/recall, and their mean and covariance, for FID.
type Reference struct {
	// Name says what the reference is: "mnist test set (10000 images)", or a path.
	Name     string
	Net      string // the hash of the feature network that computed Features
	Features metrics.Features
	Stats    metrics.Stats
}

// NewReference embeds a set of images, at least MinSamples, as a reference.
func NewReference(net *FeatureNet, s *Samples) (*Reference, error) {
	if err := s.checkFor(net); err != nil {
		return nil, err
	}
	if err := checkReferenceSize(s.source(), s.N); err != nil {
		return nil, err
	}
	e, err := net.Embed(s.Images, s.N)
	if err != nil {
		return nil, err
	}
	return referenceOf(s.Source, net.Name, e)
}

// checkReferenceSize refuses a reference of fewer than MinSamples images, as
// LoadSamples and Score refuse so few samples.
func checkReferenceSize(name string, n int) error {
	if n < MinSamples {
		return fmt.Errorf("eval: reference %s: %d images, at least %d are needed", name, n, MinSamples)
	}
	return nil
}

// referenceOf is the reference name of what network netName said of a set of images
// (its errors name both).
func referenceOf(name, netName string, e *Embedding) (*Reference, error) {
	f, st, err := statsOf(e)
	if err != nil {
		return nil, fmt.Errorf("eval: %s through feature network %s: %w", name, netName, err)
	}
	return &Reference{Name: name, Net: e.Net, Features: f, Stats: st}, nil
}

// statsOf is the features of an embedding, in float64, and their statistics.
func statsOf(e *Embedding) (metrics.Features, metrics.Stats, error) {
	f, err := metrics.FeaturesFromFloat32(e.N, len(e.Features)/e.N, e.Features)
	if err != nil {
		return f, metrics.Stats{}, err
	}
	st, err := metrics.ComputeStats(f)
	return f, st, err
}

// CacheOptions say where reference statistics are cached.
type CacheOptions struct {
	// Dir is the cache folder; "" means <os.UserCacheDir()>/gogan/refstats.
	Dir string
	// Warn receives the one-line warnings about a cache file that cannot be used (it is
	// then recomputed and rewritten) or written, or a missing user cache folder; nil
	// discards them.
	Warn io.Writer
	// Test, when set, stands in for the dataset's test images (n, 28, 28, 1) in [−1, 1],
	// n ≥ MinSamples, so that a caller that has loaded them already does not read them
	// again.
	Test []float32
}

// DatasetReference is the test set of a dataset ("mnist", "fashion-mnist") as seen by
// net. It is read from <Dir>/<dataset>-<hash>.safetensors when that file is there and
// sound; otherwise it is computed from the test set and the file is written
// (atomically). The cache only saves time: a damaged or mismatched file gives a warning
// and is recomputed, and a cache that cannot be written, or no user cache folder, gives
// a warning, not an error.
func DatasetReference(net *FeatureNet, dataset string, opts CacheOptions) (*Reference, error) {
	if err := net.check(); err != nil {
		return nil, err
	}
	if !IsDataset(dataset) {
		return nil, fmt.Errorf("eval: no test set named %q (want mnist or fashion-mnist)", dataset)
	}
	warn := opts.Warn
	if warn == nil {
		warn = io.Discard
	}
	path, err := referenceCachePath(opts.Dir, dataset, net.Hash)
	if err != nil {
		fmt.Fprintf(warn, "warning: no reference cache (%v): the statistics of the %s test set are computed and not kept\n", err, dataset)
	} else if ref, err := readReference(path, dataset, net); err == nil {
		ref.Name = testSetName(dataset, ref.Features.N)
		return ref, nil
	} else if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
		// A cache folder that is a file is a miss here, and a warning when it is written.
		fmt.Fprintf(warn, "warning: reference cache %s is unusable, recomputing it: %v\n", path, fileProblem(path, err))
	}
	ref, features, err := testSetReference(net, dataset, opts.Test)
	if err != nil {
		return nil, err
	}
	if path == "" {
		return ref, nil
	}
	err = os.MkdirAll(filepath.Dir(path), 0o755)
	if err == nil {
		err = writeReference(path, dataset, ref, features)
	}
	if err != nil {
		fmt.Fprintf(warn, "warning: the reference statistics could not be cached in %s (they will be computed again next time): %v\n", path, fileProblem(path, err))
	}
	return ref, nil
}

// referenceCachePath is the cache file of a dataset's reference through the network
// of hash hash, in dir or else in the user cache folder.
func referenceCachePath(dir, dataset, hash string) (string, error) {
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(base, "gogan", "refstats")
	}
	return filepath.Join(dir, dataset+"-"+hash+".safetensors"), nil
}

// testSetName names the reference of a dataset's test set of n images.
func testSetName(dataset string, n int) string {
	return fmt.Sprintf("%s test set (%d images)", dataset, n)
}

// testSetReference computes the reference of a dataset's test set (test, when not
// nil, stands in for it) and returns it with the features as net computed them.
func testSetReference(net *FeatureNet, dataset string, test []float32) (*Reference, []float32, error) {
	if test == nil {
		ds, err := data.Load(dataset)
		if err != nil {
			return nil, nil, err
		}
		test = data.Scale(ds.Test.Images)
	}
	n := len(test) / net.Shape().Size()
	if err := checkReferenceSize(testSetName(dataset, n), n); err != nil {
		return nil, nil, err
	}
	e, err := net.Embed(test, n)
	if err != nil {
		return nil, nil, err
	}
	ref, err := referenceOf(testSetName(dataset, n), net.Name, e)
	if err != nil {
		return nil, nil, err
	}
	return ref, e.Features, nil
}

// The tensors of a cached reference: the features (n, d) as the network computed them
// (F32), and their float64 mean (d) and covariance (d, d).
func writeReference(path, dataset string, ref *Reference, features []float32) error {
	d := ref.Features.D
	tensors := map[string]checkpoint.Tensor{
		"features": checkpoint.F32([]int{ref.Features.N, d}, features),
		"mean":     checkpoint.F64([]int{d}, ref.Stats.Mean),
		"cov":      checkpoint.F64([]int{d, d}, ref.Stats.Cov),
	}
	meta := map[string]string{"format": RefStatsFormat, "dataset": dataset, "feature_net": ref.Net}
	return checkpoint.SaveSafetensors(path, tensors, meta)
}

func readReference(path, dataset string, net *FeatureNet) (*Reference, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	tensors, meta, err := checkpoint.LoadSafetensors(path)
	if err != nil {
		return nil, err
	}
	switch {
	case meta["format"] != RefStatsFormat:
		return nil, fmt.Errorf("format %q, want %q", meta["format"], RefStatsFormat)
	case meta["dataset"] != dataset || meta["feature_net"] != net.Hash:
		return nil, fmt.Errorf("it holds %s through feature network %s, want %s through %s", meta["dataset"], meta["feature_net"], dataset, net.Hash)
	}
	d := net.Dim()
	feat, mean, cov := tensors["features"], tensors["mean"], tensors["cov"]
	switch {
	case len(tensors) != 3:
		return nil, fmt.Errorf("%d tensors, want features, mean and cov", len(tensors))
	case feat.DType != "F32" || len(feat.Shape) != 2 || feat.Shape[1] != d || feat.Shape[0] < MinSamples:
		return nil, fmt.Errorf("features are %s %v, want F32 (n ≥ %d, %d)", feat.DType, feat.Shape, MinSamples, d)
	case mean.DType != "F64" || !slices.Equal(mean.Shape, []int{d}):
		return nil, fmt.Errorf("mean is %s %v, want F64 [%d]", mean.DType, mean.Shape, d)
	case cov.DType != "F64" || !slices.Equal(cov.Shape, []int{d, d}):
		return nil, fmt.Errorf("cov is %s %v, want F64 [%d %d]", cov.DType, cov.Shape, d, d)
	}
	f, err := metrics.FeaturesFromFloat32(feat.Shape[0], d, feat.F32)
	if err != nil {
		return nil, err
	}
	for _, x := range [][]float64{f.Data, mean.F64, cov.F64} {
		for _, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("holds %v", v)
			}
		}
	}
	return &Reference{Net: net.Hash, Features: f, Stats: metrics.Stats{Mean: mean.F64, Cov: cov.F64, N: f.N}}, nil
}
