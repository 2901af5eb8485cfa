package gan_test

import (
	"fmt"
	"math"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/nn"
)

// softHinge is an objective of a program's own: the hinge loss with
// softplus in place of relu. G reads only the generated batch's scores.
type softHinge struct{}

func (softHinge) DiscriminatorLoss(g *autograd.Graph, real, fake *autograd.Var) *autograd.Var {
	return g.Add(g.Mean(g.Softplus(g.AddScalar(g.Scale(real, -1), 1))), g.Mean(g.Softplus(g.AddScalar(fake, 1))))
}

func (softHinge) GeneratorLoss(g *autograd.Graph, _, fake *autograd.Var) *autograd.Var {
	return g.Scale(g.Mean(fake), -1)
}

func (softHinge) GeneratorReadsReal() bool { return false }

// A generator and a discriminator of a program's own, with no architecture
// name, trained with an objective of its own: points on the unit circle.
func ExampleNewTrainerFor() {
	cfg := gan.DefaultConfig()
	cfg.Model, cfg.Batch, cfg.LatentDim = "circle", 32, 4
	g := nn.NewSequential("generator", nn.Input(4), nn.Dense(32, nn.WithActivation("relu")), nn.Dense(2))
	d := nn.NewSequential("discriminator", nn.Input(2), nn.Dense(32), nn.LeakyReLU(0.2), nn.Dense(1))
	tr, err := gan.NewTrainerFor(g, d, cfg, gan.WithObjective(gan.NamedObjective{
		Name: "soft-hinge", New: func(gan.Config) gan.Objective { return softHinge{} },
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	real := make([]float32, 2*cfg.Batch)
	for i := range cfg.Batch {
		a := 2 * math.Pi * float64(i) / float64(cfg.Batch)
		real[2*i], real[2*i+1] = float32(math.Cos(a)), float32(math.Sin(a))
	}
	for range 10 {
		if _, err := tr.TrainStep(real, nil); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Printf("%d steps of %s: G makes %s\n", tr.Step, tr.Objective.Name, tr.G.OutputShape())
	// Output: 10 steps of soft-hinge: G makes (2,)
}

// A recipe's settings come from ApplyDefaults, as gogan train --model wgan-gp gets
// them; the settings named in given (here the learning rate, by its flag's name)
// stay as the caller set them. NewTrainer then trains cfg as it is.
func ExampleApplyDefaults() {
	cfg := gan.DefaultConfig()
	cfg.Model, cfg.LR = "wgan-gp", 0.0001
	gan.ApplyDefaults(&cfg, map[string]bool{"lr": true})
	fmt.Println(cfg.ArchitectureName(), cfg.Loss, cfg.GP, cfg.NCritic, cfg.Optimizer, cfg.Beta1, cfg.Beta2, cfg.LR)
	// Output: mlp wgan-gp 10 5 adam 0.5 0.9 0.0001
}
