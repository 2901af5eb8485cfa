package data

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
)

// PickSeed seeds the draw of Set.Pick from a set without labels: math/rand/v2's PCG
// seeded with (PickSeed, 0). It is fixed, so that a folder gives the same images, and
// the same scores, every time.
const PickSeed uint64 = 0x9e3779b97f4a7c15

// Pick returns n of s's images to measure s by (gogan eval's --n over a folder of real
// images), with their labels (Labels or WideLabels, as s has them), in s's order:
//
//   - A set with labels (a folder of class folders) is stratified: class c of m_c of
//     the N images keeps n_c of them, n·m_c/N rounded by largest remainder (each class
//     its floor, then one more for each of the classes of the largest remainders, the
//     lower label first among equal ones), so the counts add up to n and none is more
//     than one image away from its exact share; they are evenly spaced within the
//     class, its image j·m_c/n_c for j < n_c in s's order.
//   - A set without labels (a flat folder) keeps the first n of a permutation of its N
//     images drawn by a partial Fisher–Yates shuffle from math/rand/v2's PCG seeded
//     with (PickSeed, 0), always the same. An even pick (Spread) takes every N/n-th
//     image, and of a folder whose order repeats with that period (every k-th file of
//     one kind) it takes one kind alone; a draw at random has no period to fall in
//     step with.
//
// The images are copied into memory of their own; when s holds at most n images, s
// itself comes back. Spread, the pick of gogan train's test images, is not Pick: its
// runs' test sets stay as they were. A negative n is a programmer error: Pick panics
// naming it.
func (s Set) Pick(n int) Set {
	if n < 0 {
		panic(fmt.Sprintf("data: Set.Pick: negative count %d", n))
	}
	if s.Images.N <= n {
		return s
	}
	var picked []int
	if s.Labels != nil || s.WideLabels != nil {
		picked = s.stratified(n)
	} else {
		picked = drawn(s.Images.N, n)
	}
	slices.Sort(picked)
	return s.take(picked)
}

// stratified returns the indices of n images of s, a labelled set of more than n,
// each class's share rounded by largest remainder and evenly spaced within it (Pick).
func (s Set) stratified(n int) []int {
	total := s.Images.N
	members := map[int][]int{} // the images of each label, in s's order
	for i := range total {
		members[labelOf(s, i)] = append(members[labelOf(s, i)], i)
	}
	type share struct {
		label, count int
		rest         int64 // n·m_c mod N: the remainder of the exact share, in units of 1/N
	}
	shares := make([]share, 0, len(members))
	given := 0
	for label, idx := range members {
		exact := int64(n) * int64(len(idx))
		c := share{label: label, count: int(exact / int64(total)), rest: exact % int64(total)}
		shares = append(shares, c)
		given += c.count
	}
	slices.SortFunc(shares, func(a, b share) int {
		return cmp.Or(cmp.Compare(b.rest, a.rest), cmp.Compare(a.label, b.label))
	})
	// The floors leave fewer than one image per class to give; a class given one
	// more had a remainder, so its exact share, and its size, is above its floor.
	for k := range n - given {
		shares[k].count++
	}
	picked := make([]int, 0, n)
	for _, c := range shares {
		idx := members[c.label]
		for j := range c.count {
			picked = append(picked, idx[j*len(idx)/c.count])
		}
	}
	return picked
}

// drawn returns n indices of [0, total) drawn without replacement, the first n of a
// permutation shuffled by partial Fisher–Yates from the PCG seeded with (PickSeed, 0).
func drawn(total, n int) []int {
	rng := rand.New(rand.NewPCG(PickSeed, 0))
	perm := make([]int, total)
	for i := range perm {
		perm[i] = i
	}
	for i := range n {
		j := i + rng.IntN(total-i)
		perm[i], perm[j] = perm[j], perm[i]
	}
	return perm[:n]
}

// take returns s's images of the indices idx, in that order, with their labels,
// copied into memory of their own.
func (s Set) take(idx []int) Set {
	im := s.Images
	size := im.ImageBytes()
	out := Set{Images: &Images{N: len(idx), Rows: im.Rows, Cols: im.Cols, Channels: im.Channels, Pixels: make([]uint8, len(idx)*size)}}
	for k, i := range idx {
		copy(out.Images.Pixels[k*size:(k+1)*size], im.Pixels[i*size:(i+1)*size])
		if s.Labels != nil {
			out.Labels = append(out.Labels, s.Labels[i])
		}
		if s.WideLabels != nil {
			out.WideLabels = append(out.WideLabels, s.WideLabels[i])
		}
	}
	return out
}
