package eval

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/tensor"
)

// FeatureNetFormat is the "format" metadata of a feature-network weights file.
const FeatureNetFormat = "gogan-featurenet/1"

// The committed weights: weights/<dataset>.safetensors, written by
// `gogan export-featurenet` from a classifier run (README.md, "Evaluating generators",
// gives the commands).
//
//go:embed weights/mnist.safetensors weights/fashion-mnist.safetensors
var embedded embed.FS

// Datasets are the datasets with a committed feature network and a cached reference:
// their test sets.
var Datasets = []string{"mnist", "fashion-mnist"}

// IsDataset reports whether name is one of Datasets.
func IsDataset(name string) bool { return slices.Contains(Datasets, name) }

// FeatureNet is gogan's classifier (gan.ClassifierFeaturesFor and gan.ClassifierHead)
// with fixed weights: images (n, H, W, C) in [−1, 1] → penultimate features (n, 128) and
// class logits (n, classes). The embedded networks take (28, 28, 1) and tell 10 classes
// apart; a weights file says its shape and classes in its metadata (image_shape "H,W,C"
// and classes), 28,28,1 and 10 when it does not.
//
// Make one with LoadFeatureNet or ParseFeatureNet. A zero FeatureNet holds no network:
// Embed and the functions that take a network return an error for it (and for nil),
// and Shape, Classes, Dim and WithProgress panic naming the misuse, a programmer error.
type FeatureNet struct {
	// Name is "mnist" or "fashion-mnist" for the embedded networks, else the file.
	Name string
	// Hash is the first 12 hex digits of the SHA-256 of the weights file: it is printed
	// with every score, and reference statistics are cached under it.
	Hash string
	// Meta is the weights file's metadata (format, data, step, test_accuracy, ...).
	Meta map[string]string

	features, head *nn.Sequential
	progress       func(done, total int) // WithProgress's
}

// LoadFeatureNet returns the embedded network of a dataset ("mnist", "fashion-mnist"),
// or reads the weights file a path names.
func LoadFeatureNet(name string) (*FeatureNet, error) {
	if IsDataset(name) {
		buf, err := embedded.ReadFile("weights/" + name + ".safetensors")
		if err != nil {
			return nil, fmt.Errorf("eval: embedded feature network %s: %w", name, err)
		}
		return ParseFeatureNet(name, buf)
	}
	buf, err := checkpoint.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("eval: feature network %s: %w (want mnist, fashion-mnist or a .safetensors file)", name, unwrapPath(err))
	}
	return ParseFeatureNet(name, buf)
}

// ForDataset is the feature network that scores samples of a dataset: fashion-mnist's for
// "fashion-mnist", MNIST's for anything else.
func ForDataset(data string) (*FeatureNet, error) {
	if data == "fashion-mnist" {
		return LoadFeatureNet(data)
	}
	return LoadFeatureNet("mnist")
}

// ParseFeatureNet builds the network from the bytes of a weights file, checking that it
// holds exactly the classifier's tensors ("features/<layer>/<weight>", "head/..."), F32,
// with the classifier's shapes and finite values.
func ParseFeatureNet(name string, buf []byte) (*FeatureNet, error) {
	sum := sha256.Sum256(buf)
	net := &FeatureNet{Name: name, Hash: hex.EncodeToString(sum[:])[:12]}
	tensors, meta, err := checkpoint.ParseSafetensors(name, buf)
	if err != nil {
		return nil, fmt.Errorf("eval: feature network %s: %w", name, fileProblem(name, err))
	}
	if meta["format"] != FeatureNetFormat {
		return nil, fmt.Errorf("eval: feature network %s: format %q, want %q (write one with gogan export-featurenet)", name, meta["format"], FeatureNetFormat)
	}
	net.Meta = meta
	shape, classes, err := featureNetGeometry(name, meta)
	if err != nil {
		return nil, err
	}
	net.features, net.head = gan.ClassifierFeaturesFor(shape), gan.ClassifierHead(classes)
	rng := rand.New(rand.NewPCG(0, 0)) // initial values, all overwritten below
	if err := net.features.Build(rng); err != nil {
		return nil, err
	}
	if err := net.head.Build(rng); err != nil {
		return nil, err
	}
	used := 0
	for prefix, m := range map[string]*nn.Sequential{"features": net.features, "head": net.head} {
		for _, w := range m.Weights() {
			key := prefix + "/" + w.Name
			t, ok := tensors[key]
			if !ok {
				return nil, fmt.Errorf("eval: feature network %s: no tensor %s", name, key)
			}
			if t.DType != "F32" || !slices.Equal(t.Shape, w.Shape) {
				return nil, fmt.Errorf("eval: feature network %s: tensor %s is %s %v, want F32 %v", name, key, t.DType, t.Shape, []int(w.Shape))
			}
			if err := checkpoint.CheckFinite(key, t.F32); err != nil {
				return nil, fmt.Errorf("eval: feature network %s: %v", name, err)
			}
			copy(w.Data, t.F32)
			used++
		}
	}
	if used != len(tensors) {
		var extra []string
		for k := range tensors {
			if !strings.HasPrefix(k, "features/") && !strings.HasPrefix(k, "head/") {
				extra = append(extra, k)
			}
		}
		sort.Strings(extra)
		return nil, fmt.Errorf("eval: feature network %s: %d tensors, the classifier has %d (extra: %s)", name, len(tensors), used, strings.Join(extra, ", "))
	}
	return net, nil
}

// featureNetGeometry reads the image shape (H, W, C) and the number of classes
// from a weights file's metadata: (28, 28, 1) and 10 when absent.
func featureNetGeometry(name string, meta map[string]string) (tensor.Shape, int, error) {
	shape, classes := tensor.Shape(ImageShape.Clone()), gan.Classes
	if v, ok := meta["image_shape"]; ok {
		parts := strings.Split(v, ",")
		if len(parts) != 3 {
			return nil, 0, fmt.Errorf("eval: feature network %s: image_shape %q, want H,W,C", name, v)
		}
		for i, p := range parts {
			n, err := strconv.Atoi(strings.TrimSpace(p))
			if err != nil || n <= 0 || n > 4096 {
				return nil, 0, fmt.Errorf("eval: feature network %s: image_shape %q, want three positive sizes H,W,C", name, v)
			}
			shape[i] = n
		}
	}
	if v, ok := meta["classes"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 || n > 1<<16 {
			return nil, 0, fmt.Errorf("eval: feature network %s: classes %q, want a number of at least 2", name, v)
		}
		classes = n
	}
	return shape, classes, nil
}

// errEmptyFeatureNet is the error for a FeatureNet that holds no network (a zero value).
var errEmptyFeatureNet = errors.New("eval: the FeatureNet holds no network: make it with LoadFeatureNet or ParseFeatureNet")

// check says whether f can run: not nil, and made by ParseFeatureNet.
func (f *FeatureNet) check() error {
	switch {
	case f == nil:
		return errNoFeatureNet
	case f.features == nil || f.head == nil:
		return errEmptyFeatureNet
	}
	return nil
}

// mustHold panics, naming the method called, when f holds no network.
func (f *FeatureNet) mustHold(method string) {
	if err := f.check(); err != nil {
		panic("eval: FeatureNet." + method + ": " + strings.TrimPrefix(err.Error(), "eval: "))
	}
}

// Shape is the shape (H, W, C) of the images the network takes.
func (f *FeatureNet) Shape() tensor.Shape {
	f.mustHold("Shape")
	return f.features.InputShape()
}

// String names the network and its hash, as scores print it: "mnist 0123456789ab".
func (f *FeatureNet) String() string { return f.Name + " " + f.Hash }

// Classes is the number of classes the network tells apart.
func (f *FeatureNet) Classes() int {
	f.mustHold("Classes")
	return f.head.OutputShape().Size()
}

// Dim is the width of the features.
func (f *FeatureNet) Dim() int {
	f.mustHold("Dim")
	return f.features.OutputShape().Size()
}

// WithProgress returns a copy of the network, sharing its weights, that reports its
// progress to progress(done, total) while it embeds images: in Embed and in every
// function given it (NewReference, DatasetReference when it computes the reference,
// Score, ScoreStacked), done images of total: 0 first, then after each batch of
// EmbedBatch images, the last call of each pass with done == total. ScoreStacked counts its three passes
// as one of 3·N images. progress is called on the goroutine that runs the network; nil
// reports nothing.
func (f *FeatureNet) WithProgress(progress func(done, total int)) *FeatureNet {
	f.mustHold("WithProgress")
	c := *f
	c.progress = progress
	return &c
}

// EmbedBatch is the number of images the network embeds at once (gan.Generate's
// batch), between two reports of WithProgress's function.
const EmbedBatch = 256

// Embedding is what the feature network says of a set of images.
type Embedding struct {
	N        int
	Features []float32 // (N, Dim), the penultimate layer
	Probs    []float64 // (N, Classes), the softmax of the logits, in float64
	Net      string    // the hash of the network that computed them
}

// Embed runs the network, in inference mode, on n images (n, H, W, C) in [−1, 1], of
// the network's Shape.
// A NaN or infinite pixel is an error that names the image.
func (f *FeatureNet) Embed(images []float32, n int) (*Embedding, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	size := f.features.InputShape().Size()
	if n <= 0 || len(images) != n*size {
		return nil, fmt.Errorf("eval: Embed: %d values for %d images of %s, want %d", len(images), n, f.features.InputShape(), n*size)
	}
	if i := firstNonFinite(images); i >= 0 {
		return nil, fmt.Errorf("eval: image %d holds %v at pixel %d", i/size, images[i], i%size)
	}
	dim, classes := f.Dim(), f.Classes()
	e := &Embedding{N: n, Features: make([]float32, n*dim), Probs: make([]float64, n*classes), Net: f.Hash}
	if f.progress != nil {
		f.progress(0, n)
	}
	for start := 0; start < n; start += EmbedBatch {
		m := min(EmbedBatch, n-start)
		gan.Generate(f.features, e.Features[start*dim:(start+m)*dim], images[start*size:(start+m)*size], m)
		if f.progress != nil {
			f.progress(start+m, n)
		}
	}
	logits := make([]float32, n*classes)
	gan.Generate(f.head, logits, e.Features, n)
	if err := f.checkOutput("features", e.Features, dim); err != nil {
		return nil, err
	}
	if err := f.checkOutput("logits", logits, classes); err != nil {
		return nil, err
	}
	for i := range n {
		softmax(e.Probs[i*classes:(i+1)*classes], logits[i*classes:(i+1)*classes])
	}
	return e, nil
}

// checkOutput refuses outputs of the network (width values an image) that are not
// finite, naming the network: its weights overflow float32 on these images, and no
// metric can use what it says of them.
func (f *FeatureNet) checkOutput(what string, out []float32, width int) error {
	if i := firstNonFinite(out); i >= 0 {
		return fmt.Errorf("eval: feature network %s: its %s of image %d hold %v (its weights overflow float32 on these images)", f.Name, what, i/width, out[i])
	}
	return nil
}

// firstNonFinite is the index of the first NaN or ±Inf in x, or -1.
func firstNonFinite(x []float32) int {
	for i, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return i
		}
	}
	return -1
}

// softmax writes exp(l − max l) / Σ exp(l − max l) into dst, in float64.
func softmax(dst []float64, logits []float32) {
	hi := math.Inf(-1)
	for _, l := range logits {
		hi = max(hi, float64(l))
	}
	sum := 0.0
	for c, l := range logits {
		dst[c] = math.Exp(float64(l) - hi)
		sum += dst[c]
	}
	for c := range dst {
		dst[c] /= sum
	}
}

// ExportFeatureNet writes the weights of a trained classifier, "features/..." and
// "head/..." tensors only (no optimizer state), with metadata: the format, the model,
// the dataset and step of the run, and whatever meta adds (a test accuracy, say).
func ExportFeatureNet(path string, c *gan.ClassifierTrainer, meta map[string]string) error {
	if c == nil || c.Features == nil || c.Head == nil {
		return fmt.Errorf("eval: export feature network %s: no classifier (make one with gan.NewClassifierTrainer or load a run with gan.LoadJob)", path)
	}
	tensors := map[string]checkpoint.Tensor{}
	for prefix, m := range map[string]*nn.Sequential{"features": c.Features, "head": c.Head} {
		for _, w := range m.Weights() {
			tensors[prefix+"/"+w.Name] = checkpoint.F32(w.Shape, w.Data)
		}
	}
	md := map[string]string{
		"format": FeatureNetFormat, "model": c.Config.Model, "data": c.Config.Data,
		"step": fmt.Sprint(c.Step), "seed": fmt.Sprint(c.Config.Seed),
		"image_shape": shapeMeta(c.Features.InputShape()), "classes": fmt.Sprint(c.Head.OutputShape().Size()),
	}
	for k, v := range meta {
		md[k] = v
	}
	return checkpoint.SaveSafetensors(path, tensors, md)
}

// shapeMeta writes an image shape as the metadata image_shape: "H,W,C".
func shapeMeta(s tensor.Shape) string {
	parts := make([]string, len(s))
	for i, n := range s {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}
