package data

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// idSet returns n images of 2x3 whose pixels all equal the image's index, labelled n%10.
func idSet(n int) Set {
	im := &Images{N: n, Rows: 2, Cols: 3, Pixels: make([]uint8, n*6)}
	for i := range im.Pixels {
		im.Pixels[i] = uint8(i / 6)
	}
	return Set{Images: im, Labels: testLabels(n)}
}

// order returns the image indices of batch i of epoch e, read back from the pixels.
func order(t *testing.T, b *Batcher, e, i int) []int {
	t.Helper()
	dst := make([]float32, b.batch*b.pixels)
	labels := make([]uint8, b.batch)
	b.Batch(dst, labels, e, i)
	ids := make([]int, b.batch)
	for k := range ids {
		px := dst[k*b.pixels : (k+1)*b.pixels]
		id := int(math.Round(float64(px[0]+1) * 127.5))
		if id < 0 || id > 255 || scale[id] != px[0] {
			t.Fatalf("epoch %d batch %d: pixel %v is not a scaled byte", e, i, px[0])
		}
		for _, p := range px {
			if p != px[0] {
				t.Fatalf("epoch %d batch %d: image %d mixes pixels of several images", e, i, k)
			}
		}
		if labels[k] != uint8(id%10) {
			t.Fatalf("epoch %d batch %d: image %d has label %d, want %d", e, i, id, labels[k], id%10)
		}
		ids[k] = id
	}
	return ids
}

// epochOrder returns the image indices of a whole epoch, batch after batch.
func epochOrder(t *testing.T, b *Batcher, e int) []int {
	var ids []int
	for i := range b.BatchesPerEpoch() {
		ids = append(ids, order(t, b, e, i)...)
	}
	return ids
}

func TestNewBatcherErrors(t *testing.T) {
	set := idSet(10)
	for _, tc := range []struct {
		name  string
		set   Set
		batch int
		want  string
	}{
		{"zero batch", set, 0, "batch must be in [1, 10] (the number of images), got 0"},
		{"negative batch", set, -3, "got -3"},
		{"batch above count", set, 11, "got 11"},
		{"no images", Set{}, 1, "set has no images"},
		{"labels mismatch", Set{Images: set.Images, Labels: set.Labels[:9]}, 2, "10 images but 9 labels"},
		{"bad images", Set{Images: &Images{N: 2, Rows: 2, Cols: 2, Pixels: make([]uint8, 3)}}, 1, "need 8 pixels, got 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewBatcher(tc.set, tc.batch, 1)
			checkErr(t, err, "NewBatcher", tc.want)
		})
	}
}

func TestBatchesPerEpoch(t *testing.T) {
	for _, tc := range []struct{ n, batch, want int }{
		{10, 1, 10}, {10, 3, 3}, {10, 5, 2}, {10, 10, 1}, {10, 7, 1},
	} {
		b, err := NewBatcher(idSet(tc.n), tc.batch, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := b.BatchesPerEpoch(); got != tc.want {
			t.Errorf("N=%d batch=%d: BatchesPerEpoch %d, want %d", tc.n, tc.batch, got, tc.want)
		}
	}
}

func TestBatcherCoversEachImageAtMostOnce(t *testing.T) {
	for _, tc := range []struct{ n, batch int }{{10, 3}, {10, 10}, {10, 1}, {37, 8}, {256, 32}} {
		t.Run(fmt.Sprintf("N=%d/batch=%d", tc.n, tc.batch), func(t *testing.T) {
			b, err := NewBatcher(idSet(tc.n), tc.batch, 42)
			if err != nil {
				t.Fatal(err)
			}
			for e := range 3 {
				ids := epochOrder(t, b, e)
				if len(ids) != tc.n/tc.batch*tc.batch {
					t.Fatalf("epoch %d has %d images, want %d", e, len(ids), tc.n/tc.batch*tc.batch)
				}
				seen := make(map[int]bool)
				for _, id := range ids {
					if seen[id] {
						t.Fatalf("epoch %d: image %d served twice", e, id)
					}
					seen[id] = true
				}
			}
		})
	}
}

func TestBatcherOrder(t *testing.T) {
	const n, batch = 200, 20
	a, _ := NewBatcher(idSet(n), batch, 7)
	b, _ := NewBatcher(idSet(n), batch, 7)
	c, _ := NewBatcher(idSet(n), batch, 8)
	a0, a1 := epochOrder(t, a, 0), epochOrder(t, a, 1)
	if !slices.Equal(a0, epochOrder(t, b, 0)) || !slices.Equal(a1, epochOrder(t, b, 1)) {
		t.Error("two Batchers with the same seed give different orders")
	}
	if slices.Equal(a0, a1) {
		t.Error("epochs 0 and 1 have the same order")
	}
	if slices.Equal(a0, epochOrder(t, c, 0)) {
		t.Error("seeds 7 and 8 give the same order")
	}
	if slices.IsSorted(a0) {
		t.Error("epoch 0 is not shuffled")
	}

	// Resuming: a fresh Batcher asked for (epoch, batch) directly, in any order, agrees.
	r, _ := NewBatcher(idSet(n), batch, 7)
	for _, eb := range [][2]int{{1, 5}, {0, 9}, {1, 0}, {1, 9}, {0, 0}} {
		e, i := eb[0], eb[1]
		want := [][]int{a0, a1}[e][i*batch : (i+1)*batch]
		if got := order(t, r, e, i); !slices.Equal(got, want) {
			t.Errorf("resumed epoch %d batch %d: %v, want %v", e, i, got, want)
		}
	}
}

// TestBatcherOrderPinned pins the order so that a change to it, which would break resuming
// runs saved before the change, is noticed.
func TestBatcherOrderPinned(t *testing.T) {
	b, _ := NewBatcher(idSet(10), 5, 1)
	for e, want := range [][]int{
		{7, 6, 1, 3, 2, 4, 8, 9, 0, 5},
		{2, 5, 8, 3, 4, 1, 7, 6, 0, 9},
	} {
		if got := epochOrder(t, b, e); !slices.Equal(got, want) {
			t.Errorf("seed 1 epoch %d: order %v, want %v", e, got, want)
		}
	}
}

func TestBatchScaling(t *testing.T) {
	im := &Images{N: 1, Rows: 1, Cols: 5, Pixels: []uint8{0, 255, 127, 128, 51}}
	b, err := NewBatcher(Set{Images: im}, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]float32, 5)
	b.Batch(dst, nil, 0, 0)
	want := []float32{-1, 1, float32(127)/127.5 - 1, float32(128)/127.5 - 1, -0.6}
	for k := range want {
		if dst[k] != want[k] {
			t.Errorf("pixel %d -> %v, want %v", im.Pixels[k], dst[k], want[k])
		}
	}
	for p, v := range scale {
		if v < -1 || v > 1 || (p > 0 && v <= scale[p-1]) {
			t.Fatalf("scale[%d] = %v: not increasing within [-1, 1]", p, v)
		}
	}
}

func TestBatchAllocatesNothing(t *testing.T) {
	b, err := NewBatcher(idSet(1000), 50, 3)
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]float32, 50*6)
	labels := make([]uint8, 50)
	step := 0
	allocs := testing.AllocsPerRun(100, func() {
		// Change epoch every few batches so that reshuffling is measured too.
		b.Batch(dst, labels, step/7, step%b.BatchesPerEpoch())
		step++
	})
	if allocs != 0 {
		t.Errorf("Batch allocates %v times per call, want 0", allocs)
	}
}

func TestBatchPanicsOnProgrammerErrors(t *testing.T) {
	b, _ := NewBatcher(idSet(10), 5, 0)
	noLabels, _ := NewBatcher(Set{Images: idSet(10).Images}, 5, 0)
	for _, tc := range []struct {
		name   string
		b      *Batcher
		dst    int
		labels []uint8
		e, i   int
	}{
		{"short dst", b, 29, nil, 0, 0},
		{"long dst", b, 31, nil, 0, 0},
		{"short labels", b, 30, make([]uint8, 4), 0, 0},
		{"labels from unlabelled set", noLabels, 30, make([]uint8, 5), 0, 0},
		{"batch index past end", b, 30, nil, 0, 2},
		{"negative batch index", b, 30, nil, 0, -1},
		{"negative epoch", b, 30, nil, -1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tc.b.Batch(make([]float32, tc.dst), tc.labels, tc.e, tc.i)
		})
	}
}

func BenchmarkBatch(b *testing.B) {
	set := Set{Images: testImages(6000, 28, 28), Labels: testLabels(6000)}
	for _, batch := range []int{1, 64, 256} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			bt, _ := NewBatcher(set, batch, 1)
			dst := make([]float32, batch*28*28)
			labels := make([]uint8, batch)
			b.SetBytes(int64(batch * 28 * 28))
			for i := 0; b.Loop(); i++ {
				bt.Batch(dst, labels, 0, i%bt.BatchesPerEpoch())
			}
		})
	}
	b.Run("reshuffle N=6000", func(b *testing.B) {
		bt, _ := NewBatcher(set, 64, 1)
		for e := 0; b.Loop(); e++ {
			bt.shuffle(e)
		}
	})
}

func TestScale(t *testing.T) {
	im := &Images{N: 1, Rows: 1, Cols: 3, Pixels: []uint8{0, 255, 51}}
	got := Scale(im)
	if got[0] != -1 || got[1] != 1 || got[2] != float32(51)/127.5-1 {
		t.Fatalf("Scale = %v", got)
	}
}
