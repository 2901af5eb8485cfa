package generator

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/gan"
)

// tensorFile returns the checkpoint folder of run and its tensor file's path.
func tensorFile(t *testing.T, run string) (dir, path string) {
	t.Helper()
	dir = filepath.Join(run, "checkpoints")
	var state struct {
		Tensors string `json:"tensors"`
	}
	if err := checkpoint.ReadJSON(filepath.Join(dir, gan.LatestFile), &state); err != nil {
		t.Fatal(err)
	}
	return dir, filepath.Join(dir, state.Tensors)
}

// rewrite changes the tensors of run's checkpoint with edit and writes them
// back under a checksum that latest.json agrees with, as a damaged (not merely
// truncated) checkpoint would be.
func rewrite(t *testing.T, run string, edit func(map[string]checkpoint.Tensor)) {
	t.Helper()
	dir, path := tensorFile(t, run)
	tensors, meta, err := checkpoint.LoadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	edit(tensors)
	if err := checkpoint.SaveSafetensors(path, tensors, meta); err != nil {
		t.Fatal(err)
	}
	fixChecksum(t, dir, path)
}

// fixChecksum makes latest.json in dir name path's current checksum.
func fixChecksum(t *testing.T, dir, path string) {
	t.Helper()
	sum, err := checkpoint.Checksum(path)
	if err != nil {
		t.Fatal(err)
	}
	var state map[string]any
	statePath := filepath.Join(dir, gan.LatestFile)
	if err := checkpoint.ReadJSON(statePath, &state); err != nil {
		t.Fatal(err)
	}
	state["tensors_checksum"] = sum
	if err := checkpoint.WriteJSONAtomic(statePath, state); err != nil {
		t.Fatal(err)
	}
}

func TestLoadTensorFile(t *testing.T) {
	run := saved(t, "mlp2d")
	dir, path := tensorFile(t, run)
	for _, p := range []string{run, dir, filepath.Join(dir, gan.LatestFile), path} {
		if _, err := Load(p); err != nil {
			t.Errorf("Load(%s): %v", p, err)
		}
	}
	other := filepath.Join(dir, "step-00000009.safetensors")
	if err := os.Link(path, other); err != nil {
		t.Fatal(err)
	}
	_, err := Load(other)
	wantError(t, err, other, "names \"step-00000000.safetensors\"")
	lone := filepath.Join(t.TempDir(), "step-00000000.safetensors")
	if err := os.Link(path, lone); err != nil {
		t.Fatal(err)
	}
	_, err = Load(lone)
	wantError(t, err, lone, gan.LatestFile)
}

// A bad checkpoint is an error naming the file and the fault, never a panic.
func TestBadCheckpoints(t *testing.T) {
	cases := []struct {
		name   string
		damage func(t *testing.T, run string)
		want   []string
	}{
		{"missing folder", func(t *testing.T, run string) { os.RemoveAll(run) }, []string{"no such file"}},
		{"no checkpoint", func(t *testing.T, run string) { os.RemoveAll(filepath.Join(run, "checkpoints")) }, []string{"no checkpoint here"}},
		{"missing tensors", func(t *testing.T, run string) {
			_, path := tensorFile(t, run)
			os.Remove(path)
		}, []string{"step-00000000.safetensors"}},
		{"corrupt bytes", func(t *testing.T, run string) {
			_, path := tensorFile(t, run)
			b, _ := os.ReadFile(path)
			b[len(b)-5] ^= 0xff
			os.WriteFile(path, b, 0o644)
		}, []string{"damaged: checksum"}},
		{"truncated tensors, checksum agreeing", func(t *testing.T, run string) {
			dir, path := tensorFile(t, run)
			b, _ := os.ReadFile(path)
			os.WriteFile(path, b[:len(b)/2], 0o644)
			fixChecksum(t, dir, path)
		}, []string{"step-00000000.safetensors"}},
		{"garbage latest.json", func(t *testing.T, run string) {
			os.WriteFile(filepath.Join(run, "checkpoints", gan.LatestFile), []byte("{\"format\": 3"), 0o644)
		}, []string{gan.LatestFile}},
		{"NaN weight", func(t *testing.T, run string) {
			rewrite(t, run, func(ts map[string]checkpoint.Tensor) {
				ts["generator/dense_1/kernel"].F32[17] = float32(math.NaN())
			})
		}, []string{"tensor generator/dense_1/kernel[17] is NaN"}},
		{"infinite weight", func(t *testing.T, run string) {
			rewrite(t, run, func(ts map[string]checkpoint.Tensor) {
				ts["generator/dense/bias"].F32[0] = float32(math.Inf(1))
			})
		}, []string{"tensor generator/dense/bias[0] is +Inf"}},
		{"wrong shape", func(t *testing.T, run string) {
			rewrite(t, run, func(ts map[string]checkpoint.Tensor) {
				k := ts["generator/dense/kernel"]
				ts["generator/dense/kernel"] = checkpoint.F32([]int{k.Shape[1], k.Shape[0]}, k.F32)
			})
		}, []string{"tensor generator/dense/kernel is F32 [128 16]", "wants F32 [16 128]"}},
		{"missing tensor", func(t *testing.T, run string) {
			rewrite(t, run, func(ts map[string]checkpoint.Tensor) { delete(ts, "generator/dense_2/bias") })
		}, []string{"no tensor generator/dense_2/bias"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run := saved(t, "mlp2d")
			c.damage(t, run)
			g, err := Load(run)
			if g != nil {
				t.Error("a damaged checkpoint loaded")
			}
			wantError(t, err, c.want...)
		})
	}
}

// A negative moving variance is finite, but every sample it touches is NaN
// (x/√(variance + ε)): Load refuses it, naming the tensor.
func TestNegativeMovingVariance(t *testing.T) {
	run := saved(t, "mlp")
	rewrite(t, run, func(ts map[string]checkpoint.Tensor) {
		ts["generator/batch_normalization_1/moving_variance"].F32[3] = -5
	})
	g, err := Load(run)
	if g != nil {
		t.Error("a checkpoint with a negative variance loaded")
	}
	wantError(t, err, run, "generator/batch_normalization_1/moving_variance[3] is -5", "negative variance")
}
