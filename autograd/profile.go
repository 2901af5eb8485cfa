package autograd

import (
	"cmp"
	"slices"
	"time"

	"github.com/gogan/gogan/tensor"
)

// OpProfile times a graph's ops on the CPU: every op's forward (the wall time
// since the previous op, Reset, backward pass or Lap), every backward rule, and the
// laps the caller marks (an optimizer's step), summed by op name and output shape.
// It answers "where does a training step's time go, and which ops gain least from
// more threads" without a sampling profiler. Ops on a GPU run asynchronously, so
// their times there mean nothing. The cost is a clock read or two an op. An op is
// charged everything since the op before it, so work that records no op (a copy into
// a gradient, weight clipping) lands on the next op.
//
// Use: g.SetProfile(p) before the steps to time, p.Reset() after the warm-up,
// p.Ops() after.
type OpProfile struct {
	mark       time.Time
	inBackward bool
	ops        map[opKey]*OpTime
}

// OpTime is one op's time summed over its calls, per Name and output Shape (empty
// for a Lap): its forward; or its backward rule (Backward), less the ops the rule
// ran, which have entries of their own (InBackward).
type OpTime struct {
	Name       string        `json:"name"`
	Shape      string        `json:"shape,omitempty"`
	Backward   bool          `json:"backward"`
	InBackward bool          `json:"in_backward,omitempty"`
	Calls      int           `json:"calls"`
	Time       time.Duration `json:"ns"`
}

type opKey struct {
	name, shape          string
	backward, inBackward bool
}

// NewOpProfile returns an empty profile (as is a zero OpProfile).
func NewOpProfile() *OpProfile { return new(OpProfile) }

// Reset forgets every time so far (after a warm-up, say).
func (p *OpProfile) Reset() {
	clear(p.ops)
	p.mark = time.Now()
}

// Ops returns the times summed so far, the longest first.
func (p *OpProfile) Ops() []OpTime {
	out := make([]OpTime, 0, len(p.ops))
	for _, t := range p.ops {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b OpTime) int {
		if c := cmp.Compare(b.Time, a.Time); c != 0 {
			return c
		}
		return cmp.Compare(a.Name+a.Shape, b.Name+b.Shape)
	})
	return out
}

// lap charges the time since the last mark to the op and moves the mark.
func (p *OpProfile) lap(name string, shape tensor.Shape, backward bool) {
	now := time.Now()
	k := opKey{name: name, backward: backward, inBackward: p.inBackward && !backward}
	if shape != nil {
		k.shape = shape.String()
	}
	if p.ops == nil {
		p.ops = map[opKey]*OpTime{}
	}
	t := p.ops[k]
	if t == nil {
		t = &OpTime{Name: name, Shape: k.shape, Backward: backward, InBackward: k.inBackward}
		p.ops[k] = t
	}
	t.Calls++
	t.Time += now.Sub(p.mark)
	p.mark = now
}

// SetProfile makes g time its ops into p from now on; nil stops it.
func (g *Graph) SetProfile(p *OpProfile) {
	g.profile = p
	g.profileMark()
}

// Lap charges the wall time since the graph's last op (or Reset, backward pass or
// Lap) to name in its profile: work outside the graph, such as an optimizer's step.
// Without a profile it does nothing.
func (g *Graph) Lap(name string) {
	if g.profile != nil {
		g.profile.lap(name, nil, false)
	}
}

// profileForward charges an op's forward, called from record: an op of the
// step's forward pass, or one that a backward rule runs.
func (g *Graph) profileForward(name string, out *Var) {
	if p := g.profile; p != nil {
		p.lap(name, out.Shape, false)
	}
}

// profileMark starts the clock of the next op (Reset, the end of a backward pass).
func (g *Graph) profileMark() {
	if g.profile != nil {
		g.profile.mark = time.Now()
	}
}
