package conformance_test

import (
	"fmt"
	"path/filepath"

	"github.com/onnxrun/onnxrun/conformance"
)

// Run the tests of one folder in the ONNX backend-test layout and print a
// line per test and the summary.
func Example() {
	tests, err := conformance.Discover(filepath.Join("..", "models", "testdata", "softmax_classifier_opset11"))
	if err != nil {
		fmt.Println(err)
		return
	}
	var sum conformance.Summary
	for _, t := range tests {
		r := t.Run(conformance.Options{})
		sum.Add(r)
		fmt.Println(r.Line())
		fmt.Println("data sets:", r.Sets, "operators:", r.Ops)
	}
	fmt.Println(sum)
	// Output:
	// PASS softmax_classifier_opset11
	// data sets: 2 operators: [Add Mul Softmax]
	// 1 passed, 0 failed, 0 skipped
}
