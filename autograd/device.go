package autograd

import (
	"fmt"
	"math"

	"github.com/gogan/gogan/internal/cuda"
)

// A graph computes on the CPU unless UseDevice gives it a CUDA device. On a
// device every Var the graph hands out lives in device memory (its Data is
// nil; Host copies it out), parameters are read from and their gradients
// written to the device copies ToDevice made, and each op launches its CUDA
// kernels asynchronously on the device's stream. Ops without a CUDA kernel
// panic with a *NoKernelError, which callers may recover as an error.

// NoKernelError is the panic value of an op that has no CUDA kernel yet, run on
// a graph that computes on a device.
type NoKernelError struct {
	Op string // the op, e.g. "Conv2D"
}

// Error names the op and what to do instead.
func (e *NoKernelError) Error() string {
	return fmt.Sprintf("autograd: op %s has no CUDA kernel yet (use --device cpu)", e.Op)
}

// UseDevice makes g compute on d (nil: back to the CPU). It must be called
// between steps (after Reset, before the first op). The device's memory for
// the graph's results is allocated as the first step needs it and reused after.
func (g *Graph) UseDevice(d *cuda.Device) {
	g.Reset()
	g.darena.release()
	g.dev = d
	g.darena = devArena{dev: d}
}

// Device returns the device g computes on, or nil for the CPU.
func (g *Graph) Device() *cuda.Device { return g.dev }

// cpuOnly panics with a *NoKernelError when g computes on a device: op has
// only a CPU kernel.
func (g *Graph) cpuOnly(op string) {
	if g.dev != nil {
		panic(&NoKernelError{Op: op})
	}
}

// OnDevice reports whether v's value lives in device memory.
func (v *Var) OnDevice() bool { return v.gpu != nil }

// Host returns v's values on the host: Data itself for a Var on the CPU, else a
// copy read from the device (which waits for the device's queued work). A
// parameter's host copy is Data (filled by ToHost, not by Host).
func (v *Var) Host() []float32 {
	if v.gpu == nil || v.isParam {
		return v.Data
	}
	out := make([]float32, v.Shape.Size())
	v.gpu.CopyToHost(out, v.dev)
	if err := v.gpu.Sync(); err != nil {
		panic(&DeviceError{Err: err})
	}
	return out
}

// DeviceError is the panic value of a device failure (an out-of-memory
// allocation, a failed launch) met inside an op, where no error can be
// returned; callers recover it as an error.
type DeviceError struct{ Err error }

// Error is the device's error.
func (e *DeviceError) Error() string { return e.Err.Error() }

// Unwrap returns the device's error.
func (e *DeviceError) Unwrap() error { return e.Err }

// ToDevice gives each parameter a copy of its values (Data) in d's memory and,
// for trainable ones, a gradient there, zeroed; ops on a graph using d read and
// update those. Parameters already on d are copied again.
func ToDevice(d *cuda.Device, params ...*Var) error {
	for _, p := range params {
		if !p.isParam {
			panic("autograd: ToDevice of a Var that is not a parameter: " + p.Name)
		}
		if p.gpu != d {
			if err := allocParam(d, p); err != nil {
				return fmt.Errorf("%s: %w", p.Name, err)
			}
		}
		d.CopyToDevice(p.dev, p.Data)
		if p.devGrad != 0 {
			d.Fill(p.devGrad, len(p.Data), 0)
		}
	}
	return d.Sync()
}

func allocParam(d *cuda.Device, p *Var) error {
	if p.gpu != nil {
		FreeDevice(p)
	}
	n := len(p.Data)
	ptr, err := d.Alloc(n)
	if err != nil {
		return err
	}
	p.dev, p.gpu = ptr, d
	if p.Grad != nil {
		if p.devGrad, err = d.Alloc(n); err != nil {
			return err
		}
	}
	return nil
}

// ToHost copies the device values of parameters into their Data, and their
// device gradients into Grad (for a checkpoint, sampling on the CPU, or moving
// back). Parameters not on a device are left as they are.
func ToHost(params ...*Var) error {
	var d *cuda.Device
	for _, p := range params {
		if p.gpu != nil {
			p.gpu.CopyToHost(p.Data, p.dev)
			if p.devGrad != 0 {
				p.gpu.CopyToHost(p.Grad, p.devGrad)
			}
			d = p.gpu
		}
	}
	if d == nil {
		return nil
	}
	return d.Sync()
}

// FreeDevice releases the device copies of parameters; they compute on the
// CPU from Data again (call ToHost first to keep what the device learned).
func FreeDevice(params ...*Var) {
	for _, p := range params {
		if p.gpu == nil {
			continue
		}
		p.gpu.Free(p.dev)
		if p.devGrad != 0 {
			p.gpu.Free(p.devGrad)
		}
		p.dev, p.devGrad, p.gpu = 0, 0, nil
	}
}

// DeviceGrad returns where a parameter's gradient lives on its device (0 when
// it has none): optimizers update parameters there.
func (v *Var) DeviceGrad() cuda.Ptr { return v.devGrad }

// DevicePtr returns where v's values live on its device (0 on the CPU).
func (v *Var) DevicePtr() cuda.Ptr { return v.dev }

// Device returns the device v's values live on, or nil.
func (v *Var) Device() *cuda.Device { return v.gpu }

// devArena is the device twin of arena: slabs of device memory reused step
// after step, grown at Reset when a step needed more (the excess is allocated
// one buffer at a time meanwhile and freed at Reset). A slab holds at most
// maxSlabFloats (the kernels' sizes are int32), so a step may use more memory
// than that in all (the ResNet at batch 64 takes about 3·10⁹ floats) as long as
// each buffer fits in one slab. Offsets are rounded up to 64 floats, so every
// result starts 256-byte aligned, as cuBLAS prefers.
type devArena struct {
	dev      *cuda.Device
	slabs    []devSlab
	cur      int // the slab being filled
	off      int // floats used in slabs[cur]
	passed   int // floats of the slabs before cur, the tails skipped included
	overflow []cuda.Ptr
	excess   int
}

// devSlab is one allocation of a devArena.
type devSlab struct {
	ptr  cuda.Ptr
	size int // floats
}

const devAlign = 64

// maxSlabFloats bounds a slab: the largest multiple of devAlign in an int32.
// Tests lower it to exercise several slabs.
var maxSlabFloats = math.MaxInt32 / devAlign * devAlign

func (a *devArena) alloc(n int) cuda.Ptr {
	n = (n + devAlign - 1) / devAlign * devAlign
	for a.cur < len(a.slabs) {
		if s := a.slabs[a.cur]; a.off+n <= s.size {
			p := s.ptr.Add(a.off)
			a.off += n
			return p
		}
		if n > maxSlabFloats {
			break // fits no slab: one buffer of its own, which Alloc refuses
		}
		a.passed += a.slabs[a.cur].size
		a.cur, a.off = a.cur+1, 0
	}
	p, err := a.dev.Alloc(max(n, 1))
	if err != nil {
		panic(&DeviceError{Err: err})
	}
	a.overflow = append(a.overflow, p)
	a.excess += n
	return p
}

// reset reclaims the arena for the next step, growing the slabs to hold the
// last step whole, with a quarter more. Freeing waits for queued work that may
// still read the memory.
func (a *devArena) reset() {
	if a.dev == nil {
		return
	}
	if a.excess > 0 {
		used := a.passed + a.off + a.excess
		need := used + used/4
		if err := a.dev.Sync(); err != nil {
			panic(&DeviceError{Err: err})
		}
		a.free()
		for need > 0 {
			n := min(need, maxSlabFloats)
			p, err := a.dev.Alloc(n)
			if err != nil {
				panic(&DeviceError{Err: err})
			}
			a.slabs = append(a.slabs, devSlab{p, n})
			need -= n
		}
		a.excess = 0
	}
	a.cur, a.off, a.passed = 0, 0, 0
}

// free frees the slabs and the overflow buffers.
func (a *devArena) free() {
	for _, p := range a.overflow {
		a.dev.Free(p)
	}
	a.overflow = a.overflow[:0]
	for _, s := range a.slabs {
		a.dev.Free(s.ptr)
	}
	a.slabs = a.slabs[:0]
}

// release frees the arena's memory.
func (a *devArena) release() {
	if a.dev == nil {
		return
	}
	a.dev.Sync()
	a.free()
	*a = devArena{}
}

// cpuOnlyIf is cpuOnly when cond holds: what op names has no CUDA kernel.
func (g *Graph) cpuOnlyIf(cond bool, op string) {
	if cond {
		g.cpuOnly(op)
	}
}

// Collect copies the values of xs, one after another, into one flat Var, not
// recorded: several small results read from a device in one copy (Host).
func (g *Graph) Collect(xs ...*Var) *Var {
	n := 0
	for _, x := range xs {
		n += x.Len()
	}
	out := g.newVar(n)
	off := 0
	for _, x := range xs {
		if g.dev != nil {
			g.dev.Copy(out.dev.Add(off), g.ptr(x), x.Len())
		} else {
			copy(out.Data[off:], x.Data)
		}
		off += x.Len()
	}
	return out
}

// SetDeviceSeeds makes the device's Dropout draw its masks from seeds (two
// values on the device, integers below 2²⁴, read as the 48-bit seed
// a·2²⁴ + b), the i-th mask since Reset with index i, instead of drawing a
// seed from Rand for each: a step captured in a CUDA graph then draws new
// masks at each replay when the caller writes new seeds (an Input of pinned
// memory). Reset forgets them.
func (g *Graph) SetDeviceSeeds(seeds *Var) {
	if seeds.Len() != 2 {
		panic("autograd: SetDeviceSeeds of " + seeds.Shape.String() + ", want 2 values")
	}
	g.seeds = seeds
}

// Capturable reports whether the step just run fit the graph's device memory
// without allocating, so that the same step, run again, allocates nothing
// and can be captured in a CUDA graph.
func (g *Graph) Capturable() bool {
	return g.dev != nil && g.darena.excess == 0 && len(g.darena.slabs) > 0
}
