// Package generate implements ONNX operators that build a tensor from a
// few scalars or a shape rather than transforming their input's elements:
// Range, EyeLike and OneHot.
//
// Range computes its length and elements in the inputs' own type, as
// ONNX's reference does (float32 ranges step in float32). OneHot accepts
// indices and depth of any numeric type; indices are truncated to
// integers, negative ones count from the end of the depth, and ones out of
// range give a row of off values.
package generate
