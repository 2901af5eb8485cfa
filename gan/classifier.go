package gan

import (
	"fmt"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/losses"
	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/tensor"
)

// ClassifierFeatureDim is the width of the classifier's penultimate layer: the
// features that FID, KID and precision/recall compare.
const ClassifierFeatureDim = 128

// ClassifierFeatures is the classifier's body for 28×28×1 images, image → 128
// features: ClassifierFeaturesFor(ImageShape).
func ClassifierFeatures() *nn.Sequential { return ClassifierFeaturesFor(ImageShape) }

// ClassifierFeaturesFor is the classifier's body for images of shape (H, W, C),
// image → 128 features: Conv2D(32, 3, relu) → MaxPooling2D(2) → Conv2D(64, 3,
// relu) → MaxPooling2D(2) → Flatten → Dense(128, relu).
// It takes images of at least 10 pixels a side (two valid 3×3 convolutions and
// two 2×2 poolings leave 2 of 10).
func ClassifierFeaturesFor(image tensor.Shape) *nn.Sequential {
	return nn.NewSequential("features",
		nn.Input(image...),
		nn.Conv2D(32, 3, nn.WithActivation("relu")),
		nn.MaxPooling2D(2),
		nn.Conv2D(64, 3, nn.WithActivation("relu")),
		nn.MaxPooling2D(2),
		nn.Flatten(),
		nn.Dense(ClassifierFeatureDim, nn.WithActivation("relu")),
	)
}

// ClassifierHead maps the features to class logits: Dropout(0.3) → Dense(classes).
func ClassifierHead(classes int) *nn.Sequential {
	return nn.NewSequential("head",
		nn.Input(ClassifierFeatureDim),
		nn.Dropout(0.3),
		nn.Dense(classes),
	)
}

// ClassifierTrainer trains an image classifier with sparse categorical
// cross-entropy and an Adam for each of its two models. Its penultimate
// features are gogan's feature network for evaluating generators.
type ClassifierTrainer struct {
	*twoModels
	Features, Head *nn.Sequential
}

// Classes is the number of classes the classifier tells apart.
const Classes = 10

// NewClassifierTrainer builds the classifier with fresh weights.
func NewClassifierTrainer(cfg Config) (*ClassifierTrainer, error) {
	r, err := cfg.Resolve()
	if err != nil {
		return nil, err
	}
	return newClassifierTrainer(r)
}

// mustBeMade panics, naming method, when c is nil or was not made by
// NewClassifierTrainer, NewJob or LoadJob (see twoModels.mustBeMade).
func (c *ClassifierTrainer) mustBeMade(method string) {
	var m *twoModels
	if c != nil {
		m = c.twoModels
	}
	m.mustBeMade(method)
}

// SaveCheckpoint writes the whole training state into dir, as
// Trainer.SaveCheckpoint does, and returns the state file's path.
func (c *ClassifierTrainer) SaveCheckpoint(dir string) (string, error) {
	c.mustBeMade("ClassifierTrainer.SaveCheckpoint")
	return saveParts(dir, c.parts())
}

// Flops counts the floating-point operations of the models' matrix products so far.
func (c *ClassifierTrainer) Flops() uint64 {
	c.mustBeMade("ClassifierTrainer.Flops")
	return c.graph.Flops()
}

// ProfileOps times the ops of the coming steps into p (nil stops it); see Job.
func (c *ClassifierTrainer) ProfileOps(p *autograd.OpProfile) {
	c.mustBeMade("ClassifierTrainer.ProfileOps")
	c.graph.SetProfile(p)
}

func newClassifierTrainer(r Resolved) (*ClassifierTrainer, error) {
	m, err := newTwoModels(r, [2]string{"features", "head"}, "a classifier", func(a Architecture) bool { return a.Classifier })
	if err != nil {
		return nil, err
	}
	return &ClassifierTrainer{twoModels: m, Features: m.models[0], Head: m.models[1]}, nil
}

// Train takes one step on images (batch, H·W·C) and their labels, one per
// image, reporting "loss" (cross-entropy) and "accuracy" on the batch (before
// the step). Missing labels, images that are not one per label, and labels
// out of range are errors.
func (c *ClassifierTrainer) Train(images []float32, labels []uint8) ([]Value, error) {
	c.mustBeMade("ClassifierTrainer.Train")
	if err := c.trainable(); err != nil {
		return nil, err
	}
	if err := checkLabelled(images, labels, c.Features.InputShape()); err != nil {
		return nil, err
	}
	if err := checkLabels(labels, c.Head.OutputShape().Size()); err != nil {
		return nil, err
	}
	g := c.graph
	g.Reset()
	n := len(labels)
	x := g.Input(images, false, append([]int{n}, c.Features.InputShape()...)...)
	logits := c.Head.Call(g, c.Features.Call(g, x, true), true)
	loss := losses.SparseCategoricalCrossEntropy(g, logits, labels)
	v := float64(loss.Item())
	if !finite(v) {
		return nil, fmt.Errorf("classification loss is %v at step %d", v, c.Step+1)
	}
	acc := accuracy(logits.Data, labels, logits.Cols())
	g.Backward(loss)
	c.step()
	c.values = append(c.values[:0], Value{"loss", v}, Value{"accuracy", acc})
	return c.values, nil
}

// Predict writes, for n images x, the features (n, 128) and the class logits
// (n, classes), in inference mode. Either destination may be nil. A
// destination or x too short for n, or a negative n, is a programmer's error:
// it panics naming them.
func (c *ClassifierTrainer) Predict(features, logits, x []float32, n int) {
	const method = "ClassifierTrainer.Predict"
	c.mustBeMade(method)
	in, f := buffer{"x", x}, buffer{"features", features}
	if features == nil {
		mustHold(method, in, n, c.Features.InputShape().Size()) // before f is made for n
		f.values = make([]float32, max(n, 0)*c.Features.OutputShape().Size())
	}
	infer(method, c.Features, f, in, n)
	if logits != nil {
		infer(method, c.Head, buffer{"logits", logits}, f, n)
	}
}

// Evaluate returns the test set's "test_accuracy" and "test_loss"; nil for
// a test set without labels.
func (c *ClassifierTrainer) Evaluate(test TestSet) ([]Value, error) {
	c.mustBeMade("ClassifierTrainer.Evaluate")
	n := len(test.Labels)
	if n == 0 {
		return nil, nil
	}
	classes := c.Head.OutputShape().Size()
	if err := checkTestSet(test, c.Features.InputShape(), classes); err != nil {
		return nil, err
	}
	logits := make([]float32, n*classes)
	c.Predict(nil, logits, test.Images, n)
	g := autograd.NewGraph(nil)
	loss := losses.SparseCategoricalCrossEntropy(g, g.Input(logits, false, n, classes), test.Labels)
	return []Value{{"test_accuracy", accuracy(logits, test.Labels, classes)}, {"test_loss", float64(loss.Item())}}, nil
}

// Progress returns up to 64 test images the classifier gets wrong (one image
// when it gets none wrong). A test set without labelled images is an error.
func (c *ClassifierTrainer) Progress(test TestSet) (Picture, error) {
	c.mustBeMade("ClassifierTrainer.Progress")
	n := len(test.Labels)
	size := c.Features.InputShape().Size()
	classes := c.Head.OutputShape().Size()
	if n == 0 {
		return Picture{}, fmt.Errorf("no labelled test images to classify")
	}
	if err := checkTestSet(test, c.Features.InputShape(), classes); err != nil {
		return Picture{}, err
	}
	logits := make([]float32, n*classes)
	c.Predict(nil, logits, test.Images, n)
	var wrong []float32
	count := 0
	for i := 0; i < n && count < 64; i++ {
		if argmax(logits[i*classes:(i+1)*classes]) != int(test.Labels[i]) {
			wrong = append(wrong, test.Images[i*size:(i+1)*size]...)
			count++
		}
	}
	if count == 0 {
		wrong, count = test.Images[:size], 1 // nothing wrong: show one image
	}
	return grid(wrong, count, c.Features.InputShape(), 8), nil
}

// checkLabelled checks a labelled batch of images of shape sample: labels
// given, and images holding one image per label.
func checkLabelled(images []float32, labels []uint8, sample tensor.Shape) error {
	size := sample.Size()
	switch {
	case len(labels) == 0:
		return fmt.Errorf("no labels: the classifier learns from labelled images (class subfolders, or MNIST), got %d values and no labels", len(images))
	case len(images) != len(labels)*size:
		return fmt.Errorf("%d values for %d labels: want %d images of %s, %d values", len(images), len(labels), len(labels), sample.Dims(), len(labels)*size)
	}
	return nil
}

// checkTestSet is checkLabelled and checkLabels for a test set, its errors
// saying so.
func checkTestSet(test TestSet, sample tensor.Shape, classes int) error {
	if err := checkLabelled(test.Images, test.Labels, sample); err != nil {
		return fmt.Errorf("test set: %w", err)
	}
	if err := checkLabels(test.Labels, classes); err != nil {
		return fmt.Errorf("test set: %w", err)
	}
	return nil
}

func accuracy(logits []float32, labels []uint8, classes int) float64 {
	right := 0
	for i, l := range labels {
		if argmax(logits[i*classes:(i+1)*classes]) == int(l) {
			right++
		}
	}
	return float64(right) / float64(len(labels))
}

func argmax(row []float32) int {
	best := 0
	for j, v := range row {
		if v > row[best] {
			best = j
		}
	}
	return best
}
