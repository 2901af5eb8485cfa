// Package autograd is gogan's reverse-mode automatic differentiation.
//
// A Graph records the operations applied to Vars (a tape) and replays them
// backwards to compute gradients. Every op's backward rule is itself written
// with differentiable ops, so a gradient can be differentiated again: Grad with
// createGraph records the backward pass on the tape, which is what WGAN-GP's
// gradient penalty needs. A few fused ops (BatchNorm) are first-order only and
// say so when asked for more.
//
// Ownership. Parameters (NewParam) live as long as the model that holds them;
// their gradient accumulates in Param.Grad (+=, so fan-out just works) until the
// optimizer clears it. Every other Var is owned by its Graph and lives until the
// next Reset: its storage comes from the graph's arena, which is reused from step
// to step, so a training step allocates no tensor memory once warm. Copy out
// what must outlive the step.
//
// Shapes. Vars carry their full shape, batch dimension first: a Dense layer's
// input is (N, F). Ops document the shapes they take.
package autograd
