package optim

import (
	"fmt"
	"math"

	"github.com/gogan/gogan/autograd"
)

// Optimizer updates a fixed list of parameters.
type Optimizer interface {
	// Step applies one update from the parameters' gradients, then clears them.
	Step()
	// State returns the optimizer's slots as named tensors ("<slot>/<param name>")
	// and the number of steps taken. The slices are the live state: copy to keep.
	State() (slots map[string][]float32, steps int)
	// LoadState restores what State returned, after the checks of CheckState.
	LoadState(slots map[string][]float32, steps int) error
	// CheckState reports what LoadState would refuse, changing nothing: a slot
	// missing, of another length or left over, a value not finite, a negative
	// value in a slot that holds a mean of squared gradients (Adam's v,
	// RMSprop's rms, whose square root divides the step), or a negative step
	// count.
	CheckState(slots map[string][]float32, steps int) error
	// Name is the optimizer's kind, e.g. "adam".
	Name() string
	// SetLearningRate changes the step size from the next Step on, for a
	// schedule; lr must be ≥ 0 (0 leaves the parameters still).
	SetLearningRate(lr float32)
}

// checkLearningRate panics on a negative or NaN learning rate: a schedule that
// gives one is a programmer's error.
func checkLearningRate(kind string, lr float32) {
	if !(lr >= 0) {
		panic(fmt.Sprintf("optim: %s: learning rate must be ≥ 0, got %g", kind, lr))
	}
}

// slotSet keeps one float32 slice per parameter for each named slot (Adam's m and v).
type slotSet struct {
	params []*autograd.Var
	names  []string
	slots  [][][]float32 // [slot][param] → values
	// squares names the slots that hold means of squared gradients (Adam's
	// v): never negative, which a state loaded into them must not be either.
	squares map[string]bool
}

func newSlotSet(params []*autograd.Var, names ...string) slotSet {
	s := slotSet{params: params, names: names, slots: make([][][]float32, len(names))}
	for i := range names {
		s.slots[i] = make([][]float32, len(params))
		for j, p := range params {
			s.slots[i][j] = make([]float32, len(p.Data))
		}
	}
	return s
}

func (s *slotSet) export() map[string][]float32 {
	out := map[string][]float32{}
	for i, name := range s.names {
		for j, p := range s.params {
			out[name+"/"+p.Name] = s.slots[i][j]
		}
	}
	return out
}

// withSquares returns s with the named slots marked as means of squares.
func (s slotSet) withSquares(names ...string) slotSet {
	s.squares = map[string]bool{}
	for _, n := range names {
		s.squares[n] = true
	}
	return s
}

// check is CheckState for an optimizer of this kind ("adam").
func (s *slotSet) check(kind string, in map[string][]float32, steps int) error {
	if steps < 0 {
		return fmt.Errorf("%s state: negative step count %d", kind, steps)
	}
	want := 0
	for _, name := range s.names {
		for _, p := range s.params {
			key := name + "/" + p.Name
			v, ok := in[key]
			if !ok {
				return fmt.Errorf("%s state: no slot %q", kind, key)
			}
			if len(v) != len(p.Data) {
				return fmt.Errorf("%s state: slot %q has %d values, parameter has %d", kind, key, len(v), len(p.Data))
			}
			if err := checkSlotValues(key, v, s.squares[name]); err != nil {
				return fmt.Errorf("%s state: %w", kind, err)
			}
			want++
		}
	}
	if len(in) != want {
		return fmt.Errorf("%s state: %d slots, want %d (another model's optimizer?)", kind, len(in), want)
	}
	return nil
}

// checkSlotValues reports the first value of slot key that is not finite, or
// negative in a slot of squares (whose square root would make the step NaN).
func checkSlotValues(key string, v []float32, squares bool) error {
	for i, x := range v {
		switch {
		case math.IsNaN(float64(x)) || math.IsInf(float64(x), 0):
			return fmt.Errorf("slot %s[%d] is %v", key, i, x)
		case squares && x < 0:
			return fmt.Errorf("slot %s[%d] is %v, negative: it holds a mean of squared gradients", key, i, x)
		}
	}
	return nil
}

// load copies in into the slots once check passes.
func (s *slotSet) load(kind string, in map[string][]float32, steps int) error {
	if err := s.check(kind, in, steps); err != nil {
		return err
	}
	for i, name := range s.names {
		for j, p := range s.params {
			copy(s.slots[i][j], in[name+"/"+p.Name])
		}
	}
	return nil
}
