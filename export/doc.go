// Package export writes the generator of a trained run as a file that other
// programs can use without gogan: an ONNX model (package export/onnx) or a
// generator-only safetensors weights file. docs/export.md documents both
// layouts.
//
// Load reads a run (a run folder, a checkpoint folder or its latest.json) and
// picks the network that gogan sample draws with: a GAN's generator, or the
// moving average of its weights when the run keeps one (Config.EMA > 0), or an
// autoencoder's decoder. Formats maps a format's name to its writer, so the
// command's help and its tests iterate over one table.
//
// # ONNX
//
// The graph computes the generator in inference mode (BatchNormalization's
// moving statistics) on inputs z (N, latent) float32 and, for conditional
// runs, label (N) int64 in [0, classes), and outputs image (N, H, W, C)
// float32 in [−1, 1], gogan's NHWC layout (sample for generators of points
// rather than images).
//
// # Safetensors
//
// Every weight of the generator under its gogan name ("dense/kernel"), as F32
// in gogan's layout, and metadata naming the format ("gogan-generator/1"),
// the run's model, step, latent size, classes, sample shape and its whole
// configuration (config, JSON), from which gan.NewTrainer rebuilds the
// network that the weights fit.
//
// # Errors
//
// A run that cannot be read, a run whose model generates nothing (a
// classifier), a weight that is NaN or infinite and a file that cannot be
// written are errors naming the path or the weight; files are written
// atomically, so a failed export leaves no partial file.
package export
