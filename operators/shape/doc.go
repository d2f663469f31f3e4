// Package shape implements the ONNX operators that move, select or
// re-label elements without arithmetic: Reshape, Flatten, Squeeze,
// Unsqueeze, Transpose, Concat, Split, Shape, Size, Gather, GatherElements,
// Slice, Dropout (in inference mode), ConstantOfShape, Expand, Tile, Pad,
// SpaceToDepth and DepthToSpace.
//
// Operators that only change a shape (Reshape, Flatten, Squeeze, Unsqueeze,
// Dropout) return a view of their input's buffer. The rest work on any
// element type, strings included, by element size. Where a shape-defining
// input (Reshape's shape, Slice's starts, ...) is known at load time, Infer
// computes the exact output shape so the runtime can plan buffers.
package shape
