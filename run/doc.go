// Package run carries out a training run in a run folder: it loads the data
// (LoadDataset: a built-in dataset, IDX files, or a folder of images decoded
// once into a cache, with a progress bar and a report of the files skipped),
// drives a gan.Job with a progress bar, draws the job's progress pictures
// (gan.Picture), scores it at the end of each epoch (Evaluate: mode coverage
// on 2-D data) and every --eval-every steps (eval.Monitor), and writes what a
// person opens and what a program reads:
//
//	RUN/config.json          the run's configuration
//	RUN/metrics.jsonl        one JSON object per log interval
//	RUN/samples/epoch-NNN.png an 8×8 grid from a fixed noise batch after each epoch
//	RUN/samples/final.png    the same grid at the end
//	RUN/losses.png           the loss curves and D's outputs over training
//	RUN/checkpoints/         the latest checkpoint (see gan.SaveCheckpoint)
//	RUN/.gogan.lock          the lock a training process holds (internal/runlock)
//	RUN/config.attempt-N.json, RUN/metrics.attempt-N.jsonl
//	                         what attempt N, restarted, had written (below)
//
// A run folder has one writer at a time: Train, new or resumed, holds the
// folder's lock for as long as it runs, and a second Train on the folder fails
// at once; one that returns before its first step (refused) removes the lock
// file if it made it (runlock.Lock.Discard), leaving the folder as it found
// it. Holding it, Train removes the temporary files that a crash in the
// middle of an atomic write left, and only those: an output that another
// command (gogan sample --out RUN/x.png) is writing there is left to it. A
// folder whose run stopped before its first checkpoint (config.json, maybe
// metrics lines, no checkpoints/latest.json) cannot be resumed; a new run with
// Out set to it starts it again from step 0, with flags of its own if need be
// (a lower --lr after a loss stopped being finite). It renames the attempt's
// config.json and metrics.jsonl to config.attempt-N.json and
// metrics.attempt-N.jsonl, N the first number free, rather than write over
// them: the flags that attempt was started with and what it logged are kept,
// and config.json is the config of the run that the checkpoints are of.
//
// # Where it sits
//
// run is the top of the library's stack: it imports gan, eval, report,
// checkpoint and data, and only the command (cmd/gogan) imports it. It is a
// top-level package rather than cmd/gogan/internal/run because what
// `gogan train` does, a Go program should be able to do through exported,
// documented API: Train with Options makes the same run folder, resumes it
// the same way, and PlotMetrics redraws its plot. Hidden under the command,
// a program that embeds gogan would have to reassemble the loop, the metrics
// log and the folder layout from gan and report. The kernels stay under
// internal/; the orchestration no longer sits beside them.
package run
