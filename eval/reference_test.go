package eval

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/gan"
)

// TestReferenceCache: the first call computes and writes the cache file, the second
// reads it (it does not look at the test images again), and a damaged or mismatched
// file is recomputed with a warning.
func TestReferenceCache(t *testing.T) {
	net, err := LoadFeatureNet("mnist")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "mnist-"+net.Hash+".safetensors")
	var warn bytes.Buffer
	test := noiseImages(50, 1)
	miss, err := DatasetReference(net, "mnist", CacheOptions{Dir: dir, Warn: &warn, Test: test})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no cache file after a miss: %v", err)
	}
	if miss.Features.N != 50 || miss.Stats.N != 50 || miss.Net != net.Hash || miss.Name != "mnist test set (50 images)" || warn.Len() != 0 {
		t.Fatalf("reference of %d features, stats of %d, net %s, name %q; warnings %q", miss.Features.N, miss.Stats.N, miss.Net, miss.Name, warn.String())
	}

	// A hit: other test images would give other statistics, so equal ones come from the file.
	hit, err := DatasetReference(net, "mnist", CacheOptions{Dir: dir, Warn: &warn, Test: noiseImages(60, 2)})
	if err != nil {
		t.Fatal(err)
	}
	if hit.Features.N != 50 || warn.Len() != 0 {
		t.Fatalf("hit: %d features, warnings %q", hit.Features.N, warn.String())
	}
	for i := range miss.Stats.Cov {
		if hit.Stats.Cov[i] != miss.Stats.Cov[i] {
			t.Fatalf("cached covariance [%d] is %g, computed %g", i, hit.Stats.Cov[i], miss.Stats.Cov[i])
		}
	}
	for i := range miss.Features.Data {
		if hit.Features.Data[i] != miss.Features.Data[i] {
			t.Fatalf("cached feature [%d] is %g, computed %g", i, hit.Features.Data[i], miss.Features.Data[i])
		}
	}

	for _, tc := range []struct {
		name   string
		damage func() error
		want   string
	}{
		{"truncated", func() error { return os.WriteFile(path, []byte("12345"), 0o644) }, "too short"},
		{"another network's", func() error {
			return checkpoint.SaveSafetensors(path, map[string]checkpoint.Tensor{}, map[string]string{
				"format": RefStatsFormat, "dataset": "mnist", "feature_net": "000000000000"})
		}, "through feature network 000000000000"},
		{"wrong shapes", func() error {
			return checkpoint.SaveSafetensors(path, map[string]checkpoint.Tensor{
				"features": checkpoint.F32([]int{10, 2}, make([]float32, 20)),
				"mean":     checkpoint.F64([]int{2}, make([]float64, 2)),
				"cov":      checkpoint.F64([]int{2, 2}, make([]float64, 4)),
			}, map[string]string{"format": RefStatsFormat, "dataset": "mnist", "feature_net": net.Hash})
		}, "features are F32 [10 2]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.damage(); err != nil {
				t.Fatal(err)
			}
			warn.Reset()
			ref, err := DatasetReference(net, "mnist", CacheOptions{Dir: dir, Warn: &warn, Test: test})
			if err != nil {
				t.Fatal(err)
			}
			msg := warn.String()
			if !strings.HasPrefix(msg, "warning: reference cache "+path) || !strings.Contains(msg, tc.want) || strings.Count(msg, "\n") != 1 ||
				strings.Count(msg, path) != 1 || strings.Contains(msg, "checkpoint") {
				t.Errorf("warning %q: want one line about %s containing %q, naming the file once, not checkpoint", msg, path, tc.want)
			}
			if ref.Features.N != 50 {
				t.Errorf("recomputed reference has %d features", ref.Features.N)
			}
			warn.Reset()
			if _, err := DatasetReference(net, "mnist", CacheOptions{Dir: dir, Warn: &warn, Test: test}); err != nil || warn.Len() != 0 {
				t.Errorf("after recomputing: error %v, warnings %q", err, warn.String())
			}
		})
	}

	if _, err := DatasetReference(net, "cifar10", CacheOptions{Dir: dir}); err == nil || !strings.Contains(err.Error(), `"cifar10"`) {
		t.Errorf("unknown dataset: error %v", err)
	}
}

// TestScoreChecksNetwork: samples are never scored against a reference that another
// network computed.
func TestScoreChecksNetwork(t *testing.T) {
	mnist, err := LoadFeatureNet("mnist")
	if err != nil {
		t.Fatal(err)
	}
	fashion, err := LoadFeatureNet("fashion-mnist")
	if err != nil {
		t.Fatal(err)
	}
	s := &Samples{Images: noiseImages(20, 1), N: 20, Source: "noise"}
	ref, err := NewReference(mnist, s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Score(fashion, s, ref, Options{}); err == nil || !strings.Contains(err.Error(), mnist.Hash) {
		t.Errorf("error %v, want one naming %s", err, mnist.Hash)
	}
}

// TestScoreRejectsNil: nil samples, network or reference are an error, not a panic.
func TestScoreRejectsNil(t *testing.T) {
	net, err := LoadFeatureNet("mnist")
	if err != nil {
		t.Fatal(err)
	}
	s := &Samples{Images: noiseImages(20, 1), N: 20, Source: "noise"}
	ref, err := NewReference(net, s)
	if err != nil {
		t.Fatal(err)
	}
	errorOf := func(_ any, err error) error { return err }
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"Score nil samples", errorOf(Score(net, nil, ref, Options{})), "no samples"},
		{"Score nil network", errorOf(Score(nil, s, ref, Options{})), "no feature network"},
		{"Score nil reference", errorOf(Score(net, s, nil, Options{})), "no reference"},
		{"NewReference nil samples", errorOf(NewReference(net, nil)), "no samples"},
		{"NewReference nil network", errorOf(NewReference(nil, s)), "no feature network"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, c.err, c.want)
		}
	}
}

// TestScoreSmall: on a small set every number is there and in range, and the labels of
// a conditional generator give the label accuracy.
func TestScoreSmall(t *testing.T) {
	net, err := LoadFeatureNet("mnist")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := NewReference(net, &Samples{Images: noiseImages(40, 1), N: 40, Source: "noise"})
	if err != nil {
		t.Fatal(err)
	}
	s := &Samples{Images: noiseImages(30, 2), N: 30, Source: "more noise"}
	e, err := net.Embed(s.Images, s.N)
	if err != nil {
		t.Fatal(err)
	}
	s.Labels = make([]int, s.N)
	for i := range s.Labels {
		s.Labels[i] = argmax(e.Probs[i*10 : (i+1)*10])
		if i%3 == 0 {
			s.Labels[i] = (s.Labels[i] + 1) % 10
		}
	}
	sc, err := Score(net, s, ref, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if sc.N != 30 || sc.RefN != 40 || sc.FeatureNet != net.Hash || sc.FeatureNetName != "mnist" || sc.Samples != "more noise" || sc.Ref != "noise" {
		t.Errorf("scores %+v", sc)
	}
	if sc.LabelAccuracy == nil || *sc.LabelAccuracy != 20.0/30 {
		t.Errorf("label accuracy %v, want 2/3", sc.LabelAccuracy)
	}
	total := 0
	for _, c := range sc.ClassHistogram {
		total += c
	}
	if total != 30 || sc.IS < 1 || sc.IS > 10 || sc.FID < 0 || sc.Precision < 0 || sc.Precision > 1 || sc.Recall < 0 || sc.Recall > 1 {
		t.Errorf("scores out of range: %+v", sc)
	}
	s.Labels = s.Labels[:5]
	if _, err := Score(net, s, ref, Options{}); err == nil {
		t.Error("5 labels for 30 samples: no error")
	}
	s.Labels = nil
	s.Images[17] = float32(math.NaN())
	if _, err := Score(net, s, ref, Options{}); err == nil || !strings.Contains(err.Error(), "image 0 holds NaN") {
		t.Errorf("NaN pixel: error %v", err)
	}
}

func argmax(p []float64) int {
	best := 0
	for i, v := range p {
		if v > p[best] {
			best = i
		}
	}
	return best
}

// TestReferenceCacheUnwritable: a cache folder that cannot be made costs a warning,
// not the reference.
func TestReferenceCacheUnwritable(t *testing.T) {
	net, err := LoadFeatureNet("mnist")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var warn bytes.Buffer
	ref, err := DatasetReference(net, "mnist", CacheOptions{Dir: filepath.Join(file, "refstats"), Warn: &warn, Test: noiseImages(20, 1)})
	if err != nil || ref == nil || ref.Features.N != 20 {
		t.Fatalf("reference %v, error %v", ref, err)
	}
	if msg := warn.String(); !strings.Contains(msg, "could not be cached in "+filepath.Join(file, "refstats")) || strings.Count(msg, "\n") != 1 {
		t.Errorf("warning %q, want one line naming the cache file", msg)
	}

	// A folder where the cache file should be: one warning, about the file, not checkpoint's.
	dir := t.TempDir()
	path := filepath.Join(dir, "mnist-"+net.Hash+".safetensors")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	warn.Reset()
	if _, err := DatasetReference(net, "mnist", CacheOptions{Dir: dir, Warn: &warn, Test: noiseImages(20, 1)}); err != nil {
		t.Fatal(err)
	}
	if msg := warn.String(); !strings.Contains(msg, "could not be cached in "+path) || strings.Contains(msg, "checkpoint") {
		t.Errorf("warning %q, want one naming %s, not checkpoint", msg, path)
	}
}

// TestReferenceTooFew: a reference of fewer than MinSamples images is refused by
// NewReference and DatasetReference, as LoadSamples and Score refuse so few samples,
// with an error naming the count and the minimum; nothing is cached.
func TestReferenceTooFew(t *testing.T) {
	net, err := LoadFeatureNet("mnist")
	if err != nil {
		t.Fatal(err)
	}
	few := MinSamples - 1
	_, err = NewReference(net, &Samples{Images: noiseImages(few, 1), N: few, Source: "nine"})
	if err == nil || !strings.Contains(err.Error(), "nine: 9 images, at least 10 are needed") {
		t.Errorf("NewReference of %d images: error %v", few, err)
	}
	dir := t.TempDir()
	_, err = DatasetReference(net, "mnist", CacheOptions{Dir: dir, Test: noiseImages(few, 1)})
	if err == nil || !strings.Contains(err.Error(), "mnist test set (9 images): 9 images, at least 10 are needed") {
		t.Errorf("DatasetReference of %d test images: error %v", few, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the cache holds %d files after a refused reference", len(entries))
	}
	if _, err := NewReference(net, &Samples{Images: noiseImages(MinSamples, 1), N: MinSamples}); err != nil {
		t.Errorf("NewReference of %d images: %v", MinSamples, err)
	}
}

// TestZeroValues: a zero or nil FeatureNet, a zero or nil Monitor, a nil job and a
// nil classifier given to the exported functions give an error naming the misuse,
// not a nil dereference; the accessors of a zero FeatureNet panic naming it.
func TestZeroValues(t *testing.T) {
	gray := &Samples{Images: noiseImages(20, 1), N: 20, Source: "noise"}
	color := &Samples{Images: noise(20*StackedShape.Size(), 1), N: 20, Shape: StackedShape, Source: "color"}
	var (
		zero    FeatureNet
		nilNet  *FeatureNet
		nilMon  *Monitor
		nilGAN  *gan.Trainer
		nilCls  *gan.ClassifierTrainer
		emptied = "the FeatureNet holds no network: make it with LoadFeatureNet or ParseFeatureNet"
	)
	errorOf := func(_ any, err error) error { return err }
	for _, c := range []struct {
		name string
		call func() error
		want string
	}{
		{"Embed of a zero network", func() error { return errorOf(zero.Embed(gray.Images, gray.N)) }, emptied},
		{"Embed of nil", func() error { return errorOf(nilNet.Embed(gray.Images, gray.N)) }, "no feature network"},
		{"NewReference", func() error { return errorOf(NewReference(&zero, gray)) }, emptied},
		{"Score", func() error { return errorOf(Score(&zero, gray, &Reference{}, Options{})) }, emptied},
		{"ScoreStacked", func() error { return errorOf(ScoreStacked(&zero, color)) }, emptied},
		{"DatasetReference", func() error { return errorOf(DatasetReference(&zero, "mnist", CacheOptions{Dir: t.TempDir()})) }, emptied},
		{"DatasetReference of nil", func() error { return errorOf(DatasetReference(nil, "mnist", CacheOptions{Dir: t.TempDir()})) }, "no feature network"},
		{"Evaluate of a zero Monitor", func() error { return errorOf((&Monitor{}).Evaluate(newClassifier(t, 1))) }, "make it with NewMonitor"},
		{"Evaluate of nil", func() error { return errorOf(nilMon.Evaluate(nil)) }, "make it with NewMonitor"},
		{"Generated of a nil *gan.Trainer", func() error { return errorOf(Generated(nilGAN, 20, 1, nil)) }, "no job"},
		{"ExportFeatureNet of nil", func() error { return ExportFeatureNet(filepath.Join(t.TempDir(), "x"), nilCls, nil) }, "no classifier"},
		{"ExportFeatureNet of a zero trainer", func() error {
			return ExportFeatureNet(filepath.Join(t.TempDir(), "x"), &gan.ClassifierTrainer{}, nil)
		}, "no classifier"},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			if err := c.call(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one saying %q", err, c.want)
			}
		})
	}
	for name, call := range map[string]func(){"Shape": func() { zero.Shape() }, "Classes": func() { zero.Classes() }, "Dim": func() { nilNet.Dim() }} {
		func() {
			defer func() {
				if msg, _ := recover().(string); !strings.Contains(msg, "FeatureNet."+name+": ") {
					t.Errorf("%s of a zero FeatureNet: panic %q, want one naming FeatureNet.%s", name, msg, name)
				}
			}()
			call()
		}()
	}
}

// TestReferenceNoUserCache: without a user cache folder ($XDG_CACHE_HOME and $HOME
// unset) the reference is computed, with a warning, as a folder of images is decoded
// uncached; the cache only saves time.
func TestReferenceNoUserCache(t *testing.T) {
	net, err := LoadFeatureNet("mnist")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "")
	if _, err := os.UserCacheDir(); err == nil {
		t.Skip("this system has a user cache folder without $XDG_CACHE_HOME and $HOME")
	}
	var warn bytes.Buffer
	ref, err := DatasetReference(net, "mnist", CacheOptions{Warn: &warn, Test: noiseImages(20, 1)})
	if err != nil || ref.Features.N != 20 || ref.Name != "mnist test set (20 images)" {
		t.Fatalf("reference %+v, error %v", ref, err)
	}
	if msg := warn.String(); !strings.HasPrefix(msg, "warning: no reference cache (") || strings.Count(msg, "\n") != 1 {
		t.Errorf("warning %q, want one line saying there is no reference cache", msg)
	}
}
