package autograd

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/gogan/gogan/internal/cuda"
	"github.com/gogan/gogan/tensor"
)

// Graph records ops for one step and owns the memory of their results.
type Graph struct {
	tape      []*node // recorded ops in order; entries are reused after Reset
	ntape     int
	vars      []*Var // pool of Vars handed out since the last Reset, reused
	nvars     int
	arena     arena
	recording bool // false inside a backward pass that does not build a graph

	// wantParams is false while Grad computes gradients for chosen inputs only:
	// parameters then need no gradient.
	wantParams bool

	flops atomic.Uint64 // see Flops

	dev    *cuda.Device // nil: the CPU (see UseDevice)
	darena devArena
	seeds  *Var // the step's seeds of the device's Dropout masks (SetDeviceSeeds), or nil
	masks  int  // the Dropout masks drawn on the device since Reset

	profile *OpProfile // see SetProfile; nil: ops are not timed

	tail denseTail // the epilogue of a Dense product under way (ops_dense.go)

	pair     [2]gradJob // the two gradients a backward rule computes at once (pairs.go)
	pairsRun int        // how many pairs ran at once since NewGraph (for tests)

	// Rand drives stochastic ops (Dropout). Callers seed it for determinism.
	Rand *rand.Rand
}

// NewGraph returns an empty graph whose stochastic ops draw from rng.
func NewGraph(rng *rand.Rand) *Graph {
	return &Graph{recording: true, wantParams: true, Rand: rng}
}

// Reset forgets the recorded ops and reclaims every Var the graph handed out.
// Parameters are untouched.
func (g *Graph) Reset() {
	for _, n := range g.tape[:g.ntape] {
		*n = node{}
	}
	g.ntape = 0
	for _, v := range g.vars[:g.nvars] {
		*v = Var{}
	}
	g.nvars = 0
	g.arena.reset()
	g.darena.reset()
	g.seeds, g.masks = nil, 0
	g.profileMark()
}

// node is one recorded op: its output, inputs, the rule that maps the output's
// gradient to the inputs', and what the op saved for it.
type node struct {
	out      *Var
	in       [3]*Var
	backward func(g *Graph, n *node, dy *Var)
	name     string // op name, for error messages

	// firstOrderOnly marks ops whose backward is a fused kernel that is not
	// recorded, so it cannot be differentiated again.
	firstOrderOnly bool

	// What the op saved for its backward, one named field per meaning: each
	// op sets the fields listed for it and its backward reads them. Nodes are
	// pooled by the graph, so saving is a store, never an allocation.
	slope   float32   // LeakyReLU, BiasLeakyReLU, LeakyReLUMask: the slope where x ≤ 0
	factor  float32   // Scale: the constant c
	trans   [2]bool   // MatMul: whether A and B were transposed
	win     window    // Conv2D, Conv2DTranspose, Conv2DFilterGrad, AvgPool2D, AvgPool2DGrad: the geometry
	block   [2]int    // UpSample2D, BlockSum2D: the block (fh, fw) a pixel spreads over
	corner  [2]int    // ZeroPad2D, Crop2D: (top, left) of the smaller image inside the larger
	span    [2]int    // SliceRows, PadRows, SliceLast: the range [from, to) kept
	idsRank int       // Gather: the rank of ids, so dy's leading axes give their shape
	gate    []float32 // LeakyReLUMask: the values whose sign picks 1 or the slope
	mask    []float32 // MaskMul (Dropout), Clip: the fixed multiplier
	ids     []float32 // Gather, ScatterAdd: a copy of the row ids of the forward
	mean    []float32 // BatchNorm: the batch's mean per column
	invStd  []float32 // BatchNorm: 1/√(variance + ε) per column

	perSample []float32 // ScaleAboutMean: the factor of each sample
	group     int       // ScaleAboutMean: the values that share a mean
	offsets   []float32 // Translate: the shifts (row, col) per image; Cutout: the corners (integers)
	hole      [2]int    // Cutout: the rectangle's (height, width)

	argmax poolArgmax // MaxPool2D, ScatterIndexed, GatherIndexed: where each output came from

	devMean, devInvStd cuda.Ptr // BatchNorm on a device: the batch's mean and 1/σ
	devGate            cuda.Ptr // LeakyReLUMask on a device: the values whose sign picks 1 or the slope
	devIDs             cuda.Ptr // Gather, ScatterAdd on a device: a copy of the row ids of the forward
}

// newVar hands out a Var of the given shape with uninitialized storage.
func (g *Graph) newVar(shape ...int) *Var {
	v := g.pooledVar()
	n := copy(v.shapeBuf[:], shape)
	if n < len(shape) {
		panic("autograd: tensors have at most 6 dimensions")
	}
	v.Shape = tensor.Shape(v.shapeBuf[:n])
	if g.dev != nil {
		v.gpu, v.dev = g.dev, g.darena.alloc(v.Shape.Size())
		return v
	}
	v.Data = g.arena.alloc(v.Shape.Size())
	return v
}

// newVarLike hands out a Var shaped like x.
func (g *Graph) newVarLike(x *Var) *Var { return g.newVar(x.Shape...) }

// view returns a Var sharing x's storage under another shape.
func (g *Graph) view(x *Var, shape ...int) *Var {
	v := g.pooledVar()
	n := copy(v.shapeBuf[:], shape)
	v.Shape = tensor.Shape(v.shapeBuf[:n])
	v.Data = x.Data
	v.gpu, v.dev = x.gpu, x.dev
	return v
}

func (g *Graph) pooledVar() *Var {
	if g.nvars == len(g.vars) {
		g.vars = append(g.vars, new(Var))
	}
	v := g.vars[g.nvars]
	g.nvars++
	return v
}

// floats hands out scratch storage that lives until Reset.
func (g *Graph) floats(n int) []float32 { return g.arena.alloc(n) }

// record links out to the op that produced it, when recording and when any input
// needs a gradient. It returns the node so the op can save what its backward needs.
func (g *Graph) record(name string, out *Var, backward func(*Graph, *node, *Var), in ...*Var) *node {
	g.profileForward(name, out)
	return g.recordUnprofiled(name, out, backward, in...)
}

// recordUnprofiled is record for a node whose forward work an earlier node's did (and an
// OpProfile charged to it): it leaves the profile's clock running.
func (g *Graph) recordUnprofiled(name string, out *Var, backward func(*Graph, *node, *Var), in ...*Var) *node {
	if !g.recording {
		return nil
	}
	needs := false
	for _, x := range in {
		if x != nil && (x.wantsGrad() || x.requiresGrad) {
			needs = true
		}
	}
	if !needs {
		return nil
	}
	if g.ntape == len(g.tape) {
		g.tape = append(g.tape, new(node))
	}
	n := g.tape[g.ntape]
	g.ntape++
	*n = node{out: out, backward: backward, name: name}
	copy(n.in[:], in)
	out.requiresGrad = true
	out.producer = g.ntape
	return n
}

// Input wraps data of the given shape (batch first) as a leaf Var, copying nothing:
// the Var aliases data. requiresGrad marks it as something Grad can differentiate by.
func (g *Graph) Input(data []float32, requiresGrad bool, shape ...int) *Var {
	if tensor.Shape(shape).Size() != len(data) {
		panic("autograd: Input data length does not match shape " + tensor.Shape(shape).String())
	}
	if g.dev != nil {
		v := g.newVar(shape...)
		g.dev.CopyToDevice(v.dev, data)
		v.requiresGrad = requiresGrad
		return v
	}
	v := g.view(&Var{Data: data}, shape...)
	v.requiresGrad = requiresGrad
	return v
}

// Constant returns a new Var of the given shape filled with c.
func (g *Graph) Constant(c float32, shape ...int) *Var {
	v := g.newVar(shape...)
	if g.dev != nil {
		g.dev.Fill(v.dev, v.Len(), c)
		return v
	}
	for i := range v.Data {
		v.Data[i] = c
	}
	return v
}

// Detach returns x's value cut from the graph: no gradient flows through it.
func (g *Graph) Detach(x *Var) *Var { return g.view(x, x.Shape...) }

// arena is a bump allocator over one slab that is reused after each Reset. When a
// step needs more than the slab holds, the excess is allocated from the heap and
// the slab grows to fit at the next Reset, so a repeated step stops allocating.
//
// The two jobs of a pair (pairs.go) allocate at once: mu guards the arena.
type arena struct {
	mu       sync.Mutex
	slab     []float32
	off      int
	overflow int
}

func (a *arena) alloc(n int) []float32 {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.off+n > len(a.slab) {
		a.overflow += n
		return make([]float32, n)
	}
	s := a.slab[a.off : a.off+n : a.off+n]
	a.off += n
	return s
}

// mark is the arena's offset, for rewind.
func (a *arena) mark() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.off
}

// rewind gives back everything allocated from the slab since mark returned off: scratch
// only, none of it in use.
func (a *arena) rewind(off int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.off = min(a.off, off)
}

func (a *arena) reset() {
	if a.overflow > 0 {
		a.slab = make([]float32, a.off+a.overflow+a.off/4)
	}
	a.off = 0
	a.overflow = 0
}
