// Package cuda is a placeholder with the agreed API, replaced by the cuda branch at merge.
package cuda

import "errors"

type Device struct{}
type Graph struct{}
type Ptr uintptr

func (p Ptr) Add(i int) Ptr { return p + Ptr(4*i) }

func Open(ordinal int) (*Device, error)                                  { return nil, errors.New("cuda: placeholder") }
func (d *Device) Close() error                                           { return nil }
func (d *Device) Name() string                                           { return "" }
func (d *Device) Sync() error                                            { return nil }
func (d *Device) Err() error                                             { return nil }
func (d *Device) SetTF32(on bool)                                        {}
func (d *Device) Alloc(n int) (Ptr, error)                               { return 0, nil }
func (d *Device) Free(p Ptr)                                             {}
func (d *Device) AllocHost(n int) ([]float32, error)                     { return nil, nil }
func (d *Device) FreeHost(s []float32)                                   {}
func (d *Device) CopyToDevice(dst Ptr, src []float32)                    {}
func (d *Device) CopyToHost(dst []float32, src Ptr)                      {}
func (d *Device) Copy(dst, src Ptr, n int)                               {}
func (d *Device) Sgemm(transA, transB bool, m, n, k int, alpha float32, a Ptr, lda int, b Ptr, ldb int, beta float32, c Ptr, ldc int) {
}
func (d *Device) BeginCapture() error         { return nil }
func (d *Device) EndCapture() (*Graph, error) { return nil, nil }
func (g *Graph) Launch() error                { return nil }
func (g *Graph) Close()                       {}

func (d *Device) Fill(x Ptr, n int, v float32)                           {}
func (d *Device) Scale(y, x Ptr, n int, c float32)                       {}
func (d *Device) Add(z, x, y Ptr, n int)                                 {}
func (d *Device) Sub(z, x, y Ptr, n int)                                 {}
func (d *Device) Mul(z, x, y Ptr, n int)                                 {}
func (d *Device) Accumulate(y, x Ptr, n int)                             {}
func (d *Device) AddScaled(y, x Ptr, n int, c float32)                   {}
func (d *Device) AddBias(y, x, b Ptr, rows, cols int)                    {}
func (d *Device) BiasLeakyReLU(y, x, b Ptr, rows, cols int, slope float32) {}
func (d *Device) BiasTanh(y, x, b Ptr, rows, cols int)                   {}
func (d *Device) BiasReLU(y, x, b Ptr, rows, cols int)                   {}
func (d *Device) LeakyReLU(y, x Ptr, n int, slope float32)               {}
func (d *Device) LeakyReLUGrad(dx, dy, y Ptr, n int, slope float32, accumulate bool) {}
func (d *Device) Tanh(y, x Ptr, n int)                                   {}
func (d *Device) TanhGrad(dx, dy, y Ptr, n int, accumulate bool)         {}
func (d *Device) Sigmoid(y, x Ptr, n int)                                {}
func (d *Device) SigmoidGrad(dx, dy, y Ptr, n int, accumulate bool)      {}
func (d *Device) SumRows(out, x Ptr, rows, cols int, beta float32)       {}
func (d *Device) Sum(out, x Ptr, n int, scale, beta float32)             {}
func (d *Device) BatchNormStats(mean, invStd, x Ptr, rows, cols int, eps float32) {}
func (d *Device) BatchNormApply(y, x, mean, invStd, gamma, beta Ptr, rows, cols int) {}
func (d *Device) BatchNormGrad(dx, dgamma, dbeta, dy, x, mean, invStd, gamma Ptr, rows, cols int, accumulateDX bool) {
}
func (d *Device) Adam(p, g, m, v Ptr, n int, beta1, beta2, stepSize, eps float32) {}

func (d *Device) BatchNormMoments(mean, variance, invStd, x Ptr, rows, cols int, eps float32) {}
func (d *Device) MovingAverage(avg, x Ptr, n int, momentum float32)                          {}
func (d *Device) SigmoidCrossEntropy(out, x, t Ptr, n int)                                   {}
func (d *Device) SigmoidCrossEntropyGrad(dx, x, t, dy Ptr, n int, accumulate bool)           {}
func (d *Device) Broadcast(y, s Ptr, n int, scale float32)                                   {}

type Window struct{ N, H, W, C, OH, OW, KH, KW, SH, SW, PT, PL int }

func (d *Device) Im2col(col, x Ptr, w Window)                                          {}
func (d *Device) Col2im(dx, col Ptr, w Window, accumulate bool)                        {}
func (d *Device) DropoutMask(mask Ptr, n int, seed, threshold uint64, keep float32)    {}
