package eval

import (
	"math"
	"strings"
	"testing"

	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/nn"
)

// stackedTest returns n images of Stacked MNIST's test split, scaled, with
// their modes; it skips the test when MNIST cannot be found or fetched.
func stackedTest(t *testing.T, n int) ([]float32, []uint16) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the real MNIST")
	}
	ds, err := data.Load(StackedDataset)
	if err != nil {
		t.Skipf("Stacked MNIST needs MNIST, which is not here: %v", err)
	}
	im := *ds.Test.Images
	im.N = n
	im.Pixels = im.Pixels[:n*StackedShape.Size()]
	return data.Scale(&im), ds.Test.WideLabels[:n]
}

// TestStackedRealData: Stacked MNIST's own test images cover (almost) every
// mode with a KL near 0, their modes as the labels say; one digit triple
// repeated covers 1 mode with KL ln 1000.
func TestStackedRealData(t *testing.T) {
	const n = 10_000
	images, labels := stackedTest(t, n)
	net, err := LoadFeatureNet("mnist")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ScoreStacked(net, &Samples{Images: images, N: n, Shape: StackedShape, Source: "stacked-mnist test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("real Stacked MNIST, %d images: %d modes covered, KL %.4f", n, sc.ModesCovered, sc.KL)
	// 10,000 draws over 1,000 equally likely modes leave about 1000·e⁻¹⁰ ≈ 0.05 empty,
	// and the KL of the histogram is about 999/(2·10,000) ≈ 0.05 from sampling alone.
	if sc.ModesCovered < 990 || sc.KL > 0.1 {
		t.Errorf("real data: %d modes covered, KL %.4f; want ≥ 990 and ≤ 0.1", sc.ModesCovered, sc.KL)
	}
	agree := 0
	for i, l := range labels[:500] {
		if modeOf(net, images[i*StackedShape.Size():(i+1)*StackedShape.Size()]) == int(l) {
			agree++
		}
	}
	if agree < 480 {
		t.Errorf("the mode of %d of the first 500 images is their label, want ≥ 480", agree)
	}

	// Collapse: image 0 repeated.
	const m = 200
	one := make([]float32, m*StackedShape.Size())
	for i := range m {
		copy(one[i*StackedShape.Size():], images[:StackedShape.Size()])
	}
	sc, err = ScoreStacked(net, &Samples{Images: one, N: m, Shape: StackedShape, Source: "one triple"})
	if err != nil {
		t.Fatal(err)
	}
	if sc.ModesCovered != 1 || math.Abs(sc.KL-math.Log(1000)) > 1e-9 {
		t.Errorf("one triple repeated: %d modes, KL %.6f; want 1 and ln 1000 = %.6f", sc.ModesCovered, sc.KL, math.Log(1000))
	}
}

// modeOf classifies one Stacked MNIST image on its own.
func modeOf(net *FeatureNet, image []float32) int {
	sc, err := ScoreStacked(net, &Samples{Images: image, N: 1, Shape: StackedShape, Source: "one"})
	if err != nil {
		return -1
	}
	for mode, k := range sc.Histogram {
		if k == 1 {
			return mode
		}
	}
	return -1
}

func TestModeStats(t *testing.T) {
	hist := make([]int, 1000)
	for i := range hist {
		hist[i] = 3
	}
	if c, kl := modeStats(hist, 3000); c != 1000 || kl != 0 {
		t.Errorf("uniform: %d modes, KL %g; want 1000 and 0", c, kl)
	}
	clear(hist)
	hist[7], hist[9] = 5, 5
	if c, kl := modeStats(hist, 10); c != 2 || math.Abs(kl-math.Log(500)) > 1e-12 {
		t.Errorf("two modes: %d, KL %g; want 2 and ln 500", c, kl)
	}
}

func TestScoreStackedRejects(t *testing.T) {
	net, err := LoadFeatureNet("mnist")
	if err != nil {
		t.Fatal(err)
	}
	gray := &Samples{Images: make([]float32, 10*784), N: 10, Source: "gray"}
	if _, err := ScoreStacked(net, gray); err == nil || !contains(err.Error(), "28×28×3", "28×28×1", "gray") {
		t.Errorf("gray samples: error %v", err)
	}
	short := &Samples{Images: make([]float32, 10), N: 20, Shape: StackedShape, Source: "short"}
	if _, err := ScoreStacked(net, short); err == nil || !contains(err.Error(), "short", "10 values for 20 images", "want 47040") {
		t.Errorf("20 samples in 10 values: error %v", err)
	}
	if _, err := ScoreStacked(net, nil); err == nil || !contains(err.Error(), "no samples") {
		t.Errorf("nil samples: error %v", err)
	}
}

// contains says whether s holds every part.
func contains(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// TestStackedMonitor: on Stacked MNIST the monitor logs modes_covered and kl of
// a generator's 28×28×3 samples.
func TestStackedMonitor(t *testing.T) {
	m, err := NewMonitor(MonitorConfig{Data: StackedDataset, N: 50, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	g := nn.NewSequential("generator", nn.Input(8), nn.Dense(28*28*3, nn.WithActivation("tanh")), nn.Reshape(28, 28, 3))
	d := nn.NewSequential("discriminator", nn.Input(28, 28, 3), nn.Flatten(), nn.Dense(1))
	cfg := gan.DefaultConfig()
	cfg.LatentDim, cfg.Batch = 8, 4
	job, err := gan.NewTrainerFor(g, d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	values, err := m.Evaluate(job)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, v := range values {
		got[v.Name] = v.Value
	}
	c, ok := got["modes_covered"]
	if kl, ok2 := got["kl"]; !ok || !ok2 || c < 1 || c > 50 || kl < 0 || kl > math.Log(1000)+1e-9 {
		t.Errorf("monitor values %v", values)
	}
}
