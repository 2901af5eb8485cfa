package main

import (
	"fmt"
	"io"

	"github.com/gogan/gogan/generator"
	"github.com/gogan/gogan/internal/bar"
	"github.com/schollz/progressbar/v3"
)

// progressFunc returns a function reporting done of total units of long work, as
// eval.FeatureNet.WithProgress calls it, that draws a bar (bar.New) on stderr when
// stderr is a terminal, and nil when it is not: as train does, nothing is drawn into
// a file or a pipe. A call with done == total ends the bar's line; the next call
// starts a new bar.
func progressFunc(env *environment, description, unit string) func(done, total int) {
	if !env.stderrIsTTY {
		return nil
	}
	return bar.NewStages(env.stderr).Stage(description, unit)
}

// progress is the bar (bar.New) of long work on images (generating, writing), drawn
// on a terminal only, as train's is, and one that can stop short (finish). A nil
// *progress draws nothing.
type progress struct {
	w    io.Writer
	desc string
	bar  *progressbar.ProgressBar // made by the first update
	done int                      // images done so far
}

// newProgress returns the bar of work described by desc on n images, drawn at 0
// (its rate counts from the start of the work, not from the first callback's), or
// nil when stderr is not a terminal or the work is short: one batch of the generator.
func newProgress(env *environment, desc string, n int) *progress {
	if !env.stderrIsTTY || n <= generator.BatchSize {
		return nil
	}
	p := &progress{w: env.stderr, desc: desc}
	p.update(0, n)
	return p
}

// update sets the bar to done of total images: the Progress callback of
// generator.Request and report.PNGOptions.
func (p *progress) update(done, total int) {
	if p.bar == nil {
		p.bar = bar.New(p.w, p.desc, "img", total)
	}
	p.done = done
	p.bar.Set(done)
}

// callback is p's update, or nil for no bar.
func (p *progress) callback() func(done, total int) {
	if p == nil {
		return nil
	}
	return p.update
}

// finish ends the bar's line, full if the work is done, else where it stopped,
// so that what is printed next starts a line of its own.
func (p *progress) finish() {
	if p == nil || p.bar == nil {
		return
	}
	if p.done == p.bar.GetMax() {
		p.bar.Finish()
	} else {
		p.bar.Exit()
	}
	fmt.Fprintln(p.w)
}
