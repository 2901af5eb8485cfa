package gan

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/cuda"
	"github.com/gogan/gogan/optim"
)

// ParseDevice reads a device name: "cpu" (or ""), "cuda" (the first GPU) or
// "cuda:N". It returns the GPU's ordinal, or −1 for the CPU.
func ParseDevice(name string) (int, error) {
	switch {
	case name == "" || name == "cpu":
		return -1, nil
	case name == "cuda":
		return 0, nil
	case strings.HasPrefix(name, "cuda:"):
		n, err := strconv.Atoi(name[len("cuda:"):])
		if err != nil || n < 0 {
			return 0, fmt.Errorf("device %q: want cuda:N with N a GPU number from 0", name)
		}
		return n, nil
	}
	return 0, fmt.Errorf("device %q: want cpu, cuda or cuda:N", name)
}

// UseDevice moves the trainer to a device: "cpu" leaves it where it is, "cuda"
// or "cuda:N" opens that GPU (through the driver's libcuda.so.1 and cuBLAS,
// loaded at run time) and keeps G's and D's weights, their gradients and the
// optimizers' moments there; every training step then runs on the GPU. The
// host copies of the weights are refreshed whenever a checkpoint, a picture
// or a sampler needs them, so checkpoints stay device-independent.
//
// Every recipe's layers and optimizers have CUDA kernels: Dense, the
// convolutions, BatchNormalization, the activations, pooling and upsampling,
// spectral normalization, the conditional recipes' label embedding and
// ACGAN's class loss, DiffAugment, WGAN's weight clipping, and Adam, RMSprop
// and SGD. A network with a layer that has none stops at its first step with
// an error naming the op.
func (t *Trainer) UseDevice(name string) error {
	t.mustBeMade("UseDevice")
	ordinal, err := ParseDevice(name)
	if err != nil || ordinal < 0 {
		return err
	}
	if t.device != nil {
		return fmt.Errorf("--device %s: the trainer is already on %s", name, t.device.Name())
	}
	if err := t.checkDeviceSupport(); err != nil {
		return fmt.Errorf("--device %s: %w", name, err)
	}
	d, err := cuda.Open(ordinal)
	if err != nil {
		return err
	}
	fail := func(err error) error {
		autograd.FreeDevice(t.deviceWeights()...)
		t.dev = nil
		d.Close()
		return fmt.Errorf("--device %s: %w", name, err)
	}
	if err := autograd.ToDevice(d, t.deviceWeights()...); err != nil {
		return fail(err)
	}
	if t.dev, err = t.newDeviceState(d); err != nil {
		return fail(err)
	}
	t.graph.UseDevice(d)
	t.device = d
	return nil
}

// checkDeviceSupport says which of the configuration's features has no GPU
// path yet.
func (t *Trainer) checkDeviceSupport() error {
	for _, o := range []optim.Optimizer{t.OptG, t.OptD} {
		if _, ok := o.(optim.DeviceOptimizer); !ok {
			return fmt.Errorf("the %s optimizer has no CUDA kernel yet (adam, rmsprop and sgd have)", o.Name())
		}
	}
	return nil
}

// deviceWeights are the weights that live on the device: G's, D's and the
// average of G's.
func (t *Trainer) deviceWeights() []*autograd.Var {
	w := append(append([]*autograd.Var(nil), t.G.Weights()...), t.D.Weights()...)
	if t.GEMA != nil {
		w = append(w, t.GEMA.Weights()...)
	}
	return w
}

// clipDeviceWeights is clipWeights on the device: every trainable weight of D
// limited to [−c, c], unless lossD (on the device), which guarded D's update,
// is not finite (then the CPU's step stops before clipping).
func (t *Trainer) clipDeviceWeights(c float32, lossD *autograd.Var) {
	for _, w := range t.D.TrainableWeights() {
		t.device.ClipWeights(w.DevicePtr(), w.Len(), c, lossD.DevicePtr())
	}
}

// updateDeviceEMA is updateEMA on the device: avg = decay·avg + (1 − decay)·w
// for trainable weights (the same float32 steps), a copy for the others.
func (t *Trainer) updateDeviceEMA(decay float32) {
	aw := t.GEMA.Weights()
	for i, w := range t.G.Weights() {
		if !w.Trainable {
			t.device.Copy(aw[i].DevicePtr(), w.DevicePtr(), w.Len())
			continue
		}
		t.device.MovingAverage(aw[i].DevicePtr(), w.DevicePtr(), w.Len(), decay)
	}
}

// Device names where the trainer computes: "cpu", or the GPU's name.
func (t *Trainer) Device() string {
	if t.device == nil {
		return "cpu"
	}
	return t.device.Name()
}

// ConvBackend says what runs the convolutions of a trainer on a GPU (see
// cuda.Device.ConvBackend: "cudnn 9.10.2 (5 of 9 ops)" or "im2col+cublas");
// "" on the CPU.
func (t *Trainer) ConvBackend() string {
	if t.device == nil {
		return ""
	}
	return t.device.ConvBackend()
}

// SyncHost copies the weights of a trainer on a GPU into their host copies
// (Data), which Sampler's network, checkpoints and pictures read; on the CPU
// it does nothing. SaveCheckpoint and Progress call it.
func (t *Trainer) SyncHost() error { return t.syncHost() }

// syncHost is SyncHost.
func (t *Trainer) syncHost() error {
	if t.device == nil {
		return nil
	}
	t.standingAt = -1 // the weight average's statistics are the device's again
	return autograd.ToHost(t.deviceWeights()...)
}

// deviceStep runs step, turning a device failure or an op without a CUDA
// kernel (panics inside the graph, where no error can be returned) into an error.
func (t *Trainer) deviceStep(step func() (StepStats, error)) (stats StepStats, err error) {
	if t.device == nil {
		return step()
	}
	defer func() {
		if r := recover(); r != nil {
			t.freezeD(false)
			if t.dev.capturing { // end the capture, so that the stream works again
				t.dev.capturing, t.dev.ready = false, false
				if g, cerr := t.device.EndCapture(); cerr == nil {
					g.Close()
				}
			}
			err = deviceFailure(r)
		}
	}()
	return step()
}

// deviceFailure is the error of a panic r met inside the graph on a GPU (an op
// without a CUDA kernel, a failed launch or allocation), where no error could
// be returned.
func deviceFailure(r any) error {
	if e, ok := r.(error); ok {
		return e
	}
	return fmt.Errorf("on the GPU: %v", r)
}

// Sync waits for the work queued on the trainer's device (none on the CPU)
// and reports its first failure.
func (t *Trainer) Sync() error {
	if t.device == nil {
		return nil
	}
	return t.device.Sync()
}

// SetTF32 lets the GPU's matrix products use TF32 tensor cores (a 10-bit
// mantissa in the products, float32 sums): faster, no longer the CPU's
// results to float32 rounding. Off by default; nothing on the CPU.
func (t *Trainer) SetTF32(on bool) {
	if t.device == nil {
		return
	}
	t.device.SetTF32(on)
	t.dropGraph() // captured with the other math: capture again
}

// restoreOnDevice sends weights just restored on the host to the trainer's
// GPU (the optimizers' moments go in their LoadState) and forgets the captured
// step, which a new capture replaces.
func (t *Trainer) restoreOnDevice() error {
	if t.device == nil {
		return nil
	}
	t.dropGraph()
	return autograd.ToDevice(t.device, t.deviceWeights()...)
}

// dropGraph forgets the captured step: the next steps launch their kernels,
// and one of them is captured again.
func (t *Trainer) dropGraph() {
	if t.dev.graph != nil {
		t.dev.graph.Close()
	}
	t.dev.graph, t.dev.ready = nil, false
}
