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
