package gan_test

import (
	"testing"

	"github.com/gogan/gogan/gan"
)

// sameWeights reports whether two trainers' G and D hold the same bits.
func sameWeights(a, b *gan.Trainer) bool {
	wa := append(a.G.Weights(), a.D.Weights()...)
	wb := append(b.G.Weights(), b.D.Weights()...)
	for i := range wa {
		for j := range wa[i].Data {
			if wa[i].Data[j] != wb[i].Data[j] {
				return false
			}
		}
	}
	return true
}

// TestLinearDecay checks the linear learning-rate schedule over a planned run
// of 2 steps: the first step at the full rates (as a constant-rate trainer
// takes it), the second at half (as a constant-rate trainer whose optimizers
// are set to half takes it).
func TestLinearDecay(t *testing.T) {
	cfg := smallConfig()
	cfg.LRDecay = "linear"
	decayed, err := gan.NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	decayed.Plan(2)
	constant, _ := gan.NewTrainer(smallConfig())
	constant.Plan(2)
	halved, _ := gan.NewTrainer(smallConfig())

	train(t, decayed, 1)
	train(t, constant, 1)
	train(t, halved, 1)
	if !sameWeights(decayed, constant) {
		t.Fatal("the first step of a linear schedule is not at the full learning rate")
	}
	halved.OptD.SetLearningRate(cfg.LR / 2)
	halved.OptG.SetLearningRate(cfg.LR / 2)
	train(t, decayed, 1)
	train(t, constant, 1)
	train(t, halved, 1)
	if sameWeights(decayed, constant) {
		t.Fatal("the second step of a linear schedule took the full learning rate")
	}
	if !sameWeights(decayed, halved) {
		t.Fatal("the second of 2 planned steps is not at half the learning rate")
	}
}

func TestBadLRDecay(t *testing.T) {
	cfg := smallConfig()
	cfg.LRDecay = "cosine"
	if _, err := gan.NewTrainer(cfg); err == nil || err.Error() != `unknown learning-rate decay "cosine" (want linear, or none for a constant rate)` {
		t.Fatalf("NewTrainer with decay cosine: %v", err)
	}
}
