// Package onnxtest runs exported ONNX models through the ONNX tools, for
// tests: onnx.checker (Debian's python3-onnx) and onnxruntime (npm's
// onnxruntime-node, its CPU library). A test calls Check and Run: where
// python3-onnx is missing Check says so, where onnxruntime-node is missing Run
// skips the test, each with a message naming the tool and how to install it.
//
// The tools are found as follows. Python: $GOGAN_PYTHON, else the first of
// python3 on PATH and /usr/bin/python3 that can import onnx. onnxruntime-node:
// $GOGAN_ONNXRUNTIME_NODE (a node_modules folder), else .ci/node_modules at
// the repository root, where .ci/run installs it with
// npm install --ignore-scripts; node must be on PATH.
package onnxtest

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

//go:embed check.py
var checkScript []byte

//go:embed run.mjs
var runScript []byte

// Input is one input of a model: Float32 or Int64 data of shape Dims.
type Input struct {
	Dims    []int
	Float32 []float32
	Int64   []int64
}

// Output is one output of a model.
type Output struct {
	Dims []int     `json:"dims"`
	Data []float32 `json:"data"`
}

// Check runs onnx.checker on the model files, failing the test if it
// rejects one, and returns the checker's lines about them, for the test's
// log. Where python3-onnx is missing it returns a line saying so, and the
// test goes on to Run (which skips it where onnxruntime is missing).
func Check(t testing.TB, models ...string) string {
	t.Helper()
	python, missing := findPython()
	if missing != "" {
		return missing
	}
	script := writeScript(t, "check.py", checkScript)
	args := []string{script}
	for _, m := range models {
		abs, err := filepath.Abs(m)
		if err != nil {
			t.Fatal(err)
		}
		args = append(args, abs)
	}
	cmd := exec.Command(python, args...)
	cmd.Dir = filepath.Dir(script) // not the package's folder, where "onnx" may name a Go package
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("onnx.checker rejects a model of %v: %v\n%s", models, err, out)
	}
	return strings.TrimSpace(string(out))
}

// Job is one model to run and its inputs by name.
type Job struct {
	Model  string
	Inputs map[string]Input
}

// Run runs the model file with onnxruntime on inputs and returns its outputs
// by name.
func Run(t testing.TB, model string, inputs map[string]Input) map[string]Output {
	t.Helper()
	return RunAll(t, []Job{{model, inputs}})[0]
}

// RunAll runs every job in one onnxruntime process (one start-up for many
// models) and returns each job's outputs by name.
func RunAll(t testing.TB, jobs []Job) []map[string]Output {
	t.Helper()
	node, modules := findRuntime(t)
	dir := t.TempDir()
	script := writeScript(t, "run.mjs", runScript)
	type spec struct {
		Type string `json:"type"`
		Dims []int  `json:"dims"`
		Data any    `json:"data"`
	}
	type jobSpec struct {
		Model  string          `json:"model"`
		Inputs map[string]spec `json:"inputs"`
	}
	specs := make([]jobSpec, len(jobs))
	for i, j := range jobs {
		specs[i] = jobSpec{Model: j.Model, Inputs: map[string]spec{}}
		for name, in := range j.Inputs {
			if in.Int64 != nil {
				specs[i].Inputs[name] = spec{"int64", in.Dims, in.Int64}
			} else {
				specs[i].Inputs[name] = spec{"float32", in.Dims, in.Float32}
			}
		}
	}
	inPath, outPath := filepath.Join(dir, "jobs.json"), filepath.Join(dir, "results.json")
	b, err := json.Marshal(specs)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(inPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(node, script, modules, inPath, outPath).CombinedOutput(); err != nil {
		t.Fatalf("onnxruntime cannot run the models: %v\n%s", err, out)
	}
	var results []map[string]Output
	b, err = os.ReadFile(outPath)
	if err == nil {
		err = json.Unmarshal(b, &results)
	}
	if err == nil && len(results) != len(jobs) {
		err = fmt.Errorf("%d results for %d jobs", len(results), len(jobs))
	}
	if err != nil {
		t.Fatalf("reading onnxruntime's outputs: %v", err)
	}
	return results
}

// findPython returns a Python that can import onnx, or what is missing.
func findPython() (python, missing string) {
	candidates := []string{"python3", "/usr/bin/python3"}
	if p := os.Getenv("GOGAN_PYTHON"); p != "" {
		candidates = []string{p}
	}
	for _, c := range candidates {
		probe := exec.Command(c, "-c", "import onnx.checker")
		probe.Dir = os.TempDir() // not the package's folder, where "onnx" may name a Go package
		if probe.Run() == nil {
			return c, ""
		}
	}
	return "", fmt.Sprintf("python3-onnx is missing: no %s can import onnx (apt-get install python3-onnx, or set GOGAN_PYTHON): onnx.checker not run",
		strings.Join(candidates, " or "))
}

// findRuntime returns node and the node_modules folder holding
// onnxruntime-node, or skips the test.
func findRuntime(t testing.TB) (node, modules string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is missing (apt-get install nodejs): onnxruntime-node not run")
	}
	modules = os.Getenv("GOGAN_ONNXRUNTIME_NODE")
	if modules == "" {
		root, err := repoRoot()
		if err != nil {
			t.Skipf("onnxruntime-node not looked for: %v", err)
		}
		modules = filepath.Join(root, ".ci", "node_modules")
	}
	if _, err := os.Stat(filepath.Join(modules, "onnxruntime-node", "package.json")); err != nil {
		t.Skipf("onnxruntime-node is missing from %s (cd .ci && npm install --ignore-scripts --no-save onnxruntime-node@1.30, "+
			"or set GOGAN_ONNXRUNTIME_NODE to a node_modules folder holding it): onnxruntime not run", modules)
	}
	return node, modules
}

// repoRoot is the nearest folder above the working directory holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// writeScript writes an embedded script into the test's temporary folder.
func writeScript(t testing.TB, name string, body []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
