package optim_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/optim"
)

// quadratic returns p with gradient of f(p) = Σ (p_i − c_i)²/2 set: g = p − c.
func setQuadraticGrad(p *autograd.Var, c []float32) {
	for i := range p.Data {
		p.Grad[i] = p.Data[i] - c[i]
	}
}

// TestAdamMatchesFormula checks two Adam steps against the paper's formulas,
// computed in float64.
func TestAdamMatchesFormula(t *testing.T) {
	p := autograd.NewParam("p", 2)
	copy(p.Data, []float32{1, -2})
	opt, err := optim.NewAdam([]*autograd.Var{p}, optim.AdamConfig{LearningRate: 0.1, Beta1: 0.5, Beta2: 0.999, Epsilon: 1e-7})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1, -2}
	m, v := []float64{0, 0}, []float64{0, 0}
	grads := [][]float32{{0.3, -1}, {-0.2, 4}}
	for step, g := range grads {
		copy(p.Grad, g)
		opt.Step()
		tt := float64(step + 1)
		for i := range want {
			gi := float64(g[i])
			m[i] = 0.5*m[i] + 0.5*gi
			v[i] = 0.999*v[i] + 0.001*gi*gi
			mh, vh := m[i]/(1-math.Pow(0.5, tt)), v[i]/(1-math.Pow(0.999, tt))
			want[i] -= 0.1 * mh / (math.Sqrt(vh) + 1e-7)
		}
		for i := range want {
			if math.Abs(float64(p.Data[i])-want[i]) > 1e-5 {
				t.Fatalf("step %d: p[%d] = %g, want %g", step+1, i, p.Data[i], want[i])
			}
			if p.Grad[i] != 0 {
				t.Fatalf("Step left gradient %g", p.Grad[i])
			}
		}
	}
}

// TestOptimizersMinimize checks each optimizer drives a quadratic to its minimum.
func TestOptimizersMinimize(t *testing.T) {
	target := []float32{3, -1, 0.5}
	cases := []struct {
		name string
		make func(ps []*autograd.Var) (optim.Optimizer, error)
	}{
		{"adam", func(ps []*autograd.Var) (optim.Optimizer, error) {
			return optim.NewAdam(ps, optim.AdamConfig{LearningRate: 0.05, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7})
		}},
		{"sgd", func(ps []*autograd.Var) (optim.Optimizer, error) {
			return optim.NewSGD(ps, optim.SGDConfig{LearningRate: 0.1})
		}},
		{"sgd momentum", func(ps []*autograd.Var) (optim.Optimizer, error) {
			return optim.NewSGD(ps, optim.SGDConfig{LearningRate: 0.05, Momentum: 0.9})
		}},
		{"sgd nesterov", func(ps []*autograd.Var) (optim.Optimizer, error) {
			return optim.NewSGD(ps, optim.SGDConfig{LearningRate: 0.05, Momentum: 0.9, Nesterov: true})
		}},
		{"rmsprop", func(ps []*autograd.Var) (optim.Optimizer, error) {
			return optim.NewRMSprop(ps, optim.RMSpropConfig{LearningRate: 0.01, Rho: 0.9, Epsilon: 1e-7})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := autograd.NewParam("p", 3)
			opt, err := c.make([]*autograd.Var{p})
			if err != nil {
				t.Fatal(err)
			}
			for range 1000 {
				setQuadraticGrad(p, target)
				opt.Step()
			}
			for i := range target {
				if math.Abs(float64(p.Data[i]-target[i])) > 0.02 {
					t.Fatalf("p = %v, want %v", p.Data, target)
				}
			}
		})
	}
}

// TestStateRoundTrip checks that an optimizer restored from State continues
// exactly as the original.
func TestStateRoundTrip(t *testing.T) {
	cfg := optim.AdamConfig{LearningRate: 0.01, Beta1: 0.5, Beta2: 0.999, Epsilon: 1e-7}
	p1, p2 := autograd.NewParam("w", 4), autograd.NewParam("w", 4)
	a1, _ := optim.NewAdam([]*autograd.Var{p1}, cfg)
	a2, _ := optim.NewAdam([]*autograd.Var{p2}, cfg)
	c := []float32{1, 2, 3, 4}
	for range 5 {
		setQuadraticGrad(p1, c)
		a1.Step()
	}
	slots, steps := a1.State()
	copy(p2.Data, p1.Data)
	if err := a2.LoadState(slots, steps); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		setQuadraticGrad(p1, c)
		a1.Step()
		setQuadraticGrad(p2, c)
		a2.Step()
	}
	for i := range p1.Data {
		if p1.Data[i] != p2.Data[i] {
			t.Fatalf("restored optimizer diverged: %v vs %v", p1.Data, p2.Data)
		}
	}
}

func TestBadConfigAndState(t *testing.T) {
	p := autograd.NewParam("w", 2)
	if _, err := optim.NewAdam([]*autograd.Var{p}, optim.AdamConfig{LearningRate: -1, Beta1: 0.5, Beta2: 0.9, Epsilon: 1e-7}); err == nil || !strings.Contains(err.Error(), "got -1") {
		t.Errorf("negative learning rate: %v", err)
	}
	if _, err := optim.NewRMSprop([]*autograd.Var{p}, optim.RMSpropConfig{LearningRate: 1, Rho: 1, Epsilon: 1}); err == nil {
		t.Error("rho 1 accepted")
	}
	a, _ := optim.NewAdam([]*autograd.Var{p}, optim.AdamConfig{LearningRate: 1, Beta1: 0.5, Beta2: 0.9, Epsilon: 1e-7})
	if err := a.LoadState(map[string][]float32{"m/w": {1, 2}, "v/w": {1}}, 1); err == nil || !strings.Contains(err.Error(), `"v/w" has 1 values`) {
		t.Errorf("short slot: %v", err)
	}
	if err := a.LoadState(map[string][]float32{"m/w": {1, 2}}, 1); err == nil || !strings.Contains(err.Error(), `no slot "v/w"`) {
		t.Errorf("missing slot: %v", err)
	}
}

// TestSetLearningRate checks that an optimizer whose rate is changed steps as
// one made with the new rate, that rate 0 leaves the parameters still, and that
// a negative rate panics.
func TestSetLearningRate(t *testing.T) {
	makers := map[string]func(ps []*autograd.Var, lr float32) (optim.Optimizer, error){
		"adam": func(ps []*autograd.Var, lr float32) (optim.Optimizer, error) {
			return optim.NewAdam(ps, optim.AdamConfig{LearningRate: lr, Beta1: 0.5, Beta2: 0.9, Epsilon: 1e-7})
		},
		"rmsprop": func(ps []*autograd.Var, lr float32) (optim.Optimizer, error) {
			return optim.NewRMSprop(ps, optim.RMSpropConfig{LearningRate: lr, Rho: 0.9, Epsilon: 1e-7})
		},
		"sgd": func(ps []*autograd.Var, lr float32) (optim.Optimizer, error) {
			return optim.NewSGD(ps, optim.SGDConfig{LearningRate: lr, Momentum: 0.9})
		},
	}
	c := []float32{1, -2, 3}
	for name, newOptimizer := range makers {
		t.Run(name, func(t *testing.T) {
			changed, direct, still := autograd.NewParam("w", 3), autograd.NewParam("w", 3), autograd.NewParam("w", 3)
			a, _ := newOptimizer([]*autograd.Var{changed}, 0.1)
			b, _ := newOptimizer([]*autograd.Var{direct}, 0.025)
			z, _ := newOptimizer([]*autograd.Var{still}, 0.1)
			a.SetLearningRate(0.025)
			z.SetLearningRate(0)
			for range 3 {
				for _, step := range []struct {
					p   *autograd.Var
					opt optim.Optimizer
				}{{changed, a}, {direct, b}, {still, z}} {
					setQuadraticGrad(step.p, c)
					step.opt.Step()
				}
			}
			for i := range c {
				if changed.Data[i] != direct.Data[i] {
					t.Fatalf("after SetLearningRate: %v, made with that rate: %v", changed.Data, direct.Data)
				}
				if still.Data[i] != 0 {
					t.Fatalf("rate 0 moved the parameters to %v", still.Data)
				}
			}
			if changed.Data[0] == 0 {
				t.Fatal("the parameters did not move")
			}
			defer func() {
				if recover() == nil {
					t.Fatal("SetLearningRate(-1) did not panic")
				}
			}()
			a.SetLearningRate(-1)
		})
	}
}

// TestLoadStateRefusesDamage: a state whose next step would be NaN (a negative
// mean of squares, a value not finite) or whose step count is negative is
// refused by CheckState and LoadState, naming the slot and the value, and
// leaves the optimizer as it was; SGD's velocity may be negative.
func TestLoadStateRefusesDamage(t *testing.T) {
	p := autograd.NewParam("dense/kernel", 2)
	adam, _ := optim.NewAdam([]*autograd.Var{p}, optim.AdamConfig{LearningRate: 1, Beta1: 0.5, Beta2: 0.9, Epsilon: 1e-7})
	rms, _ := optim.NewRMSprop([]*autograd.Var{p}, optim.RMSpropConfig{LearningRate: 1, Rho: 0.9, Epsilon: 1e-7})
	sgd, _ := optim.NewSGD([]*autograd.Var{p}, optim.SGDConfig{LearningRate: 1, Momentum: 0.9})
	nan := float32(math.NaN())
	for _, tc := range []struct {
		name  string
		opt   optim.Optimizer
		slots map[string][]float32
		steps int
		want  string
	}{
		{"adam v", adam, map[string][]float32{"m/dense/kernel": {1, -2}, "v/dense/kernel": {1, -0.5}}, 3, "adam state: slot v/dense/kernel[1] is -0.5, negative: it holds a mean of squared gradients"},
		{"adam m NaN", adam, map[string][]float32{"m/dense/kernel": {nan, 2}, "v/dense/kernel": {1, 1}}, 3, "adam state: slot m/dense/kernel[0] is NaN"},
		{"adam steps", adam, map[string][]float32{"m/dense/kernel": {1, 2}, "v/dense/kernel": {1, 1}}, -1, "adam state: negative step count -1"},
		{"rmsprop rms", rms, map[string][]float32{"rms/dense/kernel": {-1, 1}}, 3, "rmsprop state: slot rms/dense/kernel[0] is -1, negative"},
		{"rmsprop steps", rms, map[string][]float32{"rms/dense/kernel": {1, 1}}, -2, "rmsprop state: negative step count -2"},
		{"sgd steps", sgd, map[string][]float32{"velocity/dense/kernel": {-1, 1}}, -2, "sgd state: negative step count -2"},
	} {
		before, steps := tc.opt.State()
		kept := map[string][]float32{}
		for k, v := range before {
			kept[k] = append([]float32(nil), v...)
		}
		for call, err := range map[string]error{"CheckState": tc.opt.CheckState(tc.slots, tc.steps), "LoadState": tc.opt.LoadState(tc.slots, tc.steps)} {
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %s: %v, want an error containing %q", tc.name, call, err, tc.want)
			}
		}
		after, stepsAfter := tc.opt.State()
		for k, v := range kept {
			if !slices.Equal(after[k], v) || stepsAfter != steps {
				t.Errorf("%s: the refused state changed slot %s or the steps", tc.name, k)
			}
		}
	}
	if err := sgd.LoadState(map[string][]float32{"velocity/dense/kernel": {-1, 1}}, 3); err != nil {
		t.Errorf("sgd: a negative velocity: %v", err)
	}
}
