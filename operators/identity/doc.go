// Package identity implements the ONNX Identity operator, which returns its
// input unchanged.
//
// The output is a copy in a buffer of its own, so the runtime's buffer
// reuse never has to reason about two names sharing one buffer. Sequence
// and optional inputs (opsets 14 and 16) are not supported because the
// runtime has no value kinds for them.
package identity
