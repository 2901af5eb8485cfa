package eval

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/metrics"
)

// loadData reads a dataset's test images and labels and its first 20,000 training images.
func loadData(t *testing.T, name string) (test *Samples, labels []uint8, train []float32) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the real " + name)
	}
	ds, err := data.Load(name)
	if errors.Is(err, data.ErrNotInstalled) {
		t.Skipf("%s is not installed (Debian's package dataset-fashion-mnist): %v", name, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	test = &Samples{Images: data.Scale(ds.Test.Images), N: ds.Test.Images.N, Source: name + " test set"}
	size := ImageShape.Size()
	train = data.Scale(&data.Images{N: 20_000, Rows: 28, Cols: 28, Pixels: ds.Train.Images.Pixels[:20_000*size]})
	return test, ds.Test.Labels, train
}

// TestScoresOnMNIST holds the metrics to what they must say of real data: the test set
// against itself, the training set, noise; and times all of them on 10,000 samples.
func TestScoresOnMNIST(t *testing.T) {
	test, labels, train := loadData(t, "mnist")
	net, err := LoadFeatureNet("mnist")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := DatasetReference(net, "mnist", CacheOptions{Dir: t.TempDir(), Test: test.Images})
	if err != nil {
		t.Fatal(err)
	}
	size := ImageShape.Size()
	first := &Samples{Images: train[:10_000*size], N: 10_000, Source: "train[:10000]"}
	second := &Samples{Images: train[10_000*size:], N: 10_000, Source: "train[10000:20000]"}
	noise := &Samples{Images: noiseImages(10_000, 1), N: 10_000, Source: "uniform noise"}
	score := func(s *Samples, r *Reference) *Scores {
		t.Helper()
		start := time.Now()
		sc, err := Score(net, s, r, Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s vs %s: FID %.4f, KID %.5f ± %.5f, IS %.3f ± %.3f, precision %.4f, recall %.4f, classes %d (%.2f s)",
			s.Source, r.Name, sc.FID, sc.KID, sc.KIDStd, sc.IS, sc.ISStd, sc.Precision, sc.Recall, sc.ClassesOver2Pct, time.Since(start).Seconds())
		return sc
	}

	t.Run("test against itself", func(t *testing.T) {
		test.Labels = make([]int, test.N)
		for i, l := range labels {
			test.Labels[i] = int(l)
		}
		sc := score(test, ref)
		test.Labels = nil
		if math.Abs(sc.FID) > 1e-6 || sc.Precision != 1 || sc.Recall != 1 {
			t.Errorf("FID %g, precision %g, recall %g: want 0, 1, 1", sc.FID, sc.Precision, sc.Recall)
		}
		if sc.IS < 9.5 || sc.IS > 10 {
			t.Errorf("IS of the MNIST test set %.3f, want near 10", sc.IS)
		}
		if sc.ClassesOver2Pct != 10 {
			t.Errorf("%d classes over 2%%, want 10", sc.ClassesOver2Pct)
		}
		if *sc.LabelAccuracy < 0.99 {
			t.Errorf("the feature network classifies %.4f of the test set right, want at least 0.99", *sc.LabelAccuracy)
		}
	})
	t.Run("training set", func(t *testing.T) {
		start := time.Now()
		sc := score(first, ref)
		t.Logf("all metrics for %d samples (embedding included, reference cached): %.2f s", sc.N, time.Since(start).Seconds())
		if sc.FID > 5 || sc.FID <= 0 {
			t.Errorf("FID(train[:10000], test) = %g, want small", sc.FID)
		}
	})
	t.Run("uniform noise", func(t *testing.T) {
		sc := score(noise, ref)
		if sc.FID < 200 {
			t.Errorf("FID(noise, test) = %g, want large", sc.FID)
		}
		// Precision is no guard here: the noise's features fall in one tight
		// cluster that the k-NN ball of an outlying test digit covers.
		if sc.KID < 1 || sc.Recall > 0.01 || sc.ClassesOver2Pct > 2 {
			t.Errorf("KID(noise, test) = %g, recall %g, %d classes: want large, 0, 1 or 2", sc.KID, sc.Recall, sc.ClassesOver2Pct)
		}
	})
	t.Run("KID of one distribution", func(t *testing.T) {
		other, err := NewReference(net, second)
		if err != nil {
			t.Fatal(err)
		}
		sc := score(first, other)
		if math.Abs(sc.KID) > sc.KIDStd {
			t.Errorf("KID of two halves of the training set %g ± %g, want within one std of 0", sc.KID, sc.KIDStd)
		}
	})
}

// TestFashionFeatureNet: the Fashion-MNIST network classifies at least 90% of its test
// set right, and the test set scores as itself.
func TestFashionFeatureNet(t *testing.T) {
	test, labels, _ := loadData(t, "fashion-mnist")
	net, err := LoadFeatureNet("fashion-mnist")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := DatasetReference(net, "fashion-mnist", CacheOptions{Dir: t.TempDir(), Test: test.Images})
	if err != nil {
		t.Fatal(err)
	}
	test.Labels = make([]int, test.N)
	for i, l := range labels {
		test.Labels[i] = int(l)
	}
	sc, err := Score(net, test, ref, Options{SkipPrecisionRecall: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fashion-mnist test set: accuracy %.4f, IS %.3f ± %.3f", *sc.LabelAccuracy, sc.IS, sc.ISStd)
	if *sc.LabelAccuracy < 0.90 || math.Abs(sc.FID) > 1e-6 {
		t.Errorf("accuracy %.4f (want at least 0.90), FID %g (want 0)", *sc.LabelAccuracy, sc.FID)
	}
}

// TestScorePrecisionRecallOrder: Score passes the reference to
// metrics.PrecisionRecall as the real set and the samples as the fake one (its order,
// the opposite of FID's and KID's): samples that are half the reference's images, of
// one of its two kinds (noise, and dark images), all look real (precision 1) and make
// half of it (recall well below 1), where the swapped call gives the two exchanged.
func TestScorePrecisionRecallOrder(t *testing.T) {
	net, err := LoadFeatureNet("mnist")
	if err != nil {
		t.Fatal(err)
	}
	const n = 60
	dark := noiseImages(n, 3)
	for i := range dark {
		dark[i] = -1 + 0.05*(dark[i]+1)
	}
	size := ImageShape.Size()
	ref, err := NewReference(net, &Samples{Images: append(noiseImages(n, 2), dark...), N: 2 * n, Source: "noise and dark"})
	if err != nil {
		t.Fatal(err)
	}
	s := &Samples{Images: dark[:n/2*size], N: n / 2, Source: "dark"}
	sc, err := Score(net, s, ref, Options{KIDSubsets: 2})
	if err != nil {
		t.Fatal(err)
	}
	e, err := net.Embed(s.Images, s.N)
	if err != nil {
		t.Fatal(err)
	}
	f, _, err := statsOf(e)
	if err != nil {
		t.Fatal(err)
	}
	swappedP, swappedR, err := metrics.PrecisionRecall(f, ref.Features, sc.Neighbours)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Precision != 1 || sc.Recall > 0.75 || swappedP > 0.75 || swappedR != 1 {
		t.Errorf("precision %g, recall %g (swapped: %g, %g); want 1 and at most 0.75, exchanged by the swap", sc.Precision, sc.Recall, swappedP, swappedR)
	}
}
