package eval

import (
	"errors"
	"fmt"

	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/tensor"
)

// MonitorN is the number of samples scored at each evaluation during training: enough
// for FID to rank checkpoints, few enough that an evaluation takes a few seconds on two
// cores (FID from 2,000 samples is biased upwards against 10,000: compare the curve with
// itself, and the final model with gogan eval).
const MonitorN = 2000

// monitorKIDSubsets is the number of KID subsets of a training evaluation.
const monitorKIDSubsets = 20

// Monitor scores a generator while it trains: FID, KID and the Inception Score of
// MonitorN samples from fixed latent vectors against the test set of the run's dataset;
// on Stacked MNIST, the modes covered and the KL divergence of StackedN samples
// (ScoreStacked). Make one with NewMonitor: a zero Monitor has nothing to score with,
// and its Evaluate returns an error saying so.
type Monitor struct {
	net     *FeatureNet
	ref     *Reference // nil on Stacked MNIST
	stacked bool
	test    []float32
	n       int
	seed    uint64
}

// MonitorConfig says what a Monitor compares with.
type MonitorConfig struct {
	// Data is the run's dataset: "fashion-mnist" is scored by its feature network,
	// anything else by MNIST's, unless FeatureNet names another; the two datasets'
	// references are cached.
	Data string
	// FeatureNet names the network that scores (LoadFeatureNet: "mnist",
	// "fashion-mnist" or a weights file); "" means Data's.
	FeatureNet string
	// Test are the dataset's test images (n, H, W, C) in [−1, 1], the reference.
	Test []float32
	// Shape is a test image's (H, W, C); nil means ImageShape. Images of another shape
	// than the feature network's are an error that names both.
	Shape tensor.Shape
	// N is the number of samples per evaluation (0: MonitorN, StackedN on Stacked MNIST),
	// else in [MinSamples, MaxSamples].
	N int
	// Seed seeds the latent vectors, the same at every evaluation.
	Seed  uint64
	Cache CacheOptions
}

// NewMonitor loads the feature network and the reference.
func NewMonitor(cfg MonitorConfig) (*Monitor, error) {
	if cfg.N != 0 && (cfg.N < MinSamples || cfg.N > MaxSamples) {
		return nil, fmt.Errorf("eval: a monitor scores 0 (the default) or %d to %d samples, got %d", MinSamples, MaxSamples, cfg.N)
	}
	net, err := ForDataset(cfg.Data)
	if cfg.FeatureNet != "" {
		net, err = LoadFeatureNet(cfg.FeatureNet)
	}
	if err != nil {
		return nil, err
	}
	m := &Monitor{net: net, test: cfg.Test, n: cfg.N, seed: cfg.Seed, stacked: cfg.Data == StackedDataset}
	switch {
	case m.n == 0 && m.stacked:
		m.n = StackedN
	case m.n == 0:
		m.n = MonitorN
	}
	switch {
	case m.stacked:
		return m, nil
	case IsDataset(cfg.Data): // cached per network (its hash)
		cache := cfg.Cache
		cache.Test = cfg.Test
		m.ref, err = DatasetReference(net, cfg.Data, cache)
	default:
		shape := cfg.Shape
		if shape == nil {
			shape = ImageShape
		}
		n := len(cfg.Test) / shape.Size()
		m.ref, err = NewReference(net, &Samples{Images: cfg.Test, N: n, Shape: shape, Source: fmt.Sprintf("%s test set (%d images)", cfg.Data, n)})
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// FeatureNet is the network the monitor scores with.
func (m *Monitor) FeatureNet() *FeatureNet { return m.net }

// N is the number of samples per evaluation.
func (m *Monitor) N() int { return m.n }

// Evaluate generates the samples and returns "fid", "kid", "kid_std", "is" and "is_std",
// and for a conditional generator "label_accuracy"; on Stacked MNIST, "modes_covered"
// and "kl".
// It leaves the job untouched (inference mode, its own latent vectors).
func (m *Monitor) Evaluate(job gan.Job) ([]gan.Value, error) {
	if m == nil || m.net == nil {
		return nil, errors.New("eval: the Monitor holds no feature network: make it with NewMonitor")
	}
	s, err := Generated(job, m.n, m.seed, func() ([]float32, error) { return m.test, nil })
	if err != nil {
		return nil, err
	}
	if m.stacked {
		s.Source = fmt.Sprintf("step %d", job.Steps())
		sc, err := ScoreStacked(m.net, s)
		if err != nil {
			return nil, fmt.Errorf("evaluating step %d: %w", job.Steps(), err)
		}
		return sc.values(), nil
	}
	sc, err := Score(m.net, s, m.ref, Options{KIDSubsets: monitorKIDSubsets, Seed: m.seed, SkipPrecisionRecall: true})
	if err != nil {
		return nil, fmt.Errorf("evaluating step %d: %w", job.Steps(), err)
	}
	values := []gan.Value{{Name: "fid", Value: sc.FID}, {Name: "kid", Value: sc.KID}, {Name: "kid_std", Value: sc.KIDStd},
		{Name: "is", Value: sc.IS}, {Name: "is_std", Value: sc.ISStd}}
	if sc.LabelAccuracy != nil {
		values = append(values, gan.Value{Name: "label_accuracy", Value: *sc.LabelAccuracy})
	}
	return values, nil
}
