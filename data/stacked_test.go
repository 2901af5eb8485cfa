package data

import (
	"slices"
	"testing"
)

// realMNIST loads MNIST or skips the test, saying why.
func realMNIST(t *testing.T) *Dataset {
	t.Helper()
	ds, err := Load("mnist")
	if err != nil {
		t.Skipf("MNIST is not available here: %v", err)
	}
	return ds
}

func TestStackedMNISTLabels(t *testing.T) {
	mnist := realMNIST(t)
	const n = 3000
	set, err := StackedMNIST(mnist.Train, n, 7)
	if err != nil {
		t.Fatal(err)
	}
	im := set.Images
	if im.N != n || im.Rows != 28 || im.Cols != 28 || im.Channels != 3 || len(set.WideLabels) != n || set.Labels != nil {
		t.Fatalf("got %dx%dx%dx%d with %d wide labels, want %dx28x28x3 with %d", im.N, im.Rows, im.Cols, im.Channels, len(set.WideLabels), n, n)
	}

	// Each channel is an MNIST training image; the label's digits are theirs.
	digitsOf := map[string][]uint8{}
	src := mnist.Train.Images
	for j := range src.N {
		key := string(src.Pixels[j*784 : (j+1)*784])
		digitsOf[key] = append(digitsOf[key], mnist.Train.Labels[j])
	}
	channel := make([]uint8, 784)
	firstDigits := [10]int{}
	for k := range n {
		label := int(set.WideLabels[k])
		want := [3]uint8{uint8(label / 100), uint8(label / 10 % 10), uint8(label % 10)}
		for ch := range 3 {
			for p := range channel {
				channel[p] = im.Pixels[(k*784+p)*3+ch]
			}
			digits, ok := digitsOf[string(channel)]
			if !ok {
				t.Fatalf("image %d channel %d is not an MNIST training image", k, ch)
			}
			if !slices.Contains(digits, want[ch]) {
				t.Fatalf("image %d has label %03d but channel %d is an image of %v", k, label, ch, digits)
			}
		}
		firstDigits[want[0]]++
	}
	for d, c := range firstDigits {
		if c < n/10/2 {
			t.Fatalf("first digit %d drawn %d times in %d, want about %d", d, c, n, n/10)
		}
	}

	// A pure function of the seed.
	again, _ := StackedMNIST(mnist.Train, n, 7)
	other, _ := StackedMNIST(mnist.Train, n, 8)
	if !slices.Equal(again.Images.Pixels, im.Pixels) || !slices.Equal(again.WideLabels, set.WideLabels) {
		t.Fatal("same seed, different sets")
	}
	if slices.Equal(other.WideLabels, set.WideLabels) {
		t.Fatal("seeds 7 and 8 gave the same labels")
	}
}

func TestLoadStackedMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("makes 70,000 images from MNIST; skipped under -short")
	}
	realMNIST(t)
	ds, err := Load("stacked-mnist")
	if err != nil {
		t.Fatal(err)
	}
	if ds.Name != "stacked-mnist" || ds.Train.Images.N != 60000 || ds.Test.Images.N != 10000 || ds.Train.Images.Channels != 3 {
		t.Fatalf("%s: %d train and %d test images of %d channels, want stacked-mnist, 60000, 10000, 3", ds.Name, ds.Train.Images.N, ds.Test.Images.N, ds.Train.Images.Channels)
	}
	// 60 images a class on average: every one of the 1,000 is there.
	seen := make([]bool, 1000)
	modes := 0
	for _, l := range ds.Train.WideLabels {
		if !seen[l] {
			seen[l], modes = true, modes+1
		}
	}
	if modes != 1000 {
		t.Fatalf("the training split covers %d of the 1000 classes", modes)
	}
}

func TestStackedMNISTErrors(t *testing.T) {
	gray := Set{Images: testImages(3, 2, 2), Labels: []uint8{1, 2, 3}}
	for _, tc := range []struct {
		name string
		set  Set
		n    int
		want string
	}{
		{"no images", Set{}, 1, "no images"},
		{"color", Set{Images: colorImages(3, 2, 2, 3), Labels: []uint8{1, 2, 3}}, 1, "images must be gray, got 3 channels"},
		{"labels", Set{Images: gray.Images, Labels: []uint8{1}}, 1, "3 images but 1 labels"},
		{"not digits", Set{Images: gray.Images, Labels: []uint8{1, 12, 3}}, 1, "label 12 of image 1 is not a digit"},
		{"count", gray, 0, "image count must be positive, got 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := StackedMNIST(tc.set, tc.n, 1)
			checkErr(t, err, "StackedMNIST", tc.want)
		})
	}
}
