// Package gan holds gogan's recipes and trainers.
//
// Architectures (models.go, radford.go, conditional.go, resnet.go,
// autoencoder.go, classifier.go), entries of one table that makes each as a
// pair of nn.Network and says the data shapes it fits: the seed's MLP
// generator and discriminator, the TensorFlow tutorial's DCGAN at 28×28 and
// Radford et al.'s (PyTorch examples/dcgan) at 32, 64 and 128 pixels, their
// conditional forms (cgan, acgan), SNGAN's ResNet for 32×32 images, the small
// MLPs of the 2-D mode-coverage benchmarks, a convolutional autoencoder and the
// CNN classifier whose features score generators. RegisterArchitecture adds one.
//
// Shapes: a sample is (height, width, channels) for images, channels last, or
// (2) for points. An architecture is made for Config.SampleShape (set from the
// data by Config.ForData; empty for the architecture's Sample, (28, 28, 1) for
// most) and, for the conditional models and the classifier, Config.Classes
// classes (Resolved.ForLabels; 0 for MNIST's 10). With Config.Pack m, D takes
// m samples at once: vectors side by side, images along their channels
// (pack.go).
//
// Objectives (objective.go, objectives.go, ragan.go, ralsgan.go): values of
// the Objective interface, which maps D's scores on a real and a generated
// batch to D's loss and G's loss, named in the one table Objectives that
// Config.Loss looks names up in.
//
// Trainers, all behind the Job interface that a run drives: Trainer (a GAN:
// D's update, then G's, as keras-io's GAN examples do, with an Objective and
// the recipes' stabilizers; NewTrainer for a named architecture, NewTrainerFor
// for any pair of networks), AutoencoderTrainer and ClassifierTrainer.
//
// Augmentation (diffaugment.go): with Config.DiffAugment, every batch D sees,
// real or generated, passes through random transforms of DiffAugmentations
// (Zhao et al. 2020) that are autograd ops, so G learns through them; their
// parameters are drawn from the trainer's generator. Config.Augment "flip"
// mirrors real images in the data's batcher instead.
//
// gan writes no files but checkpoints and draws nothing: a job's progress
// is a Picture (numbers), which the run package draws, and scores computed
// from samples (mode coverage, FID) are the run's and eval's.
//
// Each trainer owns its models, their optimizers, one random generator (noise,
// dropout and DiffAugment's draws) and an autograd graph reused from step to step. Everything that
// influences the next step is in its checkpoint (checkpoint.go documents the
// layout), so N steps, a checkpoint, a resume and N more steps give
// bit-identical weights to 2N steps straight (same machine, same thread count).
//
// Threads: on the CPU, a step's matrix products, convolutions and element-wise
// kernels share runtime.GOMAXPROCS(0) threads (set it to choose; gogan train's
// --threads does). From 4 threads, the backward rules of products and convolutions
// compute their input and weight gradients at once, each on half of them. None of
// this changes a bit: a step gives the same weights on any number of threads
// (TestRecipesThreadsBits).
package gan
