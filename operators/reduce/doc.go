// Package reduce implements the ONNX reductions ReduceSum, ReduceMean,
// ReduceMax, ReduceMin, ReduceProd, ReduceSumSquare, ReduceL1, ReduceL2,
// ReduceLogSum and ReduceLogSumExp, which share one traversal, and the
// index reductions ArgMax, ArgMin and Hardmax.
//
// The traversal drops size-1 dimensions and merges neighbouring dimensions
// that are all reduced or all kept, then walks the input once in memory
// order: when the innermost group is reduced, each contiguous row folds
// into one output element; when it is kept, each row is added (or maxed,
// ...) element-wise into a contiguous run of the output. Either way the
// inner loop is a tight loop over a typed slice. When a single group of
// axes is reduced (the usual case) the input is seen as [a, r, b] and split
// into tasks of one a-row and a chunk of b columns, which run in parallel
// on large inputs.
//
// Accumulation happens in the element type, as ONNX Runtime does: float32
// sums accumulate in float32 (each row with four partial sums, which
// roughly halves the rounding error of a plain running sum), integer sums
// wrap, and integer means truncate. ReduceLogSumExp subtracts the maximum
// before exponentiating. float16 and bfloat16 inputs are widened to
// float32, reduced, and rounded back.
//
// Reducing over an empty set (a reduced dimension of size 0) gives the
// identity of the reduction: 0 for sums, 1 for products, -Inf (or the
// smallest integer) for ReduceMax, +Inf (or the largest integer) for
// ReduceMin, NaN for ReduceMean (0/0, as numpy; ONNX Runtime 1.30 gives 0)
// and -Inf for the log reductions.
//
// ReduceMax and ReduceMin propagate NaN, as numpy does (ONNX Runtime 1.30
// skips a NaN that is not the first element). ArgMax, ArgMin and Hardmax
// treat NaN as the winner, as numpy and ONNX Runtime do.
package reduce
