//go:build amd64 && !purego

#include "textflag.h"

// AVX2 loops over blocks of 8 floats; len(dst) is a multiple of 8 and the
// other slices are at least as long. Each is its Go loop in simd_amd64.go's callers.

// func addToAVX2(dst, src []float32)
// for i, v := range src { dst[i] += v }
TEXT ·addToAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI

add32:
	CMPQ    CX, $32
	JL      add8
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VADDPS  (DI), Y0, Y0
	VADDPS  32(DI), Y1, Y1
	VADDPS  64(DI), Y2, Y2
	VADDPS  96(DI), Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $32, CX
	JMP     add32

add8:
	CMPQ    CX, $8
	JL      addDone
	VMOVUPS (SI), Y0
	VADDPS  (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     add8

addDone:
	VZEROUPPER
	RET

// func mulAVX2(dst, a, b []float32)
// for i := range dst { dst[i] = a[i] * b[i] }
TEXT ·mulAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DX

mul32:
	CMPQ    CX, $32
	JL      mul8
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMULPS  (DX), Y0, Y0
	VMULPS  32(DX), Y1, Y1
	VMULPS  64(DX), Y2, Y2
	VMULPS  96(DX), Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $128, SI
	ADDQ    $128, DX
	ADDQ    $128, DI
	SUBQ    $32, CX
	JMP     mul32

mul8:
	CMPQ    CX, $8
	JL      mulDone
	VMOVUPS (SI), Y0
	VMULPS  (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     mul8

mulDone:
	VZEROUPPER
	RET

// func leakyReLUAVX2(dst, x []float32, alpha float32)
// for i, v := range x { if v > 0 { dst[i] = v } else { dst[i] = alpha * v } }
TEXT ·leakyReLUAVX2(SB), NOSPLIT, $0-52
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	VBROADCASTSS alpha+48(FP), Y7
	VXORPS       Y6, Y6, Y6

lrelu16:
	CMPQ      CX, $16
	JL        lrelu8
	VMOVUPS   (SI), Y0
	VMOVUPS   32(SI), Y3
	VMULPS    Y7, Y0, Y1
	VMULPS    Y7, Y3, Y4
	VCMPPS    $0x0e, Y6, Y0, Y2 // x > 0
	VCMPPS    $0x0e, Y6, Y3, Y5
	VBLENDVPS Y2, Y0, Y1, Y1    // x > 0 ? x : alpha*x
	VBLENDVPS Y5, Y3, Y4, Y4
	VMOVUPS   Y1, (DI)
	VMOVUPS   Y4, 32(DI)
	ADDQ      $64, SI
	ADDQ      $64, DI
	SUBQ      $16, CX
	JMP       lrelu16

lrelu8:
	CMPQ      CX, $8
	JL        lreluDone
	VMOVUPS   (SI), Y0
	VMULPS    Y7, Y0, Y1
	VCMPPS    $0x0e, Y6, Y0, Y2
	VBLENDVPS Y2, Y0, Y1, Y1
	VMOVUPS   Y1, (DI)

lreluDone:
	VZEROUPPER
	RET

// func leakyReLUBackwardAVX2(dst, x, dy []float32, alpha float32)
// for i, v := range x { if v > 0 { dst[i] = dy[i] } else { dst[i] = alpha * dy[i] } }
TEXT ·leakyReLUBackwardAVX2(SB), NOSPLIT, $0-76
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	MOVQ         dy_base+48(FP), DX
	VBROADCASTSS alpha+72(FP), Y7
	VXORPS       Y6, Y6, Y6

lrelub16:
	CMPQ      CX, $16
	JL        lrelub8
	VMOVUPS   (DX), Y0
	VMOVUPS   32(DX), Y3
	VMULPS    Y7, Y0, Y1
	VMULPS    Y7, Y3, Y4
	VCMPPS    $0x01, (SI), Y6, Y2 // 0 < x
	VCMPPS    $0x01, 32(SI), Y6, Y5
	VBLENDVPS Y2, Y0, Y1, Y1      // x > 0 ? dy : alpha*dy
	VBLENDVPS Y5, Y3, Y4, Y4
	VMOVUPS   Y1, (DI)
	VMOVUPS   Y4, 32(DI)
	ADDQ      $64, SI
	ADDQ      $64, DX
	ADDQ      $64, DI
	SUBQ      $16, CX
	JMP       lrelub16

lrelub8:
	CMPQ      CX, $8
	JL        lrelubDone
	VMOVUPS   (DX), Y0
	VMULPS    Y7, Y0, Y1
	VCMPPS    $0x01, (SI), Y6, Y2
	VBLENDVPS Y2, Y0, Y1, Y1
	VMOVUPS   Y1, (DI)

lrelubDone:
	VZEROUPPER
	RET
