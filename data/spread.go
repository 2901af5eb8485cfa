package data

import "fmt"

// Spread returns n of s's images evenly spaced over the whole set, image k·N/n for k in
// [0, n) of the N, with their labels (Labels or WideLabels, as s has them), so that a
// set sorted by class (a folder of class folders) or by name keeps every part of it in
// proportion, where its first n images would be its first classes alone. The images
// are copied into memory of their own; when s holds at most n images, s itself comes
// back. A negative n is a programmer error: Spread panics naming it.
func (s Set) Spread(n int) Set {
	if n < 0 {
		panic(fmt.Sprintf("data: Set.Spread: negative count %d", n))
	}
	im := s.Images
	if im.N <= n {
		return s
	}
	size := im.ImageBytes()
	out := Set{Images: &Images{N: n, Rows: im.Rows, Cols: im.Cols, Channels: im.Channels, Pixels: make([]uint8, n*size)}}
	for k := range n {
		i := k * im.N / n
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
