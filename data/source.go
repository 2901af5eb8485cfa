package data

// Source hands out training batches whose content is a pure function of
// (epoch, batch index), so a run resumes mid-epoch from its step count alone.
// Batcher (images) and Toy (2-D points) are Sources.
type Source interface {
	// BatchesPerEpoch is the number of batches in one epoch.
	BatchesPerEpoch() int
	// Batch writes batch i of epoch e: samples into dst (batch, SampleShape...)
	// and, when labels is not nil, one label per sample.
	Batch(dst []float32, labels []uint8, epoch, i int)
	// SampleShape is the shape of one sample: (rows, cols, channels) for images,
	// (2) for points.
	SampleShape() []int
}

// SampleShape is (Rows, Cols, Channels): one image, Channels 1 for gray.
func (b *Batcher) SampleShape() []int {
	return []int{b.set.Images.Rows, b.set.Images.Cols, b.set.Images.NumChannels()}
}
