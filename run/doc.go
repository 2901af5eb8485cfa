// Package run carries out a training run in a run folder: it loads the data,
// drives a gan.Trainer with a progress bar, and writes what a person opens and
// what a program reads:
//
//	RUN/config.json          the run's configuration
//	RUN/metrics.jsonl        one JSON object per log interval
//	RUN/samples/epoch-NNN.png an 8×8 grid from a fixed noise batch after each epoch
//	RUN/samples/final.png    the same grid at the end
//	RUN/losses.png           the loss curves and D's outputs over training
//	RUN/checkpoints/         the latest checkpoint (see gan.SaveCheckpoint)
package run
