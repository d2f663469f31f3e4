package softmaxcore

import (
	"fmt"
	"math"
)

// The float64 reference of this file is written from the ONNX definitions
// with explicit index arithmetic; it shares nothing with the kernels or the
// driver.

// refAxis normalises axis for rank the way the spec states it.
func refAxis(axis int64, rank int) int {
	if axis < 0 {
		axis += int64(rank)
	}
	if axis < 0 || axis >= int64(rank) {
		panic(fmt.Sprintf("reference: axis %d out of range for rank %d", axis, rank))
	}
	return int(axis)
}

// refNormalise applies softmax or log-softmax to the elements of x at the
// given indices, in float64.
func refNormalise(kind Kind, x, y []float64, idx []int) {
	if len(idx) == 0 {
		return
	}
	m := math.Inf(-1)
	for _, i := range idx {
		m = math.Max(m, x[i]) // NaN if any element is NaN
	}
	sum := 0.0
	for _, i := range idx {
		sum += math.Exp(x[i] - m)
	}
	for _, i := range idx {
		if kind == LogSoftmax {
			y[i] = (x[i] - m) - math.Log(sum)
		} else {
			y[i] = math.Exp(x[i]-m) / sum
		}
	}
}

// reference computes the operator with the semantics of since-version
// since: the coerced 2-D matrix before 13, the single axis from 13.
func reference(kind Kind, since int, axis int64, shape []int, x []float64) []float64 {
	y := make([]float64, len(x))
	k := refAxis(axis, len(shape))
	if since < 13 {
		rows, cols := 1, 1
		for i, d := range shape {
			if i < k {
				rows *= d
			} else {
				cols *= d
			}
		}
		idx := make([]int, cols)
		for r := 0; r < rows; r++ {
			for c := range idx {
				idx[c] = r*cols + c
			}
			refNormalise(kind, x, y, idx)
		}
		return y
	}
	return referenceSingleAxis(kind, k, shape, x)
}

// referenceSingleAxis normalises axis k alone, visiting every index of the
// other axes with an odometer over the full shape.
func referenceSingleAxis(kind Kind, k int, shape []int, x []float64) []float64 {
	y := make([]float64, len(x))
	strides := make([]int, len(shape))
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		strides[i] = s
		s *= shape[i]
	}
	if s == 0 {
		return y
	}
	pos := make([]int, len(shape)) // pos[k] stays 0
	idx := make([]int, shape[k])
	for {
		base := 0
		for i, p := range pos {
			base += p * strides[i]
		}
		for j := range idx {
			idx[j] = base + j*strides[k]
		}
		refNormalise(kind, x, y, idx)
		i := len(shape) - 1
		for ; i >= 0; i-- {
			if i == k {
				continue
			}
			pos[i]++
			if pos[i] < shape[i] {
				break
			}
			pos[i] = 0
		}
		if i < 0 {
			return y
		}
	}
}
