package data

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Toy is a 2-D mixture of Gaussians, the standard test of mode collapse (the
// Unrolled GAN, VEEGAN and PacGAN papers): points drawn around a few known
// centers ("modes"). Its batches are drawn fresh from a generator seeded by
// (seed, epoch, batch index), so there is no stored dataset and a run still
// resumes exactly.
type Toy struct {
	Name     string
	Centers  [][2]float64 // the modes
	Sigma    float64      // each mode's standard deviation, on both axes
	batch    int
	seed     uint64
	perEpoch int
}

// ToyEpochSamples is the number of points one epoch of a Toy source draws.
const ToyEpochSamples = 25600

// ToyNames lists the 2-D datasets: "ring8" (8 Gaussians on a circle of radius
// 2, σ = 0.02) and "grid25" (a 5×5 grid with spacing 2 centered on the origin,
// σ = 0.05).
var ToyNames = []string{"ring8", "grid25"}

// IsToy reports whether name is one of ToyNames.
func IsToy(name string) bool {
	for _, n := range ToyNames {
		if n == name {
			return true
		}
	}
	return false
}

// NewToy returns the named 2-D dataset, drawing batches of the given size.
func NewToy(name string, batch int, seed uint64) (*Toy, error) {
	t := &Toy{Name: name, batch: batch, seed: seed}
	switch name {
	case "ring8":
		for k := 0; k < 8; k++ {
			a := 2 * math.Pi * float64(k) / 8
			t.Centers = append(t.Centers, [2]float64{2 * math.Cos(a), 2 * math.Sin(a)})
		}
		t.Sigma = 0.02
	case "grid25":
		for i := -2; i <= 2; i++ {
			for j := -2; j <= 2; j++ {
				t.Centers = append(t.Centers, [2]float64{2 * float64(i), 2 * float64(j)})
			}
		}
		t.Sigma = 0.05
	default:
		return nil, fmt.Errorf("data: unknown 2-D dataset %q (want ring8 or grid25)", name)
	}
	if batch <= 0 || batch > ToyEpochSamples {
		return nil, fmt.Errorf("data: %s: batch must be in [1, %d], got %d", name, ToyEpochSamples, batch)
	}
	t.perEpoch = ToyEpochSamples / batch
	return t, nil
}

// BatchesPerEpoch is ToyEpochSamples / batch.
func (t *Toy) BatchesPerEpoch() int { return t.perEpoch }

// SampleShape is (2): a point.
func (t *Toy) SampleShape() []int { return []int{2} }

// Batch draws batch i of epoch e: points (batch, 2) into dst and, when labels
// is not nil, the index of each point's mode into labels (batch). It panics
// on a Toy not made by NewToy, which has no batch size, and on buffers of
// another length: programmer errors.
func (t *Toy) Batch(dst []float32, labels []uint8, epoch, i int) {
	switch {
	case t.batch == 0:
		panic("data: Toy.Batch: Toy used without NewToy (it has no batch size)")
	case len(dst) != 2*t.batch:
		panic(fmt.Sprintf("data: Toy.Batch: len(dst) = %d, want %d", len(dst), 2*t.batch))
	case labels != nil && len(labels) != t.batch:
		panic(fmt.Sprintf("data: Toy.Batch: len(labels) = %d, want %d", len(labels), t.batch))
	}
	rng := rand.New(rand.NewPCG(t.seed, uint64(epoch)<<32|uint64(i)))
	t.draw(dst, labels, rng)
}

// Sample draws n points (n, 2) from a generator seeded by seed alone: the
// reference sample of evaluations and plots. It panics on a negative n and on
// a Toy without Centers: programmer errors.
func (t *Toy) Sample(n int, seed uint64) (points []float32, modes []uint8) {
	switch {
	case n < 0:
		panic(fmt.Sprintf("data: Toy.Sample: n must not be negative, got %d", n))
	case len(t.Centers) == 0:
		panic("data: Toy.Sample: the Toy has no Centers (made without NewToy?)")
	}
	points, modes = make([]float32, 2*n), make([]uint8, n)
	t.draw(points, modes, rand.New(rand.NewPCG(seed, 0x70)))
	return points, modes
}

func (t *Toy) draw(dst []float32, labels []uint8, rng *rand.Rand) {
	for k := 0; k < len(dst)/2; k++ {
		m := rng.IntN(len(t.Centers))
		dst[2*k] = float32(t.Centers[m][0] + t.Sigma*rng.NormFloat64())
		dst[2*k+1] = float32(t.Centers[m][1] + t.Sigma*rng.NormFloat64())
		if labels != nil {
			labels[k] = uint8(m)
		}
	}
}
