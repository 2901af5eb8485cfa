package gan_test

import "testing"

// BenchmarkDCGANTrainStep times one training step of the TensorFlow tutorial's
// DCGAN at batch 64: D on a real and a fake batch, then G through D, as
// /work/shared/bench/torch_dcgan.py times PyTorch.
func BenchmarkDCGANTrainStep(b *testing.B) { benchmarkTrainStep(b, dcganConfig(64)) }
