package data

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
)

// scale maps a pixel byte p to p/127.5 - 1, in [-1, 1].
var scale = func() (t [256]float32) {
	for p := range t {
		t[p] = float32(p)/127.5 - 1
	}
	return t
}()

// Batcher hands out shuffled mini-batches, scaled to [-1, 1], with an order that is a pure
// function of (seed, epoch), so a run can resume in the middle of an epoch from (epoch, batch
// index) alone. The last incomplete batch of an epoch is dropped.
//
// The order of epoch e is a Fisher-Yates shuffle of 0..N-1 driven by a PCG generator seeded
// with (seed, e) (rand.NewPCG(seed, uint64(e))); bounded draws use Lemire's method on the
// generator's raw output, so the order does not depend on the Go release.
type Batcher struct {
	set    Set
	batch  int
	pixels int // Rows*Cols*Channels, the bytes of one image
	seed   uint64
	flip   bool // flip images horizontally at random (BatchOptions.Flip)

	perm  []int32  // the order of epoch `epoch`; perm[k] is the image at position k
	epoch int      // -1 before the first Batch
	pcg   rand.PCG // reseeded for each epoch, kept here so that reseeding allocates nothing
}

// BatchOptions are the augmentations a Batcher applies. The zero value applies none.
type BatchOptions struct {
	// Flip mirrors each image left to right with probability 1/2. Whether image k of batch
	// i of epoch e is flipped is bit k%64 of draw k/64 of a PCG generator seeded with
	// (seed ^ flipStream, e<<32 | i), so it too is a pure function of (seed, epoch, batch).
	Flip bool
}

// flipStream separates the generator of the flips from that of the shuffle.
const flipStream = 0x9e3779b97f4a7c15

// NewBatcher returns a Batcher over set with batch images per batch. set.Labels may be nil
// when no labels are wanted; otherwise it must have one label per image.
func NewBatcher(set Set, batch int, seed uint64) (*Batcher, error) {
	return NewBatcherWith(set, batch, seed, BatchOptions{})
}

// NewBatcherWith is NewBatcher with the augmentations of opts.
func NewBatcherWith(set Set, batch int, seed uint64, opts BatchOptions) (*Batcher, error) {
	im := set.Images
	if im == nil {
		return nil, errors.New("data: NewBatcher: set has no images")
	}
	if err := im.check(); err != nil {
		return nil, fmt.Errorf("data: NewBatcher: %v", err)
	}
	if im.N > math.MaxInt32 {
		return nil, fmt.Errorf("data: NewBatcher: at most %d images, got %d", math.MaxInt32, im.N)
	}
	if set.Labels != nil && len(set.Labels) != im.N {
		return nil, fmt.Errorf("data: NewBatcher: %d images but %d labels", im.N, len(set.Labels))
	}
	if batch <= 0 || batch > im.N {
		return nil, fmt.Errorf("data: NewBatcher: batch must be in [1, %d] (the number of images), got %d", im.N, batch)
	}
	return &Batcher{
		set:    set,
		batch:  batch,
		pixels: im.ImageBytes(),
		seed:   seed,
		flip:   opts.Flip,
		perm:   make([]int32, im.N),
		epoch:  -1,
	}, nil
}

// BatchesPerEpoch returns the number of whole batches in an epoch, N / batch.
func (b *Batcher) BatchesPerEpoch() int { return b.set.Images.N / b.batch }

// Batch writes batch i of epoch e: the images into dst, which is (batch, Rows*Cols*Channels)
// in the layout of Images.Pixels, each byte p as p/127.5 - 1, flipped left to right at random
// when the Batcher was made with BatchOptions.Flip, and their labels into labels (len batch)
// unless labels is nil.
// It allocates nothing; the order of an epoch is computed when e differs from the previous
// call's. It panics if i is not in [0, BatchesPerEpoch()), e is negative, dst or labels has
// the wrong length, or labels is not nil and the set has no labels.
func (b *Batcher) Batch(dst []float32, labels []uint8, epoch, i int) {
	if epoch < 0 {
		panic(fmt.Sprintf("data: Batcher.Batch: negative epoch %d", epoch))
	}
	if i < 0 || i >= b.BatchesPerEpoch() {
		panic(fmt.Sprintf("data: Batcher.Batch: batch index %d out of range [0, %d)", i, b.BatchesPerEpoch()))
	}
	if len(dst) != b.batch*b.pixels {
		panic(fmt.Sprintf("data: Batcher.Batch: len(dst) = %d, want batch*Rows*Cols*Channels = %d", len(dst), b.batch*b.pixels))
	}
	if labels != nil && (len(labels) != b.batch || b.set.Labels == nil) {
		panic(fmt.Sprintf("data: Batcher.Batch: len(labels) = %d, want %d, from a set with labels (it has %d)", len(labels), b.batch, len(b.set.Labels)))
	}
	if epoch != b.epoch {
		b.shuffle(epoch)
	}
	px := b.set.Images.Pixels
	var flips uint64 // bit k%64: flip image k
	if b.flip {
		b.pcg.Seed(b.seed^flipStream, uint64(epoch)<<32|uint64(i)) // shuffle reseeds it too
	}
	for k, n := range b.perm[i*b.batch : (i+1)*b.batch] {
		src := px[int(n)*b.pixels : (int(n)+1)*b.pixels]
		out := dst[k*b.pixels : (k+1)*b.pixels]
		if b.flip && k%64 == 0 {
			flips = b.pcg.Uint64()
		}
		if flips>>(k%64)&1 == 1 {
			scaleFlipped(out, src, b.set.Images.Cols*b.set.Images.NumChannels(), b.set.Images.NumChannels())
		} else {
			for j, p := range src {
				out[j] = scale[p]
			}
		}
		if labels != nil {
			labels[k] = b.set.Labels[n]
		}
	}
}

// shuffle sets perm to the order of epoch: the identity, shuffled by Fisher-Yates with the
// generator seeded by (seed, epoch).
func (b *Batcher) shuffle(epoch int) {
	for k := range b.perm {
		b.perm[k] = int32(k)
	}
	b.pcg.Seed(b.seed, uint64(epoch))
	for k := len(b.perm) - 1; k > 0; k-- {
		j := uintn(&b.pcg, uint64(k+1))
		b.perm[k], b.perm[j] = b.perm[j], b.perm[k]
	}
	b.epoch = epoch
}

// uintn returns a uniform draw from [0, n), n > 0, by Lemire's multiply-and-reject method.
func uintn(src *rand.PCG, n uint64) uint64 {
	hi, lo := bits.Mul64(src.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(src.Uint64(), n)
		}
	}
	return hi
}

// scaleFlipped writes the image src, rows of stride bytes whose pixels are c bytes each,
// mirrored left to right and scaled to [-1, 1], into dst (len(src)):
// dst[r, x, ch] = scale[src[r, W-1-x, ch]].
func scaleFlipped(dst []float32, src []uint8, stride, c int) {
	for r := 0; r < len(src); r += stride {
		in, out := src[r:r+stride], dst[r:r+stride]
		if c == 1 {
			for x, j := 0, stride-1; j >= 0; x, j = x+1, j-1 {
				out[x] = scale[in[j]]
			}
			continue
		}
		for x, j := 0, stride-c; j >= 0; x, j = x+c, j-c {
			for ch := range c {
				out[x+ch] = scale[in[j+ch]]
			}
		}
	}
}
