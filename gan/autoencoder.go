package gan

import (
	"fmt"
	"math"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/losses"
	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/tensor"
)

// ConvEncoder maps a (28, 28, 1) image to a code of codeDim numbers with two
// stride-2 convolutions: Conv2D(32, 3, stride 2, same, relu) → (14, 14, 32) →
// Conv2D(64, 3, stride 2, same, relu) → (7, 7, 64) → Flatten → Dense(codeDim).
func ConvEncoder(codeDim int) *nn.Sequential { return ConvEncoderFor(codeDim, ImageShape) }

// ConvEncoderFor is ConvEncoder for images of shape sample (height, width,
// channels), whose sides are multiples of 4.
func ConvEncoderFor(codeDim int, sample tensor.Shape) *nn.Sequential {
	return nn.NewSequential("encoder",
		nn.Input(sample...),
		nn.Conv2D(32, 3, nn.Strides(2), nn.Padding(nn.Same), nn.WithActivation("relu")),
		nn.Conv2D(64, 3, nn.Strides(2), nn.Padding(nn.Same), nn.WithActivation("relu")),
		nn.Flatten(),
		nn.Dense(codeDim),
	)
}

// ConvDecoder mirrors ConvEncoder: Dense(7·7·64, relu) → Reshape(7, 7, 64) →
// Conv2DTranspose(64, 3, stride 2, same, relu) → (14, 14, 64) →
// Conv2DTranspose(32, 3, stride 2, same, relu) → (28, 28, 32) →
// Conv2D(1, 3, same, tanh) → (28, 28, 1) in [−1, 1].
func ConvDecoder(codeDim int) *nn.Sequential { return ConvDecoderFor(codeDim, ImageShape) }

// ConvDecoderFor is ConvDecoder making images of shape sample (height, width,
// channels), whose sides are multiples of 4: its Dense makes a (height/4,
// width/4, 64) map and its last Conv2D sample's channels.
func ConvDecoderFor(codeDim int, sample tensor.Shape) *nn.Sequential {
	h, w := sample[0]/4, sample[1]/4
	return nn.NewSequential("decoder",
		nn.Input(codeDim),
		nn.Dense(h*w*64, nn.WithActivation("relu")),
		nn.Reshape(h, w, 64),
		nn.Conv2DTranspose(64, 3, nn.Strides(2), nn.Padding(nn.Same), nn.WithActivation("relu")),
		nn.Conv2DTranspose(32, 3, nn.Strides(2), nn.Padding(nn.Same), nn.WithActivation("relu")),
		nn.Conv2D(sample[2], 3, nn.Padding(nn.Same), nn.WithActivation("tanh")),
	)
}

// AutoencoderTrainer trains an encoder and a decoder to reconstruct their
// input, minimizing the mean squared error on [−1, 1] pixels, with an Adam for
// each model (one Adam over both would be the same update).
type AutoencoderTrainer struct {
	*twoModels
	Encoder, Decoder *nn.Sequential
}

// NewAutoencoderTrainer builds the configured encoder and decoder with fresh
// weights; Config.LatentDim is the code size.
func NewAutoencoderTrainer(cfg Config) (*AutoencoderTrainer, error) {
	r, err := cfg.Resolve()
	if err != nil {
		return nil, err
	}
	return newAutoencoderTrainer(r)
}

// mustBeMade panics, naming method, when a is nil or was not made by
// NewAutoencoderTrainer, NewJob or LoadJob (see twoModels.mustBeMade).
func (a *AutoencoderTrainer) mustBeMade(method string) {
	var m *twoModels
	if a != nil {
		m = a.twoModels
	}
	m.mustBeMade(method)
}

// SaveCheckpoint writes the whole training state into dir, as
// Trainer.SaveCheckpoint does, and returns the state file's path.
func (a *AutoencoderTrainer) SaveCheckpoint(dir string) (string, error) {
	a.mustBeMade("AutoencoderTrainer.SaveCheckpoint")
	return saveParts(dir, a.parts())
}

// Flops counts the floating-point operations of the models' matrix products so far.
func (a *AutoencoderTrainer) Flops() uint64 {
	a.mustBeMade("AutoencoderTrainer.Flops")
	return a.graph.Flops()
}

// ProfileOps times the ops of the coming steps into p (nil stops it); see Job.
func (a *AutoencoderTrainer) ProfileOps(p *autograd.OpProfile) {
	a.mustBeMade("AutoencoderTrainer.ProfileOps")
	a.graph.SetProfile(p)
}

func newAutoencoderTrainer(r Resolved) (*AutoencoderTrainer, error) {
	m, err := newTwoModels(r, [2]string{"encoder", "decoder"}, "an autoencoder", func(a Architecture) bool { return a.Autoencoder })
	if err != nil {
		return nil, err
	}
	enc, dec := m.models[0], m.models[1]
	if !enc.OutputShape().Equal(dec.InputShape()) || !dec.OutputShape().Equal(enc.InputShape()) {
		return nil, fmt.Errorf("encoder %s → %s and decoder %s → %s do not fit together",
			enc.InputShape(), enc.OutputShape(), dec.InputShape(), dec.OutputShape())
	}
	return &AutoencoderTrainer{twoModels: m, Encoder: enc, Decoder: dec}, nil
}

// TrainStep takes one Adam step on the reconstruction error of x (batch,
// 28·28·1) in [−1, 1] and returns that error (before the step). An x that is
// not one or more whole images is an error.
func (a *AutoencoderTrainer) TrainStep(x []float32) (float64, error) {
	a.mustBeMade("AutoencoderTrainer.TrainStep")
	if err := a.trainable(); err != nil {
		return 0, err
	}
	n, err := a.wholeImages(x)
	if err != nil {
		return 0, err
	}
	g := a.graph
	g.Reset()
	in := g.Input(x, false, append([]int{n}, a.Encoder.InputShape()...)...)
	rec := a.Decoder.Call(g, a.Encoder.Call(g, in, true), true)
	loss := losses.MeanSquaredError(g, rec, in)
	v := float64(loss.Item())
	if !finite(v) {
		return v, fmt.Errorf("reconstruction loss is %v at step %d", v, a.Step+1)
	}
	g.Backward(loss)
	a.step()
	return v, nil
}

// Train is TrainStep, reporting "loss": the batch's mean squared error.
func (a *AutoencoderTrainer) Train(images []float32, _ []uint8) ([]Value, error) {
	v, err := a.TrainStep(images)
	if err != nil {
		return nil, err
	}
	a.values = append(a.values[:0], Value{"loss", v})
	return a.values, nil
}

// wholeImages returns the number of images x holds, or an error when that
// is none or not a whole number.
func (a *AutoencoderTrainer) wholeImages(x []float32) (int, error) {
	sample := a.Encoder.InputShape()
	size := sample.Size()
	if len(x) == 0 || len(x)%size != 0 {
		return 0, fmt.Errorf("%d values are not whole images of %s (%d values each)", len(x), sample.Dims(), size)
	}
	return len(x) / size, nil
}

// Encode writes the codes (n, code) of images x (n, 28·28·1), in inference
// mode. A codes or x too short for n, or a negative n, is a programmer's error:
// it panics naming them.
func (a *AutoencoderTrainer) Encode(codes, x []float32, n int) {
	const method = "AutoencoderTrainer.Encode"
	a.mustBeMade(method)
	infer(method, a.Encoder, buffer{"codes", codes}, buffer{"x", x}, n)
}

// Decode writes the images (n, 28·28·1) of codes (n, code), in inference
// mode. It panics, as Encode does, on buffers too short for n.
func (a *AutoencoderTrainer) Decode(x, codes []float32, n int) {
	const method = "AutoencoderTrainer.Decode"
	a.mustBeMade(method)
	infer(method, a.Decoder, buffer{"x", x}, buffer{"codes", codes}, n)
}

// Reconstruct writes decode(encode(x)) for n images into dst. It panics, as
// Encode does, on a dst or x too short for n.
func (a *AutoencoderTrainer) Reconstruct(dst, x []float32, n int) {
	const method = "AutoencoderTrainer.Reconstruct"
	a.mustBeMade(method)
	in, out := buffer{"x", x}, buffer{"dst", dst}
	mustHold(method, in, n, a.Encoder.InputShape().Size()) // before codes are made for n
	mustHold(method, out, n, a.Decoder.OutputShape().Size())
	codes := buffer{"codes", make([]float32, max(n, 0)*a.Encoder.OutputShape().Size())}
	infer(method, a.Encoder, codes, in, n)
	infer(method, a.Decoder, out, codes, n)
}

// ReconstructionGrid lays out the first n test images as rows of cols
// originals, each followed by the row of their reconstructions. n must be a
// multiple of cols, cols positive, and test must hold n images: other
// arguments are a programmer's error, and it panics naming them.
func (a *AutoencoderTrainer) ReconstructionGrid(test []float32, n, cols int) Picture {
	a.mustBeMade("AutoencoderTrainer.ReconstructionGrid")
	sample := a.Encoder.InputShape()
	size := sample.Size()
	switch {
	case cols < 1 || n < 0 || n%cols != 0:
		panic(fmt.Sprintf("gan: AutoencoderTrainer.ReconstructionGrid: n must be a multiple of cols, and cols positive, got n %d and cols %d", n, cols))
	case n > len(test)/size:
		panic(fmt.Sprintf("gan: AutoencoderTrainer.ReconstructionGrid: test holds %d images of %s, n is %d", len(test)/size, sample.Dims(), n))
	}
	rec := make([]float32, n*size)
	a.Reconstruct(rec, test[:n*size], n)
	rows := make([]float32, 0, 2*n*size)
	for start := 0; start < n; start += cols {
		rows = append(rows, test[start*size:(start+cols)*size]...)
		rows = append(rows, rec[start*size:(start+cols)*size]...)
	}
	return grid(rows, 2*n, a.Encoder.InputShape(), cols)
}

// Progress returns 32 test images, each row of originals followed by the row
// of their reconstructions (8 columns).
func (a *AutoencoderTrainer) Progress(ts TestSet) (Picture, error) {
	a.mustBeMade("AutoencoderTrainer.Progress")
	test := ts.Images
	n := min(32, len(test)/a.Encoder.InputShape().Size()) / 8 * 8
	if n == 0 {
		return Picture{}, fmt.Errorf("%d test images to reconstruct: the picture needs 8 at least", len(test)/a.Encoder.InputShape().Size())
	}
	return a.ReconstructionGrid(test, n, 8), nil
}

// Evaluate returns "test_mse": the mean squared reconstruction error over all
// the test images, in inference mode, on [−1, 1] pixels; nil for no test
// images. Test images that are not whole images are an error.
func (a *AutoencoderTrainer) Evaluate(ts TestSet) ([]Value, error) {
	a.mustBeMade("AutoencoderTrainer.Evaluate")
	test := ts.Images
	if len(test) == 0 {
		return nil, nil
	}
	n, err := a.wholeImages(test)
	if err != nil {
		return nil, fmt.Errorf("test set: %w", err)
	}
	rec := make([]float32, len(test))
	a.Reconstruct(rec, test, n)
	var sum float64
	for i, v := range rec {
		d := float64(v) - float64(test[i])
		sum += d * d
	}
	return []Value{{"test_mse", sum / float64(len(test))}}, nil
}

// DrawCodes turns standard normal noise z (n, code) into codes drawn from the
// Gaussian that fits the codes of images x, one mean and standard deviation
// per dimension: what `gogan sample` and `gogan eval` decode. An x that is not
// one or more whole images (a data set without test images) is an error, and
// z is left as it was: there are no codes to fit, and the mean of none would
// make every code NaN.
func (a *AutoencoderTrainer) DrawCodes(z, x []float32) error {
	a.mustBeMade("AutoencoderTrainer.DrawCodes")
	if _, err := a.wholeImages(x); err != nil {
		return fmt.Errorf("drawing codes from the test images' codes: %w", err)
	}
	mean, std := a.codeStats(x)
	d := len(mean)
	for i := range z {
		z[i] = float32(mean[i%d] + std[i%d]*float64(z[i]))
	}
	return nil
}

// codeStats returns the per-dimension mean and standard deviation of the codes
// of images x, one or more whole images.
func (a *AutoencoderTrainer) codeStats(x []float32) (mean, std []float64) {
	size := a.Encoder.InputShape().Size()
	n := len(x) / size
	d := a.Encoder.OutputShape().Size()
	codes := make([]float32, n*d)
	a.Encode(codes, x, n)
	mean, std = make([]float64, d), make([]float64, d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			mean[j] += float64(codes[i*d+j])
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			dv := float64(codes[i*d+j]) - mean[j]
			std[j] += dv * dv
		}
	}
	for j := range std {
		std[j] = math.Sqrt(std[j] / float64(max(n-1, 1)))
	}
	return mean, std
}
