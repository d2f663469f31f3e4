//go:build amd64 && !purego

package dispatch

// WideTailTable returns a table whose entries run the AVX2 assembly
// through the wrappers as the AVX-512 tier sets them up (16-lane tails), or
// nil if the CPU lacks AVX2. Only tests see it.
func WideTailTable() *Kernels {
	if ok, _ := archCheck(AVX2); !ok {
		return nil
	}
	k := newGeneric()
	k.MaxF32 = func(x []float32) float32 { return maxF32Vec(x, maxF32AVX2) }
	k.ExpSumF32 = func(dst, x []float32, m float32) float32 {
		return expSumF32Vec(dst[:len(x)], x, m, vecAVX2Wide)
	}
	k.SumExpF32 = func(x []float32, m float32) float32 { return expSumF32Vec(nil, x, m, vecAVX2Wide) }
	k.ExpF32 = func(dst, x []float32) { expSumF32Vec(dst[:len(x)], x, 0, vecAVX2Wide) }
	plugColsF32(k, vecAVX2Wide, maxColsF32AVX2, expSumColsF32AVX2, scaleColsF32AVX2, shiftColsF32AVX2)
	plugRows(k, vecAVX2Wide)
	plugF64(k, vecAVX2Wide, maxF64AVX2, expSumF64AVX2, scaleF64AVX2, shiftF64AVX2,
		maxColsF64AVX2, expSumColsF64AVX2, scaleColsF64AVX2, shiftColsF64AVX2)
	k.Level = AVX2
	return k
}
