// Package losses holds the training objectives, built from autograd ops so that
// they can be differentiated (twice, where a gradient penalty needs it).
//
// Each loss returns a one-element Var: the mean over the batch.
package losses
