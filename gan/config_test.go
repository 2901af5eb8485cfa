package gan

import (
	"fmt"
	"math"
	"testing"
)

// TestValidateRejectsNonFinite: NaN and ±Inf in any float setting are refused,
// naming the setting (NaN passes every comparison with a bound).
func TestValidateRejectsNonFinite(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for name, set := range map[string]func(c *Config, v float32){
		"learning rate": func(c *Config, v float32) { c.LR = v }, "Adam beta1": func(c *Config, v float32) { c.Beta1 = v },
		"gradient-penalty weight": func(c *Config, v float32) { c.GP = v }, "clip": func(c *Config, v float32) { c.Clip = v },
		"EMA decay": func(c *Config, v float32) { c.EMA = v }, "D's learning rate": func(c *Config, v float32) { c.LRD = v },
		"instance noise": func(c *Config, v float32) { c.InstanceNoise = v }, "label smoothing": func(c *Config, v float32) { c.LabelSmoothing = v },
	} {
		for _, v := range []float32{nan, inf, -inf} {
			c := DefaultConfig()
			set(&c, v)
			want := fmt.Sprintf("%s must be a finite number, got %g", name, v)
			if err := c.Validate(); err == nil || err.Error() != want {
				t.Errorf("%s = %g: error %v, want %q", name, v, err, want)
			}
		}
	}
}
