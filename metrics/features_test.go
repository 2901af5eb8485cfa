package metrics

import (
	"slices"
	"testing"
)

func TestFeaturesFromFloat32(t *testing.T) {
	f, err := FeaturesFromFloat32(2, 3, []float32{1, 2, 3, 4, 5, 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if f.N != 2 || f.D != 3 || !slices.Equal(f.Row(1), []float64{4, 5, float64(float32(0.1))}) {
		t.Errorf("got %+v", f)
	}
	if got := PosteriorsFromFloat32([]float32{0.25, 0.75}); !slices.Equal(got, []float64{0.25, 0.75}) {
		t.Errorf("PosteriorsFromFloat32 = %v", got)
	}
	data := []float64{1, 2, 3, 4}
	g, err := NewFeatures(2, 2, data)
	if err != nil {
		t.Fatal(err)
	}
	if &g.Data[0] != &data[0] {
		t.Error("NewFeatures copied its data; it should wrap it")
	}
}
