package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Initializer fills a new weight with its initial values. fanIn and fanOut are
// the numbers of inputs and outputs each weight connects, as Keras computes them.
type Initializer interface {
	Init(w []float32, fanIn, fanOut int, rng *rand.Rand)
	String() string
}

// GlorotUniform draws from U(−l, l) with l = √(6/(fanIn+fanOut)): Keras's default kernel initializer.
type GlorotUniform struct{}

// Init fills w with draws from U(−l, l), l = √(6/(fanIn+fanOut)).
func (GlorotUniform) Init(w []float32, fanIn, fanOut int, rng *rand.Rand) {
	limit := math.Sqrt(6 / float64(fanIn+fanOut))
	for i := range w {
		w[i] = float32((2*rng.Float64() - 1) * limit)
	}
}

// String is Keras's name, "glorot_uniform".
func (GlorotUniform) String() string { return "glorot_uniform" }

// Normal draws from N(Mean, Stddev²); Normal{0, 0.02} is the DCGAN paper's initializer.
type Normal struct{ Mean, Stddev float64 }

// Init fills w with draws from N(Mean, Stddev²).
func (n Normal) Init(w []float32, _, _ int, rng *rand.Rand) {
	for i := range w {
		w[i] = float32(n.Mean + n.Stddev*rng.NormFloat64())
	}
}

// String is "normal(mean, stddev)".
func (n Normal) String() string { return fmt.Sprintf("normal(%g, %g)", n.Mean, n.Stddev) }

// Constant fills every weight with Value (Zeros and Ones are the common ones).
type Constant struct{ Value float32 }

// Init fills w with Value.
func (c Constant) Init(w []float32, _, _ int, _ *rand.Rand) {
	for i := range w {
		w[i] = c.Value
	}
}

// String is "constant(value)".
func (c Constant) String() string { return fmt.Sprintf("constant(%g)", c.Value) }

// Zeros and Ones are Keras's "zeros" and "ones".
var (
	Zeros = Constant{0}
	Ones  = Constant{1}
)

// RandomUniform draws from U(Min, Max); RandomUniform{-0.05, 0.05} is Keras's
// default for Embedding.
type RandomUniform struct{ Min, Max float64 }

// Init fills w with draws from U(Min, Max).
func (u RandomUniform) Init(w []float32, _, _ int, rng *rand.Rand) {
	for i := range w {
		w[i] = float32(u.Min + (u.Max-u.Min)*rng.Float64())
	}
}

// String is "random_uniform(min, max)".
func (u RandomUniform) String() string { return fmt.Sprintf("random_uniform(%g, %g)", u.Min, u.Max) }

// KaimingUniform is He's uniform initializer for a layer followed by a leaky
// ReLU of negative slope A: U(−l, l) with l = gain·√(3/fanIn) and
// gain = √(2/(1+A²)), as PyTorch's kaiming_uniform_(a=A) in its default
// fan_in mode. A = 0 is Keras's he_uniform, l = √(6/fanIn). A = √5 is
// PyTorch's default for the kernels of Linear and Conv layers: gain = √(1/3),
// so l = 1/√fanIn.
type KaimingUniform struct{ A float64 }

// Init fills w from U(±√(2/(1+A²))·√(3/fanIn)).
func (k KaimingUniform) Init(w []float32, fanIn, _ int, rng *rand.Rand) {
	gain := math.Sqrt(2 / (1 + k.A*k.A))
	limit := gain * math.Sqrt(3/float64(fanIn))
	for i := range w {
		w[i] = float32((2*rng.Float64() - 1) * limit)
	}
}

// String is "kaiming_uniform(a=A)".
func (k KaimingUniform) String() string { return fmt.Sprintf("kaiming_uniform(a=%g)", k.A) }

// FanInUniform draws from U(−l, l) with l = 1/√fanIn: PyTorch's default bias of
// Linear and Conv layers, where fanIn is the kernel's (the layer's inputs,
// times the kernel's height and width for a convolution).
type FanInUniform struct{}

// Init fills w from U(±1/√fanIn).
func (FanInUniform) Init(w []float32, fanIn, _ int, rng *rand.Rand) {
	limit := 1 / math.Sqrt(float64(fanIn))
	for i := range w {
		w[i] = float32((2*rng.Float64() - 1) * limit)
	}
}

// String is "fan_in_uniform".
func (FanInUniform) String() string { return "fan_in_uniform" }
