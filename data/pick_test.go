package data

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// labelled is a set of images of 2×1 gray pixels, image i's bytes all i, with the
// labels given (WideLabels, each plus 300, when wide).
func labelled(labels []int, wide bool) Set {
	n := len(labels)
	s := Set{Images: &Images{N: n, Rows: 2, Cols: 1, Pixels: make([]uint8, 2*n)}}
	for i, l := range labels {
		s.Images.Pixels[2*i], s.Images.Pixels[2*i+1] = uint8(i), uint8(i)
		if wide {
			s.WideLabels = append(s.WideLabels, uint16(300+l))
		} else {
			s.Labels = append(s.Labels, uint8(l))
		}
	}
	return s
}

// sizes are the labels of classes of the given sizes, one after the other.
func sizes(counts ...int) []int {
	var labels []int
	for c, m := range counts {
		for range m {
			labels = append(labels, c)
		}
	}
	return labels
}

// kept says which images of a set made by labelled or numbered a picked set holds,
// by their first byte.
func kept(s Set) []int {
	var idx []int
	for k := range s.Images.N {
		idx = append(idx, int(s.Images.Pixels[k*s.Images.ImageBytes()]))
	}
	return idx
}

// TestSetPickStratified: of a labelled set, Pick keeps each class's share rounded by
// largest remainder (ties to the lower label), evenly spaced within the class, in the
// set's order, with their labels; where Spread, an even pick over the whole set, is an
// image short or over in a class (sizes 2, 5, 14: Spread keeps 2, 2, 8 of the shares
// 1.14, 2.86, 8) or takes one class alone (labels repeating with the pick's period).
func TestSetPickStratified(t *testing.T) {
	periodic := make([]int, 30)
	for i := range periodic {
		periodic[i] = i % 3
	}
	for _, tc := range []struct {
		name        string
		labels      []int
		wide        bool
		n           int
		want        []int // the images kept
		wantCounts  []int // of each class
		spreadCount []int // what Spread keeps of each class
	}{
		{"classes of 2, 5, 14", sizes(2, 5, 14), false, 12, []int{0, 2, 3, 5, 7, 8, 10, 12, 14, 15, 17, 19}, []int{1, 3, 8}, []int{2, 2, 8}},
		{"wide labels", sizes(2, 5, 14), true, 12, []int{0, 2, 3, 5, 7, 8, 10, 12, 14, 15, 17, 19}, []int{1, 3, 8}, []int{2, 2, 8}},
		{"3 classes of 10 in turn, 10 kept", periodic, false, 10, []int{0, 1, 2, 6, 10, 11, 15, 19, 20, 21}, []int{4, 3, 3}, []int{10, 0, 0}},
		{"3 classes of 10 in turn, 12 kept", periodic, false, 12, []int{0, 1, 2, 6, 7, 8, 15, 16, 17, 21, 22, 23}, []int{4, 4, 4}, []int{4, 4, 4}},
		{"3 classes of 10, equal shares", sizes(10, 10, 10), false, 12, []int{0, 2, 5, 7, 10, 12, 15, 17, 20, 22, 25, 27}, []int{4, 4, 4}, []int{4, 4, 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := labelled(tc.labels, tc.wide)
			got := s.Pick(tc.n)
			if idx := kept(got); !slices.Equal(idx, tc.want) {
				t.Errorf("kept images %v, want %v", idx, tc.want)
			}
			counts := make([]int, len(tc.wantCounts))
			for k, i := range kept(got) {
				label := labelOf(s, i)
				if l := labelOf(got, k); l != label {
					t.Errorf("image %d kept (image %d) has label %d, want %d", k, i, l, label)
				}
				counts[label-300*btoi(tc.wide)]++
			}
			if !slices.Equal(counts, tc.wantCounts) {
				t.Errorf("classes' counts %v, want %v", counts, tc.wantCounts)
			}
			if len(got.Labels)+len(got.WideLabels) != tc.n || (got.Labels == nil) != tc.wide || (got.WideLabels == nil) == tc.wide {
				t.Errorf("%d byte labels and %d wide ones, want %d of the kind the set has", len(got.Labels), len(got.WideLabels), tc.n)
			}
			spread := make([]int, len(tc.spreadCount))
			for _, i := range kept(s.Spread(tc.n)) {
				spread[tc.labels[i]]++
			}
			if !slices.Equal(spread, tc.spreadCount) {
				t.Errorf("Spread keeps %v of each class, want %v (the case Pick is tested against)", spread, tc.spreadCount)
			}
			if got.Images.Pixels[0] = 99; s.Images.Pixels[0] != 0 {
				t.Error("the images kept share the set's memory")
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestSetPickShares: over random class sizes and counts, Pick's classes hold n images
// in all, each within one of its exact share n·m_c/N, the extra images going to the
// largest remainders (the lower label first among equal ones), each class's images
// evenly spaced within it and in the set's order.
func TestSetPickShares(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		classes := 1 + rng.IntN(12)
		counts := make([]int, classes)
		for c := range counts {
			counts[c] = rng.IntN(21) // a label may have no image; 252 images at most, each its byte
		}
		labels := sizes(counts...)
		if len(labels) < 2 {
			continue
		}
		rng.Shuffle(len(labels), func(i, j int) { labels[i], labels[j] = labels[j], labels[i] })
		total := len(labels)
		n := rng.IntN(total)
		got := labelled(labels, false).Pick(n)
		idx := kept(got)
		if len(idx) != n || !slices.IsSorted(idx) {
			t.Fatalf("trial %d: %d of %d images kept, %v, want %d in the set's order", trial, len(idx), total, idx, n)
		}
		have := make([]int, classes)
		for _, i := range idx {
			have[labels[i]]++
		}
		floor := func(c int) int { return n * counts[c] / total }
		rest := func(c int) int { return n * counts[c] % total }
		for a := range classes {
			if have[a] != floor(a) && have[a] != floor(a)+1 || have[a] > counts[a] {
				t.Fatalf("trial %d: class %d of %d keeps %d, want %d·%d/%d rounded (sizes %v, kept %v)", trial, a, counts[a], have[a], n, counts[a], total, counts, have)
			}
			for b := range classes {
				if have[a] > floor(a) && have[b] == floor(b) && (rest(b) > rest(a) || rest(b) == rest(a) && b < a) {
					t.Fatalf("trial %d: class %d (remainder %d/%d) got one more, class %d (%d/%d) did not (sizes %v, kept %v)", trial, a, rest(a), total, b, rest(b), total, counts, have)
				}
			}
			var members []int
			for i, l := range labels {
				if l == a {
					members = append(members, i)
				}
			}
			var want []int
			for j := range have[a] {
				want = append(want, members[j*len(members)/have[a]])
			}
			var picked []int
			for _, i := range idx {
				if labels[i] == a {
					picked = append(picked, i)
				}
			}
			if !slices.Equal(picked, want) {
				t.Fatalf("trial %d: class %d keeps images %v, want %v, evenly spaced within it", trial, a, picked, want)
			}
		}
	}
}

// TestSetPickUnlabelled: of a set without labels, Pick keeps n distinct images in the
// set's order, the same on every call, drawn at random: of 10,000 images whose kind
// repeats with a period of 2 to 10 (image i of kind i mod p), 1,000 hold every kind
// within a factor of two of its share, where Spread, evenly spaced, keeps one kind
// alone for the period of 10.
func TestSetPickUnlabelled(t *testing.T) {
	const total, n = 10_000, 1000
	s := Set{Images: &Images{N: total, Rows: 1, Cols: 2, Pixels: make([]uint8, 2*total)}}
	for i := range total {
		s.Images.Pixels[2*i], s.Images.Pixels[2*i+1] = uint8(i/256), uint8(i%256)
	}
	index := func(set Set) []int {
		var idx []int
		for k := range set.Images.N {
			idx = append(idx, 256*int(set.Images.Pixels[2*k])+int(set.Images.Pixels[2*k+1]))
		}
		return idx
	}
	got := index(s.Pick(n))
	if len(got) != n || !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != n || got[n-1] >= total {
		t.Fatalf("kept %v, want %d distinct images of the %d in the set's order", got, n, total)
	}
	if again := index(s.Pick(n)); !slices.Equal(again, got) {
		t.Errorf("a second Pick keeps %v, the first kept %v", again, got)
	}
	if p := s.Pick(n); p.Labels != nil || p.WideLabels != nil {
		t.Errorf("labels %v %v for a set without", p.Labels, p.WideLabels)
	}
	for period := 2; period <= 10; period++ {
		kinds := make([]int, period)
		for _, i := range got {
			kinds[i%period]++
		}
		for kind, k := range kinds {
			if share := n / period; k < share/2 || k > 2*share {
				t.Errorf("period %d: kind %d has %d of the %d images kept, want %d within a factor of 2 (%v)", period, kind, k, n, share, kinds)
			}
		}
	}
	for _, i := range index(s.Spread(n)) {
		if i%10 != 0 {
			t.Fatalf("Spread keeps image %d, want every 10th alone (the case Pick is tested against)", i)
		}
	}
}

// TestSetPickWhole: a set of at most n images comes back as it is, and a negative n
// panics naming it.
func TestSetPickWhole(t *testing.T) {
	for _, s := range []Set{labelled(sizes(4, 8), false), {Images: &Images{N: 12, Rows: 2, Cols: 1, Pixels: make([]uint8, 24)}}} {
		checkWholeSet(t, "Pick", s, Set.Pick)
	}
}

// checkWholeSet checks a way of picking images from a set, pick (Set.Pick or
// Set.Spread, named name), on s, a set of 12: asked for 12 or 13 it returns s itself,
// and asked for -1 it panics naming the count.
func checkWholeSet(t *testing.T, name string, s Set, pick func(Set, int) Set) {
	t.Helper()
	for _, n := range []int{12, 13} {
		if got := pick(s, n); got.Images != s.Images || !slices.Equal(got.Labels, s.Labels) {
			t.Errorf("%s(%d) of 12 images: not the set itself", name, n)
		}
	}
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), "Set."+name+": negative count -1") {
			t.Errorf("%s(-1) panics with %v, want one naming the count", name, p)
		}
	}()
	pick(s, -1)
}
