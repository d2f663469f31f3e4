package dispatch_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
)

var (
	sink32 float32
	sink64 float64
)

var benchLens = []int{1, 7, 8, 9, 1000, 32000, 100000}

// benchLevels runs body once per tier this CPU can run.
func benchLevels(b *testing.B, body func(b *testing.B, k *dispatch.Kernels)) {
	for _, im := range dispatch.Impls() {
		if !im.Available {
			continue
		}
		k, err := dispatch.ForLevel(im.Level)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(im.Level.String(), func(b *testing.B) { body(b, k) })
	}
}

func benchData32(n int) []float32 {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * 3)
	}
	return x
}

func benchData64(n int) []float64 {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, n)
	for i := range x {
		x[i] = r.NormFloat64() * 3
	}
	return x
}

// BenchmarkF32 times each float32 row entry; bytes are those read plus
// written per call.
func BenchmarkF32(b *testing.B) {
	benchLevels(b, func(b *testing.B, k *dispatch.Kernels) {
		for _, n := range benchLens {
			x := benchData32(n)
			dst := make([]float32, n)
			m := k.MaxF32(x)
			b.Run(fmt.Sprintf("Max/%d", n), func(b *testing.B) {
				b.SetBytes(int64(4 * n))
				b.ReportAllocs()
				for b.Loop() {
					sink32 = k.MaxF32(x)
				}
			})
			b.Run(fmt.Sprintf("ExpSum/%d", n), func(b *testing.B) {
				b.SetBytes(int64(8 * n))
				b.ReportAllocs()
				for b.Loop() {
					sink32 = k.ExpSumF32(dst, x, m)
				}
			})
			b.Run(fmt.Sprintf("SumExp/%d", n), func(b *testing.B) {
				b.SetBytes(int64(4 * n))
				b.ReportAllocs()
				for b.Loop() {
					sink32 = k.SumExpF32(x, m)
				}
			})
			b.Run(fmt.Sprintf("Exp/%d", n), func(b *testing.B) {
				b.SetBytes(int64(8 * n))
				b.ReportAllocs()
				for b.Loop() {
					k.ExpF32(dst, x)
				}
			})
			b.Run(fmt.Sprintf("Scale/%d", n), func(b *testing.B) {
				b.SetBytes(int64(8 * n))
				b.ReportAllocs()
				for b.Loop() {
					k.ScaleF32(dst, 1)
				}
			})
			b.Run(fmt.Sprintf("Shift/%d", n), func(b *testing.B) {
				b.SetBytes(int64(8 * n))
				b.ReportAllocs()
				for b.Loop() {
					k.ShiftF32(dst, x, 1, 2)
				}
			})
		}
	})
}

// BenchmarkF64 times each float64 row entry.
func BenchmarkF64(b *testing.B) {
	benchLevels(b, func(b *testing.B, k *dispatch.Kernels) {
		for _, n := range benchLens {
			x := benchData64(n)
			dst := make([]float64, n)
			m := k.MaxF64(x)
			b.Run(fmt.Sprintf("Max/%d", n), func(b *testing.B) {
				b.SetBytes(int64(8 * n))
				b.ReportAllocs()
				for b.Loop() {
					sink64 = k.MaxF64(x)
				}
			})
			b.Run(fmt.Sprintf("ExpSum/%d", n), func(b *testing.B) {
				b.SetBytes(int64(16 * n))
				b.ReportAllocs()
				for b.Loop() {
					sink64 = k.ExpSumF64(dst, x, m)
				}
			})
			b.Run(fmt.Sprintf("Scale/%d", n), func(b *testing.B) {
				b.SetBytes(int64(16 * n))
				b.ReportAllocs()
				for b.Loop() {
					k.ScaleF64(dst, 1)
				}
			})
		}
	})
}

// BenchmarkSoftmaxRowF32 is a whole softmax row as the operator runs it:
// max, exp-and-sum, scale by the reciprocal. el/ns is reported.
func BenchmarkSoftmaxRowF32(b *testing.B) {
	benchLevels(b, func(b *testing.B, k *dispatch.Kernels) {
		for _, n := range []int{1000, 32000} {
			x := benchData32(n)
			dst := make([]float32, n)
			b.Run(fmt.Sprint(n), func(b *testing.B) {
				b.SetBytes(int64(8 * n))
				b.ReportAllocs()
				for b.Loop() {
					m := k.MaxF32(x)
					s := k.ExpSumF32(dst, x, m)
					k.ScaleF32(dst, 1/s)
				}
				b.ReportMetric(float64(n)*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "el/ns")
			})
		}
	})
}

// BenchmarkSoftmaxColsF32 normalises axis 1 of [1, n, 64] (the column
// entries): max, exp-and-sum and scale down the columns.
func BenchmarkSoftmaxColsF32(b *testing.B) {
	benchLevels(b, func(b *testing.B, k *dispatch.Kernels) {
		for _, n := range []int{16, 1000} {
			const w = 64
			x := benchData32(n * w)
			dst := make([]float32, n*w)
			m, s := make([]float32, w), make([]float32, w)
			b.Run(fmt.Sprint(n), func(b *testing.B) {
				b.SetBytes(int64(8 * n * w))
				b.ReportAllocs()
				for b.Loop() {
					k.MaxColsF32(m, x, n, w, w)
					k.ExpSumColsF32(dst, x, m, s, n, w, w)
					for j := range s {
						s[j] = 1 / s[j]
					}
					k.ScaleColsF32(dst, s, n, w, w)
				}
				b.ReportMetric(float64(n*w)*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "el/ns")
			})
		}
	})
}

// BenchmarkSoftmaxRowsF32 times the row-batch entries on batches of rows
// as the operators hand them over (rows×d): "batch" is one entry call,
// "rowwise" the same rows through the row kernels one row at a time.
func BenchmarkSoftmaxRowsF32(b *testing.B) {
	benchLevels(b, func(b *testing.B, k *dispatch.Kernels) {
		for _, sh := range [][2]int{{256, 128}, {64, 1000}, {2, 32000}} {
			rows, d := sh[0], sh[1]
			x := benchData32(rows * d)
			dst := make([]float32, rows*d)
			for _, log := range []bool{false, true} {
				op, batch := "Softmax", k.SoftmaxRowsF32
				if log {
					op, batch = "LogSoftmax", k.LogSoftmaxRowsF32
				}
				b.Run(fmt.Sprintf("%s/%dx%d/batch", op, rows, d), func(b *testing.B) {
					b.SetBytes(int64(8 * rows * d))
					for b.Loop() {
						batch(dst, x, rows, d)
					}
					b.ReportMetric(float64(rows*d)*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "el/ns")
				})
				b.Run(fmt.Sprintf("%s/%dx%d/rowwise", op, rows, d), func(b *testing.B) {
					b.SetBytes(int64(8 * rows * d))
					for b.Loop() {
						for r := range rows {
							xs, ds := x[r*d:(r+1)*d], dst[r*d:(r+1)*d]
							m := k.MaxF32(xs)
							if log {
								k.ShiftF32(ds, xs, m, float32(math.Log(float64(k.SumExpF32(xs, m)))))
							} else {
								k.ScaleF32(ds, 1/k.ExpSumF32(ds, xs, m))
							}
						}
					}
					b.ReportMetric(float64(rows*d)*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "el/ns")
				})
			}
		}
	})
}
