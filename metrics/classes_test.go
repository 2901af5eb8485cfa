package metrics

import (
	"slices"
	"testing"
)

func TestClassHistogram(t *testing.T) {
	probs := []float64{
		0.1, 0.7, 0.2,
		0.5, 0.5, 0, // a tie goes to the first
		-3, 2, 9, // logits are fine: only the argmax counts
		0.2, 0.7, 0.1,
	}
	counts, err := ClassHistogram(probs, 4, 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 2, 1}; !slices.Equal(counts, want) {
		t.Errorf("ClassHistogram = %v, want %v", counts, want)
	}
}

func TestClassesOver(t *testing.T) {
	cases := []struct {
		counts   []int
		fraction float64
		want     int
	}{
		{[]int{100, 100, 100, 100, 100, 100, 100, 100, 100, 100}, DefaultClassFraction, 10},
		{[]int{500, 480, 10, 10, 0, 0, 0, 0, 0, 0}, DefaultClassFraction, 2},
		{[]int{98, 2}, DefaultClassFraction, 1}, // 2% exactly is not more than 2%
		{[]int{97, 3}, DefaultClassFraction, 2},
		{[]int{5, 5}, 0, 2},
		{[]int{0, 0, 0}, DefaultClassFraction, 0},
		{nil, DefaultClassFraction, 0},
	}
	for _, c := range cases {
		if got := ClassesOver(c.counts, c.fraction); got != c.want {
			t.Errorf("ClassesOver(%v, %v) = %d, want %d", c.counts, c.fraction, got, c.want)
		}
	}
}

func TestLabelAccuracy(t *testing.T) {
	probs := []float64{
		0.9, 0.1,
		0.3, 0.7,
		0.6, 0.4,
		0.2, 0.8,
	}
	got, err := LabelAccuracy(probs, 4, 2, []int{0, 1, 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	if got != 0.75 {
		t.Errorf("LabelAccuracy = %v, want 0.75", got)
	}
}
