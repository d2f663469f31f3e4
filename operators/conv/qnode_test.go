package conv_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxrun/onnxrun/conformance"
)

// runNodeTests runs the ONNX backend node tests whose names start with
// one of prefixes from $ONNXRUN_TESTDATA/onnx/node with exact comparison
// (atol = rtol = 0: integer outputs must match the reference bit for bit),
// once with one thread and once with two.
func runNodeTests(t *testing.T, want int, prefixes ...string) {
	root := os.Getenv("ONNXRUN_TESTDATA")
	if root == "" {
		t.Skip("ONNXRUN_TESTDATA is not set; point it at the shared test data (the folder holding onnx/) to run the ONNX node tests")
	}
	all, err := conformance.Discover(filepath.Join(root, "onnx", "node"))
	if err != nil {
		t.Fatal(err)
	}
	var sel []*conformance.Test
	for _, tt := range all {
		for _, p := range prefixes {
			if strings.HasPrefix(tt.Name, p) {
				sel = append(sel, tt)
				break
			}
		}
	}
	if len(sel) < want {
		t.Fatalf("found %d node tests with prefixes %v, want at least %d", len(sel), prefixes, want)
	}
	zero := 0.0
	for _, threads := range []int{1, 2} {
		for _, tt := range sel {
			r := tt.Run(conformance.Options{RTol: &zero, ATol: &zero, Threads: threads})
			if r.Status != conformance.Pass {
				t.Errorf("threads %d: %s", threads, r.Line())
			}
		}
	}
}

// TestNodeTests runs test_convinteger_* and test_qlinearconv.
func TestNodeTests(t *testing.T) {
	runNodeTests(t, 3, "test_convinteger_", "test_qlinearconv")
}
