// Package vec holds gogan's element-wise float32 kernels: the raw loops that the
// autodiff ops call for everything except matrix products (package gemm).
//
// Conventions, as in gonum: the destination comes first, slices must have the
// lengths the comment states (the functions do not check beyond what indexing
// checks), and dst may alias an input only where the comment says so.
// Matrices are row-major (rows, cols) with no padding.
package vec
