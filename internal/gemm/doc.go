// Package gemm computes single-precision matrix products, C = alpha·op(A)·op(B) + beta·C,
// the one kernel that dominates training time.
//
// Layout: every matrix is row-major with an explicit leading dimension (the distance, in
// elements, between the starts of two consecutive rows), as in the CBLAS row-major convention.
// op(X) is X or Xᵀ as chosen by the transpose flags; the transposes are read in place, never
// copied by the caller. op(A) is (m, k), op(B) is (k, n), C is (m, n).
//
// Ownership and aliasing: C must not overlap A or B. Sgemm may be called from several
// goroutines at once. It allocates nothing in the steady state: the packing buffers belong
// to the threads and are reused (and grown, once, when a product needs more).
//
// Reference is the plain triple loop that every fast path is tested against.
//
// # Design
//
// Sgemm follows GotoBLAS/BLIS. Around a register-blocked micro-kernel that computes one
// mr×nr tile of C over a slab of depth kc, three loops cut the product into cache-sized
// blocks: columns of C by ncMax (a kc×nc slab of op(B), 1 MiB, packed once and kept in L2),
// the depth k into equal slabs of at most kcMax = 256, and rows by mcMax (an mc×kc block of
// op(A), 256 KiB, in L2). Inside a block, each kc×nr panel of op(B) (32 KiB) stays in L1
// while the mr×kc panels of op(A) stream past it.
//
// Packing copies a panel into the order the kernel reads it, p by p, with zeros padding the
// last, partial panel. The packing routines read A and B in either orientation directly:
// a panel read along its rows is a strided copy, one read across its rows an 8×8-block
// transpose. This is how every transpose variant is handled, with no transposed copies.
// Two shortcuts avoid the costly packs: op(A) that is not transposed is read in place by
// the kernel (kernelRowA) when it is short (m ≤ 64) or thin (k ≤ kcMax); and C = op(A)·Bᵀ
// with B the larger operand and k deep enough (the gradient dX = dY·Wᵀ; swapped) is computed
// as Cᵀ = B·op(A)ᵀ, so that the kernel reads B's rows in place instead of transposing B, Cᵀ
// being written to a scratch matrix and moved into C, transposed, block by block.
// A product with one column (n = 1: a one-unit Dense layer's forward and weight gradient)
// skips the packed loops, which would compute a whole panel of nr columns for it: it is a
// matrix-vector product that reads op(A) once (gemv.go), by dot products of op(A)'s rows
// or by blocks of A's columns summed down its rows; it is cut among the threads by
// internal/parallel.Parts, at least MinPerPart values of op(A) a part.
//
// The micro-kernels are Go assembly generated with avo by the program in _asm (see gen.go):
// on AVX-512, 8×32 (16 zmm accumulators, two per row of C; each step broadcasts 8 values of
// op(A) and loads 2 vectors of op(B)); on AVX2+FMA, the BLIS Haswell shape 6×16 (12 ymm
// accumulators). An 8×32 tile fits the batch of 64 exactly. Each call covers one tile over
// one slab (well under a microsecond: assembly is not preemptible), prefetches its tile of C,
// and ends with VZEROUPPER. Edge tiles are computed by the same kernel into a small tile
// buffer, the valid part of C copied in first (when beta ≠ 0) and out after, so that an
// edge element is computed exactly as an inner one.
//
// Dispatch: the kernel family is chosen once, at init, with golang.org/x/sys/cpu (which also
// checks that the OS saves the wider registers). Under the purego build tag, and on other
// architectures, the same loops run a 4×4 kernel written in Go (kernel_go.go), the loops
// whose code each assembly function's doc comment shows.
//
// Threading: a large product is shared among Threads() goroutines: the caller and the
// persistent workers of internal/parallel, the one team that the rest of a training step
// (im2col, the element-wise kernels of internal/vec, the optimizer) shares too, so that no
// second set of threads competes for the cores. A part is handed over through atomic
// counters; a worker spins for a millisecond after its last part before parking on a
// channel, so that the jobs of a training step, which follow each other closely, find it
// awake. Products of at least 1 MFLOP are shared, in parts of at least 0.5 MFLOP, waking
// parked workers if need be; smaller ones, and those that find the team busy with another
// job, run on the caller alone. C is cut into a grid of row bands by column bands (one band
// either way included), in whole micro-tiles, the grid whose busiest part costs least, tiles
// plus packing, with column bands of at least four panels (plan, minGridPanels);
// each part runs the loops above on its own block with its own buffers. (Packing the
// shared operand once for all the parts, BLIS-style, was tried on 16 cores and lost: the
// parts then read panels packed in other cores' caches, and the kernels ran 20% slower
// than the packing saved; see docs/performance.md.)
//
// Determinism: the slabs of k depend on k alone, and an element of C is always summed by
// one kernel call per slab in the same order, whether its tile is inner or at an edge and
// whichever goroutine computes it. Results are therefore bit-identical for any number of
// threads. (The purego kernels round differently, since they do not fuse the multiply-adds.)
package gemm
