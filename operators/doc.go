// Package operators defines what every ONNX operator implementation shares:
// the runtime's tensor Value, element types, the Node an operator is built
// from, the Op interface the executor calls, and the registry that maps
// (domain, op type, opset) to an implementation.
//
// Each operator lives in a package of its own below this one and registers
// itself from init; the runtime imports them all through operators/all.
package operators
