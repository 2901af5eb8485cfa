package gan

import (
	"fmt"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/internal/cuda"
	"github.com/gogan/gogan/nn"
)

// deviceChunk is how many images one forward pass makes on a GPU: larger than
// the CPU's chunk, as a GPU wants big products (each image is computed on its
// own at inference, so the chunk does not change the images).
const deviceChunk = 1024

// GenerateOn is GenerateLabeled on the device that device names, as ParseDevice
// reads it: "cpu" (or "") is GenerateLabeled; "cuda" or "cuda:N" opens that
// GPU, copies g's weights (their host copies, Data) there, runs g in inference
// mode (BatchNormalization with its moving statistics) on z (n, latent), writes
// the images (n, ...) into dst, and frees what it took on the GPU.
//
// A conditional G (cgan, acgan) takes labels, one class a sample, as
// GenerateLabeled; on a GPU they are checked against G's label embedding on
// the host first, since the device does not read its ids back.
//
// It returns an error, never panics, for arguments that do not fit g (those
// Generate panics on: a dst or z too short for n, n < 0, a g that is nil, not
// built, or takes labels it is not given) and for what the GPU cannot do: no GPU or
// driver (one line naming what is missing), a label that is not one of a
// conditional G's classes, a layer without a CUDA kernel (the error
// names its op), or weights already on a GPU (a trainer's: call its SyncHost
// and generate from a copy, or on the CPU).
func GenerateOn(device string, g nn.Network, dst, z []float32, labels []uint8, n int) error {
	ordinal, err := ParseDevice(device)
	if err != nil {
		return err
	}
	latent, out, err := checkGenerate(g, dst, z, labels, n)
	if err != nil {
		return fmt.Errorf("gan: GenerateOn: %w", err)
	}
	if ordinal < 0 {
		generateCPU(g, dst, z, labels, n, latent, out)
		return nil
	}
	if err := checkLabelIDs(g, z, labels, n); err != nil {
		return fmt.Errorf("--device %s: %w", device, err)
	}
	for _, w := range g.Weights() {
		if w.Device() != nil {
			return fmt.Errorf("--device %s: weight %s of %s is on %s already (a trainer's): generate from its host copy on the CPU", device, w.Name, g.Name(), w.Device().Name())
		}
	}
	d, err := cuda.Open(ordinal)
	if err != nil {
		return fmt.Errorf("--device %s: %w", device, err)
	}
	defer d.Close()
	if err := generateOnDevice(d, g, dst, z, labels, n); err != nil {
		return fmt.Errorf("--device %s: %w", device, err)
	}
	return nil
}

// generateOnDevice is GenerateOn on an open device, turning the panics of ops
// (an op without a CUDA kernel, a failed launch or allocation) into an error.
func generateOnDevice(d *cuda.Device, g nn.Network, dst, z []float32, labels []uint8, n int) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = deviceFailure(r)
		}
	}()
	weights := g.Weights()
	defer autograd.FreeDevice(weights...)
	if err := autograd.ToDevice(d, weights...); err != nil {
		return err
	}
	graph := autograd.NewGraph(nil)
	graph.UseDevice(d)
	defer graph.UseDevice(nil)
	shape := g.InputShapes()[0]
	latent, out := shape.Size(), g.OutputShape().Size()
	var ys []float32 // a chunk's labels as float32 ids, copied in by Input
	if labels != nil {
		ys = make([]float32, min(n, deviceChunk))
	}
	for start := 0; start < n; start += deviceChunk {
		m := min(deviceChunk, n-start)
		graph.Reset()
		in := graph.Input(z[start*latent:(start+m)*latent], false, append([]int{m}, shape...)...)
		y := callGenerator(graph, g, in, chunkLabels(labels, start, m), ys)
		// Into Go memory the copy is done when CopyToHost returns, before the
		// next chunk's kernels reuse y's memory.
		d.CopyToHost(dst[start*out:(start+m)*out], y.DevicePtr())
		if err := d.Sync(); err != nil {
			return err
		}
	}
	return nil
}

// checkLabelIDs checks a conditional G's first n labels (with the latent
// vectors z, checked by checkGenerate) as CallInputs does on the CPU (the ids
// of an Embedding fed straight from an input), on the host:
// a graph on a GPU does not read them back. It checks nothing for an
// unconditional G (nil labels) or a network without CheckInputs.
func checkLabelIDs(g nn.Network, z []float32, labels []uint8, n int) error {
	c, ok := g.(interface {
		CheckInputs(xs []*autograd.Var) error
	})
	if labels == nil || !ok || n == 0 {
		return nil
	}
	shapes := g.InputShapes()
	ys := make([]float32, n)
	for i := range ys {
		ys[i] = float32(labels[i])
	}
	host := autograd.NewGraph(nil)
	in := host.Input(z[:n*shapes[0].Size()], false, append([]int{n}, shapes[0]...)...)
	return c.CheckInputs([]*autograd.Var{in, host.Input(ys, false, n, 1)})
}
