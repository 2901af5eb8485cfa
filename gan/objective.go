package gan

import (
	"fmt"
	"strings"

	"github.com/gogan/gogan/autograd"
)

// Objective is a GAN's pair of losses, computed from D's scores: its outputs,
// or the logits of its final sigmoid when it ends in one. The trainer calls
// DiscriminatorLoss in D's step, with G's samples cut from G, and
// GeneratorLoss in G's step, with D's weights frozen. Both take the scores of
// a real batch and of a generated batch, (n, 1) each (n packs with
// Config.Pack), and return a scalar to minimize.
type Objective interface {
	// DiscriminatorLoss is D's loss from its scores on real and on generated samples.
	DiscriminatorLoss(g *autograd.Graph, real, fake *autograd.Var) *autograd.Var
	// GeneratorLoss is G's loss from D's scores on G's samples, fake, and on
	// the real batch, real: nil unless GeneratorReadsReal, so that an
	// objective that does not read it costs no pass of D over the real batch.
	GeneratorLoss(g *autograd.Graph, real, fake *autograd.Var) *autograd.Var
	// GeneratorReadsReal reports whether GeneratorLoss reads the real scores,
	// as the relativistic objectives do: G's step then runs D on the real batch too.
	GeneratorReadsReal() bool
}

// NamedObjective is an entry of Objectives: an objective with the name that
// Config.Loss and --loss give it, and the stabilizers it calls for.
type NamedObjective struct {
	Name        string
	Description string // one line, for --loss's help
	// New makes the objective for a run's settings (label smoothing).
	New func(cfg Config) Objective
	// Probabilities says the scores are logits of probabilities (the BCE
	// objectives): a step reports D's mean output as σ(score), else as the score.
	Probabilities bool
	// GradientPenalty says D's loss adds Config.GP times WGAN-GP's gradient
	// penalty (Gulrajani et al. 2017); D must then treat samples one by one.
	GradientPenalty bool
	// Clip says D's weights are clipped to ±Config.Clip after each step (WGAN).
	Clip bool
}

// Objectives is the table of objectives that Config.Loss may name; its first
// entry is the default. Adding one is a file with its Objective and a line here.
var Objectives = []NamedObjective{
	{Name: "nonsaturating", Description: "D: BCE(D(x), 1) + BCE(D(G(z)), 0); G: BCE(D(G(z)), 1) (the default)",
		New: func(c Config) Objective { return NonSaturating{LabelSmoothing: c.LabelSmoothing} }, Probabilities: true},
	{Name: "minimax", Description: "D as nonsaturating; G: −BCE(D(G(z)), 0), the original log(1 − D(G(z)))",
		New: func(c Config) Objective { return Minimax{LabelSmoothing: c.LabelSmoothing} }, Probabilities: true},
	{Name: "lsgan", Description: "D: ½(D(x) − 1)² + ½D(G(z))²; G: ½(D(G(z)) − 1)² (Mao et al. 2017)",
		New: func(c Config) Objective { return LeastSquares{LabelSmoothing: c.LabelSmoothing} }},
	{Name: "wgan", Description: "D: D(G(z)) − D(x), weights clipped to ±clip; G: −D(G(z)) (Arjovsky et al. 2017)",
		New: func(Config) Objective { return Wasserstein{} }, Clip: true},
	{Name: "wgan-gp", Description: "wgan's losses plus λ(‖∇D(x̂)‖ − 1)², λ = --gp, no clipping (Gulrajani et al. 2017)",
		New: func(Config) Objective { return Wasserstein{} }, GradientPenalty: true},
	{Name: "hinge", Description: "D: relu(1 − D(x)) + relu(1 + D(G(z))); G: −D(G(z)) (Miyato et al. 2018)",
		New: func(Config) Objective { return Hinge{} }},
	{Name: "ragan", Description: "relativistic average GAN: BCE of D(x) − mean D(G(z)) and back; G swaps the roles (Jolicoeur-Martineau 2018)",
		New: func(Config) Objective { return RelativisticAverage{} }},
	{Name: "ralsgan", Description: "relativistic average LSGAN: (D(x) − mean D(G(z)) ∓ 1)²; G swaps the roles (Jolicoeur-Martineau 2018)",
		New: func(Config) Objective { return RelativisticAverageLS{} }},
}

// Losses lists the names of Objectives, in the table's order.
var Losses = objectiveNames()

func objectiveNames() []string {
	names := make([]string, len(Objectives))
	for i, o := range Objectives {
		names[i] = o.Name
	}
	return names
}

// LookupObjective returns the objective that Config.Loss names: the first
// entry of Objectives (nonsaturating) for "".
func LookupObjective(name string) (NamedObjective, error) {
	if name == "" {
		return Objectives[0], nil
	}
	for _, o := range Objectives {
		if o.Name == name {
			return o, nil
		}
	}
	return NamedObjective{}, fmt.Errorf("unknown loss %q (want %s)", name, strings.Join(Losses, ", "))
}

// ObjectivesHelp describes the objectives one per line, "name  description",
// for a command's help.
func ObjectivesHelp() string {
	width := 0
	for _, o := range Objectives {
		width = max(width, len(o.Name))
	}
	var b strings.Builder
	for _, o := range Objectives {
		fmt.Fprintf(&b, "\n  %-*s  %s", width, o.Name, o.Description)
	}
	return b.String()
}
