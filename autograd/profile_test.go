package autograd

import (
	"testing"
	"time"
)

// TestOpProfile: a profiled step charges each op's forward and backward to its
// name and output shape, charges work outside the graph to a Lap, sums to no more
// than the wall time, lists them longest first, and Reset forgets it all.
func TestOpProfile(t *testing.T) {
	g := NewGraph(nil)
	w := NewParam("w", 32, 16)
	x := g.Input(make([]float32, 8*32), false, 8, 32)
	p := NewOpProfile()
	start := time.Now() // before SetProfile, from which the first op's time counts
	g.SetProfile(p)
	loss := g.Mean(g.MatMul(x, w, false, false))
	time.Sleep(3 * time.Millisecond)
	g.Lap("sleep")
	g.Backward(loss)
	wall := time.Since(start)

	byName := map[string]OpTime{}
	var sum time.Duration
	for _, o := range p.Ops() {
		key := o.Name + " " + o.Shape
		if o.Backward {
			key += " backward"
		}
		byName[key] = o
		sum += o.Time
	}
	if s := byName["sleep "]; s.Calls != 1 || s.Time < 3*time.Millisecond {
		t.Errorf("the lap: %+v, want one call of at least 3ms", s)
	}
	for _, key := range []string{"MatMul (8, 16)", "MatMul (8, 16) backward", "Sum ()"} {
		if o, ok := byName[key]; !ok || o.Calls != 1 {
			t.Errorf("%s: %+v (present %v), want one call; have %v", key, o, ok, byName)
		}
	}
	if sum > wall {
		t.Errorf("the ops sum to %v, more than the %v the step took", sum, wall)
	}
	// Longest first. (Which op that is depends on the machine's load: on a busy one,
	// a preempted Sum can outlast the 3ms lap.)
	ops := p.Ops()
	for i := 1; i < len(ops); i++ {
		if ops[i].Time > ops[i-1].Time {
			t.Errorf("op %d (%s, %v) is longer than op %d before it (%s, %v): want the longest first", i, ops[i].Name, ops[i].Time, i-1, ops[i-1].Name, ops[i-1].Time)
		}
	}
	p.Reset()
	if ops := p.Ops(); len(ops) != 0 {
		t.Errorf("after Reset: %v", ops)
	}
	g.SetProfile(nil)
	g.Reset()
	g.Lap("nothing") // no profile: does nothing
	if len(p.Ops()) != 0 {
		t.Errorf("a graph without a profile charged %v", p.Ops())
	}
}

// TestOpProfileZeroValue: a zero OpProfile is ready to use.
func TestOpProfileZeroValue(t *testing.T) {
	g := NewGraph(nil)
	var p OpProfile
	g.SetProfile(&p)
	g.Mean(g.Input(make([]float32, 4), false, 2, 2))
	if len(p.Ops()) == 0 {
		t.Fatal("a zero OpProfile recorded nothing")
	}
}

// TestOpProfileDense: a fused Dense op is one forward entry, under its own name, and
// two backward ones (the product's and the bias activation's passes), where its bias
// activation's node, whose forward ran in the product's epilogue, was a forward entry
// of its own that timed only its bookkeeping.
func TestOpProfileDense(t *testing.T) {
	g := NewGraph(nil)
	w, b := NewParam("w", 32, 16), NewParam("b", 16)
	x := g.Input(make([]float32, 8*32), false, 8, 32)
	p := NewOpProfile()
	g.SetProfile(p)
	g.Backward(g.Mean(g.MatMulBiasTanh(g.MatMulBiasLeakyReLU(x, w, b, 0.2), NewParam("w2", 16, 4), NewParam("b2", 4))))
	have := map[string]bool{}
	for _, o := range p.Ops() {
		key := o.Name + " " + o.Shape
		if o.Backward {
			key += " backward"
		}
		have[key] = true
	}
	for _, key := range []string{
		"MatMulBiasLeakyReLU (8, 16)", "MatMulBiasLeakyReLU (8, 16) backward", "BiasLeakyReLU (8, 16) backward",
		"MatMulBiasTanh (8, 4)", "MatMulBiasTanh (8, 4) backward", "BiasTanh (8, 4) backward",
	} {
		if !have[key] {
			t.Errorf("no %q entry in %v", key, have)
		}
	}
	for _, key := range []string{"BiasLeakyReLU (8, 16)", "BiasTanh (8, 4)"} {
		if have[key] {
			t.Errorf("a forward entry %q, for work the product's entry timed", key)
		}
	}
}
