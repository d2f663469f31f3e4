// Package bench times onnxrun beside ONNX Runtime, in one process, on the
// same models and the same input data.
//
// It is a module of its own because it needs cgo and ONNX Runtime's shared
// library (loaded through github.com/yalue/onnxruntime_go); the main module
// stays pure Go. setup.sh fetches ONNX Runtime 1.30 from the npm registry
// and prints the library's path; the benchmarks read it from ORT_LIB and
// the shared test data from ONNXRUN_TESTDATA:
//
//	ORT_LIB=$(bash setup.sh) ONNXRUN_TESTDATA=/path/to/shared go test -bench . -count 5
//
// BenchmarkModels times every model folder under
// $ONNXRUN_TESTDATA/models. Peak memory cannot be measured beside another
// runtime in one process, so cmd/peakmem loads one model in one runtime per
// process and reports its peak resident set; run.sh runs everything and
// prints the tables.
//
// BENCHMARKS.md at the repository root gives the figures and the exact
// commands.
package bench
