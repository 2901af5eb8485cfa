// Package metrics computes the numbers that say how good a generator is, from what a
// classifier network says about real and generated samples: feature vectors (its
// penultimate layer) and class posteriors (its softmax output).
//
//   - FID, the Fréchet distance between Gaussians fitted to two feature sets (Heusel et
//     al. 2017), through Stats that can be computed once for the real set and cached.
//   - KID, the unbiased squared MMD with the cubic polynomial kernel, averaged over random
//     subsets (Bińkowski et al. 2018).
//   - Precision and recall of k-nearest-neighbour manifolds (Kynkäänniemi et al. 2019).
//   - The Inception Score (Salimans et al. 2016) and class statistics from posteriors:
//     a histogram of predicted classes, how many classes are covered, and the accuracy of
//     a conditional generator at producing the label it was asked for.
//
// Argument order: FID, KID and KIDProgress take the samples first and the reference
// second; PrecisionRecall and PrecisionRecallProgress take the real set first and the
// fake (generated) one second, as NVlabs' code does. The two arguments are of one type,
// so a call in the other order compiles: FID is symmetric (up to rounding), and KID's
// estimate is too, though not its random subsets (a swap moves it within its noise),
// but precision and recall come back exchanged. ExamplePrecisionRecall shows the call.
// The order is kept, not made consistent: a swapped signature would turn every
// existing call into that silent mistake.
//
// Layout: a feature set is Features, N rows of dimension D in one row-major []float64;
// posteriors are one row-major []float64 of shape (n, classes). float32 network outputs
// are converted on input (FeaturesFromFloat32, PosteriorsFromFloat32).
//
// Precision: FID, the statistics, the Inception Score and the class statistics work in
// float64 throughout. KID and precision/recall are dominated by all-pairs dot products
// (about 50 GFLOP each for 10,000 samples of dimension 128, where gonum's float64 product
// runs at about 5 GFLOP/s on two cores); those products run through gogan's float32 matrix
// kernel (internal/gemm) on tiles of 96×96, and everything around them (squared norms,
// distances, kernel values and their sums) is float64; distances of near-duplicates, where
// |x|² + |y|² − 2·xᵀy cancels, are recomputed from the float64 data. Since the features come out of a
// float32 network, the inputs of the products lose nothing; only the sums inside a dot
// product are float32 (a relative error near 1e-6), as when the common implementations
// (NVlabs' and torch-fidelity's precision/recall, for instance) run on float32 features.
// The tests hold both against plain float64 loops.
//
// Parallelism: KID and PrecisionRecall spread their tiles over runtime.GOMAXPROCS(0)
// goroutines. Their results do not depend on the number of goroutines, bit for bit.
// PrecisionRecallProgress and KIDProgress, the longest at 10,000 samples (seconds),
// tell a function how many of their tiles or subsets are done, from the caller's
// goroutine.
// All functions are safe for concurrent use; none keeps or modifies the slices it is given.
//
// Errors are returned, never panicked: shapes that do not match, too few samples, NaN or
// infinite values and out-of-range arguments each give an error that names the function
// and the value received, and wraps one of ErrShape, ErrDimensionMismatch,
// ErrTooFewSamples, ErrNotFinite or ErrArgument for errors.Is.
package metrics
