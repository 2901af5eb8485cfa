package data

import (
	"fmt"
	"slices"
	"testing"
)

// flipped returns the scaled image src (rows×cols×c bytes) mirrored left to right, by the
// plain loop: out[r, x, ch] = src[r, cols-1-x, ch].
func flipped(src []uint8, rows, cols, c int) []float32 {
	out := make([]float32, len(src))
	for r := range rows {
		for x := range cols {
			for ch := range c {
				out[(r*cols+x)*c+ch] = scale[src[(r*cols+cols-1-x)*c+ch]]
			}
		}
	}
	return out
}

func TestBatchColor(t *testing.T) {
	set := Set{Images: colorImages(10, 3, 5, 3), Labels: testLabels(10)}
	b, err := NewBatcher(set, 4, 9)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.SampleShape(); !slices.Equal(got, []int{3, 5, 3}) {
		t.Fatalf("SampleShape = %v, want [3 5 3]", got)
	}
	dst := make([]float32, 4*45)
	b.Batch(dst, nil, 0, 1)
	for k, n := range b.perm[4:8] {
		for j, p := range set.Images.Pixels[int(n)*45 : (int(n)+1)*45] {
			if dst[k*45+j] != scale[p] {
				t.Fatalf("image %d byte %d is %v, want %v", k, j, dst[k*45+j], scale[p])
			}
		}
	}
}

// TestBatchFlip checks the random flips against the plain loop: each image of a flipped
// batch is its unflipped self or its mirror, both happen, the order of images does not
// change, and a batch is a pure function of (seed, epoch, batch index).
func TestBatchFlip(t *testing.T) {
	for _, c := range []int{1, 3} {
		const n, rows, cols, batch = 300, 4, 7, 100
		set := Set{Images: colorImages(n, rows, cols, c), Labels: testLabels(n)}
		plain, _ := NewBatcher(set, batch, 5)
		flip, _ := NewBatcherWith(set, batch, 5, BatchOptions{Flip: true})
		px := rows * cols * c
		want := make([]float32, batch*px)
		got := make([]float32, batch*px)
		mirrored := 0
		for e := range 2 {
			for i := range plain.BatchesPerEpoch() {
				plain.Batch(want, nil, e, i)
				flip.Batch(got, nil, e, i)
				for k := range batch {
					w, g := want[k*px:(k+1)*px], got[k*px:(k+1)*px]
					if slices.Equal(g, w) {
						continue
					}
					n := plain.perm[i*batch+k]
					if !slices.Equal(g, flipped(set.Images.Pixels[int(n)*px:(int(n)+1)*px], rows, cols, c)) {
						t.Fatalf("c=%d epoch %d batch %d image %d is neither the image nor its mirror", c, e, i, k)
					}
					mirrored++
				}
			}
		}
		if total := 2 * n; mirrored < total/3 || mirrored > 2*total/3 {
			t.Fatalf("c=%d: %d of %d images mirrored, want about half", c, mirrored, total)
		}

		// Out of order, from a fresh Batcher: the same batches.
		again, _ := NewBatcherWith(set, batch, 5, BatchOptions{Flip: true})
		for _, ei := range [][2]int{{1, 2}, {0, 1}, {1, 0}, {0, 1}} {
			flip.Batch(want, nil, ei[0], ei[1])
			again.Batch(got, nil, ei[0], ei[1])
			if !slices.Equal(got, want) {
				t.Fatalf("c=%d: epoch %d batch %d differs when computed in another order", c, ei[0], ei[1])
			}
		}
	}
}

func TestBatchFlipAllocatesNothing(t *testing.T) {
	set := Set{Images: colorImages(64, 8, 8, 3)}
	b, _ := NewBatcherWith(set, 16, 1, BatchOptions{Flip: true})
	dst := make([]float32, 16*8*8*3)
	b.Batch(dst, nil, 0, 0)
	if a := testing.AllocsPerRun(20, func() { b.Batch(dst, nil, 0, 1) }); a != 0 {
		t.Fatalf("Batch with flips allocates %v times", a)
	}
}

// BenchmarkBatchColor measures batches of 64×64×3 images, the loader's target being
// 20,000 images a second on one core (run it with -cpu 1).
func BenchmarkBatchColor(b *testing.B) {
	const n, side, batch = 512, 64, 64
	set := Set{Images: colorImages(n, side, side, 3)}
	for _, flip := range []bool{false, true} {
		b.Run(fmt.Sprintf("flip=%v", flip), func(b *testing.B) {
			bt, _ := NewBatcherWith(set, batch, 1, BatchOptions{Flip: flip})
			dst := make([]float32, batch*side*side*3)
			b.SetBytes(batch * side * side * 3)
			for i := 0; b.Loop(); i++ {
				bt.Batch(dst, nil, 0, i%bt.BatchesPerEpoch())
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "images/s")
		})
	}
}
