package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/tensor"
)

// BatchNormalizationLayer normalizes each feature of the last axis: with the
// batch's statistics while training (and then moves its averages toward them),
// with the moving averages at inference. Keras's defaults: momentum 0.99, epsilon 1e-3.
type BatchNormalizationLayer struct {
	base
	Momentum, Epsilon float32
	gamma, beta       *autograd.Var // (features) trainable
	movingMean        *autograd.Var // (features) non-trainable
	movingVariance    *autograd.Var // (features) non-trainable
}

// BatchNormalization returns a batch-norm layer over the last axis (features, or
// channels of NHWC images). Options: Momentum, Epsilon, Name.
func BatchNormalization(opts ...Option) *BatchNormalizationLayer {
	o := newOptions(opts)
	l := &BatchNormalizationLayer{base: base{opts: o}, Momentum: 0.99, Epsilon: 1e-3}
	if o.given["momentum"] {
		l.Momentum = o.momentum
	}
	if o.given["epsilon"] {
		l.Epsilon = o.epsilon
	}
	return l
}

// Kind is "BatchNormalization", the class name Summary prints.
func (b *BatchNormalizationLayer) Kind() string { return "BatchNormalization" }

// Build creates gamma, beta (trainable) and the moving statistics (not) for the last axis of in,
// which is the output shape.
func (b *BatchNormalizationLayer) Build(in tensor.Shape, _ *rand.Rand) (tensor.Shape, error) {
	if err := b.opts.check("BatchNormalization", "momentum", "epsilon"); err != nil {
		return nil, fmt.Errorf("%s: %w", b.name, err)
	}
	if b.Momentum < 0 || b.Momentum > 1 {
		return nil, fmt.Errorf("%s (BatchNormalization): momentum must be in [0, 1], got %g", b.name, b.Momentum)
	}
	if b.Epsilon <= 0 {
		return nil, fmt.Errorf("%s (BatchNormalization): epsilon must be positive, got %g", b.name, b.Epsilon)
	}
	if len(in) == 0 {
		return nil, shapeError(b, in, "(None, ..., features)")
	}
	f := in[len(in)-1]
	b.gamma = autograd.NewParam(b.name+"/gamma", f)
	Ones.Init(b.gamma.Data, 0, 0, nil)
	b.beta = autograd.NewParam(b.name+"/beta", f)
	b.movingMean = autograd.NewState(b.name+"/moving_mean", f)
	b.movingVariance = autograd.NewState(b.name+"/moving_variance", f)
	Ones.Init(b.movingVariance.Data, 0, 0, nil)
	return in.Clone(), nil
}

// Call normalizes x (N, ..., F) over every axis but the last.
func (b *BatchNormalizationLayer) Call(g *autograd.Graph, x *autograd.Var, training bool) *autograd.Var {
	f := len(b.gamma.Data)
	flat := g.Reshape(x, x.Len()/f, f)
	var y *autograd.Var
	switch {
	case training:
		// moving = momentum·moving + (1 − momentum)·batch, as Keras (biased variance).
		y = g.BatchNormMoving(flat, b.gamma, b.beta, b.Epsilon, b.movingMean, b.movingVariance, b.Momentum)
	case g.Device() != nil:
		// On a GPU: gamma·(x − mean)/√(moving_variance + eps) + beta from the
		// device copies of the statistics (the CPU's sum below, in another order).
		y = g.BatchNormInference(flat, b.gamma, b.beta, b.movingMean, b.movingVariance, b.Epsilon)
	default:
		// y = x·s + (beta − mean·s) with s = gamma/√(moving_variance + eps): the
		// moving statistics are constants, gamma and beta still get gradients.
		// 1/√(moving_variance + eps) lives in the graph, not the layer, so that
		// goroutines may run inference on one model, each with its own graph.
		invStd := g.Constant(0, f)
		for j := range invStd.Data {
			invStd.Data[j] = 1 / float32(math.Sqrt(float64(b.movingVariance.Data[j])+float64(b.Epsilon)))
		}
		s := g.Mul(b.gamma, invStd)
		shift := g.Sub(b.beta, g.Mul(g.Input(b.movingMean.Data, false, f), s))
		y = g.AddBias(g.MulColumns(flat, s), shift)
	}
	return g.Reshape(y, x.Shape...)
}

// Weights are gamma, beta (trainable), moving_mean, moving_variance (not).
func (b *BatchNormalizationLayer) Weights() []*autograd.Var {
	return []*autograd.Var{b.gamma, b.beta, b.movingMean, b.movingVariance}
}
