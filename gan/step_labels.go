package gan

import "github.com/gogan/gogan/autograd"

// The labels of a conditional step (cgan, acgan): the real batch's classes,
// and classes drawn for G's batch from the trainer's generator, in one buffer
// (Trainer.labels, or on a GPU its pinned twin, which a captured step's
// replay reads anew each step).

// labelsLen is the floats of a step's labels: the real and the fake batch's
// class ids, and for acgan their one-hot rows.
func (t *Trainer) labelsLen() int {
	b := t.Config.Batch
	switch t.Config.Conditional {
	case "":
		return 0
	case "acgan":
		return 2*b + 2*b*t.Config.NumClasses()
	}
	return 2 * b
}

// labelBuffer is the buffer the step's label inputs are read from.
func (t *Trainer) labelBuffer() []float32 {
	if t.dev != nil {
		return t.dev.labels
	}
	return t.labels
}

// stageLabels writes the step's labels into its buffer: the real batch's
// (checked by the caller), and for G's batch a class drawn from the trainer's
// generator per sample, as float32 ids and, for acgan, one-hot rows.
func (t *Trainer) stageLabels(labels []uint8) {
	buf, b, classes := t.labelBuffer(), t.Config.Batch, t.Config.NumClasses()
	realIDs, fakeIDs := buf[:b], buf[b:2*b]
	for i, l := range labels {
		realIDs[i] = float32(l)
		fakeIDs[i] = float32(t.rng.IntN(classes))
	}
	if t.Config.Conditional != "acgan" {
		return
	}
	hot := buf[2*b:]
	clear(hot)
	for i := range b {
		hot[i*classes+int(realIDs[i])] = 1
		hot[(b+i)*classes+int(fakeIDs[i])] = 1
	}
}

// labelInputs returns the step's label inputs from its buffer: the real and
// the fake batch's class ids (batch, 1), and for acgan their one-hot rows
// (batch, classes), else nil.
func (t *Trainer) labelInputs(g *autograd.Graph) (yReal, yFake, hotReal, hotFake *autograd.Var) {
	buf, b := t.labelBuffer(), t.Config.Batch
	yReal, yFake = g.Input(buf[:b], false, b, 1), g.Input(buf[b:2*b], false, b, 1)
	if t.Config.Conditional == "acgan" {
		c := t.Config.NumClasses()
		hotReal = g.Input(buf[2*b:2*b+b*c], false, b, c)
		hotFake = g.Input(buf[2*b+b*c:], false, b, c)
	}
	return yReal, yFake, hotReal, hotFake
}
