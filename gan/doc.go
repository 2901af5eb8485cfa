// Package gan holds gogan's recipes and trainers.
//
// Architectures (models.go, conditional.go, autoencoder.go, classifier.go): the
// seed's MLP generator and discriminator, the TensorFlow tutorial's DCGAN,
// their conditional forms (cgan, acgan), the small MLPs of the 2-D
// mode-coverage benchmarks, a convolutional autoencoder and the CNN classifier
// whose features score generators.
//
// Trainers, all behind the Job interface that a run drives: Trainer (a GAN:
// D's update, then G's, as keras-io's GAN examples do, with the objectives in
// Losses and the recipes' stabilizers), AutoencoderTrainer and
// ClassifierTrainer.
//
// gan writes no files but checkpoints and draws nothing: a job's progress
// is a Picture (numbers), which the run package draws, and scores computed
// from samples (mode coverage, FID) are the run's and eval's.
//
// Each trainer owns its models, their optimizers, one random generator (noise
// and dropout) and an autograd graph reused from step to step. Everything that
// influences the next step is in its checkpoint (checkpoint.go documents the
// layout), so N steps, a checkpoint, a resume and N more steps give
// bit-identical weights to 2N steps straight (same machine, same thread count).
package gan
