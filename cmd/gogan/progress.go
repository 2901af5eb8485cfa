package main

import (
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progressFunc returns a function reporting done of total units of long work, as
// eval.FeatureNet.WithProgress calls it, that draws a bar on stderr in the look of
// gogan train's (count, units per second, time left, redrawn at most five times a
// second) when stderr is a terminal, and nil when it is not: as train does, nothing
// is drawn into a file or a pipe. A call with done == total ends the bar's line; the
// next call starts a new bar.
func progressFunc(env *environment, description, unit string) func(done, total int) {
	if !env.stderrIsTTY {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(done, total int) {
		if bar == nil {
			bar = progressbar.NewOptions(total,
				progressbar.OptionSetWriter(env.stderr),
				progressbar.OptionSetDescription(description),
				progressbar.OptionShowCount(),
				progressbar.OptionShowIts(),
				progressbar.OptionSetItsString(unit),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(200*time.Millisecond),
				progressbar.OptionSetWidth(24),
				progressbar.OptionFullWidth(),
			)
		}
		bar.Set(done)
		if done >= total {
			bar.Finish()
			fmt.Fprintln(env.stderr)
			bar = nil
		}
	}
}
