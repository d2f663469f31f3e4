// Package constant implements the ONNX Constant operator, whose output is
// fixed by its attributes.
//
// The value is built once, when the node is loaded, and exposed through
// operators.ConstantOp so the runtime can fold the node into an
// initializer; Run hands out a copy so a consumer that reuses its input
// buffer can never change the constant.
package constant
