// Package parallel is gogan's one team of worker threads: the matrix products
// (internal/gemm), the convolutions' patch gathering and an optimizer's update over
// all the weights share it. The calling goroutine does part 0 of a job and persistent
// workers, started on first use, do the others, so that a training step starts no
// goroutine and allocates nothing.
//
// One job uses the team at a time. A job that finds it busy (another goroutine's, or
// an enclosing job's: a part that itself asks for the team) runs on its caller alone,
// so nested parallelism needs no care: the outer level gets the threads. Pair is the
// exception: it runs two independent jobs at once (a backward rule's input and weight
// gradients), each with half of the team, and the jobs those two start take a crew of
// that half each.
//
// A worker spins for a while after its last part before parking on a channel, and a
// caller waiting for its workers does likewise: the jobs of a training step follow
// each other within microseconds, while waking a parked thread costs tens of them.
//
// Determinism: the team does not order anything; a Job's parts must not depend on each
// other, so that a result depends at most on how many parts the job was cut into
// (gemm's and vec's jobs do not depend even on that).
//
// Ownership: Run and TryRun return only when every part is done, so a job may point
// at its caller's buffers; the team keeps no reference to a job after it.
package parallel
