// Package bar draws gogan's progress bars: the one place their look is set, for
// gogan train's bars (package run: the training steps, a folder's listing, headers and
// decoding) and the other commands' (cmd/gogan: generating, writing PNGs, a folder's
// listing, headers and decoding for gogan eval, the feature network's passes,
// precision and recall).
//
// A bar shows the count, the units per second and the predicted time, in a bar of
// 24 cells stretched to the terminal's width, redrawn at most five times a second.
// Whether to draw one at all is the caller's choice: gogan draws bars only when
// stderr is a terminal, and nothing into a file or a pipe. Stages draws the bars of a
// job done in stages, one line each (a stage whose total is not known while it runs, a
// counter with a spinner); Stages.Folder those of reading a folder of images.
package bar
