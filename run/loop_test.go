package run

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/gogan/gogan/gan"
)

// TestResumedBarRate: the bar of a run resumed at step 279 of 310 counts the session's
// 31 steps from 0, so that its rate is that of the steps it trains: it counted from 279,
// and the bar took those 279 steps as done in no time, saying tens of millions of steps
// a second on its first line, then tens of times the real rate, with 0 s left.
func TestResumedBarRate(t *testing.T) {
	var buf bytes.Buffer
	s := &session{opts: Options{Interactive: true, Progress: &buf}, total: 310}
	b := s.newBar(279)
	time.Sleep(300 * time.Millisecond) // past the bar's 200 ms between draws
	b.Add(1)
	counts := regexp.MustCompile(`\((\d+)/(\d+), ([0-9.]+) it/(s|min|hr)\)`).FindAllStringSubmatch(buf.String(), -1)
	if len(counts) == 0 {
		t.Fatalf("no count drawn: %q", buf.String())
	}
	for _, c := range counts {
		if c[2] != "31" {
			t.Errorf("drawn %q, want a count of the session's 31 steps", c[0])
		}
		if rate, _ := strconv.ParseFloat(c[3], 64); c[4] == "s" && rate > 10 {
			t.Errorf("drawn %q: one step in 0.3 s is not %s steps a second", c[0], c[3])
		}
	}
	if last := counts[len(counts)-1]; last[1] != "1" {
		t.Errorf("last count drawn %q, want the session's first step", last[0])
	}
}

// stepsJob is a gan.Job at step steps, for the bar's tests: only Steps is called.
type stepsJob struct {
	gan.Job
	steps int
}

func (j *stepsJob) Steps() int { return j.steps }

// TestBarStepAligned: every line the training bar draws shows one step's count
// and the same step's description. With one step an epoch, the epoch is the
// step, so that "epoch 2/3" must sit beside "(2/3". The bar drew the step's
// new description with the previous count ("epoch 2/3 ... (1/3"): Describe
// drew the line and the 200 ms throttle then held back Add's.
func TestBarStepAligned(t *testing.T) {
	var buf bytes.Buffer
	job := &stepsJob{}
	s := &session{opts: Options{Interactive: true, Progress: &buf}, job: job, total: 3, perEpoch: 1}
	s.bar = s.newBar(0)
	for step := 1; step <= s.total; step++ {
		time.Sleep(250 * time.Millisecond) // past the bar's 200 ms between draws: a step as slow as a real one
		job.steps = step
		s.advanceBar([]gan.Value{{Name: "d_loss", Value: float64(step)}, {Name: "g_loss", Value: -float64(step)}})
	}
	lines := regexp.MustCompile(`epoch (\d+)/3 [^\r\n]*?\((\d+)/3`).FindAllStringSubmatch(buf.String(), -1)
	if len(lines) < s.total {
		t.Fatalf("drawn %d lines with an epoch and a count, want one a step at least: %q", len(lines), buf.String())
	}
	for _, l := range lines {
		if l[1] != l[2] {
			t.Errorf("drawn %q: the description of step %s beside the count of step %s", l[0], l[1], l[2])
		}
	}
}
