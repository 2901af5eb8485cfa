package gan

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/tensor"
)

// TestStandingStatisticsAverageBatches: on a BatchNormalization layer fed the
// noise itself, the standing statistics are the mean over the batches of each
// feature's batch mean and biased batch variance, computed here by hand from
// the same noise; the layer's momentum is given back.
func TestStandingStatisticsAverageBatches(t *testing.T) {
	const batches, batch, features, seed = 3, 5, 4, 7
	g := nn.NewSequential("g", nn.Input(features), nn.BatchNormalization())
	if err := g.Build(rand.New(rand.NewPCG(1, 2))); err != nil {
		t.Fatal(err)
	}
	if err := StandingStatistics(g, batches, batch, 0, seed); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	wantMean, wantVar := make([]float64, features), make([]float64, features)
	for range batches {
		z := make([]float64, batch*features)
		for i := range z {
			z[i] = float64(float32(rng.NormFloat64()))
		}
		for f := range features {
			var mean, sq float64
			for i := range batch {
				mean += z[i*features+f] / batch
			}
			for i := range batch {
				d := z[i*features+f] - mean
				sq += d * d / batch
			}
			wantMean[f] += mean / batches
			wantVar[f] += sq / batches
		}
	}
	bns, err := nn.BatchNormLayers(g)
	if err != nil || len(bns) != 1 {
		t.Fatalf("BatchNormLayers: %v, %d layers", err, len(bns))
	}
	w := bns[0].Weights() // gamma, beta, moving mean, moving variance
	for f := range features {
		if math.Abs(float64(w[2].Data[f])-wantMean[f]) > 1e-5 || math.Abs(float64(w[3].Data[f])-wantVar[f]) > 1e-5 {
			t.Errorf("feature %d: moving mean %g, variance %g; want %g, %g", f, w[2].Data[f], w[3].Data[f], wantMean[f], wantVar[f])
		}
	}
	if bns[0].Momentum != 0.99 {
		t.Errorf("momentum %g after standing statistics, want 0.99 given back", bns[0].Momentum)
	}
	if err := StandingStatistics(g, 0, batch, 0, seed); err == nil || !strings.Contains(err.Error(), "must be positive") {
		t.Errorf("0 batches: error %v, want one saying they must be positive", err)
	}
}

// TestStandingStatsNeedEMA: standing statistics are for the weight average,
// and their count is bounded.
func TestStandingStatsNeedEMA(t *testing.T) {
	cfg := DefaultConfig()
	cfg.StandingStats = 10
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "set an EMA decay too") {
		t.Errorf("standing statistics without EMA: error %v, want one asking for EMA", err)
	}
	cfg.EMA, cfg.StandingStats = 0.999, -1
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "standing statistics must be in") {
		t.Errorf("standing statistics -1: error %v, want a range error", err)
	}
}

// TestSamplerGetsStandingStatistics: with EMA and StandingStats, the sampler's
// BatchNorm statistics are its own (not the live G's), a function of its
// weights alone, and the checkpoint keeps them.
func TestSamplerGetsStandingStatistics(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Batch, cfg.EMA, cfg.StandingStats = 16, 0.9, 4
	tr := trainedTrainer(t, cfg, 3, 0)
	live := movingMean(t, tr.G)
	own := movingMean(t, tr.Sampler())
	if slices.Equal(live, own) {
		t.Fatal("the sampler kept the live G's moving mean")
	}
	if err := StandingStatistics(tr.GEMA, cfg.StandingStats, cfg.Batch, 0, cfg.Seed); err != nil {
		t.Fatal(err)
	}
	if again := movingMean(t, tr.GEMA); !slices.Equal(again, own) {
		t.Fatal("standing statistics differ when computed twice from the same weights")
	}
	if got := movingMean(t, reloaded(t, tr).GEMA); !slices.Equal(got, own) {
		t.Fatal("the checkpoint lost the sampler's standing statistics")
	}
}

// trainedTrainer is a trainer of cfg after steps steps on random images, the
// one of step i drawn with seed first+i.
func trainedTrainer(t *testing.T, cfg Config, steps int, first uint64) *Trainer {
	t.Helper()
	tr, err := NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for step := range steps {
		if _, err := tr.TrainStep(randomImages(cfg.Batch, tensor.Shape{28, 28, 1}, first+uint64(step)), nil); err != nil {
			t.Fatal(err)
		}
	}
	return tr
}

// movingMean is a copy of the moving mean of net's first BatchNormalization layer.
func movingMean(t *testing.T, net nn.Network) []float32 {
	t.Helper()
	bns, err := nn.BatchNormLayers(net)
	if err != nil || len(bns) == 0 {
		t.Fatalf("no batch norm layers in %s: %v", net.Name(), err)
	}
	return slices.Clone(bns[0].Weights()[2].Data)
}

// TestRestoreForgetsStandingStatistics: Restore brings other weights in, so
// the sampler gets standing statistics of those, even when the checkpoint's
// step is the step the trainer last gave them at (here a checkpoint saved
// without standing statistics, restored into a trainer that keeps them).
func TestRestoreForgetsStandingStatistics(t *testing.T) {
	plain := DefaultConfig()
	plain.Batch, plain.EMA = 16, 0.9
	dir := t.TempDir()
	if _, err := trainedTrainer(t, plain, 2, 10).SaveCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	standing := plain
	standing.StandingStats = 4
	tr := trainedTrainer(t, standing, 2, 20)
	tr.Sampler() // standing statistics at step 2, of its own weights
	if err := tr.Restore(dir); err != nil {
		t.Fatal(err)
	}
	fresh, err := NewTrainer(standing)
	if err != nil {
		t.Fatal(err)
	}
	if err := fresh.Restore(dir); err != nil {
		t.Fatal(err)
	}
	if got, want := movingMean(t, tr.Sampler()), movingMean(t, fresh.Sampler()); !slices.Equal(got, want) {
		t.Errorf("after Restore at the same step, the sampler's moving mean starts %v, want %v (standing statistics of the restored weights)", got[:3], want[:3])
	}
}

// opaqueNetwork is a program's own nn.Network: neither an *nn.Sequential nor
// an *nn.Model, so its BatchNormalization layers cannot be reached.
type opaqueNetwork struct{ *nn.Sequential }

// TestStandingStatsNeedReachableLayers: NewTrainerFor refuses standing
// statistics for a weight average whose layers it cannot reach, with an error
// rather than a panic when the sampler is first drawn.
func TestStandingStatsNeedReachableLayers(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Model, cfg.Batch, cfg.EMA, cfg.StandingStats = "my-mlp", 8, 0.9, 2
	tr, err := NewTrainerFor(opaqueNetwork{SeedGenerator(cfg.LatentDim)}, SeedDiscriminator(), cfg,
		WithAverageGenerator(opaqueNetwork{SeedGenerator(cfg.LatentDim)}))
	if err == nil {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("Sampler panicked: %v; want NewTrainerFor's error", r)
			}
		}()
		tr.Sampler()
		t.Fatal("NewTrainerFor took standing statistics for a network whose layers it cannot reach")
	}
	if !strings.Contains(err.Error(), "standing statistics") {
		t.Errorf("error %q, want one naming the standing statistics", err)
	}
}

// TestSamplerConcurrent: Sampler may be called from several goroutines (a
// server's generators made from one trainer that no longer trains): the
// standing statistics are computed once, not by every caller over the same
// layers at once (go test -race reports that), and every caller gets them.
func TestSamplerConcurrent(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Batch, cfg.EMA, cfg.StandingStats = 8, 0.9, 3
	tr := trainedTrainer(t, cfg, 1, 1)
	const callers = 4
	var wg sync.WaitGroup
	means := make([][]float32, callers)
	for i := range callers {
		wg.Go(func() {
			bns, err := nn.BatchNormLayers(tr.Sampler())
			if err != nil {
				t.Error(err)
				return
			}
			means[i] = slices.Clone(bns[0].Weights()[2].Data)
		})
	}
	wg.Wait()
	if err := StandingStatistics(tr.GEMA, cfg.StandingStats, cfg.Batch, 0, cfg.Seed); err != nil {
		t.Fatal(err)
	}
	want := movingMean(t, tr.GEMA)
	for i, got := range means {
		if !slices.Equal(got, want) {
			t.Errorf("caller %d: the sampler's moving mean is not the standing statistics'", i)
		}
	}
}

// TestLoadJobKeepsSavedStandingStatistics: a checkpoint holds the weight
// average's standing statistics (SaveCheckpoint gives them first), so the
// sampler of LoadJob's trainer draws with those, without computing them again
// (gogan sample, eval and serve's reloads would pay StandingStats batches of
// G each): changing an average weight after loading leaves them as saved.
func TestLoadJobKeepsSavedStandingStatistics(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Batch, cfg.EMA, cfg.StandingStats = 8, 0.9, 3
	tr := trainedTrainer(t, cfg, 1, 1)
	loaded := reloaded(t, tr) // LoadCheckpoint is LoadJob's trainer
	bns, err := nn.BatchNormLayers(loaded.GEMA)
	if err != nil {
		t.Fatal(err)
	}
	saved := slices.Clone(bns[0].Weights()[2].Data)
	loaded.GEMA.TrainableWeights()[0].Data[0] += 1
	loaded.Sampler()
	if !slices.Equal(bns[0].Weights()[2].Data, saved) {
		t.Error("the loaded sampler's standing statistics were computed again")
	}
}
