package contrib_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/onnxrun/onnxrun/conformance"
)

// TestQuantizedModels runs $ONNXRUN_TESTDATA/models-quantized (MNIST with
// ConvInteger and MatMulInteger; ShuffleNet with QLinearConv,
// QLinearMatMul and QLinearAdd) and requires ONNX Runtime 1.30's outputs
// exactly (atol = rtol = 0), with one thread and with two: the integer
// kernels accumulate exactly and requantize in float32 as ONNX Runtime
// does, so no tolerance is needed. The conformance suite's own tolerance
// for this folder (atol 1e-3) is looser.
func TestQuantizedModels(t *testing.T) {
	root := os.Getenv("ONNXRUN_TESTDATA")
	if root == "" {
		t.Skip("ONNXRUN_TESTDATA is not set; point it at the shared test data (the folder holding models-quantized/) to run the quantized models")
	}
	if testing.Short() {
		t.Skip("runs whole networks; skipped with -short")
	}
	tests, err := conformance.Discover(filepath.Join(root, "models-quantized"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tests) < 2 {
		t.Fatalf("found %d tests in models-quantized, want 2", len(tests))
	}
	zero := 0.0
	for _, threads := range []int{1, 2} {
		for _, tt := range tests {
			r := tt.Run(conformance.Options{RTol: &zero, ATol: &zero, Threads: threads})
			if r.Status != conformance.Pass {
				t.Errorf("threads %d: %s", threads, r.Line())
			}
		}
	}
}
