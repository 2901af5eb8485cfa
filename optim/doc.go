// Package optim updates parameters from their accumulated gradients.
//
// An optimizer is made for one fixed list of parameters (a model's trainable
// weights). Step applies one update from each parameter's Grad and clears the
// gradients. Its state (moments, step count) can be exported as named tensors
// and loaded back, so a checkpointed run resumes bit for bit; CheckState says
// what LoadState would refuse (a slot missing or of another length, a value not
// finite, a negative mean of squared gradients) before anything is loaded.
package optim
