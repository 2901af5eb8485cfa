package gan

import "fmt"

// checkLabels returns an error naming the first label that is not one of
// classes classes (0..classes−1), or nil. Every trainer that takes labels
// (the conditional GANs, the classifier) checks them with it before a step,
// so that a labels file holding, say, 200 gives an error instead of an index
// out of range deep in a loss.
func checkLabels(labels []uint8, classes int) error {
	for i, l := range labels {
		if int(l) >= classes {
			return fmt.Errorf("label %d of sample %d is not one of %d classes", l, i, classes)
		}
	}
	return nil
}
