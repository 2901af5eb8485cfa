package eval

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/gan"
)

// TestEmbeddedFeatureNets: both committed networks load, and README.md names their
// hashes, so that the documented commands and the weights cannot drift apart silently.
func TestEmbeddedFeatureNets(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range Datasets {
		net, err := LoadFeatureNet(name)
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(net.Hash) {
			t.Errorf("%s: hash %q, want 12 hex digits", name, net.Hash)
		}
		sum, err := checkpoint.Checksum(filepath.Join("weights", name+".safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		if sum != net.Hash {
			t.Errorf("%s: hash %s, the file's checksum is %s", name, net.Hash, sum)
		}
		if net.Meta["data"] != name || net.Meta["model"] != "classifier" {
			t.Errorf("%s: metadata %v: want data %s and model classifier", name, net.Meta, name)
		}
		if !strings.Contains(string(readme), net.Hash) {
			t.Errorf("README.md does not name the hash %s of the %s feature network", net.Hash, name)
		}
		if net.Dim() != gan.ClassifierFeatureDim || net.Classes() != gan.Classes {
			t.Errorf("%s: %d features, %d classes", name, net.Dim(), net.Classes())
		}
	}
}

// newClassifier is a classifier with fresh weights.
func newClassifier(t *testing.T, seed uint64) *gan.ClassifierTrainer {
	t.Helper()
	cfg := gan.DefaultConfig()
	cfg.Model, cfg.Seed, cfg.LR, cfg.Beta1 = "classifier", seed, 1e-3, 0.9
	c, err := gan.NewClassifierTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestExportRoundTrip: an exported classifier loads as a feature network that computes
// what the classifier computes, and exporting is deterministic.
func TestExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	c := newClassifier(t, 3)
	a, b := filepath.Join(dir, "a.safetensors"), filepath.Join(dir, "b.safetensors")
	for _, p := range []string{a, b} {
		if err := ExportFeatureNet(p, c, map[string]string{"test_accuracy": "0.1000"}); err != nil {
			t.Fatal(err)
		}
	}
	ha, _ := checkpoint.Checksum(a)
	hb, _ := checkpoint.Checksum(b)
	if ha != hb {
		t.Errorf("two exports of one classifier differ: %s, %s", ha, hb)
	}
	net, err := LoadFeatureNet(a)
	if err != nil {
		t.Fatal(err)
	}
	if net.Hash != ha || net.Name != a || net.Meta["test_accuracy"] != "0.1000" || net.Meta["format"] != FeatureNetFormat {
		t.Errorf("loaded %s %s %v", net.Name, net.Hash, net.Meta)
	}
	const n = 7
	x := noiseImages(n, 5)
	e, err := net.Embed(x, n)
	if err != nil {
		t.Fatal(err)
	}
	feat, logits := make([]float32, n*gan.ClassifierFeatureDim), make([]float32, n*gan.Classes)
	c.Predict(feat, logits, x, n)
	for i := range feat {
		if feat[i] != e.Features[i] {
			t.Fatalf("feature %d: %g, the classifier says %g", i, e.Features[i], feat[i])
		}
	}
	for i := range n {
		want := make([]float64, gan.Classes)
		softmax(want, logits[i*gan.Classes:(i+1)*gan.Classes])
		sum := 0.0
		for k, p := range e.Probs[i*gan.Classes : (i+1)*gan.Classes] {
			sum += p
			if math.Abs(p-want[k]) > 1e-15 {
				t.Errorf("image %d class %d: posterior %g, want %g", i, k, p, want[k])
			}
		}
		if math.Abs(sum-1) > 1e-12 {
			t.Errorf("image %d: posteriors sum to %g", i, sum)
		}
	}
}

// TestParseFeatureNetRejects: a weights file that is not exactly the classifier's is
// refused with a message naming the problem.
func TestParseFeatureNetRejects(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.safetensors")
	if err := ExportFeatureNet(good, newClassifier(t, 1), nil); err != nil {
		t.Fatal(err)
	}
	tensors, meta, err := checkpoint.LoadSafetensors(good)
	if err != nil {
		t.Fatal(err)
	}
	variant := func(change func(ts map[string]checkpoint.Tensor, md map[string]string)) string {
		ts := map[string]checkpoint.Tensor{}
		for k, v := range tensors {
			v.F32 = append([]float32(nil), v.F32...)
			ts[k] = v
		}
		md := map[string]string{}
		for k, v := range meta {
			md[k] = v
		}
		change(ts, md)
		p := filepath.Join(t.TempDir(), "bad.safetensors")
		if err := checkpoint.SaveSafetensors(p, ts, md); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const kernel = "features/conv2d_1/kernel"
	if _, ok := tensors[kernel]; !ok {
		t.Fatalf("no tensor %s among %v", kernel, keys(tensors))
	}
	for _, tc := range []struct {
		name, path, want string
	}{
		{"missing file", filepath.Join(dir, "none.safetensors"), "no such file"},
		{"not safetensors", writeFile(t, "x.safetensors", "hello"), "too short"},
		{"no format", variant(func(_ map[string]checkpoint.Tensor, md map[string]string) { delete(md, "format") }), "format"},
		{"missing tensor", variant(func(ts map[string]checkpoint.Tensor, _ map[string]string) { delete(ts, kernel) }), "no tensor " + kernel},
		{"wrong shape", variant(func(ts map[string]checkpoint.Tensor, _ map[string]string) {
			ts[kernel] = checkpoint.F32([]int{1}, []float32{0})
		}), kernel},
		{"NaN", variant(func(ts map[string]checkpoint.Tensor, _ map[string]string) { ts[kernel].F32[3] = float32(math.NaN()) }), "NaN"},
		{"optimizer state", variant(func(ts map[string]checkpoint.Tensor, _ map[string]string) {
			ts["optimizer/features/m/x"] = checkpoint.F32([]int{1}, []float32{0})
		}), "optimizer/features/m/x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadFeatureNet(tc.path)
			prefix := "eval: feature network " + tc.path + ": "
			if err == nil || !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), tc.want) ||
				strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "checkpoint:") || strings.Count(err.Error(), tc.path) != 1 {
				t.Errorf("error %v, want one line starting %q, containing %q, naming the file once", err, prefix, tc.want)
			}
		})
	}
}

func keys(m map[string]checkpoint.Tensor) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestFeatureNetOverflow: a weights file whose values overflow float32 on the images,
// or that gives features too large for the metrics, is an error naming the file.
func TestFeatureNetOverflow(t *testing.T) {
	s := &Samples{Images: noiseImages(20, 1), N: 20, Source: "noise"}
	for _, tc := range []struct {
		scale float32
		want  string
	}{
		{1e25, "its features of image 0 hold NaN (its weights overflow float32 on these images)"},
		{1e12, "metrics: KID: not finite"},
	} {
		t.Run(fmt.Sprint(tc.scale), func(t *testing.T) {
			c := newClassifier(t, 1)
			for _, w := range c.Features.Weights() {
				for i := range w.Data {
					w.Data[i] *= tc.scale
				}
			}
			path := filepath.Join(t.TempDir(), "big.safetensors")
			if err := ExportFeatureNet(path, c, nil); err != nil {
				t.Fatal(err)
			}
			net, err := LoadFeatureNet(path)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := NewReference(net, s)
			if err == nil {
				_, err = Score(net, s, ref, Options{})
			}
			if err == nil || !strings.Contains(err.Error(), "feature network "+path) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one naming %s and saying %q", err, path, tc.want)
			}
		})
	}
}
