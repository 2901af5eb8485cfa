package gan

import (
	"strings"
	"testing"
)

func TestClassifierRejectsUnknownClass(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Model, cfg.Batch = "classifier", 2
	c, err := NewClassifierTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Train(uniformImages(2*784, 1), []uint8{3, 12})
	if err == nil || !strings.Contains(err.Error(), "label 12 of sample 1") {
		t.Errorf("label 12: error %v", err)
	}
}

// TestClassifierFitsImages: the classifier builds for color images of any
// size from 10 pixels a side, and refuses smaller ones naming the shape.
func TestClassifierFitsImages(t *testing.T) {
	for _, shape := range [][]int{{32, 32, 3}, {10, 10, 1}, {64, 64, 3}} {
		cfg := DefaultConfig()
		cfg.Model, cfg.SampleShape = "classifier", shape
		c, err := NewClassifierTrainer(cfg)
		if err != nil {
			t.Fatalf("%v: %v", shape, err)
		}
		if got := c.Features.InputShape(); !got.Equal(shape) {
			t.Errorf("classifier for %v takes %v", shape, got)
		}
	}
	cfg := DefaultConfig()
	cfg.Model = "classifier"
	if _, err := cfg.ForData([]int{8, 8, 3}); err == nil || !strings.Contains(err.Error(), "8×8×3") {
		t.Errorf("8×8×3: error %v", err)
	}
}

// TestClassifierBadBatches: a batch without labels, or whose images are not one
// per label, and a test set without labelled images, are errors naming the
// counts, not panics inside the graph or a slice.
func TestClassifierBadBatches(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Model, cfg.Batch = "classifier", 2
	c, err := NewClassifierTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		images []float32
		labels []uint8
		want   string
	}{
		{"nil labels", uniformImages(2*784, 1), nil, "no labels"},
		{"one image, two labels", uniformImages(784, 1), []uint8{1, 2}, "784 values for 2 labels: want 2 images of 28×28×1, 1568 values"},
		{"three images, two labels", uniformImages(3*784, 1), []uint8{1, 2}, "2352 values for 2 labels"},
	} {
		if _, err := c.Train(tc.images, tc.labels); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Train, %s: %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	if _, err := c.Progress(TestSet{}); err == nil || !strings.Contains(err.Error(), "no labelled test images") {
		t.Errorf("Progress of an empty test set: %v", err)
	}
	short := TestSet{Images: uniformImages(784, 1), Labels: []uint8{1, 2}}
	if _, err := c.Progress(short); err == nil || !strings.Contains(err.Error(), "test set: 784 values for 2 labels") {
		t.Errorf("Progress of a test set short of images: %v", err)
	}
	if _, err := c.Evaluate(short); err == nil || !strings.Contains(err.Error(), "test set: 784 values for 2 labels") {
		t.Errorf("Evaluate of a test set short of images: %v", err)
	}
	if _, err := c.Progress(TestSet{Images: uniformImages(2*784, 1), Labels: []uint8{1, 2}}); err != nil {
		t.Errorf("Progress of a good test set: %v", err)
	}
}
