package export

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/export/onnx"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/tensor"
)

// Generator is the network that draws a run's samples, with what a program
// using an exported file needs to know about it.
type Generator struct {
	Net    nn.Network
	Config gan.Config // the run's configuration
	Step   int        // the training steps taken
	// Classes is the number of labels a conditional generator takes (0: none).
	Classes int
	// EMA says Net is the moving average of G's weights, which the run samples with.
	EMA bool
	// Decoder says Net is an autoencoder's decoder: its inputs are codes.
	Decoder bool
}

// Load reads the run at path (a run folder, a checkpoint folder or its
// latest.json) and returns its generator.
func Load(path string) (*Generator, error) {
	job, err := gan.LoadJob(path)
	if err != nil {
		return nil, err
	}
	return Of(job)
}

// Of returns the generator of a job, the one gogan sample draws with: G, or
// its moving average when the run keeps one, or an autoencoder's decoder.
func Of(job gan.Job) (*Generator, error) {
	switch j := job.(type) {
	case *gan.Trainer:
		g := &Generator{Net: j.Sampler(), Config: j.Config, Step: j.Step, EMA: j.GEMA != nil}
		if j.Conditional() {
			g.Classes = j.Config.NumClasses()
		}
		return g, nil
	case *gan.AutoencoderTrainer:
		return &Generator{Net: j.Decoder, Config: j.Config, Step: job.Steps(), Decoder: true}, nil
	}
	return nil, fmt.Errorf("model %s generates nothing: only GANs and autoencoders can be exported", job.Settings().Model)
}

// LatentDim is the size of the latent vectors (codes for a decoder).
func (g *Generator) LatentDim() int { return g.Net.InputShapes()[0].Size() }

// SampleShape is the shape of one output: (H, W, C) for images.
func (g *Generator) SampleShape() tensor.Shape { return g.Net.OutputShape() }

// Format is a file format a generator can be written in.
type Format struct {
	Name, Description string
	Write             func(path string, g *Generator) error
}

// Formats are the export formats, by name.
var Formats = map[string]Format{
	"onnx":        {"onnx", "an ONNX model (opset 13) of the generator in inference mode", WriteONNX},
	"safetensors": {"safetensors", "the generator's weights and the run's configuration", WriteSafetensors},
}

// FormatNames lists the formats, sorted, comma-separated.
func FormatNames() string {
	names := make([]string, 0, len(Formats))
	for n := range Formats {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// Metadata describes the generator in both formats' metadata: format,
// model, step, latent_dim, classes, sample_shape, layout, inputs, output,
// ema and config (the run's configuration as JSON).
func (g *Generator) Metadata() (map[string]string, error) {
	config, err := json.Marshal(g.Config)
	if err != nil {
		return nil, err
	}
	shape := make([]string, len(g.SampleShape()))
	for i, d := range g.SampleShape() {
		shape[i] = strconv.Itoa(d)
	}
	return map[string]string{
		"format":       "gogan-generator/1",
		"model":        g.Config.Model,
		"step":         strconv.Itoa(g.Step),
		"latent_dim":   strconv.Itoa(g.LatentDim()),
		"classes":      strconv.Itoa(g.Classes),
		"sample_shape": strings.Join(shape, ","),
		"layout":       "NHWC",
		"inputs":       strings.Join(g.InputNames(), ","),
		"output":       g.OutputName(),
		"ema":          strconv.FormatBool(g.EMA),
		"config":       string(config),
	}, nil
}

// InputNames are z, then label for a conditional generator.
func (g *Generator) InputNames() []string {
	if len(g.Net.InputShapes()) == 2 {
		return []string{"z", "label"}
	}
	return []string{"z"}
}

// OutputName is image for generators of images, sample for others (points).
func (g *Generator) OutputName() string {
	if len(g.SampleShape()) == 3 {
		return "image"
	}
	return "sample"
}

// Signature says what the exported generator maps to what:
// "z (N, 100), label (N) in [0, 10) → image (N, 28, 28, 1)".
func (g *Generator) Signature() string {
	in := fmt.Sprintf("z (N, %d)", g.LatentDim())
	if g.Classes > 0 {
		in += fmt.Sprintf(", label (N) in [0, %d)", g.Classes)
	}
	out := "N"
	for _, d := range g.SampleShape() {
		out += fmt.Sprintf(", %d", d)
	}
	return fmt.Sprintf("%s → %s (%s)", in, g.OutputName(), out)
}

// WriteONNX writes g as an ONNX model at path, atomically.
func WriteONNX(path string, g *Generator) error {
	md, err := g.Metadata()
	if err != nil {
		return err
	}
	doc := fmt.Sprintf("gogan %s generator at step %d: %s, NHWC, in [-1, 1]", g.Config.Model, g.Step, g.Signature())
	return onnx.WriteFile(path, g.Net, onnx.Options{
		InputNames: g.InputNames(), OutputName: g.OutputName(), DocString: doc, Metadata: md,
	})
}

// WriteSafetensors writes g's weights (F32, gogan's names and layout) and
// its Metadata at path, atomically.
func WriteSafetensors(path string, g *Generator) error {
	md, err := g.Metadata()
	if err != nil {
		return err
	}
	tensors := map[string]checkpoint.Tensor{}
	for _, w := range g.Net.Weights() {
		for i, x := range w.Data {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return fmt.Errorf("weight %s holds %v at index %d: the model cannot be exported", w.Name, x, i)
			}
		}
		tensors[w.Name] = checkpoint.F32(slices.Clone([]int(w.Shape)), w.Data)
	}
	return checkpoint.SaveSafetensors(path, tensors, md)
}
