package bar

import (
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// New returns a bar of total units of work, drawn on w: description (none when
// empty), then the bar, the count, units per second (unit/s) and the predicted
// time, redrawn at most once in 200 ms.
func New(w io.Writer, description, unit string, total int) *progressbar.ProgressBar {
	return progressbar.NewOptions(total, append(drawn(w, description),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString(unit),
		progressbar.OptionSetPredictTime(true),
	)...)
}

// newCounter returns a bar of unknown total drawn on w, as Stages.Counter draws it: a
// spinner, description (none when empty), the count and the time since its first draw,
// redrawn at most once in 200 ms.
func newCounter(w io.Writer, description string) *progressbar.ProgressBar {
	return progressbar.NewOptions(-1, drawn(w, description)...)
}

// drawn are the options every bar shares: drawn on w, saying description, with its
// count, redrawn at most once in 200 ms, 24 columns wide or the line's width.
func drawn(w io.Writer, description string) []progressbar.Option {
	return []progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(description),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(200 * time.Millisecond),
		progressbar.OptionSetWidth(24),
		progressbar.OptionFullWidth(),
	}
}
