package gan

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestJointDiscriminatorCall: scoring the real and the generated batch in one call
// gives the scores and D's loss of two calls, bit for bit, and weights (and so G's
// loss, which D's updated weights give) that differ only by the
// order in which the two batches' gradients are summed (the MLP's D; the DCGAN's
// draws its dropout masks in another order); recipes whose D mixes the batch
// (BatchNormalization) or changes with each call (SpectralNorm) keep two calls.
func TestJointDiscriminatorCall(t *testing.T) {
	for _, model := range []string{"mlp"} {
		cfg := DefaultConfig()
		cfg.Model, cfg.Batch, cfg.Seed = model, 8, 7
		joint, err := NewTrainer(cfg)
		if err != nil {
			t.Fatal(err)
		}
		separate, _ := NewTrainer(cfg)
		if !joint.jointD {
			t.Fatalf("%s: D not scored in one call", model)
		}
		separate.jointD = false
		rng := rand.New(rand.NewPCG(1, 2))
		real := make([]float32, cfg.Batch*joint.sample.Size())
		for i := range real {
			real[i] = rng.Float32()*2 - 1
		}
		for step := range 3 {
			a, err := joint.TrainStep(real, nil)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := separate.TrainStep(real, nil)
			// D's loss and scores come before any update; G's loss after D's, whose
			// weights differ in their last bits.
			if step == 0 && (a.DLoss != b.DLoss || a.DReal != b.DReal || a.DFake != b.DFake || math.Abs(a.GLoss-b.GLoss) > 1e-6) {
				t.Fatalf("%s: first step's stats %+v in one call, %+v in two", model, a, b)
			}
		}
		wa, wb := joint.D.Weights(), separate.D.Weights()
		for i := range wa {
			for j, v := range wa[i].Data {
				if d := math.Abs(float64(v - wb[i].Data[j])); d > 1e-4 {
					t.Fatalf("%s: %s[%d] = %g in one call, %g in two", model, wa[i].Name, j, v, wb[i].Data[j])
				}
			}
		}
	}
	for _, c := range []struct {
		cfg   Config
		joint bool
	}{{withModel("dcgan", ""), true}, {withModel("sngan", ""), false}, {withModel("mlp", "cgan"), false}, {withModel("mlp", "acgan"), false}} {
		tr, err := NewTrainer(c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if tr.jointD != c.joint {
			t.Errorf("%s %s: D scored in one call: %v, want %v", c.cfg.Model, c.cfg.Conditional, tr.jointD, c.joint)
		}
	}
}

func withModel(model, conditional string) Config {
	cfg := DefaultConfig()
	cfg.Model, cfg.Conditional, cfg.Batch = model, conditional, 8
	ApplyRecipe(&cfg, nil)
	return cfg
}
