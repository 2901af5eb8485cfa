package gan

import "fmt"

// Config is everything that defines a training run. It is saved as the run's
// config.json and inside every checkpoint.
type Config struct {
	Model     string  `json:"model"`      // architecture name, e.g. "mlp"
	Data      string  `json:"data"`       // "mnist", "fashion-mnist" or a folder
	Epochs    int     `json:"epochs"`     // passes over the training set
	Steps     int     `json:"steps"`      // if > 0, stop after this many steps in all
	Batch     int     `json:"batch"`      // images per step (64 in the seed)
	LatentDim int     `json:"latent_dim"` // noise size (100 in the seed)
	LR        float32 `json:"lr"`         // Adam learning rate for both G and D
	Beta1     float32 `json:"beta1"`      // Adam β1 (0.5 for GANs)
	Beta2     float32 `json:"beta2"`      // Adam β2
	Epsilon   float32 `json:"epsilon"`    // Adam ε
	Seed      uint64  `json:"seed"`       // drives initialization, data order, noise, dropout
	LogEvery  int     `json:"log_every"`  // steps between metrics.jsonl lines
}

// DefaultConfig is the seed's recipe: latent 100, batch 64, Adam 2e-4 with β1 0.5.
func DefaultConfig() Config {
	return Config{
		Model: "mlp", Data: "mnist", Epochs: 5, Batch: 64, LatentDim: 100,
		LR: 2e-4, Beta1: 0.5, Beta2: 0.999, Epsilon: 1e-7, Seed: 1, LogEvery: 50,
	}
}

// MaxEpochs bounds Epochs so that step counts never overflow.
const MaxEpochs = 1 << 30

// Validate rejects values that cannot train, naming the value.
func (c Config) Validate() error {
	if _, err := LookupArchitecture(c.Model); err != nil {
		return err
	}
	switch {
	case c.Epochs <= 0 && c.Steps <= 0:
		return fmt.Errorf("epochs must be positive, got %d", c.Epochs)
	case c.Epochs > MaxEpochs:
		return fmt.Errorf("epochs must be at most %d, got %d", MaxEpochs, c.Epochs)
	case c.Steps < 0:
		return fmt.Errorf("steps must not be negative, got %d", c.Steps)
	case c.Batch <= 0:
		return fmt.Errorf("batch must be positive, got %d", c.Batch)
	case c.LatentDim <= 0:
		return fmt.Errorf("latent dimension must be positive, got %d", c.LatentDim)
	case !(c.LR > 0) || c.LR > 1:
		return fmt.Errorf("learning rate must be in (0, 1], got %g", c.LR)
	case c.Beta1 < 0 || c.Beta1 >= 1 || c.Beta2 < 0 || c.Beta2 >= 1:
		return fmt.Errorf("Adam betas must be in [0, 1), got %g and %g", c.Beta1, c.Beta2)
	case !(c.Epsilon > 0):
		return fmt.Errorf("Adam epsilon must be positive, got %g", c.Epsilon)
	case c.LogEvery <= 0:
		return fmt.Errorf("log interval must be positive, got %d", c.LogEvery)
	}
	return nil
}

// TotalSteps is the number of steps the run takes with batchesPerEpoch per epoch.
func (c Config) TotalSteps(batchesPerEpoch int) int {
	if c.Steps > 0 {
		return c.Steps
	}
	return c.Epochs * batchesPerEpoch
}
