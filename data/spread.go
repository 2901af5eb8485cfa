package data

import "fmt"

// Spread returns n of s's images evenly spaced over the whole set, image k·N/n for k in
// [0, n) of the N, with their labels (Labels or WideLabels, as s has them), so that a
// set sorted by class (a folder of class folders) or by name keeps every part of it in
// proportion, where its first n images would be its first classes alone. The images
// are copied into memory of their own; when s holds at most n images, s itself comes
// back. It picks gogan train's test images of a folder (a run's test set depends on
// it: it does not change); gogan eval picks with Pick, which no period of a folder's
// order can fall in step with. A negative n is a programmer error: Spread panics
// naming it.
func (s Set) Spread(n int) Set {
	if n < 0 {
		panic(fmt.Sprintf("data: Set.Spread: negative count %d", n))
	}
	im := s.Images
	if im.N <= n {
		return s
	}
	idx := make([]int, n)
	for k := range idx {
		idx[k] = k * im.N / n
	}
	return s.take(idx)
}
