// Command run loads ONNX models with onnxrun and runs them, checks them
// against expected outputs, times them and reports the kernels chosen for
// this CPU. It only turns flags into calls of the runtime, conformance and
// dispatch packages. Built as "onnxrun" it behaves the same.
//
// Usage:
//
//	run MODEL.onnx [-input NAME=FILE ... | -image FILE [-preprocess imagenet|none]] [-top K [-labels FILE]] [-threads N] [-output DIR] [-format pb|npy|npz] [-json]
//	run test [-json] [-rtol R] [-atol A] [-run RE] [-q] [-v] [-coverage] [-j N] [-update-manifest FILE] PATH ...
//	run bench [-json] [-n RUNS] [-threads N] [-api dense|values] [-input NAME=FILE ...] MODEL.onnx
//	run kernels [-json] [-levels]
//	run info [-json] MODEL.onnx
//	run coverage [-json] [-o FILE] [PATH ...]
//	run ops [-markdown | -json | -readme FILE]
//	run help
//
// Running a model: inputs come from -input NAME=FILE (a TensorProto .pb or
// a NumPy .npy file; NAME= may be left out when the model has one input),
// or -input FILE.npz (each array binds to the input of its name), or
// -image FILE (below), else from test_data_set_0 beside the model if there is one, else from
// seeded random data in the declared shape (symbolic dimensions taken as
// 1). Each output is printed with its name, type, shape and first values;
// -top K prints the K most likely classes of each row instead (applying
// softmax for display when the output is not already a probability
// distribution, and saying so); -labels FILE names the classes, one per
// line. -output DIR writes the outputs as .pb (or .npy with -format npy, or
// one DIR/outputs.npz with -format npz).
//
// -image FILE classifies a PNG or JPEG picture with a model whose one
// input is float32 [N,3,H,W]: the picture's shorter side is resized
// (bilinear, pixel centres aligned) to 256·max(H,W)/224 (256 for 224×224),
// the centre H×W is cropped, values are scaled to [0,1] and, with the
// default -preprocess imagenet, normalised with the ImageNet mean (0.485,
// 0.456, 0.406) and standard deviation (0.229, 0.224, 0.225) per channel.
//
// run test runs conformance tests (folders in the ONNX backend-test layout,
// or any folder above them) and prints one line per test:
//
//	PASS test_softmax_axis_0
//	FAIL test_x: output "y" (test_data_set_0): worst abs err 0.012, rel err 0.0034 at [0,3] (flat 3; got 3.51, want 3.522); 1 of 60 elements out of tolerance
//	SKIP test_conv: unsupported Conv(11), MaxPool(11)
//
// and last a line "N passed, M failed, K skipped". It exits with status 1
// if any test failed. -json prints one JSON object per test and then a
// summary object. -coverage adds a per-operator table. -update-manifest
// FILE adds the passing tests a conformance manifest does not list yet.
//
// run bench times Session.Run (or RunValues with -api values) after a
// warm-up run and prints the median, minimum and maximum latency and the
// allocations per run (runtime.MemStats.Mallocs over the timed runs).
//
// run kernels (or run -kernels) prints the CPU features found and, for
// each entry of the kernel table, the level and implementation chosen,
// respecting ONNXRUN_ISA; an ONNXRUN_ISA the CPU cannot honour is an
// error. -levels prints only the levels this CPU can run, one per line.
//
// run info describes a model without running it: IR version, producer,
// opsets, declared inputs and outputs, operator counts, and whether onnxrun
// can load it.
//
// run MODEL, run test and run bench take -noopt to load models without
// graph optimisations (runtime.WithoutOptimizations), to compare plans.
//
// run ops lists the registered operators with their domains and opset
// versions; -readme FILE rewrites the table between the ops markers of
// the README.
//
// Every subcommand takes -json for machine-readable output.
//
// run coverage runs the conformance suites of $ONNXRUN_TESTDATA (or the
// given paths) and writes the per-operator coverage table as Markdown
// (go generate ./conformance writes conformance/COVERAGE.md this way).
package main
