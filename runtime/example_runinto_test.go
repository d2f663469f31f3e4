package runtime_test

import (
	"context"
	"fmt"
	"log"

	"gorgonia.org/tensor"

	_ "github.com/onnxrun/onnxrun/operators/all"
	"github.com/onnxrun/onnxrun/runtime"
)

// Run the model of Example into an output tensor made once: the Softmax
// writes straight into it, and repeated runs with these shapes allocate
// nothing.
func ExampleSession_RunInto() {
	s, err := runtime.Load("../models/testdata/softmax_symbolic_batch_opset13/model.onnx")
	if err != nil {
		log.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(1, 6), tensor.WithBacking([]float32{0, 1, 2, 3, 4, 5}))
	y := tensor.New(tensor.WithShape(1, 6), tensor.Of(tensor.Float32))
	inputs := map[string]*tensor.Dense{s.Inputs()[0].Name: x}
	outputs := map[string]*tensor.Dense{s.Outputs()[0].Name: y}
	for range 3 {
		if err := s.RunInto(context.Background(), inputs, outputs); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("%.4f\n", y.Data())
	// Output:
	// [0.0340 0.0560 0.0924 0.1523 0.2512 0.4141]
}
