// Package eval scores generators with numbers: FID, KID, the Inception Score, precision
// and recall, and class statistics, measured on the features and posteriors of a small
// classifier trained on the domain's data (TF-GAN's "Fréchet classifier distance"), not on
// ImageNet's Inception network, which knows nothing of digits or clothes.
//
// # The feature networks
//
// A FeatureNet is gogan's classifier architecture (gan.ClassifierFeatures, then
// gan.ClassifierHead): two 3×3 convolutions with max pooling, a 128-unit dense layer whose
// outputs are the features, and a 10-class head whose softmax gives the posteriors. Two
// sets of weights are embedded in the binary (weights/mnist.safetensors and
// weights/fashion-mnist.safetensors), each trained by gogan itself (`gogan train --model
// classifier`, fixed seed) and exported with `gogan export-featurenet`; README.md
// ("Evaluating generators") lists the commands, test accuracies and hashes. A weights
// file holds the tensors "features/<layer>/<weight>" and "head/<layer>/<weight>" only, in
// F32, and the metadata format = "gogan-featurenet/1"; loading checks every name, shape
// and value. Other weights files can be used in their place (LoadFeatureNet with a path):
// a classifier trained on any labelled images of at least 10×10 pixels, gray or color,
// exported with its image shape and class count in the metadata (image_shape "H,W,C",
// classes; a file without them takes 28×28×1 and 10 classes). Such a network scores
// generators of that domain; no bundled network knows other domains than digits and
// clothes.
//
// Every score carries the network's hash: the first 12 hex digits of the SHA-256 of its
// weights file. Scores computed through different weights are not comparable, and the
// hash says which weights were used.
//
// # Samples and references
//
// Samples are (N, H, W, C) images in [−1, 1], of the feature network's shape, from a
// trained run or checkpoint (its generator makes N images from seeded latent vectors), a
// folder of PNG files (those of its first level, read gray or in color as the network
// takes them), a folder of images in class folders (one whose first level holds folders
// and no image file, IsClassFolder), or an IDX image file (LoadSamples). Images of another shape
// are refused with a *ShapeError naming both shapes. The real images of a reference are read
// by LoadReferenceSamples, which reads any folder as gogan train --data reads it
// (data.LoadImageFolder: PNG, JPEG and the other formats, of any size, its subfolders too,
// scaled to the network's shape). Of more images than SampleOptions.N, a folder read with
// data.LoadImageFolder (any reference folder, a folder of class folders) keeps N as
// data.Set.Pick picks them, in the folder's order: of class folders, each class its
// share (rounded by largest remainder), evenly spaced within it; of a folder without
// classes, N drawn at random with a fixed seed (data.PickSeed), which no period in the
// files' names can fall in step with, as an even pick over them can. A folder of PNGs
// read as samples and an IDX file, in a generator's order, keep their first N. A
// Reference is a set of real images seen by the network: its features (for KID and
// precision/recall) and their float64 mean and covariance (for FID). The test sets of mnist and fashion-mnist are cached under
// <os.UserCacheDir()>/gogan/refstats/<dataset>-<hash>.safetensors (features F32, mean
// and covariance F64), written atomically; a file that cannot be used is recomputed with
// a warning.
//
// # Conventions
//
// Score computes all the metrics of package metrics with the standard protocols: FID on
// all samples; KID over 100 subsets of 1,000 (mean and standard deviation); the Inception
// Score over 10 splits; precision and recall with k = 3 (the reference is the "real"
// set); the class histogram of the argmax posteriors and the number of classes holding
// more than 2% of the samples; and, when the samples carry the labels a conditional
// generator was asked for, the fraction classified as those labels. A Monitor scores a
// generator during training on MonitorN samples. A network made by
// FeatureNet.WithProgress reports how many images it has embedded, pass by pass, to a
// function, SampleOptions.Progress and GenerateOptions.Progress how many a run's
// generator has made, SampleOptions.ListProgress, HeaderProgress and DecodeProgress how
// far a folder's reading has come, and Options.KIDProgress and
// Options.PrecisionRecallProgress how far KID and precision and recall have come (gogan
// eval draws progress bars with them).
//
// # Stacked MNIST
//
// Samples of Stacked MNIST (28×28×3, one MNIST digit per channel, 1,000 modes) are
// scored by ScoreStacked: each channel of StackedN samples is classified by the MNIST
// network, a sample's mode is 100·d₁ + 10·d₂ + d₃, and the scores are the modes holding
// at least one sample and KL(modes' histogram ‖ uniform) in natural log, as in the
// Unrolled GAN, VEEGAN and PacGAN papers. A Monitor on Stacked MNIST logs them as
// modes_covered and kl.
//
// Errors are returned, one line each, naming the file or value at fault; nothing here
// panics on user input. A nil or zero FeatureNet or Monitor (one not made by
// LoadFeatureNet, ParseFeatureNet or NewMonitor) and a nil job are errors too, except
// for FeatureNet's Shape, Classes, Dim and WithProgress, which panic naming the misuse.
// No function modifies the slices it is given; a Monitor keeps its Test images (an
// autoencoder's codes are fitted to them at every evaluation).
package eval
