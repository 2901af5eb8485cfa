package words_test

import (
	"fmt"

	"github.com/gogan/gogan/internal/words"
)

func ExampleCount() {
	fmt.Println(words.Count(1, "step", "steps"), "and", words.Count(64, "image", "images"))
	// Output: 1 step and 64 images
}
