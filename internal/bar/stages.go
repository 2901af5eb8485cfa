package bar

import (
	"fmt"
	"io"

	"github.com/schollz/progressbar/v3"
)

// Stages draws the bars of a job done in stages, one after another on w: each stage's
// bar starts at its first progress call, when its total is known, and is finished, on
// a line of its own, when its work is all done, when the next stage's bar starts (a
// stage stopped short) or at Finish.
type Stages struct {
	w   io.Writer
	cur *progressbar.ProgressBar
}

// NewStages returns the stages of a job drawn on w.
func NewStages(w io.Writer) *Stages { return &Stages{w: w} }

// Stage returns the progress callback of a stage whose bar says description and counts
// unit: called with the units done and the total, from one goroutine. A call with done
// == total finishes the bar; the next call starts a new one.
func (s *Stages) Stage(description, unit string) func(done, total int) {
	var mine *progressbar.ProgressBar
	return func(done, total int) {
		if mine == nil {
			s.Finish()
			mine = New(s.w, description, unit, total)
			s.cur = mine
		}
		mine.Set(done)
		if done >= total {
			s.Finish()
			mine = nil
		}
	}
}

// Counter returns the progress callback of a stage whose total is not known while it
// runs, which says description: called with the units done so far, from one goroutine.
// Its line shows a spinner where a bar would be, the count and the time since its first
// call; it is finished when the next stage's bar starts, or at Finish. It shows no rate:
// its caller calls it first once the work has run a while (data's listing after half a
// second, tens of thousands of files in), so that a rate counted from that call put
// those units in no time: the first line drawn said hundreds of millions of files a
// second, and the last two to four times the listing's rate.
func (s *Stages) Counter(description string) func(done int) {
	var mine *progressbar.ProgressBar
	return func(done int) {
		if mine == nil || s.cur != mine {
			s.Finish()
			mine = newCounter(s.w, description)
			s.cur = mine
		}
		mine.Set(done)
	}
}

// Folder returns the progress callbacks of reading the folder dir of images with
// data.LoadImageFolder (its ImageFolderOptions.ListProgress, HeaderProgress and
// Progress), drawn as stages of s, as gogan train and gogan eval draw them: "listing
// DIR", a count of the files found (a folder that takes a while to list), then "reading
// the headers of DIR", in files, then "decoding DIR", in images.
func (s *Stages) Folder(dir string) (listing func(found int), headers, decoding func(done, total int)) {
	dir = FolderTitle(dir)
	return s.Counter("listing " + dir), s.Stage("reading the headers of "+dir, "file"), s.Stage("decoding "+dir, "img")
}

// FolderTitle is how Folder's titles name the folder dir: whole when it has at most
// maxFolderTitle characters, else "…" and its end.
func FolderTitle(dir string) string { return shortPath(dir, maxFolderTitle) }

// maxFolderTitle is the most characters of a folder's path that Folder's titles show: the
// longest title then leaves an 80-column line room for its bar, count, rate and times.
const maxFolderTitle = 32

// shortPath is path when it has at most max characters, else "…" and the end of its last
// folders that fit in max: a long path left no room on the line for the bar itself.
func shortPath(path string, max int) string {
	r := []rune(path)
	if len(r) <= max {
		return path
	}
	tail := r[len(r)-(max-1):]
	// Begin at a separator, so that the title shows whole names, when one is in the tail.
	for i, c := range tail {
		if i > 0 && (c == '/' || c == '\\') {
			tail = tail[i:]
			break
		}
	}
	return "…" + string(tail)
}

// Finish finishes the bar being drawn, if any, and ends its line.
func (s *Stages) Finish() {
	if s.cur == nil {
		return
	}
	s.cur.Finish()
	fmt.Fprintln(s.w)
	s.cur = nil
}
