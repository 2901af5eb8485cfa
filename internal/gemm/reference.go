package gemm

// Reference is the plain loop, in float64 accumulation, that defines Sgemm:
//
//	for i < m, j < n: C[i,j] = alpha·Σ_p op(A)[i,p]·op(B)[p,j] + beta·C[i,j]
//
// with op(A)[i,p] = A[i*lda+p] (or A[p*lda+i] when transA) and
// op(B)[p,j] = B[p*ldb+j] (or B[j*ldb+p] when transB). When beta is 0, C is not read.
func Reference(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var sum float64
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				sum += float64(av) * float64(bv)
			}
			v := float32(float64(alpha) * sum)
			if beta != 0 {
				v += beta * c[i*ldc+j]
			}
			c[i*ldc+j] = v
		}
	}
}
