package autograd_test

import (
	"math"
	"testing"

	"github.com/gogan/gogan/autograd"
)

// spectralCases are the ops of spectral normalization's W/σ on a device, which
// TestDeviceMatchesCPU runs beside deviceCases: Div, and the whole k/σ with
// σ = v·K·u for constant u and v (Expand's backward is a Sum over the kernel).
var spectralCases = []deviceCase{
	{"Div", [][]int{{9, 7}, {9, 7}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		return g.Div(p[0], g.AddScalar(g.Square(p[1]), 0.5))
	}, 1e-6},
	{"Div by sigma", [][]int{{3, 3, 4, 6}}, func(g *autograd.Graph, p []*autograd.Var) *autograd.Var {
		k := p[0]
		rows, cols := 36, 6
		u := g.Input(randomInput(cols, 41), false, cols, 1)
		v := g.Input(randomInput(rows, 42), false, 1, rows)
		sigma := g.MatMul(g.MatMul(v, g.Reshape(k, rows, cols), false, false), u, false, false)
		return g.Div(k, g.Expand(g.Reshape(sigma), k.Shape...))
	}, 1e-5},
}

// powerIterationCPU is nn.SpectralNormLayer's CPU step for k (rows, cols), u
// (cols) and v (rows), in float64.
func powerIterationCPU(k, u, v []float32) {
	rows, cols := len(v), len(u)
	normalizeTo := func(dst []float32, x []float64) {
		var ss float64
		for _, a := range x {
			ss += a * a
		}
		n := max(math.Sqrt(ss), 1e-12)
		for i, a := range x {
			dst[i] = float32(a / n)
		}
	}
	ku, ktv := make([]float64, rows), make([]float64, cols)
	for i := range ku {
		for j, w := range k[i*cols : (i+1)*cols] {
			ku[i] += float64(w) * float64(u[j])
		}
	}
	normalizeTo(v, ku)
	for i, vi := range v {
		for j, w := range k[i*cols : (i+1)*cols] {
			ktv[j] += float64(w) * float64(vi)
		}
	}
	normalizeTo(u, ktv)
}

// TestDevicePowerIteration checks PowerIteration on the device against the
// CPU's loop, bit for bit, over three steps on a Conv2D-shaped kernel.
func TestDevicePowerIteration(t *testing.T) {
	d := openDevice(t)
	const rows, cols = 5 * 5 * 3, 64
	k := autograd.NewParam("k", 5, 5, 3, cols)
	copy(k.Data, randomInput(rows*cols, 43))
	u, v := autograd.NewState("u", cols), autograd.NewState("v", rows)
	copy(u.Data, randomInput(cols, 44))
	wantU, wantV := append([]float32(nil), u.Data...), append([]float32(nil), v.Data...)
	if err := autograd.ToDevice(d, k, u, v); err != nil {
		t.Fatal(err)
	}
	defer autograd.FreeDevice(k, u, v)
	g := autograd.NewGraph(nil)
	g.UseDevice(d)
	defer g.UseDevice(nil)
	for range 3 {
		g.PowerIteration(k, u, v)
		powerIterationCPU(k.Data, wantU, wantV)
	}
	if err := autograd.ToHost(u, v); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want []float32
	}{{"u", u.Data, wantU}, {"v", v.Data, wantV}} {
		for i, w := range c.want {
			if c.got[i] != w {
				t.Fatalf("%s[%d] is %g on the device, %g on the CPU", c.name, i, c.got[i], w)
			}
		}
	}
}
