package metrics_test

import (
	"fmt"

	"github.com/gogan/gogan/metrics"
)

// PrecisionRecall takes the real features first and the generated ones second, the
// opposite of FID and KID (samples first, then the reference). The real set here has
// two clusters of 10 points on a 5×2 grid, 100 apart; the generated set covers the
// first cluster alone, each point near a real one. All it makes looks real (precision
// 1), and it makes half of what is real (recall 0.5). Swapped arguments compile, since
// both are Features, and give the two numbers exchanged.
func ExamplePrecisionRecall() {
	var realData, fakeData []float64
	for _, x0 := range []float64{0, 100} { // the real set's two clusters
		for x := range 5 {
			for y := range 2 {
				realData = append(realData, x0+float64(x), float64(y))
			}
		}
	}
	for x := range 5 { // the generated set: the first cluster, shifted by a quarter
		for y := range 2 {
			fakeData = append(fakeData, float64(x)+0.25, float64(y)+0.25)
		}
	}
	real, err := metrics.NewFeatures(20, 2, realData)
	if err != nil {
		panic(err)
	}
	fake, err := metrics.NewFeatures(10, 2, fakeData)
	if err != nil {
		panic(err)
	}
	precision, recall, err := metrics.PrecisionRecall(real, fake, metrics.DefaultPRNeighbours) // real first
	if err != nil {
		panic(err)
	}
	fmt.Printf("precision %.2f, recall %.2f\n", precision, recall)

	swapped, swappedRecall, err := metrics.PrecisionRecall(fake, real, metrics.DefaultPRNeighbours) // wrong: fake first
	if err != nil {
		panic(err)
	}
	fmt.Printf("swapped: precision %.2f, recall %.2f\n", swapped, swappedRecall)
	// Output:
	// precision 1.00, recall 0.50
	// swapped: precision 0.50, recall 1.00
}
