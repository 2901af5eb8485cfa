package eval

import (
	"errors"
	"fmt"

	"github.com/gogan/gogan/metrics"
)

// Options tune the metrics; the zero value is the standard protocol.
type Options struct {
	// KIDSubsets and KIDSubsetSize: KID is averaged over KIDSubsets random subsets of
	// KIDSubsetSize samples of each set (0: 100 and 1000; the size is capped at the
	// smaller set's).
	KIDSubsets, KIDSubsetSize int
	// ISSplits is the number of splits of the Inception Score (0: 10).
	ISSplits int
	// Neighbours is the k of precision and recall (0: 3).
	Neighbours int
	// Seed seeds KID's subsets.
	Seed uint64
	// SkipPrecisionRecall leaves precision and recall out (they cost O(n²) distances),
	// as the scores logged during training do.
	SkipPrecisionRecall bool
	// PrecisionRecallProgress, when not nil, is told how far precision and recall have
	// come, from Score's goroutine: the tiles of distances done and their number, 0
	// first and all last (metrics.PrecisionRecallProgress). At 10,000 samples they take
	// seconds, the longest of the metrics after the feature network's passes.
	PrecisionRecallProgress func(done, total int)
	// KIDProgress, when not nil, is told how far KID has come, from Score's goroutine:
	// the subsets done and KIDSubsets, 0 first and all last (metrics.KIDProgress). At
	// 10,000 samples its 100 subsets take about 1.4 s on two cores.
	KIDProgress func(done, total int)
}

// Scores are the numbers that say how good a set of samples is, measured against a
// reference through a feature network. The JSON keys are those of gogan eval --json.
type Scores struct {
	FID    float64 `json:"fid"`     // Fréchet distance of the features' Gaussians: 0 is the reference itself
	KID    float64 `json:"kid"`     // kernel distance (unbiased squared MMD), mean over subsets
	KIDStd float64 `json:"kid_std"` // its standard deviation over the subsets
	IS     float64 `json:"is"`      // Inception Score with the network's posteriors, in [1, classes]
	ISStd  float64 `json:"is_std"`  // its standard deviation over the splits
	// Precision is the fraction of samples inside the reference's k-NN manifold (fidelity),
	// Recall the fraction of reference images inside the samples' (diversity).
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	// ClassHistogram counts the samples the network assigns to each class;
	// ClassesOver2Pct is the number of classes holding more than 2% of them.
	ClassHistogram  []int `json:"class_histogram"`
	ClassesOver2Pct int   `json:"classes_over_2pct"`
	// LabelAccuracy is, for a conditional generator, the fraction of samples classified
	// as the label they were generated for.
	LabelAccuracy *float64 `json:"label_accuracy,omitempty"`
	N             int      `json:"n"`           // samples scored
	RefN          int      `json:"ref_n"`       // reference images
	FeatureNet    string   `json:"feature_net"` // the network's hash
	// FeatureNetName is "mnist", "fashion-mnist" or the weights file.
	FeatureNetName string `json:"feature_net_name"`
	Samples        string `json:"samples"`
	Ref            string `json:"ref"`
	// Neighbours is the k of precision and recall.
	Neighbours int `json:"k"`
}

// Score embeds the samples with net and measures them against ref, which net must have
// computed. All statistics are float64 (see package metrics).
func Score(net *FeatureNet, s *Samples, ref *Reference, opts Options) (*Scores, error) {
	if err := s.checkFor(net); err != nil {
		return nil, err
	}
	if ref == nil {
		return nil, errors.New("eval: no reference")
	}
	if ref.Net != net.Hash {
		return nil, fmt.Errorf("eval: the reference %s was computed by feature network %s, not %s", ref.Name, ref.Net, net.Hash)
	}
	if s.Labels != nil && len(s.Labels) != s.N {
		return nil, fmt.Errorf("eval: %d labels for %d samples", len(s.Labels), s.N)
	}
	e, err := net.Embed(s.Images, s.N)
	if err != nil {
		return nil, err
	}
	sc, err := scoreEmbedding(e, s.Labels, ref, opts)
	if err != nil {
		return nil, fmt.Errorf("eval: %s against %s through feature network %s: %w", s.source(), ref.Name, net.Name, err)
	}
	sc.FeatureNetName, sc.Samples, sc.Ref = net.Name, s.Source, ref.Name
	return sc, nil
}

func scoreEmbedding(e *Embedding, labels []int, ref *Reference, opts Options) (*Scores, error) {
	if opts.KIDSubsets == 0 {
		opts.KIDSubsets = metrics.DefaultKIDSubsets
	}
	if opts.KIDSubsetSize == 0 {
		opts.KIDSubsetSize = metrics.DefaultKIDSubsetSize
	}
	if opts.ISSplits == 0 {
		opts.ISSplits = metrics.DefaultISSplits
	}
	if opts.Neighbours == 0 {
		opts.Neighbours = metrics.DefaultPRNeighbours
	}
	if e.N < MinSamples {
		return nil, fmt.Errorf("eval: %d samples, at least %d are needed", e.N, MinSamples)
	}
	classes := len(e.Probs) / e.N
	f, stats, err := statsOf(e) // the samples' features and statistics
	if err != nil {
		return nil, err
	}
	sc := &Scores{N: e.N, RefN: ref.Features.N, FeatureNet: e.Net, Neighbours: opts.Neighbours}
	if sc.FID, err = metrics.FID(stats, ref.Stats); err != nil {
		return nil, err
	}
	size := min(opts.KIDSubsetSize, e.N, ref.Features.N)
	if sc.KID, sc.KIDStd, err = metrics.KIDProgress(f, ref.Features, opts.KIDSubsets, size, opts.Seed, opts.KIDProgress); err != nil {
		return nil, err
	}
	if sc.IS, sc.ISStd, err = metrics.InceptionScore(e.Probs, e.N, classes, opts.ISSplits); err != nil {
		return nil, err
	}
	if !opts.SkipPrecisionRecall {
		// The reference first: PrecisionRecall takes (real, fake), where FID and KID
		// take (samples, ref).
		if sc.Precision, sc.Recall, err = metrics.PrecisionRecallProgress(ref.Features, f, opts.Neighbours, opts.PrecisionRecallProgress); err != nil {
			return nil, err
		}
	}
	if sc.ClassHistogram, err = metrics.ClassHistogram(e.Probs, e.N, classes); err != nil {
		return nil, err
	}
	sc.ClassesOver2Pct = metrics.ClassesOver(sc.ClassHistogram, metrics.DefaultClassFraction)
	if labels != nil {
		acc, err := metrics.LabelAccuracy(e.Probs, e.N, classes, labels)
		if err != nil {
			return nil, err
		}
		sc.LabelAccuracy = &acc
	}
	return sc, nil
}
