package pool

import "github.com/onnxrun/onnxrun/operators"

func init() {
	reg := func(op string, f operators.Factory, since ...int) {
		for _, s := range since {
			operators.Register(operators.Registration{OpType: op, Since: s, New: f})
		}
	}
	// MaxPool-1: kernel_shape, strides, pads, auto_pad.
	// MaxPool-8: adds storage_order and the optional Indices output.
	// MaxPool-10: adds dilations and ceil_mode.
	// MaxPool-11: clarifies pads and auto_pad; same computation.
	// MaxPool-12: adds int8/uint8 (we run float32/float64).
	// MaxPool-22: adds bfloat16.
	reg("MaxPool", newMaxPool, 1, 8, 10, 11, 12, 22)
	// AveragePool-1: kernel_shape, strides, pads, auto_pad; padding never
	// counted in the divisor.
	// AveragePool-7: adds count_include_pad.
	// AveragePool-10: adds ceil_mode.
	// AveragePool-11: clarifies pads and auto_pad; same computation.
	// AveragePool-19: adds dilations.
	// AveragePool-22: adds bfloat16.
	reg("AveragePool", newAveragePool, 1, 7, 10, 11, 19, 22)
	// GlobalAveragePool-1 / GlobalMaxPool-1: reduce every spatial
	// dimension to 1. Version 22 adds bfloat16.
	reg("GlobalAveragePool", newGlobalAverage, 1, 22)
	reg("GlobalMaxPool", newGlobalMax, 1, 22)
}
