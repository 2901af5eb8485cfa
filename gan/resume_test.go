package gan

import (
	"slices"
	"testing"

	"github.com/gogan/gogan/optim"
)

// TestResumeIsBitIdentical: 2N steps straight and N steps, checkpoint, load,
// N steps give the same bits in every weight and optimizer slot; for the MLP
// and for the DCGAN, whose Dropout masks draw their seeds from the trainer's
// generator.
func TestResumeIsBitIdentical(t *testing.T) {
	mlp, dcgan := DefaultConfig(), DefaultConfig()
	mlp.Batch, mlp.Seed = 8, 42
	dcgan.Model, dcgan.Batch, dcgan.Seed = "dcgan", 4, 7
	for _, cfg := range []Config{mlp, dcgan} {
		t.Run(cfg.Model, func(t *testing.T) {
			resumeMatchesStraight(t, cfg, 3, func(step int) []float32 { return uniformImages(cfg.Batch*784, uint64(step)) })
		})
	}
}

// resumeMatchesStraight trains a Trainer of cfg for 2n steps straight, and another for
// n steps, saved (SaveCheckpoint), loaded (LoadCheckpoint) and trained n more, step s
// on the images batch(s); it fails unless the loaded one resumes at step n and the two
// end with the same bits in every weight of G and D and every slot of their
// optimizers. It returns the loaded trainer, for the caller to check what it rebuilt.
func resumeMatchesStraight(t *testing.T, cfg Config, n int, batch func(step int) []float32) *Trainer {
	t.Helper()
	train := func(tr *Trainer, steps int) {
		t.Helper()
		for range steps {
			if _, err := tr.TrainStep(batch(tr.Step), nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	straight, err := NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	train(straight, 2*n)
	first, err := NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	train(first, n)
	dir := t.TempDir()
	if _, err := first.SaveCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	resumed, err := LoadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	if resumed.Step != n {
		t.Fatalf("resumed at step %d, want %d", resumed.Step, n)
	}
	train(resumed, n)
	wa := append(straight.G.Weights(), straight.D.Weights()...)
	wb := append(resumed.G.Weights(), resumed.D.Weights()...)
	for i := range wa {
		for j := range wa[i].Data {
			if wa[i].Data[j] != wb[i].Data[j] {
				t.Fatalf("%s[%d]: straight %g, resumed %g", wa[i].Name, j, wa[i].Data[j], wb[i].Data[j])
			}
		}
	}
	for _, opts := range [][2]optim.Optimizer{{straight.OptG, resumed.OptG}, {straight.OptD, resumed.OptD}} {
		sa, na := opts[0].State()
		sb, nb := opts[1].State()
		if na != nb {
			t.Fatalf("optimizer steps %d straight, %d resumed", na, nb)
		}
		for k, v := range sa {
			if !slices.Equal(v, sb[k]) {
				t.Fatalf("optimizer slot %s differs after resume", k)
			}
		}
	}
	return resumed
}
