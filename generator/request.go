package generator

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"

	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/report"
	"github.com/gogan/gogan/tensor"
)

// MaxSamples bounds the samples of one request, so that a mistyped count does
// not ask for more memory than a machine has.
const MaxSamples = 100_000

// MinTruncation is the smallest truncation threshold: below it, drawing a latent
// vector would take more than about a thousand normal draws per entry.
const MinTruncation = 0.01

// Request says which samples to make. Give exactly one of Seeds and Latents.
type Request struct {
	// Seeds: sample i comes from the latent vector seeded by Seeds[i] alone
	// (see the package comment).
	Seeds []uint64
	// Latents are the latent vectors, (N, LatentDim), used as given; their
	// values must be finite.
	Latents []float32
	// Classes are, for a conditional generator, the class of each sample (N
	// values) or of all samples (one value), each in [0, Classes()); nil draws
	// the classes in turn, 0, 1, ..., 9, 0, ... Must be nil for an unconditional
	// generator.
	Classes []int
	// Truncation is the truncation threshold t of seeded latent vectors: 0 is
	// off, else at least MinTruncation (see the package comment).
	Truncation float64
	// Device is where the samples are computed: "" or "cpu", or an NVIDIA GPU,
	// "cuda" or "cuda:N" (gan.GenerateOn: the weights are copied there for the
	// request; generators of the layers that train on a GPU, conditional ones
	// included).
	Device string
	// Progress, when not nil, is called with the number of samples made so far
	// and N, from the goroutine that called Generate: on the CPU after each batch
	// of BatchSize samples, on a GPU once at the end.
	Progress func(done, total int)
}

// Seeds returns the n seeds first, first+1, ..., first+n−1.
func Seeds(first uint64, n int) []uint64 {
	s := make([]uint64, max(n, 0))
	for i := range s {
		s[i] = first + uint64(i)
	}
	return s
}

// Batch is a batch of generated samples.
type Batch struct {
	// Data holds the samples, row-major (N, Shape...): pixels in [−1, 1] for
	// images, channels last.
	Data []float32
	// N is the number of samples.
	N int
	// Shape is the shape of one sample, e.g. (28, 28, 1).
	Shape tensor.Shape
	// Labels are the classes of the samples of a conditional generator; nil
	// otherwise.
	Labels []int
}

// BatchSize is how many samples Generate computes at once on the CPU;
// GenerateContext looks at its context, and Request.Progress is called, between
// batches.
const BatchSize = 256

// Generate makes the samples that req asks for. It may be called from many
// goroutines at once. Samples holding NaN or ±Inf are an error (weights that
// diverged), not a batch.
func (g *Generator) Generate(req Request) (*Batch, error) {
	return g.GenerateContext(context.Background(), req)
}

// GenerateContext is Generate, stopped by ctx: once ctx is done it starts no
// further batch of BatchSize samples and returns an error wrapping ctx.Err().
// On a GPU (Request.Device) the samples are made in one go, after a look at ctx.
func (g *Generator) GenerateContext(ctx context.Context, req Request) (*Batch, error) {
	n, err := g.check(req)
	if err != nil {
		return nil, fmt.Errorf("generator: %w", err)
	}
	ordinal, err := gan.ParseDevice(req.Device)
	if err != nil {
		return nil, fmt.Errorf("generator: %w", err)
	}
	z := req.Latents
	if z == nil {
		z = make([]float32, n*g.latent)
		drawLatents(z, req.Seeds, req.Truncation)
	}
	b := &Batch{Data: make([]float32, n*g.shape.Size()), N: n, Shape: g.shape}
	var labels []uint8
	if g.classes > 0 {
		b.Labels, labels = make([]int, n), make([]uint8, n)
		for i := range n {
			switch len(req.Classes) {
			case 0:
				b.Labels[i] = i % g.classes
			case 1:
				b.Labels[i] = req.Classes[0]
			default:
				b.Labels[i] = req.Classes[i]
			}
			labels[i] = uint8(b.Labels[i])
		}
	}
	if ordinal < 0 {
		err = g.generateCPU(ctx, b.Data, z, labels, n, req.Progress)
	} else if err = g.generateOn(ctx, req.Device, b.Data, z, labels, n); err == nil && req.Progress != nil {
		req.Progress(n, n)
	}
	if err != nil {
		return nil, err
	}
	if err := checkFinite(b.Data); err != nil {
		return nil, err
	}
	return b, nil
}

// generateCPU is gan.GenerateLabeled, BatchSize samples at a time, with a look
// at ctx before each batch and a call of progress (when not nil) after (each
// sample is computed on its own, so the batches do not change the samples).
func (g *Generator) generateCPU(ctx context.Context, dst, z []float32, labels []uint8, n int, progress func(done, total int)) error {
	out := g.shape.Size()
	for start := 0; start < n; start += BatchSize {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("generator: stopped after %d of %d samples: %w", start, n, err)
		}
		m := min(BatchSize, n-start)
		var l []uint8
		if labels != nil {
			l = labels[start : start+m]
		}
		gan.GenerateLabeled(g.net, dst[start*out:(start+m)*out], z[start*g.latent:(start+m)*g.latent], l, m)
		if progress != nil {
			progress(start+m, n)
		}
	}
	return nil
}

// generateOn is gan.GenerateOn: the weights go to the GPU for the request,
// one request at a time there, unless ctx is done by then.
func (g *Generator) generateOn(ctx context.Context, device string, dst, z []float32, labels []uint8, n int) error {
	g.deviceMu.Lock()
	defer g.deviceMu.Unlock()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("generator: stopped before the first of %d samples: %w", n, err)
	}
	if err := gan.GenerateOn(device, g.net, dst, z, labels, n); err != nil {
		return fmt.Errorf("generator: %w", err)
	}
	return nil
}

// checkFinite returns an error when generated values hold NaN or ±Inf: weights
// that diverged (FromJob takes a trainer's as they are) make no image.
func checkFinite(data []float32) error {
	bad := 0
	for _, v := range data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("generator: %d of the %d generated values are %w", bad, len(data), ErrNotFinite)
	}
	return nil
}

// ErrNotFinite is Generate's error when its samples hold NaN or ±Inf: the weights
// diverged, or the checkpoint is damaged, or given Latents are too large for the
// network (finite values whose products overflow).
var ErrNotFinite = errors.New("NaN or ±Inf: the weights diverged, the checkpoint is damaged, or the given latents are too large")

// check validates req and returns its number of samples.
func (g *Generator) check(req Request) (int, error) {
	n, err := g.count(req)
	if err != nil {
		return 0, err
	}
	if err := g.checkClasses(req.Classes, n); err != nil {
		return 0, err
	}
	return n, nil
}

// count checks the seeds or latent vectors and the truncation, and returns N.
func (g *Generator) count(req Request) (int, error) {
	t := req.Truncation
	switch {
	case (req.Seeds == nil) == (req.Latents == nil):
		return 0, fmt.Errorf("give either Seeds or Latents (got %s)", map[bool]string{true: "both", false: "neither"}[req.Seeds != nil])
	case math.IsNaN(t) || math.IsInf(t, 0) || t < 0 || (t > 0 && t < MinTruncation):
		return 0, fmt.Errorf("truncation must be 0 (off) or at least %g, got %g", MinTruncation, t)
	case req.Latents != nil && t != 0:
		return 0, fmt.Errorf("truncation %g applies to seeded latent vectors; given Latents are used as they are", t)
	case req.Seeds != nil && g.autoencoder:
		return 0, fmt.Errorf("model %s is an autoencoder: its codes do not follow N(0, 1), so nothing is drawn from seeds; give codes as Latents", g.model)
	}
	if req.Seeds != nil {
		return g.bound(len(req.Seeds), "seeds")
	}
	if len(req.Latents)%g.latent != 0 {
		return 0, fmt.Errorf("latents hold %d values, not a multiple of the latent size %d", len(req.Latents), g.latent)
	}
	for i, v := range req.Latents {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return 0, fmt.Errorf("latents[%d] (vector %d, entry %d) is %v", i, i/g.latent, i%g.latent, v)
		}
	}
	return g.bound(len(req.Latents)/g.latent, "latent vectors")
}

// bound checks that n, the number of samples asked for, is in [1, MaxSamples].
func (g *Generator) bound(n int, what string) (int, error) {
	if n == 0 || n > MaxSamples {
		return 0, fmt.Errorf("%d %s: a request makes 1 to %d samples", n, what, MaxSamples)
	}
	return n, nil
}

// checkClasses checks the requested classes against the generator's.
func (g *Generator) checkClasses(classes []int, n int) error {
	if classes == nil {
		return nil
	}
	if g.classes == 0 {
		return fmt.Errorf("classes given, but model %s is not conditional (cgan, acgan)", g.model)
	}
	if len(classes) != 1 && len(classes) != n {
		return fmt.Errorf("%d classes for %d samples: give one class per sample, or one for all", len(classes), n)
	}
	for i, c := range classes {
		if c < 0 || c >= g.classes {
			return fmt.Errorf("classes[%d] is %d, not one of the %d classes [0, %d)", i, c, g.classes, g.classes)
		}
	}
	return nil
}

// drawLatents fills z (len(seeds), latent) with one latent vector per seed,
// truncated to [−t, t] when t > 0.
func drawLatents(z []float32, seeds []uint64, t float64) {
	latent := len(z) / len(seeds)
	var stream []float32
	for i, s := range seeds {
		stream = drawLatent(z[i*latent:(i+1)*latent], s, t, stream)
	}
}

// drawLatent fills dst with the first values of seed's N(0, 1) stream
// (gan.Latents), or with t > 0 its first len(dst) values in [−t, t]. buf is
// scratch space, returned for the next call.
func drawLatent(dst []float32, seed uint64, t float64, buf []float32) []float32 {
	if t == 0 {
		gan.Latents(dst, seed)
		return buf
	}
	// The stream's prefix does not depend on its length: draw twice as much
	// until enough values fall inside.
	for size := 2 * len(dst); ; size *= 2 {
		if cap(buf) < size {
			buf = make([]float32, size)
		}
		buf = buf[:size]
		gan.Latents(buf, seed)
		k := 0
		for _, v := range buf {
			if math.Abs(float64(v)) <= t {
				dst[k] = v
				if k++; k == len(dst) {
					return buf
				}
			}
		}
	}
}

// Images is Generate returning images.
func (g *Generator) Images(req Request) ([]image.Image, error) {
	b, err := g.Generate(req)
	if err != nil {
		return nil, err
	}
	return b.Images()
}

// Image returns sample i as an image: *image.Gray for one channel, an opaque
// *image.RGBA for three. Pixels in [−1, 1] map to 0..255.
func (b *Batch) Image(i int) (image.Image, error) {
	if i < 0 || i >= b.N {
		return nil, fmt.Errorf("generator: image %d of a batch of %d", i, b.N)
	}
	if len(b.Shape) != 3 {
		return nil, fmt.Errorf("generator: samples of shape %s are points, not images (height, width, channels)", b.Shape)
	}
	size := b.Shape.Size()
	img, err := report.Image(b.Data[i*size:(i+1)*size], b.Shape[0], b.Shape[1], b.Shape[2])
	if err != nil {
		return nil, fmt.Errorf("generator: %w", err)
	}
	return img, nil
}

// Images returns every sample as an image (see Image).
func (b *Batch) Images() ([]image.Image, error) {
	imgs := make([]image.Image, b.N)
	for i := range imgs {
		img, err := b.Image(i)
		if err != nil {
			return nil, err
		}
		imgs[i] = img
	}
	return imgs, nil
}

// WriteGrid writes the batch's images as one PNG grid with cols columns
// (report.Grid).
func (b *Batch) WriteGrid(path string, cols int) error {
	if len(b.Shape) != 3 {
		return fmt.Errorf("generator: samples of shape %s are points, not images (height, width, channels)", b.Shape)
	}
	return report.Grid(path, b.Data, b.N, b.Shape[0], b.Shape[1], b.Shape[2], cols)
}
