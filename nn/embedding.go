package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// EmbeddingLayer maps integer ids to learned vectors: y[..., :] = embeddings[x[...], :],
// as Keras's Embedding. The ids are float32 values (exact for integers up to 2²⁴),
// so that they travel through a Model like any other input.
type EmbeddingLayer struct {
	base
	InputDim, OutputDim int
	embeddings          *autograd.Var // (inputDim, outputDim)
}

// Embedding returns a lookup table of inputDim vectors of outputDim values, as
// keras.layers.Embedding(input_dim, output_dim): class labels in [0, inputDim)
// become (outputDim) vectors, (N, 1) → (N, 1, outputDim). Options:
// EmbeddingsInitializer (default RandomUniform{-0.05, 0.05}), Name.
func Embedding(inputDim, outputDim int, opts ...Option) *EmbeddingLayer {
	return &EmbeddingLayer{base: base{opts: newOptions(opts)}, InputDim: inputDim, OutputDim: outputDim}
}

// Kind is "Embedding", the class name Summary prints.
func (e *EmbeddingLayer) Kind() string { return "Embedding" }

// Build creates embeddings (inputDim, outputDim) for ids of any shape (...)
// and returns (..., outputDim).
func (e *EmbeddingLayer) Build(in tensor.Shape, rng *rand.Rand) (tensor.Shape, error) {
	if err := e.opts.check("Embedding", "embeddings_initializer"); err != nil {
		return nil, fmt.Errorf("%s: %w", e.name, err)
	}
	if e.InputDim <= 0 || e.OutputDim <= 0 {
		return nil, fmt.Errorf("%s (Embedding): input_dim and output_dim must be positive, got %d and %d", e.name, e.InputDim, e.OutputDim)
	}
	if len(in) == 0 || len(in) > 4 {
		return nil, shapeError(e, in, "(None, ...) with 1 to 4 axes of ids")
	}
	e.embeddings = autograd.NewParam(e.name+"/embeddings", e.InputDim, e.OutputDim)
	initOr(e.opts.kernelInit, RandomUniform{-0.05, 0.05}).Init(e.embeddings.Data, e.InputDim, e.OutputDim, rng)
	return append(in.Clone(), e.OutputDim), nil
}

// Call maps ids x (N, ...) to (N, ..., outputDim). An id that is not an integer
// in [0, inputDim) is a programmer error and panics: check ids that come from
// data first (Model.CheckInputs does so for ids fed straight from an input).
func (e *EmbeddingLayer) Call(g *autograd.Graph, x *autograd.Var, _ bool) *autograd.Var {
	return g.Gather(e.embeddings, x)
}

// Weights is embeddings.
func (e *EmbeddingLayer) Weights() []*autograd.Var { return []*autograd.Var{e.embeddings} }

// CheckIDs reports the first id that is not an integer in [0, InputDim).
func (e *EmbeddingLayer) CheckIDs(ids []float32) error {
	for i, v := range ids {
		if f := float64(v); f != math.Trunc(f) || f < 0 || f >= float64(e.InputDim) {
			return fmt.Errorf("%s (Embedding): id %d is %v, want an integer in [0, %d)", e.name, i, v, e.InputDim)
		}
	}
	return nil
}
