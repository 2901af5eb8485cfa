package data

// Scale returns every image of im as float32 in [−1, 1] (p/127.5 − 1), image
// after image: (N, Rows·Cols), the layout a batch has.
func Scale(im *Images) []float32 {
	out := make([]float32, len(im.Pixels))
	for i, p := range im.Pixels {
		out[i] = scale[p]
	}
	return out
}
