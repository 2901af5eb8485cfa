package optim_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/cuda"
	"github.com/gogan/gogan/optim"
)

// deviceOptimizers are the optimizers that update parameters on a device.
var deviceOptimizers = []struct {
	name string
	make func(ps []*autograd.Var) (optim.Optimizer, error)
}{
	{"adam", func(ps []*autograd.Var) (optim.Optimizer, error) {
		return optim.NewAdam(ps, optim.AdamConfig{LearningRate: 2e-3, Beta1: 0.5, Beta2: 0.999, Epsilon: 1e-7})
	}},
	{"rmsprop", func(ps []*autograd.Var) (optim.Optimizer, error) {
		return optim.NewRMSprop(ps, optim.RMSpropConfig{LearningRate: 5e-3, Rho: 0.9, Epsilon: 1e-7})
	}},
	{"sgd", func(ps []*autograd.Var) (optim.Optimizer, error) {
		return optim.NewSGD(ps, optim.SGDConfig{LearningRate: 0.1})
	}},
	{"sgd momentum", func(ps []*autograd.Var) (optim.Optimizer, error) {
		return optim.NewSGD(ps, optim.SGDConfig{LearningRate: 0.1, Momentum: 0.9})
	}},
	{"sgd nesterov", func(ps []*autograd.Var) (optim.Optimizer, error) {
		return optim.NewSGD(ps, optim.SGDConfig{LearningRate: 0.1, Momentum: 0.9, Nesterov: true})
	}},
}

// twinOptimizers returns an optimizer made by newOpt over random parameters of
// odd sizes on the CPU, and one over the same values on device d.
func twinOptimizers(t *testing.T, d *cuda.Device, newOpt func([]*autograd.Var) (optim.Optimizer, error)) (cpu, gpu optim.Optimizer, pc, pg []*autograd.Var) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{7, 1003} {
		c, g := autograd.NewParam("w"+string(rune('a'+len(pc))), n), autograd.NewParam("w"+string(rune('a'+len(pg))), n)
		for i := range c.Data {
			c.Data[i] = float32(rng.NormFloat64())
		}
		copy(g.Data, c.Data)
		pc, pg = append(pc, c), append(pg, g)
	}
	if err := autograd.ToDevice(d, pg...); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { autograd.FreeDevice(pg...) })
	var err error
	if cpu, err = newOpt(pc); err != nil {
		t.Fatal(err)
	}
	if gpu, err = newOpt(pg); err != nil {
		t.Fatal(err)
	}
	return cpu, gpu, pc, pg
}

// setGradients gives both sets of parameters the same random gradient, the
// device's copied to the device.
func setGradients(rng *rand.Rand, pc, pg []*autograd.Var) {
	for i, p := range pc {
		for j := range p.Grad {
			p.Grad[j] = float32(rng.NormFloat64())
		}
		pg[i].Device().CopyToDevice(pg[i].DeviceGrad(), p.Grad)
	}
}

// sameBits fails the test where the device's parameters or slots differ from
// the CPU's in any bit.
func sameBits(t *testing.T, when string, cpu, gpu optim.Optimizer, pc, pg []*autograd.Var) {
	t.Helper()
	if err := autograd.ToHost(pg...); err != nil {
		t.Fatal(err)
	}
	for i, p := range pc {
		for j, v := range p.Data {
			if math.Float32bits(pg[i].Data[j]) != math.Float32bits(v) {
				t.Fatalf("%s: %s[%d] is %g on the device, %g on the CPU", when, p.Name, j, pg[i].Data[j], v)
			}
		}
		for j, v := range pg[i].Grad {
			if v != 0 {
				t.Fatalf("%s: the device's update left gradient %s[%d] = %g", when, p.Name, j, v)
			}
		}
	}
	sc, nc := cpu.State()
	sg, ng := gpu.State()
	if nc != ng {
		t.Fatalf("%s: %d steps on the device, %d on the CPU", when, ng, nc)
	}
	for key, want := range sc {
		got := sg[key]
		for j, v := range want {
			if math.Float32bits(got[j]) != math.Float32bits(v) {
				t.Fatalf("%s: slot %s[%d] is %g on the device, %g on the CPU", when, key, j, got[j], v)
			}
		}
	}
}

// TestDeviceOptimizersMatchCPU runs three updates of each optimizer on the
// CPU and on a GPU (the learning rate changed before the third), compares the
// parameters and slots bit for bit, loads the CPU's state into the device's
// optimizer (a checkpoint resumed on the GPU) and compares a fourth update;
// then a fifth update guarded by a NaN loss changes nothing on the device.
func TestDeviceOptimizersMatchCPU(t *testing.T) {
	d, err := cuda.Open(0)
	if err != nil {
		t.Skipf("no CUDA device: %v", err)
	}
	defer d.Close()
	for _, c := range deviceOptimizers {
		t.Run(c.name, func(t *testing.T) {
			cpu, gpu, pc, pg := twinOptimizers(t, d, c.make)
			rng := rand.New(rand.NewPCG(9, 10))
			for step := range 3 {
				if step == 2 {
					cpu.SetLearningRate(1e-3)
					gpu.SetLearningRate(1e-3)
				}
				setGradients(rng, pc, pg)
				cpu.Step()
				gpu.Step()
			}
			sameBits(t, "after 3 steps", cpu, gpu, pc, pg)

			// A checkpoint of the CPU's run resumed on the device.
			slots, steps := cpu.State()
			saved := map[string][]float32{}
			for k, v := range slots {
				saved[k] = append([]float32(nil), v...)
			}
			if err := gpu.LoadState(saved, steps); err != nil {
				t.Fatal(err)
			}
			setGradients(rng, pc, pg)
			cpu.Step()
			gpu.Step()
			sameBits(t, "after a loaded state and a step", cpu, gpu, pc, pg)

			// A NaN loss guards the update: nothing changes but the step count.
			g := autograd.NewGraph(nil)
			g.UseDevice(d)
			defer g.UseDevice(nil)
			do := gpu.(optim.DeviceOptimizer)
			do.SkipIfNotFinite(g.Input([]float32{float32(math.NaN())}, false, 1))
			setGradients(rng, pc, pg)
			gpu.Step()
			do.Rewind()
			do.SkipIfNotFinite(nil)
			if err := autograd.ToHost(pg...); err != nil {
				t.Fatal(err)
			}
			for i, p := range pc {
				for j, v := range p.Grad {
					if pg[i].Grad[j] != v {
						t.Fatalf("a guarded step changed gradient %s[%d]: %g, was %g", p.Name, j, pg[i].Grad[j], v)
					}
				}
				clear(p.Grad)
				d.Fill(pg[i].DeviceGrad(), pg[i].Len(), 0) // as the trainer clears a skipped step's
			}
			sameBits(t, "after a guarded step", cpu, gpu, pc, pg)
		})
	}
}
