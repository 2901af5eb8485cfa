package words

import "strconv"

// Count is n followed by one (the noun's singular) when n is 1 or -1, else by many
// (its plural): Count(1, "image", "images") is "1 image", Count(0, …) "0 images".
func Count(n int, one, many string) string {
	noun := many
	if n == 1 || n == -1 {
		noun = one
	}
	return strconv.Itoa(n) + " " + noun
}
