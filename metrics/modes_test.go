package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestModes(t *testing.T) {
	centers := [][2]float64{{0, 0}, {2, 0}, {0, 2}, {2, 2}}
	rng := rand.New(rand.NewPCG(1, 1))
	draw := func(n int, modes []int, sigma float64) []float32 {
		p := make([]float32, 2*n)
		for i := 0; i < n; i++ {
			c := centers[modes[i%len(modes)]]
			p[2*i] = float32(c[0] + sigma*rng.NormFloat64())
			p[2*i+1] = float32(c[1] + sigma*rng.NormFloat64())
		}
		return p
	}
	all, err := Modes(draw(2000, []int{0, 1, 2, 3}, 0.02), centers, 0.02)
	if err != nil {
		t.Fatal(err)
	}
	if all.ModesCovered != 4 || all.HighQualityFraction < 0.98 || all.KL > 0.01 {
		t.Fatalf("balanced samples: %+v", all)
	}
	one, _ := Modes(draw(2000, []int{2}, 0.02), centers, 0.02)
	if one.ModesCovered != 1 || math.Abs(one.KL-math.Log(4)) > 1e-9 {
		t.Fatalf("collapsed samples: %+v, want 1 mode and KL log 4", one)
	}
	wide, _ := Modes(draw(2000, []int{0, 1, 2, 3}, 0.5), centers, 0.02)
	if wide.HighQualityFraction > 0.05 {
		t.Fatalf("blurry samples counted as high quality: %+v", wide)
	}
	if _, err := Modes([]float32{1}, centers, 0.02); err == nil {
		t.Fatal("odd number of values accepted")
	}
	if _, err := Modes([]float32{float32(math.NaN()), 0}, centers, 0.02); err == nil {
		t.Fatal("NaN accepted")
	}
}
