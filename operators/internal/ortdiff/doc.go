// Package ortdiff holds a differential test of the element-wise, cast,
// reduction and quantization operators against ONNX Runtime, on edge
// cases the ONNX node tests leave out (NaN, infinities, empty reductions,
// rounding ties, saturation).
//
// It builds one single-node model per case, runs it with onnxrun and with
// ONNX Runtime through the oracle script of the shared tools folder
// (node oracle.js), and compares. Set ONNXRUN_ORT_DIR to a directory where
// that folder's setup.sh has run (it holds oracle.js and node_modules);
// without it the test is skipped. Cases where onnxrun deliberately differs
// carry the reason.
package ortdiff
