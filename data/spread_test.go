package data

import "testing"

// numbered is a set of n images of 2×1 pixels of the given channels, image i's bytes
// all i, labelled i/per (Labels) or 300+i/per (WideLabels, when wide).
func numbered(n, channels, per int, wide bool) Set {
	size := 2 * max(channels, 1)
	s := Set{Images: &Images{N: n, Rows: 2, Cols: 1, Channels: channels, Pixels: make([]uint8, n*size)}}
	for i := range n {
		for b := range size {
			s.Images.Pixels[i*size+b] = uint8(i)
		}
		if wide {
			s.WideLabels = append(s.WideLabels, uint16(300+i/per))
		} else {
			s.Labels = append(s.Labels, uint8(i/per))
		}
	}
	return s
}

// TestSetSpread: Spread keeps image k·N/n for k < n, its pixels and its label (byte
// or wide), so that a set sorted by class keeps each class's share, where the first n
// would be the first classes; a set of at most n images comes back as it is.
func TestSetSpread(t *testing.T) {
	for _, tc := range []struct {
		name         string
		n, channels  int
		per, pick    int
		wide         bool
		want         []uint8 // the images kept, by index
		wantPerClass int
	}{
		{"3 classes of 10, 9 kept", 30, 0, 10, 9, false, []uint8{0, 3, 6, 10, 13, 16, 20, 23, 26}, 3},
		{"3 classes of 10, 12 kept", 30, 3, 10, 12, false, []uint8{0, 2, 5, 7, 10, 12, 15, 17, 20, 22, 25, 27}, 4},
		{"wide labels", 30, 1, 10, 6, true, []uint8{0, 5, 10, 15, 20, 25}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := numbered(tc.n, tc.channels, tc.per, tc.wide)
			got := s.Spread(tc.pick)
			im := got.Images
			if im.N != tc.pick || im.Rows != 2 || im.Cols != 1 || im.Channels != tc.channels || len(im.Pixels) != tc.pick*im.ImageBytes() {
				t.Fatalf("%d images of %d×%d×%d (%d bytes), want %d of 2×1×%d", im.N, im.Rows, im.Cols, im.Channels, len(im.Pixels), tc.pick, tc.channels)
			}
			for k, i := range tc.want {
				for _, b := range im.Pixels[k*im.ImageBytes() : (k+1)*im.ImageBytes()] {
					if b != i {
						t.Fatalf("image %d kept is image %d, want %d (kept: %v)", k, b, i, im.Pixels)
					}
				}
			}
			perClass := map[int]int{}
			for k, i := range tc.want {
				var label, want int
				if tc.wide {
					label, want = int(got.WideLabels[k]), 300+int(i)/tc.per
				} else {
					label, want = int(got.Labels[k]), int(i)/tc.per
				}
				if label != want {
					t.Errorf("image %d kept (image %d) has label %d, want %d", k, i, label, want)
				}
				perClass[label]++
			}
			if len(got.Labels)+len(got.WideLabels) != tc.pick || (got.Labels == nil) != tc.wide || (got.WideLabels == nil) == tc.wide {
				t.Errorf("%d byte labels and %d wide ones, want %d of the kind the set has", len(got.Labels), len(got.WideLabels), tc.pick)
			}
			for class, c := range perClass {
				if c != tc.wantPerClass {
					t.Errorf("class %d has %d images kept, want %d each: %v", class, c, tc.wantPerClass, perClass)
				}
			}
			if im.Pixels[0] = 99; s.Images.Pixels[0] != 0 {
				t.Error("the images kept share the set's memory")
			}
		})
	}

	checkWholeSet(t, "Spread", numbered(12, 0, 4, false), Set.Spread)
}
