package run

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/tensor"
)

// TestEvaluateModeCoverage: on 2-D data, Evaluate scores the mode coverage of
// the job's progress points, and WriteProgress plots them.
func TestEvaluateModeCoverage(t *testing.T) {
	cfg := gan.DefaultConfig()
	cfg.Model, cfg.Data, cfg.Batch, cfg.Steps = "mlp2d", "ring8", 64, 1
	source, test, err := openData(cfg, data.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	job, err := gan.NewJob(cfg)
	if err != nil {
		t.Fatal(err)
	}
	images, labels := make([]float32, 64*2), make([]uint8, 64)
	source.Batch(images, labels, 0, 0)
	if _, err := job.Train(images, labels); err != nil {
		t.Fatal(err)
	}
	values, err := Evaluate(job, test)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range values {
		names = append(names, v.Name)
	}
	if got := strings.Join(names, " "); got != "high_quality_fraction modes_covered kl" {
		t.Fatalf("Evaluate gave %q, want the mode coverage", got)
	}
	if hq, modes := values[0].Value, values[1].Value; hq < 0 || hq > 1 || modes < 0 || modes > 8 {
		t.Fatalf("high_quality_fraction %v, modes_covered %v out of range", hq, modes)
	}
	path := filepath.Join(t.TempDir(), "scatter.png")
	if err := WriteProgress(path, job, test); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}

// TestWritePicture draws a grid of the picture's size and rejects samples that
// are not images, naming their shape.
func TestWritePicture(t *testing.T) {
	dir := t.TempDir()
	pic := gan.Picture{Images: make([]float32, 3*4*5*1), N: 3, Cols: 2, Shape: tensor.Shape{4, 5, 1}}
	path := filepath.Join(dir, "grid.png")
	if err := WritePicture(path, pic, gan.TestSet{}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// 2 columns of 5 pixels and 2 rows of 4, with padding between.
	if b := img.Bounds(); b.Dx() != 2*5+2 || b.Dy() != 2*4+2 {
		t.Fatalf("grid is %v, want 12×10", b)
	}
	pic.Shape = tensor.Shape{20}
	err = WritePicture(filepath.Join(dir, "flat.png"), pic, gan.TestSet{})
	if err == nil || !strings.Contains(err.Error(), "samples of shape (20,) are not images") {
		t.Fatalf("flat samples gave %v", err)
	}
	err = WritePicture(filepath.Join(dir, "points.png"), gan.Picture{Points: []float32{0, 0}}, gan.TestSet{})
	if err == nil || !strings.Contains(err.Error(), "no modes") {
		t.Fatalf("points without a 2-D test set gave %v", err)
	}
}
