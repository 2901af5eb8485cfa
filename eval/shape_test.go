package eval

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/tensor"
)

// TestFeatureNetOfAnyShape: a classifier built for 32×32×3 images exports a
// network that loads with that shape, embeds color images, and refuses
// samples of another shape, naming both shapes.
func TestFeatureNetOfAnyShape(t *testing.T) {
	cfg := gan.DefaultConfig()
	cfg.Model, cfg.SampleShape = "classifier", []int{32, 32, 3}
	c, err := gan.NewClassifierTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "color.safetensors")
	if err := ExportFeatureNet(path, c, nil); err != nil {
		t.Fatal(err)
	}
	net, err := LoadFeatureNet(path)
	if err != nil {
		t.Fatal(err)
	}
	color := tensor.Shape{32, 32, 3}
	if !net.Shape().Equal(color) || net.Classes() != gan.Classes || net.Meta["image_shape"] != "32,32,3" {
		t.Fatalf("network takes %v with %d classes, metadata %v", net.Shape(), net.Classes(), net.Meta)
	}
	s := &Samples{Images: noise(12*color.Size(), 1), N: 12, Shape: color, Source: "color noise"}
	ref, err := NewReference(net, &Samples{Images: noise(12*color.Size(), 2), N: 12, Shape: color, Source: "more"})
	if err != nil {
		t.Fatal(err)
	}
	if sc, err := Score(net, s, ref, Options{KIDSubsets: 2}); err != nil || sc.FID < 0 || len(sc.ClassHistogram) != gan.Classes {
		t.Fatalf("color scores %+v, %v", sc, err)
	}

	gray := &Samples{Images: noiseImages(12, 3), N: 12, Source: "gray noise"}
	_, err = Score(net, gray, ref, Options{})
	var se *ShapeError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "gray noise") || !strings.Contains(err.Error(), "28×28×1") || !strings.Contains(err.Error(), "takes 32×32×3") {
		t.Errorf("gray samples through a color network: %v", err)
	}
	mnist, err := LoadFeatureNet("mnist")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewReference(mnist, s); !errors.As(err, &se) {
		t.Errorf("color reference through the MNIST network: %v", err)
	}
}

// TestGeneratedColor: a generator of 32×32×3 images gives samples of that shape.
func TestGeneratedColor(t *testing.T) {
	cfg := gan.DefaultConfig()
	cfg.Model, cfg.LatentDim = "resnet", 16
	job, err := gan.NewJob(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Generated(job, MinSamples, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Shape.Equal(tensor.Shape{32, 32, 3}) || len(s.Images) != MinSamples*32*32*3 {
		t.Errorf("samples of %v, %d values", s.Shape, len(s.Images))
	}
}

func TestFeatureNetBadGeometry(t *testing.T) {
	cfg := gan.DefaultConfig()
	cfg.Model = "classifier"
	c, err := gan.NewClassifierTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key, value, want string
	}{
		{"image_shape", "28,28", `image_shape "28,28"`},
		{"image_shape", "28,x,1", "three positive sizes"},
		{"classes", "1", `classes "1"`},
		{"image_shape", "32,32,1", "tensor features/"}, // the weights are 28×28's
	} {
		path := filepath.Join(t.TempDir(), "net.safetensors")
		if err := ExportFeatureNet(path, c, map[string]string{tc.key: tc.value}); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadFeatureNet(path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %q: error %v, want one saying %q", tc.key, tc.value, err, tc.want)
		}
	}
}
