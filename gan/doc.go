// Package gan holds gogan's GAN recipes: the models (the seed's MLP generator
// and discriminator), the training step that updates D, then G, as keras-io's
// GAN examples do, and the checkpoint of the whole training state.
//
// A Trainer owns the two models, their optimizers, one random generator (noise
// and dropout) and an autograd graph reused from step to step. Everything that
// influences the next step is in its checkpoint, so N steps, a checkpoint, a
// resume and N more steps give bit-identical weights to 2N steps straight (same
// machine, same thread count).
package gan
