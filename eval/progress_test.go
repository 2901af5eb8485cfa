package eval

import (
	"fmt"
	"slices"
	"testing"

	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/generator"
)

// progressLog records the calls of a WithProgress function.
type progressLog [][2]int

func (l *progressLog) record(done, total int) { *l = append(*l, [2]int{done, total}) }

// check says what is wrong with the calls of one pass over total images: they start
// at 0, grow by at most EmbedBatch, and end at total.
func (l progressLog) check(total int) error {
	if len(l) < 2 || l[0] != [2]int{0, total} || l[len(l)-1] != [2]int{total, total} {
		return fmt.Errorf("calls %v, want (0, %d) first and (%d, %d) last", l, total, total, total)
	}
	for i := 1; i < len(l); i++ {
		if l[i][1] != total || l[i][0] <= l[i-1][0] || l[i][0]-l[i-1][0] > EmbedBatch {
			return fmt.Errorf("calls %v: call %d does not advance by 1 to %d of %d", l, i, EmbedBatch, total)
		}
	}
	return nil
}

// TestWithProgress: a network with progress reports each pass of Embed, NewReference,
// Score and ScoreStacked from 0 to its total, batch by batch, and computes exactly what
// the network computes in one call; the network it was made from reports nothing.
func TestWithProgress(t *testing.T) {
	net, err := LoadFeatureNet("mnist")
	if err != nil {
		t.Fatal(err)
	}
	const n = 600 // two whole batches and a part
	images := noiseImages(n, 1)
	var log progressLog
	withLog := net.WithProgress(log.record)
	e, err := withLog.Embed(images, n)
	if err != nil {
		t.Fatal(err)
	}
	if err := log.check(n); err != nil {
		t.Errorf("Embed: %v", err)
	}
	whole := make([]float32, n*net.Dim())
	gan.Generate(net.features, whole, images, n)
	if !slices.Equal(e.Features, whole) {
		t.Error("the features embedded batch by batch differ from those of one call")
	}

	s := &Samples{Images: images, N: n, Source: "noise"}
	for name, call := range map[string]func(*FeatureNet) error{
		"NewReference": func(net *FeatureNet) error { _, err := NewReference(net, s); return err },
		"Score": func(net *FeatureNet) error {
			ref, err := NewReference(net.WithProgress(nil), &Samples{Images: noiseImages(20, 2), N: 20})
			if err == nil {
				_, err = Score(net, s, ref, Options{KIDSubsets: 2, SkipPrecisionRecall: true})
			}
			return err
		},
		"DatasetReference": func(net *FeatureNet) error {
			_, err := DatasetReference(net, "mnist", CacheOptions{Dir: t.TempDir(), Test: images})
			return err
		},
	} {
		log = nil
		if err := call(withLog); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := log.check(n); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	log = nil
	if _, err := ScoreStacked(withLog, &Samples{Images: noise(100*StackedShape.Size(), 3), N: 100, Shape: StackedShape}); err != nil {
		t.Fatal(err)
	}
	if len(log) != 6 || log[0] != [2]int{0, 300} || log[2] != [2]int{100, 300} || log[5] != [2]int{300, 300} {
		t.Errorf("ScoreStacked's three passes over 100 samples: calls %v, want 0 to 300 of 300", log)
	}

	log = nil
	if _, err := net.Embed(images[:10*784], 10); err != nil || log != nil {
		t.Errorf("the network WithProgress was made from reported %v (error %v)", log, err)
	}
}

// TestLoadSamplesProgress: a run's samples made with Progress are told 0 as they start
// and then after each batch of generator.BatchSize, and are those made without it and those of one call of
// gan.GenerateLabeled over all of them (how eval made them before), bit for bit, for a
// conditional generator too.
func TestLoadSamplesProgress(t *testing.T) {
	const n = 2*generator.BatchSize + 3
	for _, model := range []string{"mlp", "cgan"} {
		job, run := savedJob(t, model)
		var log progressLog
		with, err := LoadSamples(run, SampleOptions{N: n, Seed: 3, Progress: log.record})
		if err != nil {
			t.Fatal(err)
		}
		without, err := LoadSamples(run, SampleOptions{N: n, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		want := [][2]int{{0, n}, {generator.BatchSize, n}, {2 * generator.BatchSize, n}, {n, n}}
		if !slices.Equal(log, want) {
			t.Errorf("%s: Progress called with %v, want %v", model, log, want)
		}
		if !slices.Equal(with.Images, without.Images) || !slices.Equal(with.Labels, without.Labels) {
			t.Errorf("%s: the samples made with Progress differ from those made without", model)
		}
		tr := job.(*gan.Trainer)
		z := make([]float32, n*tr.Sampler().InputShapes()[0].Size())
		gan.Latents(z, 3)
		var labels []uint8
		if tr.Conditional() {
			labels = make([]uint8, n)
			for i := range labels {
				labels[i] = uint8(i % gan.Classes)
			}
		}
		whole := make([]float32, len(with.Images))
		gan.GenerateLabeled(tr.Sampler(), whole, z, labels, n)
		if !slices.Equal(with.Images, whole) {
			t.Errorf("%s: the samples made batch by batch differ from those of one call", model)
		}
	}
}

// TestGeneratedWithProgress: GeneratedWith tells GenerateOptions.Progress 0 as the
// generator starts, then the images made after each batch of generator.BatchSize, to
// N, and its samples (and a conditional generator's labels) are GeneratedOn's for the
// same seed, bit for bit; N = 0 makes DefaultN; an autoencoder's codes come from Test.
func TestGeneratedWithProgress(t *testing.T) {
	const n = 2*generator.BatchSize + 3
	for _, model := range []string{"mlp", "cgan"} {
		job := recipeJob(t, model)
		var log progressLog
		with, err := GeneratedWith(job, GenerateOptions{N: n, Seed: 3, Progress: log.record})
		if err != nil {
			t.Fatal(err)
		}
		want := [][2]int{{0, n}, {generator.BatchSize, n}, {2 * generator.BatchSize, n}, {n, n}}
		if !slices.Equal(log, want) {
			t.Errorf("%s: Progress called with %v, want %v", model, log, want)
		}
		without, err := GeneratedOn("", job, n, 3, nil)
		if err != nil {
			t.Fatal(err)
		}
		if with.N != n || !slices.Equal(with.Images, without.Images) || !slices.Equal(with.Labels, without.Labels) || (model == "cgan") != (with.Labels != nil) {
			t.Errorf("%s: %d samples made with Progress, labels %d; they differ from GeneratedOn's", model, with.N, len(with.Labels))
		}
		if model != "mlp" {
			continue
		}
		log = nil
		s, err := GeneratedWith(job, GenerateOptions{Progress: log.record})
		if err != nil {
			t.Fatal(err)
		}
		if s.N != DefaultN || len(log) < 2 || log[0] != [2]int{0, DefaultN} || log[len(log)-1] != [2]int{DefaultN, DefaultN} {
			t.Errorf("N = 0: %d samples, Progress called with %v; want DefaultN (%d), from 0 to all", s.N, log, DefaultN)
		}
	}
	ae := autoencoderJob(t)
	called := false
	test := func() ([]float32, error) { called = true; return noiseImages(30, 3), nil }
	if s, err := GeneratedWith(ae, GenerateOptions{N: 12, Seed: 1, Test: test}); err != nil || !called || s.N != 12 {
		t.Errorf("an autoencoder: error %v, test images read %v", err, called)
	}
}

// TestScorePrecisionRecallProgress: Options.PrecisionRecallProgress is told the tiles of
// precision and recall's distances from 0 to all, and the scores are those without it.
func TestScorePrecisionRecallProgress(t *testing.T) {
	got, want, log := scoreWithProgress(t, func(o *Options, f func(done, total int)) { o.PrecisionRecallProgress = f })
	const tiles = 3 + 6 + 6 // of 96: the reference's 2·3/2, the samples' 3·4/2, the pairs 3·2
	if len(log) < 2 || log[0] != [2]int{0, tiles} || log[len(log)-1] != [2]int{tiles, tiles} {
		t.Errorf("calls %v, want (0, %d) first and (%d, %d) last", log, tiles, tiles, tiles)
	}
	if got.Precision != want.Precision || got.Recall != want.Recall {
		t.Errorf("precision, recall %v, %v with progress, %v, %v without", got.Precision, got.Recall, want.Precision, want.Recall)
	}
}

// TestScoreKIDProgress: Options.KIDProgress is told KID's subsets from 0 to all, and
// the scores are those without it.
func TestScoreKIDProgress(t *testing.T) {
	got, want, log := scoreWithProgress(t, func(o *Options, f func(done, total int)) { o.KIDProgress = f })
	const subsets = 2
	if len(log) < 2 || log[0] != [2]int{0, subsets} || log[len(log)-1] != [2]int{subsets, subsets} {
		t.Errorf("calls %v, want (0, %d) first and (%d, %d) last", log, subsets, subsets, subsets)
	}
	if got.KID != want.KID || got.KIDStd != want.KIDStd {
		t.Errorf("KID %v ± %v with progress, %v ± %v without", got.KID, got.KIDStd, want.KID, want.KIDStd)
	}
}

// scoreWithProgress scores 200 noise images against a reference of 100 through the
// MNIST network, with KID over 2 subsets, without progress (want) and with the
// progress function that set puts in the options (got), whose calls it returns.
func scoreWithProgress(t *testing.T, set func(*Options, func(done, total int))) (got, want *Scores, log progressLog) {
	t.Helper()
	net, err := LoadFeatureNet("mnist")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := NewReference(net, &Samples{Images: noiseImages(100, 2), N: 100, Source: "noise"})
	if err != nil {
		t.Fatal(err)
	}
	s := &Samples{Images: noiseImages(200, 1), N: 200, Source: "noise"}
	opts := Options{KIDSubsets: 2}
	if want, err = Score(net, s, ref, opts); err != nil {
		t.Fatal(err)
	}
	set(&opts, log.record)
	if got, err = Score(net, s, ref, opts); err != nil {
		t.Fatal(err)
	}
	return got, want, log
}
