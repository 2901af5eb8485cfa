package autograd

import (
	"fmt"
	"math"

	"github.com/gogan/gogan/internal/cuda"
)

// Gather returns the rows of table picked by ids: table is (V, D), ids any
// shape (N, ...) of integer values in [0, V) carried as float32 (exact up to
// 2²⁴), and the result (N, ..., D) with y[i, :] = table[ids[i], :]. It is an
// embedding lookup. ids gets no gradient; an id that is not such an integer is
// a programmer error and panics on the CPU; on a device, where the ids are not
// read back, it gives a row of NaN.
func (g *Graph) Gather(table, ids *Var) *Var {
	if len(table.Shape) != 2 {
		panic("autograd: Gather from a table of shape " + table.Shape.String() + ", want (rows, columns)")
	}
	rows, d := table.Shape[0], table.Shape[1]
	var shape [6]int
	rank := copy(shape[:], ids.Shape)
	if rank == 6 {
		panic("autograd: Gather of ids " + ids.Shape.String() + ": the result would have more than 6 dimensions")
	}
	shape[rank] = d
	out := g.newVar(shape[:rank+1]...)
	if g.dev != nil {
		g.dev.Gather(out.dev, g.ptr(table), g.ptr(ids), ids.Len(), rows, d)
		if nd := g.record("Gather", out, gatherBackward, table); nd != nil {
			nd.devIDs = g.copyIDs(ids)
			nd.idsRank = rank
		}
		return out
	}
	idx := g.floats(len(ids.Data)) // a copy: the backward must see the ids of the forward
	for i, v := range ids.Data {
		r := checkIndex("Gather", v, rows)
		copy(out.Data[i*d:(i+1)*d], table.Data[r*d:(r+1)*d])
		idx[i] = v
	}
	if nd := g.record("Gather", out, gatherBackward, table); nd != nil {
		nd.ids = idx
		nd.idsRank = rank
	}
	return out
}

// gatherBackward: forward y[i, :] = table[ids[i], :], so dtable[r, :] = Σ_{i: ids[i] = r} dy[i, :],
// the rows of dy scattered and added into place.
func gatherBackward(g *Graph, n *node, dy *Var) {
	table := n.in[0]
	if g.wants(table) {
		ids := g.savedIDs(n, dy.Shape[:n.idsRank]...)
		g.accumulate(table, g.ScatterAdd(dy, ids, table.Shape[0]))
	}
}

// ScatterAdd adds the rows of src into a zero table of the given number of
// rows, at ids: src is (N, ..., D), ids (N, ...) of integers in [0, rows)
// carried as float32, and the result (rows, D) with
// y[r, :] = Σ_{i: ids[i] = r} src[i, :], the rows added in the order of i. It
// is Gather's adjoint. ids gets no gradient; an id out of range is a
// programmer error and panics on the CPU; on a device it adds nowhere.
func (g *Graph) ScatterAdd(src, ids *Var, rows int) *Var {
	rank := len(ids.Shape)
	if len(src.Shape) != rank+1 || !src.Shape[:rank].Equal(ids.Shape) {
		panic("autograd: ScatterAdd of " + src.Shape.String() + " at ids " + ids.Shape.String() + ": want src shaped as ids plus one axis")
	}
	d := src.Shape[rank]
	out := g.newVar(rows, d)
	if g.dev != nil {
		g.dev.ScatterAdd(out.dev, g.ptr(src), g.ptr(ids), ids.Len(), rows, d)
		if nd := g.record("ScatterAdd", out, scatterAddBackward, src); nd != nil {
			nd.devIDs = g.copyIDs(ids)
		}
		return out
	}
	clear(out.Data)
	idx := g.floats(len(ids.Data))
	for i, v := range ids.Data {
		r := checkIndex("ScatterAdd", v, rows)
		dst, row := out.Data[r*d:(r+1)*d], src.Data[i*d:(i+1)*d]
		for j, s := range row {
			dst[j] += s
		}
		idx[i] = v
	}
	if nd := g.record("ScatterAdd", out, scatterAddBackward, src); nd != nil {
		nd.ids = idx
	}
	return out
}

// scatterAddBackward: forward y[r, :] = Σ_{i: ids[i] = r} src[i, :], so
// dsrc[i, :] = dy[ids[i], :], a Gather of dy's rows.
func scatterAddBackward(g *Graph, n *node, dy *Var) {
	src := n.in[0]
	if g.wants(src) {
		ids := g.savedIDs(n, src.Shape[:len(src.Shape)-1]...)
		g.accumulate(src, g.Gather(dy, ids))
	}
}

// copyIDs is the device side of the copy of the ids that Gather and ScatterAdd
// save for their backward: a copy in the graph's device memory, made on the
// stream after the forward's kernel read them.
func (g *Graph) copyIDs(ids *Var) cuda.Ptr {
	c := g.newVarLike(ids)
	g.dev.Copy(c.dev, g.ptr(ids), ids.Len())
	return c.dev
}

// savedIDs returns the ids a Gather or ScatterAdd saved, shaped shape: the
// host copy as an Input, or on a device a view of the device copy.
func (g *Graph) savedIDs(n *node, shape ...int) *Var {
	if g.dev != nil {
		return g.view(&Var{gpu: g.dev, dev: n.devIDs}, shape...)
	}
	return g.Input(n.ids, false, shape...)
}

// checkIndex returns v as a row index, panicking unless it is an integer in [0, rows).
func checkIndex(op string, v float32, rows int) int {
	if f := float64(v); f != math.Trunc(f) || f < 0 || f >= float64(rows) {
		panic(fmt.Sprintf("autograd: %s index %v is not an integer in [0, %d)", op, v, rows))
	}
	return int(v)
}
