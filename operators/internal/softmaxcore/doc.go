// Package softmaxcore is the shared implementation of the ONNX Softmax and
// LogSoftmax operators; operators/softmax and operators/logsoftmax are thin
// registrations over it.
//
// Everything that depends on the opset is settled when the operator is
// built: before opset 13 the input is coerced to the 2-D matrix
// [prod(d[:axis]), prod(d[axis:])] and each row is normalised; from opset 13
// only the single axis d[axis] is normalised, with an outer extent
// prod(d[:axis]) and an inner extent prod(d[axis+1:]). Either way the
// numeric kernels see vectors of length D with a stride:
//
//   - inner == 1: each of the outer rows is contiguous and goes through the
//     Row kernels (max, exp-and-sum, then a scale or a shift); for float32
//     a whole range of rows is handed to the row-batch entries
//     (SoftmaxRowsF32, LogSoftmaxRowsF32) in one call, which give the same
//     bits without the per-row calls that dominate short rows. When the
//     input and output together outgrow the last-level cache, the
//     streaming forms of those entries are used: they keep the
//     intermediate values in scratch rows that stay in cache and write
//     the output with non-temporal stores, so each output line crosses
//     the memory bus once (same bits again); long rows are pipelined,
//     one row's output written in the loop of the next row's
//     exponentials;
//   - inner > 1: each [D, inner] block goes through the Cols kernels in
//     tiles of columns, so the vectors run along the contiguous inner
//     extent and no transposed copy is made. Only the last few columns of
//     a block that do not fill a group of 8 (all of them when inner < 8)
//     are gathered one by one into a contiguous row for the Row kernels,
//     which is much faster than the Cols kernels' scalar tails.
//
// The kernels are copied from dispatch.Active when the operator is built,
// so a run makes no feature checks. The numerics follow ONNX Runtime: the
// row maximum is subtracted before exp, Softmax multiplies by the
// reciprocal of the sum and LogSoftmax computes (x - max) - log(sum).
// float16 and bfloat16 inputs are widened to float32, computed, and rounded
// back to nearest even.
//
// Work is split between goroutines (RunContext.Threads) by rows, or by
// (block, column tile) units, never inside one vector, so the result has
// the same bits for every thread count.
package softmaxcore
