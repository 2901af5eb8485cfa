package nn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/nn"
)

// TestBatchNormalizationOnImages checks BatchNormalization on NHWC images
// against a per-channel loop: while training, each channel is normalized with
// the mean and biased variance over batch, height and width, and the moving
// statistics move toward them; at inference the moving statistics are used.
func TestBatchNormalizationOnImages(t *testing.T) {
	const n, h, w, c = 3, 4, 5, 2
	bn := nn.BatchNormalization()
	m := buildModel(t, []int{h, w, c}, bn)
	if got := m.Params(); got.Total != 4*c || got.Trainable != 2*c {
		t.Fatalf("params %+v, want %d total, %d trainable (one of each statistic per channel)", got, 4*c, 2*c)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	x := make([]float32, n*h*w*c)
	for i := range x {
		x[i] = float32(rng.NormFloat64()*float64(1+i%c) + float64(3*(i%c)))
	}
	g := autograd.NewGraph(nil)
	y := m.Call(g, g.Input(x, false, n, h, w, c), true)
	if y.Shape.String() != "(3, 4, 5, 2)" {
		t.Fatalf("shape %v", y.Shape)
	}
	weights := bn.Weights()
	for ch := 0; ch < c; ch++ {
		var sum, sumSq float64
		for i := ch; i < len(x); i += c {
			sum += float64(x[i])
		}
		mean := sum / (n * h * w)
		for i := ch; i < len(x); i += c {
			sumSq += (float64(x[i]) - mean) * (float64(x[i]) - mean)
		}
		variance := sumSq / (n * h * w)
		for i := ch; i < len(x); i += c {
			want := (float64(x[i]) - mean) / math.Sqrt(variance+1e-3)
			if math.Abs(float64(y.Data[i])-want) > 1e-4 {
				t.Fatalf("channel %d: y[%d] = %g, want %g", ch, i, y.Data[i], want)
			}
		}
		if got, want := float64(weights[2].Data[ch]), 0.01*mean; math.Abs(got-want) > 1e-5 {
			t.Errorf("channel %d: moving_mean %g, want %g", ch, got, want)
		}
		if got, want := float64(weights[3].Data[ch]), 0.99+0.01*variance; math.Abs(got-want) > 1e-5 {
			t.Errorf("channel %d: moving_variance %g, want %g", ch, got, want)
		}
	}
	// Inference: (x − moving_mean)/√(moving_variance + ε) per channel.
	yi := m.Call(g, g.Input(x, false, n, h, w, c), false)
	for i, v := range x {
		ch := i % c
		want := (float64(v) - float64(weights[2].Data[ch])) / math.Sqrt(float64(weights[3].Data[ch])+1e-3)
		if math.Abs(float64(yi.Data[i])-want) > 1e-4 {
			t.Fatalf("inference y[%d] = %g, want %g", i, yi.Data[i], want)
		}
	}
}

func TestBatchNormalizationAfterConvGradients(t *testing.T) {
	checkLayerGradients(t, []int{4, 4, 2}, true, nn.Conv2D(3, 3, nn.Padding(nn.Same)), nn.BatchNormalization(), nn.Tanh())
}
