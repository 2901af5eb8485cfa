package run

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"
	"time"
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
