package cuda

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/ebitengine/purego"
)

// Sgemm is internal/gemm.Sgemm on device memory, row-major:
//
//	C (m, n) = alpha·op(A)·op(B) + beta·C
//
// with op(A) (m, k) and op(B) (k, n), op transposing when transA or transB; lda, ldb
// and ldc are the row strides of A, B and C as stored. cuBLAS is column-major and
// sees each row-major matrix as its transpose, so Sgemm asks it for
// Cᵀ = op(B)ᵀ·op(A)ᵀ: the operands swapped, the transposes kept. Negative sizes or
// strides shorter than a row panic.
func (d *Device) Sgemm(transA, transB bool, m, n, k int, alpha float32, a Ptr, lda int, b Ptr, ldb int, beta float32, c Ptr, ldc int) {
	checkGemm(transA, transB, m, n, k, lda, ldb, ldc)
	if m == 0 || n == 0 || d.err != nil {
		return
	}
	d.lock()
	defer d.unlock()
	d.args[2*maxArgs] = uint64(math.Float32bits(alpha))
	d.args[2*maxArgs+1] = uint64(math.Float32bits(beta))
	r, _, _ := purego.SyscallN(d.blas.sgemm, d.handle, op(transB), op(transA), uintptr(n), uintptr(m), uintptr(k),
		uintptr(unsafe.Pointer(&d.args[2*maxArgs])), uintptr(b), uintptr(max(ldb, 1)), uintptr(a), uintptr(max(lda, 1)),
		uintptr(unsafe.Pointer(&d.args[2*maxArgs+1])), uintptr(c), uintptr(ldc))
	if r != 0 {
		d.record(checkBlas(fmt.Sprintf("cublasSgemm (m=%d n=%d k=%d)", m, n, k), result(r)))
	}
}

// op is cuBLAS's cublasOperation_t: N = 0, T = 1.
func op(trans bool) uintptr {
	if trans {
		return 1
	}
	return 0
}

// checkGemm panics, as gemm does, on negative sizes and strides shorter than a row.
func checkGemm(transA, transB bool, m, n, k, lda, ldb, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("cuda: Sgemm of negative dimension (m=%d n=%d k=%d)", m, n, k))
	}
	if max(m, n, k, lda, ldb, ldc) > math.MaxInt32 {
		panic("cuda: Sgemm dimension beyond int32")
	}
	rowA, rowB := k, n
	if transA {
		rowA = m
	}
	if transB {
		rowB = k
	}
	for _, s := range []struct {
		name    string
		ld, row int
	}{{"A", lda, rowA}, {"B", ldb, rowB}, {"C", ldc, n}} {
		if s.ld < s.row {
			panic(fmt.Sprintf("cuda: Sgemm: leading dimension of %s (%d) smaller than its row length (%d)", s.name, s.ld, s.row))
		}
	}
}
