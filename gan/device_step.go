package gan

import (
	"fmt"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/cuda"
	"github.com/gogan/gogan/internal/vec"
	"github.com/gogan/gogan/optim"
)

// A training step on a GPU. The step's inputs (the noise, the real batch and
// the seeds of its Dropout masks) are staged in pinned host memory and copied
// in by the step; its numbers (the losses and D's scores) come back in one
// copy at its end; each loss guards its optimizer's update (no weight changes
// when it is not finite), so that nothing in the step waits for the GPU.
// After a step that allocated nothing, the next one is captured in a CUDA
// graph (cuStreamBeginCapture … cuGraphInstantiate), and every later step
// replays it: the host stages the inputs, advances the optimizers' constants
// and launches the graph, one call instead of hundreds of kernel launches.

// deviceState is what a trainer on a GPU keeps beside its graph.
type deviceState struct {
	noise, real []float32 // pinned: the step's noise and real batch
	labels      []float32 // pinned: a conditional step's labels (see Trainer.labels)
	seeds       []float32 // pinned: two 24-bit integers seeding the step's Dropout masks
	stats       []float32 // pinned: the step's numbers, copied back at its end

	useGraph  bool        // capture and replay the step (SetCUDAGraph)
	capturing bool        // the step being run is being captured
	ready     bool        // the last step allocated nothing: capture the next
	graph     *cuda.Graph // the captured step, replayed from then on
	gStep     bool        // the captured step has a G update

	flopsBefore uint64 // the graph's count when the capture began
	stepFlops   uint64 // the captured step's matrix-product FLOPs
	replays     uint64 // steps run by replaying the graph
}

// newDeviceState allocates the pinned buffers of a trainer's steps on d.
func (t *Trainer) newDeviceState(d *cuda.Device) (*deviceState, error) {
	s := &deviceState{useGraph: true}
	n := t.dBatchShape[0]
	for _, b := range []struct {
		dst *[]float32
		n   int
	}{{&s.noise, len(t.noise)}, {&s.real, t.Config.Batch * t.sample.Size()}, {&s.seeds, 2}, {&s.stats, 2*n + 2}, {&s.labels, t.labelsLen()}} {
		p, err := d.AllocHost(b.n)
		if err != nil {
			return nil, err
		}
		*b.dst = p
	}
	return s, nil
}

// capturable reports whether the configuration's steps can be captured: the
// same kernels every step, with every varying input staged in pinned memory.
// DiffAugment's parameters are drawn by the step's Go code, between its
// other draws, and copied in as it goes, so its steps launch kernel by kernel.
func (t *Trainer) capturable() bool {
	cfg := t.Config
	return t.dev.useGraph && cfg.criticSteps() == 1 && cfg.InstanceNoise == 0 && t.augmentations == nil &&
		!(t.Objective.GradientPenalty && cfg.GP > 0)
}

// SetCUDAGraph turns the capture of training steps in a CUDA graph on (the
// default on a GPU) or off (every step launched kernel by kernel, as the
// first steps are). It takes effect at the next step.
func (t *Trainer) SetCUDAGraph(on bool) {
	if t.dev == nil {
		return
	}
	t.dev.useGraph = on
	if !on && t.dev.graph != nil {
		t.dev.graph.Close()
		t.dev.graph = nil
	}
}

// CUDAGraph reports whether the trainer's steps replay a captured CUDA graph.
func (t *Trainer) CUDAGraph() bool { return t.dev != nil && t.dev.graph != nil }

// stageInputs draws the step's noise from the trainer's generator, as the
// CPU does, into the pinned buffers; derives the seeds of its Dropout masks
// from the configured seed and the step (so that the noise stays the CPU's and a
// resumed run draws the same masks); and copies the real batch beside them.
func (t *Trainer) stageInputs(real []float32) {
	drawNoise(t.dev.noise, t.rng)
	h := splitMix(t.Config.Seed ^ splitMix(uint64(t.Step)))
	t.dev.seeds[0], t.dev.seeds[1] = float32(h>>40), float32(h>>16&(1<<24-1))
	copy(t.dev.real, real)
}

// splitMix is SplitMix64's first draw from seed x: a well-mixed 64-bit hash of x.
func splitMix(x uint64) uint64 { return vec.SplitMix64(x + vec.Golden) }

// beginDeviceStep starts a step on the graph (after its Reset): it starts the
// capture when the last step allowed it, and hands the graph the staged
// seeds. It returns the inputs: the noise and the real batch on the device.
func (t *Trainer) beginDeviceStep(g *autograd.Graph) (noise, real *autograd.Var, err error) {
	t.dev.capturing = t.dev.ready && t.capturable()
	if t.dev.capturing {
		t.dev.flopsBefore = g.Flops()
		if err := t.device.BeginCapture(); err != nil {
			t.dev.capturing, t.dev.ready = false, false
			return nil, nil, fmt.Errorf("capturing the step in a CUDA graph: %w", err)
		}
	}
	g.SetDeviceSeeds(g.Input(t.dev.seeds, false, 2))
	noise = g.Input(t.dev.noise, false, t.Config.Batch, t.Config.LatentDim)
	real = g.Input(t.dev.real, false, t.realShape...)
	return noise, real, nil
}

// guard makes an optimizer's next update on the device skip when loss is not
// finite.
func guard(o optim.Optimizer, loss *autograd.Var) {
	if d, ok := o.(optim.DeviceOptimizer); ok {
		d.SkipIfNotFinite(loss)
	}
}

// finishDeviceStep ends a step on the device: its numbers (lossD, D's scores,
// lossG when G learned) are gathered and copied back; a captured step is
// instantiated and launched; then the host waits and reads them.
func (t *Trainer) finishDeviceStep(g *autograd.Graph, lossD, sReal, sFake, lossG *autograd.Var) (StepStats, error) {
	parts := []*autograd.Var{lossD, sReal, sFake}
	if lossG != nil {
		parts = append(parts, lossG)
	}
	all := g.Collect(parts...)
	t.device.CopyToHost(t.dev.stats[:all.Len()], all.DevicePtr())
	if t.dev.capturing {
		t.dev.capturing = false
		graph, err := t.device.EndCapture()
		if err != nil {
			t.dev.ready = false
			return StepStats{}, fmt.Errorf("capturing the step in a CUDA graph: %w (train with --cuda-graph=false)", err)
		}
		t.dev.graph, t.dev.gStep = graph, lossG != nil
		t.dev.stepFlops = g.Flops() - t.dev.flopsBefore
		if err := graph.Launch(); err != nil {
			return StepStats{}, err
		}
	}
	stats, err := t.readDeviceStats(sReal.Len(), lossG != nil)
	t.dev.ready = err == nil && g.Capturable()
	return stats, err
}

// replayStep is one step by the captured graph: stage the inputs, set the
// learning rates and advance the optimizers as the step's Go code would,
// launch, and read the numbers.
func (t *Trainer) replayStep(real []float32, labels []uint8) (StepStats, error) {
	t.stageInputs(real)
	if t.Config.Conditional != "" {
		t.stageLabels(labels)
	}
	t.applyLRDecay()
	t.OptD.(optim.DeviceOptimizer).Advance()
	if t.dev.gStep {
		t.OptG.(optim.DeviceOptimizer).Advance()
	}
	if err := t.dev.graph.Launch(); err != nil {
		return StepStats{}, err
	}
	t.dev.replays++
	return t.readDeviceStats(t.dBatchShape[0], t.dev.gStep)
}

// readDeviceStats waits for the step and reads its numbers: n scores of each
// kind, and G's loss when G learned. A loss that is not finite is the step's
// error (its guards kept every weight as it was); otherwise the step counts.
func (t *Trainer) readDeviceStats(n int, gStep bool) (StepStats, error) {
	if err := t.device.Sync(); err != nil {
		return StepStats{}, err
	}
	s := t.dev.stats
	stats := StepStats{DLoss: float64(s[0]), DReal: t.meanOutput(s[1 : 1+n]), DFake: t.meanOutput(s[1+n : 1+2*n]), GLoss: t.gLoss}
	if !finite(stats.DLoss) {
		return stats, t.skippedStep(true, gStep, fmt.Errorf("discriminator loss is %v at step %d", stats.DLoss, t.Step+1))
	}
	if gStep {
		stats.GLoss = float64(s[1+2*n])
		if !finite(stats.GLoss) {
			return stats, t.skippedStep(false, true, fmt.Errorf("generator loss is %v at step %d", stats.GLoss, t.Step+1))
		}
		t.gLoss = stats.GLoss
	}
	t.Step++
	return stats, nil
}

// skippedStep leaves the trainer as the CPU leaves it after a step whose loss
// was not finite, where the guards skipped the updates (of D when skipD, and
// of G when skipG): the gradients the step left on the device are cleared,
// and the skipped optimizers take their step count back. (G's average and
// BatchNorm's moving statistics have moved one step, which the CPU avoids.)
func (t *Trainer) skippedStep(skipD, skipG bool, err error) error {
	for _, w := range append(t.G.TrainableWeights(), t.D.TrainableWeights()...) {
		if g := w.DeviceGrad(); g != 0 {
			t.device.Fill(g, w.Len(), 0)
		}
	}
	for _, s := range []struct {
		skip bool
		o    optim.Optimizer
	}{{skipD, t.OptD}, {skipG, t.OptG}} {
		if d, ok := s.o.(optim.DeviceOptimizer); ok && s.skip {
			d.Rewind()
		}
	}
	if serr := t.device.Sync(); serr != nil {
		return serr
	}
	return err
}
