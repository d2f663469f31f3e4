// Package conformance runs ONNX models against their expected outputs and
// keeps the manifest of the tests onnxrun must pass.
//
// It understands the ONNX backend-test layout (a folder holding one
// *.onnx model and test_data_set_N/{input,output}_K.pb, inputs and outputs
// in the graph's order), the onnx/light layout (light_<name>.onnx beside
// light_<name>_output_0.pb, whose input is arange(n)/n in float32) and the
// exported-model folders of the shared test data (models/ with its
// MANIFEST.tsv tolerances, models-quantized/, models-edge/).
//
// Discover finds the tests under some paths; Test.Run loads a model with
// the runtime, runs every data set and compares each output with the ONNX
// backend tolerance |got-want| <= atol + rtol*|want| (rtol 1e-3, atol 1e-7
// unless the suite or the caller says otherwise). A Result is a pass, a
// failure with the worst element, a skip listing the operators the runtime
// lacks, or an error (which counts as a failure).
//
// The *.txt files in this directory are the manifests: one per suite,
// listing (as names or regular expressions) the tests that must pass. The
// test in suite_test.go runs every suite found under $ONNXRUN_TESTDATA and
// fails both when a listed test does not pass and when a test passes that
// its manifest does not list yet, so the manifests record progress;
//
//	go run ./cmd/run test -update-manifest conformance/node.txt $ONNXRUN_TESTDATA/onnx/node
//
// adds the new passes. Tests tagged "slow" in a manifest run only when
// ONNXRUN_SLOW=1. COVERAGE.md, written by go generate ./conformance,
// counts per operator how many tests use it, how many of those pass, and
// how many are skipped because the runtime lacks it.
package conformance

//go:generate go run ../cmd/run coverage -o COVERAGE.md
