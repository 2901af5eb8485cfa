package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/internal/onnxtest"
)

// TestExportONNXReproducesSample exports the shared run and checks that
// onnxruntime, given the latents of gogan sample --latents, draws the images
// that sample wrote (as IDX bytes: equal up to one level where a pixel
// rounds the other way).
func TestExportONNXReproducesSample(t *testing.T) {
	_, run := trainedRun(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "generator.onnx")
	r := gogan(t, "export", "--run", run, "--format", "onnx", "--out", model)
	wantExit(t, r, 0)
	for _, want := range []string{"wrote " + model, "an ONNX model", "mlp generator", "from step 20", "z (N, 100) → image (N, 28, 28, 1)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout does not say %q\n%s", want, r)
		}
	}
	t.Log(onnxtest.Check(t, model))

	z := latents3()
	idx := filepath.Join(dir, "sample-idx3-ubyte")
	wantExit(t, gogan(t, "sample", "--run", run, "--latents",
		writeLatents(t, map[string]checkpoint.Tensor{"latents": checkpoint.F32([]int{3, 100}, z)}), "--out", idx), 0)
	want, err := data.ReadIDXImages(idx)
	if err != nil {
		t.Fatal(err)
	}
	got := onnxtest.Run(t, model, map[string]onnxtest.Input{"z": {Dims: []int{3, 100}, Float32: z}})["image"]
	if len(got.Data) != len(want.Pixels) {
		t.Fatalf("onnxruntime made %d pixels (%v), sample %d", len(got.Data), got.Dims, len(want.Pixels))
	}
	off := 0
	for i, v := range got.Data {
		b := int(math.Round(float64(max(-1, min(1, v))+1) * 127.5))
		if d := b - int(want.Pixels[i]); d < -1 || d > 1 {
			t.Fatalf("pixel %d: onnxruntime %d, gogan sample %d", i, b, want.Pixels[i])
		} else if d != 0 {
			off++
		}
	}
	if off > len(got.Data)/100 {
		t.Errorf("%d of %d pixels differ by one level", off, len(got.Data))
	}
}

func TestExportSafetensors(t *testing.T) {
	_, run := trainedRun(t)
	out := filepath.Join(t.TempDir(), "g.safetensors")
	r := gogan(t, "export", "--run", run, "--out", out) // the format from the extension
	wantExit(t, r, 0)
	tensors, md, err := checkpoint.LoadSafetensors(out)
	if err != nil {
		t.Fatal(err)
	}
	if md["format"] != "gogan-generator/1" || md["latent_dim"] != "100" || md["sample_shape"] != "28,28,1" {
		t.Errorf("metadata %v", md)
	}
	if k := tensors["dense/kernel"]; len(k.Shape) != 2 || k.Shape[0] != 100 || k.Shape[1] != 256 {
		t.Errorf("dense/kernel is %v, want (100, 256)", k.Shape)
	}
	if _, ok := tensors["discriminator/dense/kernel"]; ok {
		t.Error("the discriminator's weights were exported")
	}
}

// nanRun saves a checkpoint of a GAN whose generator holds a NaN.
func nanRun(t *testing.T) string {
	t.Helper()
	cfg := gan.DefaultConfig()
	cfg.Batch, cfg.LatentDim = 4, 8
	job, err := gan.NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	job.G.Weights()[0].Data[3] = float32(math.NaN())
	dir := filepath.Join(t.TempDir(), "checkpoints")
	if _, err := job.SaveCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestExportErrors(t *testing.T) {
	_, run := trainedRun(t)
	tmp := t.TempDir()
	t.Chdir(tmp) // where an export to the default name would go
	missing := filepath.Join(tmp, "nope")
	file := filepath.Join(tmp, "file")
	if err := os.WriteFile(file, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	nan := nanRun(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"no run", []string{"--out", "x.onnx"}, 2, []string{"--run is required"}},
		{"bad format", []string{"--run", run, "--format", "tflite"}, 2, []string{`--format must be one of onnx, safetensors, got "tflite"`}},
		{"format and extension differ", []string{"--run", run, "--format", "safetensors", "--out", filepath.Join(tmp, "g.onnx")}, 2, []string{"is a .onnx file, but --format is safetensors"}},
		{"extension of no format", []string{"--run", run, "--out", filepath.Join(tmp, "g.pt")}, 2, []string{"g.pt: the file's extension names no format (onnx, safetensors)"}},
		{"missing run", []string{"--run", missing, "--out", filepath.Join(tmp, "a.onnx")}, 1, []string{missing, "no such file"}},
		{"out under a file", []string{"--run", run, "--out", filepath.Join(file, "g.onnx")}, 1, []string{filepath.Join(file, "g.onnx"), "not a directory"}},
		{"out is a folder", []string{"--run", run, "--out", tmp, "--format", "onnx"}, 1, []string{tmp, "folder"}},
		{"out names a new folder", []string{"--run", run, "--out", filepath.Join(tmp, "newdir") + "/"}, 2, []string{"--out " + filepath.Join(tmp, "newdir") + "/ ends in /, a folder's name", "such as " + filepath.Join(tmp, "newdir", "generator.onnx")}},
		{"out names a folder", []string{"--run", run, "--out", tmp + "/", "--format", "safetensors"}, 2, []string{"ends in /, a folder's name", "such as " + filepath.Join(tmp, "generator.safetensors")}},
		{"empty out", []string{"--run", run, "--out", ""}, 2, []string{"--out must not be empty"}},
		{"no such folder", []string{"--run", run, "--out", filepath.Join(tmp, "no", "g.safetensors")}, 1, []string{filepath.Join(tmp, "no", "g.safetensors")}},
		{"NaN weights", []string{"--run", nan, "--out", filepath.Join(tmp, "nan.onnx")}, 1, []string{"tensor generator/dense/kernel[3] is NaN"}},
		{"NaN weights safetensors", []string{"--run", nan, "--out", filepath.Join(tmp, "nan.safetensors")}, 1, []string{"tensor generator/dense/kernel[3] is NaN"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, gogan(t, append([]string{"export"}, tc.args...)...), tc.code, tc.want...)
		})
	}
	for _, name := range []string{"a.onnx", "nan.onnx", "nan.safetensors", "g.onnx", "g.pt", "newdir", "generator.onnx", "generator.safetensors"} {
		if _, err := os.Stat(filepath.Join(tmp, name)); err == nil {
			t.Errorf("%s was written by a failed export", name)
		}
	}
	if got := string(readFile(t, file)); got != "keep" {
		t.Errorf("the file in the way now holds %q", got)
	}
}
