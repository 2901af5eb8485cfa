package autograd

import (
	"math/rand/v2"
	"testing"

	"github.com/gogan/gogan/internal/cuda"
)

// TestDeviceArenaSlabs runs a step whose results need more device memory than
// one slab holds (maxSlabFloats lowered to 4,096 floats, as a step of the
// ResNet at batch 64 needs more than the 2³¹ floats a slab can hold): the
// values are right on every step, the arena grows to several slabs at the
// resets (twice here, each slab's tail too small for the next buffer), and
// from the third step on the step fits them (Capturable), the slabs reused as
// they are.
func TestDeviceArenaSlabs(t *testing.T) {
	d, err := cuda.Open(0)
	if err != nil {
		t.Skipf("no CUDA device: %v", err)
	}
	defer d.Close()
	defer func(m int) { maxSlabFloats = m }(maxSlabFloats)
	maxSlabFloats = 4096

	x := make([]float32, 64*48) // 3,072 floats: one result a slab
	for i := range x {
		x[i] = float32(i%97) - 48
	}
	g := NewGraph(rand.New(rand.NewPCG(1, 2)))
	g.UseDevice(d)
	var slabs []devSlab
	for step := range 4 {
		g.Reset()
		if step == 2 {
			slabs = append(slabs[:0], g.darena.slabs...)
		}
		a := g.Input(x, false, 64, 48)
		y := a
		for range 8 {
			y = g.Add(y, a)
		}
		got := y.Host()
		for i, v := range x {
			if got[i] != 9*v {
				t.Fatalf("step %d: y[%d] = %g, want %g", step, i, got[i], 9*v)
			}
		}
		if step >= 2 && (len(g.darena.slabs) < 2 || !g.Capturable()) {
			t.Fatalf("step %d: %d slabs, capturable %v; want several, and true", step, len(g.darena.slabs), g.Capturable())
		}
	}
	for i, s := range g.darena.slabs {
		if s.size > maxSlabFloats || i >= len(slabs) || s != slabs[i] {
			t.Fatalf("slab %d %+v after step 4, %+v after step 2: want the same, at most %d floats", i, s, slabs, maxSlabFloats)
		}
	}
}
