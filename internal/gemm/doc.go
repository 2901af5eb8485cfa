// Package gemm computes single-precision matrix products, C = alpha·op(A)·op(B) + beta·C,
// the one kernel that dominates training time.
//
// Layout: every matrix is row-major with an explicit leading dimension (the distance, in
// elements, between the starts of two consecutive rows), as in the CBLAS row-major convention.
// op(X) is X or Xᵀ as chosen by the transpose flags; the transposes are read in place, never
// copied by the caller. op(A) is (m, k), op(B) is (k, n), C is (m, n).
//
// Ownership and aliasing: C must not overlap A or B. The functions allocate nothing in the
// steady state.
//
// Reference is the plain triple loop that every fast path is tested against.
package gemm
