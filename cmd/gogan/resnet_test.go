package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSummaryResNet: summary prints SNGAN's ResNet, G for latent 128 and D
// with its spectral normalizations.
func TestSummaryResNet(t *testing.T) {
	r := gogan(t, "summary", "--model", "resnet")
	wantExit(t, r, 0)
	for _, want := range []string{"Total params: 4,280,323", "Trainable params: 1,053,825", "GlobalSumPooling2D", "(None, 32, 32, 3)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary lacks %q\n%s", want, r)
		}
	}
}

// TestTrainResNet: resnet refuses MNIST's 28×28 images in one line naming
// the 32×32 it needs, before it makes the run folder. (A step on 32×32 data
// and the final grid's 64 samples take half a minute on two cores: the gan
// package's tests train it on synthetic batches instead.)
func TestTrainResNet(t *testing.T) {
	dataDir, _ := trainedRun(t)
	out := filepath.Join(t.TempDir(), "run")
	r := gogan(t, "train", "--model", "resnet", "--data", dataDir, "--steps", "1", "--out", out)
	wantError(t, r, 1, "resnet needs 32×32 images", "28×28×1")
	if _, err := os.Stat(out); err == nil {
		t.Errorf("the refused run made its folder %s", out)
	}
}
