// Package cast implements the ONNX Cast and CastLike operators, which
// convert a tensor to another element type.
//
// Numeric conversions follow Go's conversion rules, which match ONNX's
// where ONNX defines them: floats to floats round to nearest (and overflow
// to ±Inf), floats to integers truncate toward zero, integers to narrower
// integers keep the low bits, anything to bool is "not zero" (NaN is true),
// and bool to a number is 0 or 1. A float outside an integer type's range
// gives an unspecified value, as ONNX allows. float16 and bfloat16 pass
// through float32 (exact when widening; one round-to-nearest-even when
// narrowing, after float64 sources are first rounded to float32, as ONNX
// Runtime does).
//
// Numbers format as strings in the shortest form that reads back to the
// same value ("0.1", "1e+20"), with "NaN", "INF" and "-INF" for the special
// values, and bools as "1" and "0". Strings parse as decimal or scientific
// numbers, with "NaN", "INF", "+INF" and "-INF" in any case; a string that
// is not a number is an error. The float8 and 4-bit types are not
// supported, so the saturate attribute (opset 19) is accepted and has no
// effect.
package cast
