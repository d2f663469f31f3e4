package reduce

import (
	"math"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/half"
)

type number interface {
	~int8 | ~uint8 | ~int16 | ~uint16 | ~int32 | ~uint32 | ~int64 | ~uint64 | ~float32 | ~float64
}

// lowest and highest are ReduceMax's and ReduceMin's identities: ∓Inf for
// floats, the extreme values for integers.
func lowest[T number]() T {
	var z T
	switch any(z).(type) {
	case float32, float64:
		return T(math.Inf(-1))
	case int8:
		v := int64(math.MinInt8)
		return T(v)
	case int16:
		v := int64(math.MinInt16)
		return T(v)
	case int32:
		v := int64(math.MinInt32)
		return T(v)
	case int64:
		v := int64(math.MinInt64)
		return T(v)
	}
	return 0 // unsigned
}

// maxOf returns the largest value of T (+Inf for floats).
func maxOf[T number]() T {
	var z T
	switch any(z).(type) {
	case float32, float64:
		return T(math.Inf(1))
	case int8:
		v := int64(math.MaxInt8)
		return T(v)
	case int16:
		v := int64(math.MaxInt16)
		return T(v)
	case int32:
		v := int64(math.MaxInt32)
		return T(v)
	case int64:
		v := int64(math.MaxInt64)
		return T(v)
	}
	var ones uint64 = math.MaxUint64
	return T(ones) // unsigned: conversion keeps the low bits, all ones
}

// The row loops fold one contiguous row into a value.

func sumRow[T number](x []T) T {
	var s0, s1, s2, s3 T
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i]
		s1 += x[i+1]
		s2 += x[i+2]
		s3 += x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func sumSquareRow[T number](x []T) T {
	var s0, s1 T
	i := 0
	for ; i+2 <= len(x); i += 2 {
		s0 += x[i] * x[i]
		s1 += x[i+1] * x[i+1]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * x[i]
	}
	return s0 + s1
}

func absRow[T number](x []T) T {
	var s T
	for _, v := range x {
		if v < 0 {
			v = -v
		}
		s += v
	}
	return s
}

func prodRow[T number](x []T) T {
	p := T(1)
	for _, v := range x {
		p *= v
	}
	return p
}

// maxRow and minRow propagate NaN: once a NaN is seen it stays.
func maxRow[T number](x []T) T {
	m := x[0]
	for _, v := range x[1:] {
		if v > m || v != v {
			m = v
			if v != v {
				return v
			}
		}
	}
	return m
}

func minRow[T number](x []T) T {
	m := x[0]
	for _, v := range x[1:] {
		if v < m || v != v {
			m = v
			if v != v {
				return v
			}
		}
	}
	return m
}

// rowFold folds one contiguous row for reduction k.
func rowFold[T number](k kind, x []T) T {
	switch k {
	case kSumSquare, kL2:
		return sumSquareRow(x)
	case kL1:
		return absRow(x)
	case kProd:
		return prodRow(x)
	case kMax, kLogSumExp:
		return maxRow(x)
	case kMin:
		return minRow(x)
	}
	return sumRow(x)
}

// combine merges a row's fold into an output element.
func combine[T number](k kind, a, b T) T {
	switch k {
	case kProd:
		return a * b
	case kMax, kLogSumExp:
		if b > a || b != b {
			return b
		}
		return a
	case kMin:
		if b < a || b != b {
			return b
		}
		return a
	}
	return a + b
}

// foldInto folds a row element-wise into a run of the output.
func foldInto[T number](k kind, dst, src []T) {
	switch k {
	case kSumSquare, kL2:
		addSquareInto(dst, src)
	case kL1:
		addAbsInto(dst, src)
	case kProd:
		mulInto(dst, src)
	case kMax, kLogSumExp:
		maxInto(dst, src)
	case kMin:
		minInto(dst, src)
	default:
		addInto(dst, src)
	}
}

// identity is the starting value of reduction k.
func identity[T number](k kind) T {
	switch k {
	case kProd:
		return 1
	case kMax, kLogSumExp:
		return lowest[T]()
	case kMin:
		return maxOf[T]()
	}
	return 0
}

// run computes reduction k of x into y. The walk callbacks do not escape,
// and the per-row switches call the typed loops directly, so nothing is
// allocated besides LogSumExp's scratch.
func run[T number](rc *operators.RunContext, k kind, p *plan, y, x []T) {
	init := identity[T](k)
	if a, r, b, ok := p.single(); ok && len(x) > 0 {
		foldSingle(rc, k, y, x, a, r, b)
	} else {
		fold(k, p, y, x, init)
	}
	finish(k, p, y, x)
}

// fold is the general traversal, for any set of reduced groups.
func fold[T number](k kind, p *plan, y, x []T, init T) {
	for i := range y {
		y[i] = init
	}
	if p.innerReduced() {
		p.walk(func(o, lo, hi int) { y[o] = combine(k, y[o], rowFold(k, x[lo:hi])) })
	} else {
		p.walk(func(o, lo, hi int) { foldInto(k, y[o:o+hi-lo], x[lo:hi]) })
	}
}

// colChunk is how many output columns one task of foldSingle owns.
const colChunk = 1024

// parallelMin is the input size below which reductions stay on one
// goroutine.
const parallelMin = 1 << 16

// foldSingle reduces x, seen as [a, r, b] with the r axis reduced, into y
// ([a, b]). Tasks are (row of a, chunk of b columns) pairs; they write
// disjoint parts of y, so they run in parallel when x is large.
func foldSingle[T number](rc *operators.RunContext, k kind, y, x []T, a, r, b int) {
	nb := (b + colChunk - 1) / colChunk
	tasks := a * nb
	if rc == nil || rc.Threads <= 1 || len(x) < parallelMin {
		singleRange(k, y, x, r, b, nb, 0, tasks)
		return
	}
	per := r * min(b, colChunk) // input elements per task
	rc.Parallel(tasks, max(1, parallelMin/2/per), func(lo, hi int) { singleRange(k, y, x, r, b, nb, lo, hi) })
}

func singleRange[T number](k kind, y, x []T, r, b, nb, lo, hi int) {
	init := identity[T](k)
	for t := lo; t < hi; t++ {
		o, cb := t/nb, t%nb
		if b == 1 {
			y[o] = combine(k, init, rowFold(k, x[o*r:(o+1)*r]))
			continue
		}
		c0, c1 := cb*colChunk, min(b, (cb+1)*colChunk)
		dst := y[o*b+c0 : o*b+c1]
		for i := range dst {
			dst[i] = init
		}
		for j := 0; j < r; j++ {
			off := (o*r + j) * b
			foldInto(k, dst, x[off+c0:off+c1])
		}
	}
}

// finish applies the last step of the composite reductions.
func finish[T number](k kind, p *plan, y, x []T) {
	switch k {
	case kMean:
		if p.count == 0 {
			var z T
			if _, isFloat := any(z).(float32); isFloat {
				fillNaN(y)
			} else if _, isFloat := any(z).(float64); isFloat {
				fillNaN(y)
			}
			return // integers: the empty sum, 0
		}
		c := T(p.count)
		for i := range y {
			y[i] /= c
		}
	case kL2:
		for i, v := range y {
			y[i] = T(math.Sqrt(float64(v)))
		}
	case kLogSum:
		for i, v := range y {
			y[i] = T(math.Log(float64(v)))
		}
	case kLogSumExp:
		logSumExp(p, y, x)
	}
}

func fillNaN[T number](y []T) {
	nan := math.NaN()
	for i := range y {
		y[i] = T(nan)
	}
}

// logSumExp turns y, holding each output's maximum, into log(sum(exp(x -
// max))) + max, in float64. An infinite maximum is used as is (its shift
// would make NaN from Inf - Inf).
func logSumExp[T number](p *plan, y, x []T) {
	shift := make([]float64, len(y))
	for i, m := range y {
		if f := float64(m); !math.IsInf(f, 0) {
			shift[i] = f
		}
	}
	s := make([]float64, len(y))
	if p.innerReduced() {
		p.walk(func(o, lo, hi int) {
			m, acc := shift[o], 0.0
			for _, v := range x[lo:hi] {
				acc += math.Exp(float64(v) - m)
			}
			s[o] += acc
		})
	} else {
		p.walk(func(o, lo, hi int) {
			row, sh, acc := x[lo:hi], shift[o:o+hi-lo], s[o:o+hi-lo]
			for j, v := range row {
				acc[j] += math.Exp(float64(v) - sh[j])
			}
		})
	}
	for i := range y {
		y[i] = T(math.Log(s[i]) + shift[i])
	}
}

// runHalf reduces a float16 or bfloat16 tensor through float32.
func runHalf(rc *operators.RunContext, k kind, p *plan, y, x *operators.Value) {
	from, to := half.FromFloat16, half.ToFloat16
	if x.DType == operators.BFloat16 {
		from, to = half.FromBFloat16, half.ToBFloat16
	}
	xs := make([]float32, x.Len())
	for i, h := range x.U16() {
		xs[i] = from(h)
	}
	ys := make([]float32, y.Len())
	run(rc, k, p, ys, xs)
	for i, f := range ys {
		y.U16()[i] = to(f)
	}
}

// The into loops fold a row element-wise into a run of the output.

func addInto[T number](dst, src []T) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] += src[i]
	}
}

func addSquareInto[T number](dst, src []T) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] += src[i] * src[i]
	}
}

func addAbsInto[T number](dst, src []T) {
	src = src[:len(dst)]
	for i := range dst {
		v := src[i]
		if v < 0 {
			v = -v
		}
		dst[i] += v
	}
}

func mulInto[T number](dst, src []T) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] *= src[i]
	}
}

func maxInto[T number](dst, src []T) {
	src = src[:len(dst)]
	for i := range dst {
		if v := src[i]; v > dst[i] || v != v {
			dst[i] = v
		}
	}
}

func minInto[T number](dst, src []T) {
	src = src[:len(dst)]
	for i := range dst {
		if v := src[i]; v < dst[i] || v != v {
			dst[i] = v
		}
	}
}
